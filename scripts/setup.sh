#!/usr/bin/env bash
# Installs everything Osprey needs on a fresh machine, from the registries only, and builds it.
# Idempotent and quick when nothing changed: each step checks a stamp before working.
set -euo pipefail
export TURBO_TELEMETRY_DISABLED=1 NEXT_TELEMETRY_DISABLED=1
cd "$(dirname "$0")/.."

say() { printf '\033[1;34m==> %s\033[0m\n' "$*" >&2; }

# Node packages. onnxruntime-node's postinstall downloads CUDA from a host we cannot reach: off.
export ONNXRUNTIME_NODE_INSTALL=skip
if [ ! -f node_modules/.osprey-installed ] || [ package-lock.json -nt node_modules/.osprey-installed ]; then
  say "npm ci"
  npm ci --no-audit --no-fund --loglevel=error
  touch node_modules/.osprey-installed
fi

# The Python SDK and its test tools, in a project-local virtual environment.
if [ ! -x .venv/bin/python ] || [ sdk/python/pyproject.toml -nt .venv/.osprey-installed ] ||
  [ detectors/fixtures/requirements.txt -nt .venv/.osprey-installed ] ||
  [ shadow-runner/fixtures/requirements.txt -nt .venv/.osprey-installed ]; then
  say "python venv + sdk/python[test] + the detectors' reference statistics (scipy, scikit-learn) + ONNX fixtures (skl2onnx, onnxruntime)"
  python3 -m venv .venv
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -e './sdk/python[test]' -r detectors/fixtures/requirements.txt \
    -r shadow-runner/fixtures/requirements.txt
  touch .venv/.osprey-installed
fi

# Debian's Chromium for the browser tests (`setup.sh --browser`); never a downloaded browser build.
if [ "${1:-}" = "--browser" ] && [ ! -x /usr/bin/chromium ]; then
  say "apt-get install chromium"
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
fi

# Build what runs compiled (the Next.js dashboard, the JSON Schema export); turbo skips unchanged.
say "build"
npx turbo run build --output-logs=errors-only
