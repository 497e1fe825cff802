#!/usr/bin/env bash
# CPU vs GPU rows/s for the ~1M-parameter MLP through the shadow runner's inference pool, on a
# GPU host that has this repository set up (Node, npm ci, .venv): each EP in its own process, CPU
# first for the reference outputs. webgpu runs through Vulkan and needs the Vulkan loader
# (e.g. Debian's libvulkan1) next to the NVIDIA driver; cuda needs onnxruntime's CUDA provider
# libraries for the installed onnxruntime-node version, which npm does not ship (docs/shadow.md).
# For a GPU machine without Node or network: bench/gpu/pack.sh here, run-on-device.sh there.
set -uo pipefail
cd "$(dirname "$0")/../.."
model=$(mktemp -d)/mlp_1m.onnx
.venv/bin/python shadow-runner/fixtures/make_models.py --mlp "$model" >/dev/null
for eps in cpu,webgpu cpu,cuda; do
  echo "== $eps"
  npx tsx shadow-runner/bench/gpu/bench.ts --model "$model" --eps "$eps" --batches "${BATCHES:-1,64,1024}" 2>&1 |
    grep -v '^\s*at \|^Warning'
done
