#!/usr/bin/env bash
# podman with the project's settings (deploy/containers/containers.conf), for the project's own
# commands only: CONTAINERS_CONF is set here, never globally.
set -euo pipefail
export CONTAINERS_CONF="${CONTAINERS_CONF:-$(cd "$(dirname "$0")/.." && pwd)/deploy/containers/containers.conf}"
exec podman "$@"
