#!/usr/bin/env bash
# Packs what the GPU machine needs (it has no Node.js and no network) into .gpu/ and .gl/ at the
# repository root, both git-ignored, for `run-on-device.sh`:
#   .gpu/node.xz      this machine's node binary
#   .gpu/app.tar.xz   bench.mjs + worker-entry.mjs (esbuild bundles of the real inference pool),
#                     onnxruntime-node's linux-x64 native files and the JS that loads them,
#                     the ~1M-parameter benchmark MLP
#   .gl/*.deb         the Vulkan loader and GL dispatch libraries (the device README's recipe)
# Prints the sizes: tracked files + .gpu + .gl must stay under the device's 64 MiB.
set -euo pipefail
root="$(git -C "$(dirname "$0")" rev-parse --show-toplevel)"
cd "$root"
say() { printf '\033[1;34m==> %s\033[0m\n' "$*" >&2; }

for p in /.gpu/ /.gpu.new/ /.gpu.old/ /.gl/; do grep -qxF "$p" .git/info/exclude || echo "$p" >>.git/info/exclude; done
# Built in .gpu.new and swapped in at the end: a device run started meanwhile carries a whole .gpu.
out=.gpu.new
rm -rf "$out" && mkdir -p "$out/stage/app/node_modules"
app=$out/stage/app

say "bundle bench + worker (esbuild)"
common=(--bundle --platform=node --format=esm --target=node20 --external:onnxruntime-node --log-level=warning)
npx esbuild shadow-runner/bench/gpu/bench.ts "${common[@]}" --outfile="$app/bench.mjs"
# The pool loads ./worker-entry.mjs beside itself: here, the compiled worker (no tsx needed).
npx esbuild shadow-runner/src/inference/worker.ts "${common[@]}" --outfile="$app/worker-entry.mjs"

say "onnxruntime-node (linux-x64 native files + loader JS) and onnxruntime-common"
ortn=node_modules/onnxruntime-node
ver=$(node -p "require('./$ortn/package.json').version")
mkdir -p "$app/$ortn/dist" "$app/$ortn/bin/napi-v6/linux/x64" "$app/node_modules/onnxruntime-common/dist"
cp "$ortn/package.json" "$app/$ortn/"
cp "$ortn"/dist/*.js "$app/$ortn/dist/"
cp "$ortn"/bin/napi-v6/linux/x64/* "$app/$ortn/bin/napi-v6/linux/x64/"
cp node_modules/onnxruntime-common/package.json "$app/node_modules/onnxruntime-common/"
cp -r node_modules/onnxruntime-common/dist/cjs "$app/node_modules/onnxruntime-common/dist/"
find "$app/node_modules" -name '*.map' -delete

say "benchmark MLP"
.venv/bin/python shadow-runner/fixtures/make_models.py --mlp "$app/mlp_1m.onnx" >/dev/null

say "xz: app (onnxruntime-node $ver) and node $(node --version)"
tar -C "$out/stage" -cf - app | xz -T2 -9 >"$out/app.tar.xz"
xz -T2 -9 -c "$(command -v node)" >"$out/node.xz"
rm -rf "$out/stage" .gpu.old
[ -d .gpu ] && mv .gpu .gpu.old
mv "$out" .gpu && rm -rf .gpu.old

if ! ls .gl/libvulkan1_*.deb >/dev/null 2>&1; then
  say "Vulkan loader debs (amd64) into .gl/"
  mkdir -p .gl /tmp/amd64/partial
  o=(-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/amd64)
  apt-get "${o[@]}" update -qq
  (cd .gl && apt-get "${o[@]}" download libvulkan1 libegl1 libglvnd0 libopengl0 libgl1 libglx0 libgles2)
fi

tracked=$(git ls-files -z | xargs -0 du -cb 2>/dev/null | tail -1 | cut -f1)
untracked=$(git ls-files -z --others --exclude-standard | xargs -0 -r du -cb 2>/dev/null | tail -1 | cut -f1)
gpu=$(du -cb .gpu | tail -1 | cut -f1)
gl=$(du -cb .gl | tail -1 | cut -f1)
total=$((tracked + ${untracked:-0} + gpu + gl))
printf 'node.xz %s, app.tar.xz %s, .gl %s, tracked %s, untracked %s: %s MiB of 64\n' \
  "$(du -h .gpu/node.xz | cut -f1)" "$(du -h .gpu/app.tar.xz | cut -f1)" "$gl" "$tracked" "${untracked:-0}" \
  "$(awk "BEGIN{printf \"%.1f\", $total/1048576}")"
[ "$total" -lt $((64 * 1048576)) ] || { echo "over the device's 64 MiB" >&2; exit 1; }
