#!/usr/bin/env bash
# Installs what running Osprey needs on a fresh machine, from the registries only, and builds it:
# the Node packages and the compiled dashboard. `setup.sh --tests` adds what only the tests need
# (scripts/setup-tests.sh: the Python venv, Debian's Chromium). Idempotent and quick when nothing
# changed: each step checks a stamp (or turbo's cache) before working, and says how long it took.
set -euo pipefail
export TURBO_TELEMETRY_DISABLED=1 NEXT_TELEMETRY_DISABLED=1
cd "$(dirname "$0")/.."
source scripts/lib/steps.sh

# The tests' own tools install beside the Node packages and the build (they share nothing).
tests_pid=""
if [ "${1:-}" = "--tests" ]; then
  bash scripts/setup-tests.sh &
  tests_pid=$!
fi

# Node packages. onnxruntime-node's postinstall downloads CUDA from a host we cannot reach: off.
# Dev dependencies stay: the dashboard's build needs TypeScript, and they are ~8% of the bytes.
export ONNXRUNTIME_NODE_INSTALL=skip
if [ ! -f node_modules/.osprey-installed ] || [ package-lock.json -nt node_modules/.osprey-installed ]; then
  step "npm ci" npm ci --no-audit --no-fund --prefer-offline --loglevel=error
  touch node_modules/.osprey-installed
fi

# Build what runs compiled (the Next.js dashboard, the JSON Schema export); turbo skips unchanged.
# The first build of a checkout writes no Turbopack cache: writing it nearly doubled that build.
[ -d web/.next ] || export OSPREY_NEXT_BUILD_CACHE=off
step "build" npx turbo run build --output-logs=errors-only

if [ -n "$tests_pid" ]; then
  wait "$tests_pid" || { echo "setup-tests.sh failed" >&2; exit 1; }
fi
