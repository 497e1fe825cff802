"""Python onnxruntime's rows/s on the same model and inputs as bench:shadow (CPU, default
threads): the inputs come as raw float32, `rows x width`, from the TypeScript side. Also the
CPU time per 4,096 rows (all threads), which a loaded machine distorts less than rows/s."""

import json
import sys
import time

import numpy as np
import onnxruntime as ort

model, inputs, width, batch = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
x = np.fromfile(inputs, dtype=np.float32).reshape(-1, width)
options = ort.SessionOptions()
options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
session = ort.InferenceSession(model, options, providers=["CPUExecutionProvider"])
name = session.get_inputs()[0].name
session.run(None, {name: x[:batch]})  # warm-up
best = 0.0
cpu_best = float("inf")
for _ in range(3):
    started, cpu = time.perf_counter(), time.process_time()
    for i in range(0, len(x), batch):
        session.run(None, {name: x[i : i + batch]})
    best = max(best, len(x) / (time.perf_counter() - started))
    # CPU time of every thread of the process: less sensitive than rows/s to a busy machine.
    cpu_best = min(cpu_best, (time.process_time() - cpu) * 1000 / len(x) * 4096)
print(json.dumps({"rows_per_second": round(best), "cpu_ms_per_4096": cpu_best, "onnxruntime": ort.__version__}))
