#!/usr/bin/env python3
"""Sends N deterministic prediction events through the SDK and prints what was sent, as one JSON line:

    {"sent": n, "dropped": n, "failed": n, "rejected": n, "invalid": n, "latencies_ms": [...], "errors": n}

Events have 15 numeric and 5 categorical features, a latency and ~2% errors; the same --seed
always gives the same events (but new event ids and timestamps), so another language's test can
compute the expected stats from the printed latencies and error count. Exits 1 if not every
event was sent.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path
from typing import Any

try:
    from osprey import Osprey
except ImportError:  # run from a checkout without installing
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from osprey import Osprey

CATEGORIES = {
    "cat_0": ["basic", "pro", "enterprise"],
    "cat_1": ["de", "fr", "us", "jp", "br"],
    "cat_2": ["web", "ios", "android"],
    "cat_3": ["new", "returning"],
    "cat_4": ["a", "b", "c", "d"],
}
ERROR_RATE = 0.02


def make_event(rng: random.Random) -> tuple[dict[str, Any], float | None, float, str | None]:
    """(features, prediction, latency_ms, error) for one event."""
    features: dict[str, Any] = {f"num_{i}": round(rng.gauss(0.0, 1.0) * (i + 1), 6) for i in range(15)}
    for name, values in CATEGORIES.items():
        features[name] = rng.choice(values)
    latency_ms = round(rng.lognormvariate(2.5, 0.6), 3)
    if rng.random() < ERROR_RATE:
        return features, None, latency_ms, "RuntimeError('synthetic model failure')"
    return features, round(rng.random(), 6), latency_ms, None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="Osprey collector base URL, e.g. http://localhost:8080")
    parser.add_argument("--api-key", required=True, help="API key with the ingest scope")
    parser.add_argument("--model", required=True)
    parser.add_argument("--version", required=True)
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--flush-timeout", type=float, default=60.0)
    args = parser.parse_args(argv)

    rng = random.Random(args.seed)
    latencies: list[float] = []
    errors = 0
    client = Osprey(args.url, args.api_key, max_buffer_size=max(10_000, args.count))
    try:
        for _ in range(args.count):
            features, prediction, latency_ms, error = make_event(rng)
            latencies.append(latency_ms)
            errors += error is not None
            client.log(args.model, args.version, features, prediction, latency_ms=latency_ms, error=error)
        client.flush(timeout=args.flush_timeout)
    finally:
        client.close(timeout=5)
    stats = client.stats()
    print(
        json.dumps(
            {
                "sent": stats["sent"],
                "dropped": stats["dropped"],
                "failed": stats["failed"],
                "rejected": stats["rejected"],
                "invalid": stats["invalid"],
                "latencies_ms": latencies,
                "errors": errors,
            }
        ),
        flush=True,
    )
    return 0 if stats["sent"] == args.count else 1


if __name__ == "__main__":
    sys.exit(main())
