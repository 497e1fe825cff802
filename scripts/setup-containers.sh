#!/usr/bin/env bash
# What the container tests need (scripts/setup-tests.sh calls this): podman, buildah and runc from
# Debian, docker-compose (to validate and run the compose files against podman's Docker API), and the local base images, since no
# container registry is reachable from CI: `localhost/debian:bookworm` made with debootstrap, and
# `localhost/osprey-node:20` (Node 20 on it, deploy/docker/node-base.Containerfile) standing in for
# the official node:20-bookworm-slim. Idempotent: each step checks before working. Podman reads
# the project's deploy/containers/containers.conf through scripts/podman.sh only.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/steps.sh

sudo=""
[ "$(id -u)" -ne 0 ] && sudo=sudo

if ! command -v podman >/dev/null || ! command -v docker-compose >/dev/null ||
  ! command -v debootstrap >/dev/null; then
  step "apt-get install podman buildah debootstrap runc docker-compose (container tests only)" \
    apt_install --no-install-recommends podman buildah debootstrap runc slirp4netns uidmap docker-compose
fi

# The Debian mirror apt already uses, so the base matches the packages the build installs.
debian_mirror() {
  local uri
  uri=$(grep -hoE '^URIs: *\S+/debian$' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -1 | awk '{print $2}')
  [ -n "$uri" ] || uri=$(grep -hoE '^deb +\S+/debian ' /etc/apt/sources.list 2>/dev/null | head -1 | awk '{print $2}')
  echo "${uri:-http://deb.debian.org/debian}"
}

build_debian_base() {
  local rootfs
  rootfs=$(mktemp -d)
  $sudo debootstrap --variant=minbase bookworm "$rootfs" "$(debian_mirror)" >/dev/null
  $sudo rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
  $sudo tar -C "$rootfs" -c . | bash scripts/podman.sh import --change 'CMD ["/bin/bash"]' - localhost/debian:bookworm >/dev/null
  $sudo rm -rf "$rootfs"
}
if ! bash scripts/podman.sh image exists localhost/debian:bookworm; then
  step "debootstrap bookworm -> localhost/debian:bookworm" build_debian_base
fi

# The builds trust what this machine trusts (e.g. a TLS-inspecting proxy's CA): its CA bundle is
# mounted into the build's RUN steps, never copied into an image.
host_ca=/etc/ssl/certs/ca-certificates.crt
build_node_base() {
  bash scripts/podman.sh build --format docker -q -t localhost/osprey-node:20 \
    -v "$host_ca:/run/host-ca-certificates.crt:ro" --build-arg CURL_CA_BUNDLE=/run/host-ca-certificates.crt \
    -f deploy/docker/node-base.Containerfile deploy/docker >/dev/null
}
if ! bash scripts/podman.sh image exists localhost/osprey-node:20; then
  step "localhost/osprey-node:20 (Node 20 from the npm registry on the local base)" build_node_base
fi
