#!/usr/bin/env bash
# Builds deploy/docker/Dockerfile with podman FROM the local Node base, as the tests do
# (test/support/container-image.ts): scripts/build-image.sh [tag] [podman build options…]
# The host's CA bundle is mounted into the build's RUN steps (a TLS-inspecting proxy's CA).
set -euo pipefail
cd "$(dirname "$0")/.."
tag=${1:-localhost/osprey:test}
shift || true
exec bash scripts/podman.sh build --format docker --layers \
  --build-arg BASE_IMAGE=localhost/osprey-node:20 \
  -v /etc/ssl/certs/ca-certificates.crt:/run/host-ca-certificates.crt:ro \
  --build-arg NODE_EXTRA_CA_CERTS=/run/host-ca-certificates.crt \
  -f deploy/docker/Dockerfile -t "$tag" "$@" .
