#!/usr/bin/env python3
"""Evidently 0.7's embedding drift methods on the vectors bench:embeddings exported (RowBinary
Array(Float32) files): each method called as EmbeddingsDriftMetric calls it, method(current,
reference), with its defaults (the model method bootstraps below 1,000 reference rows), timed
one by one. MMD builds the (m + n)² kernel matrix: skipped above MMD_ROWS rows in all.

Usage: evidently_embeddings.py reference.bin current.bin DIM MMD_ROWS
Prints one JSON line: wall and CPU seconds per method, total_s / total_cpu_s (the methods that
ran), load_s, peak RSS.
"""

from __future__ import annotations

import json
import resource
import sys
import time

import numpy as np
import pandas as pd

from evidently.legacy.metrics.data_drift.embedding_drift_methods import distance, mmd, model, ratio


def read_vectors(path: str, dim: int) -> np.ndarray:
    # RowBinary Array(Float32): the length as a LEB128 varint, then the floats.
    prefix = 1 if dim < 128 else 2 if dim < 16384 else 3
    row = np.dtype([("n", "u1", prefix), ("v", "<f4", dim)])
    return np.fromfile(path, dtype=row)["v"]


def main() -> None:
    ref_path, cur_path, dim, mmd_rows = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    t = time.perf_counter()
    columns = [f"c{j}" for j in range(dim)]
    reference = pd.DataFrame(read_vectors(ref_path, dim), columns=columns)
    current = pd.DataFrame(read_vectors(cur_path, dim), columns=columns)
    load_s = time.perf_counter() - t
    methods = {
        "distance_euclidean": distance(dist="euclidean"),
        "distance_cosine": distance(dist="cosine"),
        "ratio": ratio(),
        "mmd": mmd(),
        "domain_classifier": model(bootstrap=reference.shape[0] < 1000),
    }
    out: dict = {"load_s": load_s, "methods": {}}
    total = 0.0
    total_cpu = 0.0
    for name, method in methods.items():
        if name == "mmd" and reference.shape[0] + current.shape[0] > mmd_rows:
            gib = (reference.shape[0] + current.shape[0]) ** 2 * 8 / 2**30
            out["methods"][name] = {"skipped": f"the kernel matrix would take {gib:.0f} GiB"}
            continue
        t = time.perf_counter()
        cpu = time.process_time()
        # The model method adds a column to the frames it is given: copies, as the metric's are.
        value, drift, _ = method(current.copy(), reference.copy())
        s = time.perf_counter() - t
        c = time.process_time() - cpu
        total += s
        total_cpu += c
        out["methods"][name] = {"seconds": s, "cpu_s": c, "value": float(value), "drift": bool(drift)}
    out["total_s"] = total
    out["total_cpu_s"] = total_cpu
    out["peak_rss_mib_self"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(json.dumps(out))


if __name__ == "__main__":
    main()
