#!/usr/bin/env python3
"""How long does `Osprey.log()` take on the caller's thread?

Method
------
* A real collector stand-in runs in a *separate process* (ThreadingHTTPServer on 127.0.0.1,
  gunzips each body and answers 200 {"accepted": n, "rejected": []}), so its work does not share
  this process's GIL; the SDK's background thread really encodes, gzips and POSTs every batch
  while we measure.
* The event is realistic: 20 features (15 numeric, 5 categorical), a float prediction, a latency
  and a tag — drawn from a pre-built pool so building the input is not part of the measurement.
* Each call is timed alone: `t0 = perf_counter_ns(); client.log(...); t1 = perf_counter_ns()`, the
  durations stored in a preallocated array; the cost of the timer pair itself is measured and
  printed (it is included in every sample, not subtracted). The GC stays on, as in a service.
* 10,000 warm-up calls, then two runs of ~200,000 calls with the default client options:
  - paced: calls spread evenly at --rate events/s (a busy service; the sender keeps up, so
    every call enqueues — nothing is dropped);
  - burst: back to back, as fast as one thread can call. The sender cannot keep up with a tight
    loop, so the 10,000-event buffer fills and later calls take the (cheaper) drop path; calls
    whose event was queued and calls whose event was dropped are also reported apart (told apart
    by reading the drop counter outside the timed window).
Run: python3 sdk/python/bench/log_overhead.py [--calls 200000] [--rate 20000]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import random
import subprocess
import sys
import time
from array import array
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

try:
    from osprey import Osprey
except ImportError:  # run from a checkout without installing
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from osprey import Osprey


def serve() -> None:
    """The collector stand-in (child process): prints its port, then serves until killed."""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            n = len(json.loads(gzip.decompress(body)))
            data = json.dumps({"accepted": n, "rejected": []}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print(server.server_address[1], flush=True)
    server.serve_forever()


def feature_pool(n: int, rng: random.Random) -> list[dict[str, Any]]:
    cats = [["basic", "pro", "enterprise"], ["de", "fr", "us", "jp"], ["web", "ios", "android"], ["new", "returning"], ["a", "b", "c"]]
    pool = []
    for _ in range(n):
        f: dict[str, Any] = {f"num_{i}": rng.gauss(0, 1) * (i + 1) for i in range(15)}
        for i, values in enumerate(cats):
            f[f"cat_{i}"] = rng.choice(values)
        pool.append(f)
    return pool


def embedding_pool(n: int) -> list[Any] | None:
    """384-d float32 vectors, as a sentence encoder returns them; None without numpy."""
    try:
        import numpy as np
    except ImportError:
        print("numpy is not installed: the embedding run is skipped")
        return None
    rng = np.random.default_rng(1)
    return [rng.standard_normal(384).astype(np.float32) for _ in range(n)]


def percentile(sorted_ns: list[int], q: float) -> float:
    return sorted_ns[min(len(sorted_ns) - 1, int(q * len(sorted_ns)))] / 1000.0


def run(
    client: Osprey, pool: list[dict[str, Any]], calls: int, rate: float | None, vectors: list[Any] | None = None
) -> tuple["array[int]", bytearray]:
    """Per-call durations (ns), and per call 1 if that call's event was dropped (buffer full).
    With `vectors`, each call also logs one of them as a 384-d embedding (issue #18)."""
    samples = array("q", bytes(8 * calls))
    dropped = bytearray(calls)
    counts = client._buffer._counts  # read outside the timed window, to tell drops apart
    log = client.log
    clock = time.perf_counter_ns
    tags = {"region": "eu-west-1"}
    npool = len(pool)
    interval_ns = int(1e9 / rate) if rate else 0
    next_at = clock()
    for i in range(calls):
        if interval_ns:
            next_at += interval_ns
            ahead = next_at - clock()
            if ahead > 200_000:  # sleep off whole chunks; finer gaps become short bursts
                time.sleep(ahead / 1e9)
        feats = pool[i % npool]
        before = counts["dropped"]
        if vectors is None:
            t0 = clock()
            log("churn-bench", "v1", feats, 0.42, latency_ms=3.7, tags=tags)
            samples[i] = clock() - t0
        else:
            embeddings = {"query": vectors[i % len(vectors)]}
            t0 = clock()
            log("churn-bench", "v1", feats, 0.42, latency_ms=3.7, tags=tags, embeddings=embeddings)
            samples[i] = clock() - t0
        dropped[i] = counts["dropped"] != before
    return samples, dropped


def report(name: str, samples: "array[int]" | list[int], elapsed: float) -> None:
    ns = sorted(samples)
    if not ns:
        return
    print(
        f"  {name}: {len(ns):,} calls in {elapsed:.1f} s | median {percentile(ns, 0.5):.2f} µs | "
        f"p90 {percentile(ns, 0.9):.2f} µs | p99 {percentile(ns, 0.99):.2f} µs | "
        f"p99.9 {percentile(ns, 0.999):.1f} µs | max {ns[-1] / 1000:.0f} µs | mean {sum(ns) / len(ns) / 1000:.2f} µs"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description="median and p99 µs per Osprey.log() call")
    parser.add_argument("--calls", type=int, default=200_000)
    parser.add_argument("--rate", type=float, default=20_000, help="events/s for the paced run")
    parser.add_argument(
        "--embedding-rate", type=float, default=2_000,
        help="events/s for the embedding run (the sender encodes 384 floats an event)",
    )
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve()
        return 0

    print(f"python {platform.python_version()} ({platform.python_implementation()}) on {platform.platform()}")
    print(f"cpu: {platform.processor() or platform.machine()}, {os.cpu_count()} logical CPUs, load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    server = subprocess.Popen([sys.executable, __file__, "--serve"], stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        url = f"http://127.0.0.1:{server.stdout.readline().strip()}"
        clock = time.perf_counter_ns
        pairs = []
        for _ in range(100_000):
            t0 = clock()
            pairs.append(clock() - t0)
        pairs.sort()
        print(f"timer pair (perf_counter_ns twice) median {pairs[len(pairs) // 2] / 1000:.3f} µs — included in every sample")
        pool = feature_pool(1000, random.Random(1))

        vectors = embedding_pool(256)
        runs = [("paced", args.rate, None), ("burst", None, None)]
        if vectors is not None:
            runs.append(("paced, + 384-d float32 embedding", args.embedding_rate, vectors))
        for name, rate, with_vectors in runs:
            calls = args.calls if with_vectors is None else args.calls // 4
            with Osprey(url, "osk_bench_key_not_secret") as client:
                run(client, pool, 10_000, rate, with_vectors)  # warm-up
                client.flush(timeout=30)
                base = client.stats()
                started = time.perf_counter()
                samples, dropped = run(client, pool, calls, rate, with_vectors)
                elapsed = time.perf_counter() - started
                client.flush(timeout=60)
                stats = {k: v - base[k] for k, v in client.stats().items()}
            label = f"{name} ({rate:,.0f}/s)" if rate else f"{name} (back to back)"
            print(f"{label}: sent {stats['sent']:,}, dropped {stats['dropped']:,}, failed {stats['failed']:,}, retries {stats['retries']}")
            report("log(), all calls     ", samples, elapsed)
            if any(dropped):
                report("log(), event queued  ", [t for t, d in zip(samples, dropped) if not d], elapsed)
                report("log(), event dropped ", [t for t, d in zip(samples, dropped) if d], elapsed)
    finally:
        server.kill()
        server.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
