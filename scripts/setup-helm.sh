#!/usr/bin/env bash
# helm and the manifest validator for the chart's tests (test/deploy/helm*.integration.test.ts),
# both built from source through the Go module proxy (no release binary can be downloaded here)
# into .cache/helm/bin. Idempotent: each is built only when missing or older than what it is
# built from. ~4 min from empty Go caches (~15 on a busy 2-core machine), a second when both are
# there. Also catatonit, for the chart's pod under `podman kube play`.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/steps.sh

HELM_VERSION=v3.21.4
BIN="$PWD/.cache/helm/bin"
mkdir -p "$BIN"
# Test files that need helm call this too: one at a time builds, the others then find it built.
exec 9>"$BIN/../setup.lock"
flock 9
export GOFLAGS="-mod=mod -buildvcs=false"
# Where the Go toolchain of these machines lives when a shell's PATH leaves it out.
export PATH="$PATH:/usr/local/go/bin"

if ! command -v go >/dev/null; then
  echo "setup-helm.sh: Go is needed to build helm (apt-get install golang-go)" >&2
  exit 1
fi

install_helm() {
  GOBIN="$BIN" go install "helm.sh/helm/v3/cmd/helm@$HELM_VERSION"
  echo "$HELM_VERSION" >"$BIN/helm.version"
}
if [ ! -x "$BIN/helm" ] || [ "$(cat "$BIN/helm.version" 2>/dev/null)" != "$HELM_VERSION" ]; then
  step "helm $HELM_VERSION from source (deploy tests only)" install_helm
fi

build_validator() {
  (cd deploy/helm/validate && go build -o "$BIN/validate-manifests" .)
}
# podman kube play builds its pause image around catatonit, which Debian's podman only recommends.
if ! command -v catatonit >/dev/null && [ ! -x /usr/libexec/podman/catatonit ]; then
  step "apt-get install catatonit (podman kube play's pause image, deploy tests only)" apt_install --no-install-recommends catatonit
fi

newest_source=$(find deploy/helm/validate -name '*.go' -o -name go.mod -o -name go.sum | xargs ls -t | head -1)
if [ ! -x "$BIN/validate-manifests" ] || [ "$newest_source" -nt "$BIN/validate-manifests" ]; then
  step "manifest validator (deploy/helm/validate, deploy tests only)" build_validator
fi
