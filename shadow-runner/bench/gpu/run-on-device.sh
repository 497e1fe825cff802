#!/usr/bin/env bash
# On the GPU machine (x86-64, no Node.js, no network), from the repository root with .gpu/ and
# .gl/ carried (made by pack.sh): unpacks node and the bundled benchmark, puts the Vulkan loader
# in place, finds the CUDA libraries the machine has, and prints rows/s, p50/p95 batch latency
# and max |diff| vs CPU for the MLP on cpu, webgpu and cuda (each EP in its own process with its
# own timeout, CPU first in each for the reference outputs). JSON results go to $OUT.
#   bash shadow-runner/bench/gpu/run-on-device.sh             # on the device (root)
#   bash shadow-runner/bench/gpu/run-on-device.sh --simulate  # here: no dpkg into /, loader via LD_LIBRARY_PATH
set -uo pipefail
cd "$(dirname "$0")/../../.."
simulate=false
[ "${1:-}" = "--simulate" ] && simulate=true
work=${OSPREY_GPU_WORK:-/tmp/osprey-gpu}
out=${OUT:-$work/out}
batches=${BATCHES:-1,64,1024,8192}
rm -rf "$work" && mkdir -p "$work" "$out"
step() { printf '\n== %s (%ss)\n' "$*" "$SECONDS"; }

step "unpack"
xz -dc .gpu/node.xz >"$work/node" && chmod +x "$work/node"
tar -C "$work" -xJf .gpu/app.tar.xz
node="$work/node"
"$node" --version
ortbin="$work/app/node_modules/onnxruntime-node/bin/napi-v6/linux/x64"

step "Vulkan loader"
if $simulate; then
  for f in .gl/*.deb; do dpkg -x "$f" "$work/gl"; done
  export LD_LIBRARY_PATH="$work/gl/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
else
  # The device README's recipe: the loaders into /, next to the NVIDIA driver.
  for f in .gl/*.deb; do dpkg -x "$f" /; done
  ldconfig
  icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
  if [ -f "$icd" ] && ! ls /usr/share/vulkan/icd.d/*nvidia* /etc/vulkan/icd.d/*nvidia* >/dev/null 2>&1; then
    export VK_DRIVER_FILES=$icd
    export __EGL_VENDOR_LIBRARY_FILENAMES=/usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json
  fi
fi
ldconfig -p | grep -m1 libvulkan || echo "libvulkan: via LD_LIBRARY_PATH=${LD_LIBRARY_PATH:-}"
echo "VK_DRIVER_FILES=${VK_DRIVER_FILES:-<loader default>}"
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader

step "CUDA libraries"
# onnxruntime-node's CUDA EP needs libonnxruntime_providers_{shared,cuda}.so of its exact version
# (not in the npm package; see docs/shadow.md): used if carried in .gpu/cuda/.
if ls .gpu/cuda/libonnxruntime_providers_*.so >/dev/null 2>&1; then cp .gpu/cuda/*.so "$ortbin/"; fi
ls "$ortbin"
dirs=$(find /opt /usr/local /usr/lib -name 'libcudart.so.13*' -o -name 'libcublasLt.so.13*' \
  -o -name 'libcudnn.so.9*' -o -name 'libcurand.so.10*' -o -name 'libcufft.so.12*' 2>/dev/null |
  xargs -r -n1 dirname | sort -u | tr '\n' ':')
[ -n "$dirs" ] && export LD_LIBRARY_PATH="${dirs}${LD_LIBRARY_PATH:-}"
echo "CUDA library folders: ${dirs:-none found}"

cd "$work/app"
# webgpu,auto: auto must settle on what really runs here (cuda refused → webgpu if it takes nodes).
for eps in ${EP_SETS-webgpu,auto cuda}; do
  ep=${eps%%,*}
  step "bench cpu + $eps"
  timeout 180 "$node" bench.mjs --model mlp_1m.onnx --eps "cpu,$eps" --batches "$batches" \
    --out "$out/bench-$ep.json" 2>"$out/stderr-$ep.log"
  echo "exit $?"
  grep -v '^\s*$' "$out/stderr-$ep.log" | grep -v '^\s*at ' | head -5
done
# WebGPU EP options, one JSON object per line (cache modes for the staging/readback buffers,
# validation): each variant against CPU in its own process.
while IFS= read -r variant; do
  [ -n "$variant" ] || continue
  n=$((${n:-0} + 1))
  step "bench cpu + webgpu $variant"
  timeout 120 "$node" bench.mjs --model mlp_1m.onnx --eps cpu,webgpu --batches "$batches" \
    --webgpu "$variant" --out "$out/bench-variant-$n.json" 2>"$out/stderr-variant-$n.log"
  echo "exit $?"
  grep -v '^\s*$' "$out/stderr-variant-$n.log" | grep -v '^\s*at ' | head -5
done <<<"${WEBGPU_VARIANTS:-}"
# Several sessions with batches in flight, as the replay runner keeps them: CPU (its threads
# shared among the workers) and WebGPU at the same settings. Worker threads hold one WebGPU
# session in all; worker processes (OSPREY_INFERENCE_ISOLATION=process) one each.
for w in ${CONCURRENT_WORKERS-2 4}; do
  for iso in ${ISOLATIONS:-thread}; do
    step "bench cpu + webgpu, $iso, $w workers × $((2 * w)) in flight"
    timeout 180 "$node" bench.mjs --model mlp_1m.onnx --eps cpu,webgpu --batches "${CONCURRENT_BATCHES:-$batches}" \
      --workers "$w" --inflight "$((2 * w))" --isolation "$iso" \
      --out "$out/bench-$iso-w$w.json" 2>"$out/stderr-$iso-w$w.log"
    echo "exit $?"
    grep -v '^\s*$' "$out/stderr-$iso-w$w.log" | grep -v '^\s*at ' | head -5
  done
done

if command -v python3 >/dev/null && python3 -c 'import onnxruntime' 2>/dev/null; then
  step "python onnxruntime (CPU) on the same MLP, batch 1024: reference"
  timeout 60 python3 - <<'PY'
import time, numpy as np, onnxruntime as ort
s = ort.InferenceSession("mlp_1m.onnx", providers=["CPUExecutionProvider"])
x = np.random.default_rng(0).random((1024, 32), dtype=np.float32) - 0.5
for _ in range(3): s.run(None, {"features": x})
n, t0 = 0, time.perf_counter()
while time.perf_counter() - t0 < 1 or n < 5: s.run(None, {"features": x}); n += 1
print(f"python onnxruntime {ort.__version__} {ort.get_available_providers()}: {1024 * n / (time.perf_counter() - t0):.0f} rows/s")
PY
fi
step "done"
