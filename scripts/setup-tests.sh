#!/usr/bin/env bash
# What only the tests need, beside what running needs (scripts/setup.sh --tests calls this):
# the Python SDK with its test tools, the detectors' reference statistics (scipy, scikit-learn)
# and the ONNX fixtures' tools, in a project-local venv; and Debian's Chromium for the browser
# tests, never a downloaded browser build. Idempotent: each step checks before working.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/steps.sh

install_venv() {
  python3 -m venv .venv
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -e './sdk/python[test]' \
    -r detectors/fixtures/requirements.txt -r shadow-runner/fixtures/requirements.txt
  touch .venv/.osprey-installed
}
if [ ! -x .venv/bin/python ] || [ sdk/python/pyproject.toml -nt .venv/.osprey-installed ] ||
  [ detectors/fixtures/requirements.txt -nt .venv/.osprey-installed ] ||
  [ shadow-runner/fixtures/requirements.txt -nt .venv/.osprey-installed ]; then
  step "python venv (tests only): sdk/python[test], scipy, scikit-learn, skl2onnx, onnxruntime" install_venv
fi

if [ ! -x /usr/bin/chromium ]; then
  step "apt-get install chromium (browser tests only)" apt_install chromium
fi

# The deploy tests make a test CA and a server certificate (test/support/test-certs.ts).
if ! command -v openssl >/dev/null; then
  step "apt-get install openssl (test certificates only)" apt_install openssl
fi
# helm and the manifest validator for the chart's tests, built from source (scripts/setup-helm.sh).
bash scripts/setup-helm.sh
# podman, docker-compose and the local base images for test/deploy (no registry is reachable).
bash scripts/setup-containers.sh
