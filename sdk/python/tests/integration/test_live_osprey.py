"""Integration: the SDK against a live Osprey (collector + query API).

Runs only when OSPREY_URL and OSPREY_API_KEY are set; the key needs the ingest and read scopes.
Each run logs to a fresh model name, so runs never see each other's data.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import time
import urllib.parse
import urllib.request
import uuid
from typing import Any

import pytest

from osprey import Osprey, OspreyError

URL = os.environ.get("OSPREY_URL", "").rstrip("/")
API_KEY = os.environ.get("OSPREY_API_KEY", "")

if not (URL and API_KEY):
    pytest.skip("set OSPREY_URL and OSPREY_API_KEY to run against a live Osprey", allow_module_level=True)

EVENTS = 1000
ERROR_EVERY = 25  # 40 errors in 1000 events
POLL_TIMEOUT_S = 30.0


def iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def lower_median(values: list[float]) -> float:
    """ClickHouse quantileExactLow(0.5): the lower of the two middle elements, no interpolation."""
    ordered = sorted(values)
    return ordered[(len(ordered) - 1) // 2]


def get_stats(model: str, start: str, end: str) -> dict[str, Any]:
    query = urllib.parse.urlencode({"from": start, "to": end})
    request = urllib.request.Request(
        f"{URL}/api/v1/models/{urllib.parse.quote(model, safe='')}/stats?{query}",
        headers={"Authorization": f"Bearer {API_KEY}"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def test_thousand_events_arrive_with_exact_stats() -> None:
    model = f"sdk-py-it-{uuid.uuid4().hex[:12]}"
    rng = random.Random(42)
    latencies = [round(rng.uniform(1.0, 250.0), 3) for _ in range(EVENTS)]
    problems: list[OspreyError] = []
    start = iso(dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=1))

    with Osprey(URL, API_KEY, on_error=problems.append) as client:
        ids = []
        for i, latency in enumerate(latencies):
            features = {"x": rng.random(), "segment": rng.choice(["a", "b", "c"])}
            if i % ERROR_EVERY == 0:
                ids.append(client.log(model, "v1", features, None, latency_ms=latency, error="RuntimeError('synthetic')"))
            else:
                ids.append(client.log(model, "v1", features, rng.random(), latency_ms=latency))
        assert client.flush(timeout=30)
        stats = client.stats()
        assert (stats["sent"], stats["failed"], stats["rejected"], stats["invalid"], stats["dropped"]) == (EVENTS, 0, 0, 0, 0), problems

        client.log_label(model, 1, event_id=ids[1])
        assert client.flush(timeout=30)
        after = client.stats()
        assert (after["sent"], after["failed"], after["rejected"]) == (EVENTS + 1, 0, 0), problems

    end = iso(dt.datetime.now(dt.timezone.utc) + dt.timedelta(minutes=1))
    deadline = time.monotonic() + POLL_TIMEOUT_S
    answer: dict[str, Any] = {}
    while time.monotonic() < deadline:
        answer = get_stats(model, start, end)
        if answer.get("count") == EVENTS:
            break
        time.sleep(0.5)
    assert answer.get("count") == EVENTS, f"stats never reached {EVENTS} events: {answer}"
    assert answer["errors"] == EVENTS // ERROR_EVERY
    assert answer["error_rate"] == pytest.approx(answer["errors"] / EVENTS)
    assert set(answer) >= {"count", "errors", "error_rate", "latency_ms", "throughput_per_min"}
    assert abs(answer["latency_ms"]["p50"] - lower_median(latencies)) <= 1.0, (answer["latency_ms"], lower_median(latencies))


def test_reference_upload_is_accepted_in_batches() -> None:
    model = f"sdk-py-ref-{uuid.uuid4().hex[:12]}"
    rows: list[Any] = [
        {"features": {"x": i / 100, "segment": "abc"[i % 3], "flag": i % 2 == 0, "gap": None},
         "prediction": "fraud" if i % 5 == 0 else i / 12_001, "tags": {"split": "train"}}
        for i in range(12_001)
    ]
    rows[100] = {"features": {"x": [1]}}  # refused by the SDK, not sent
    with Osprey(URL, API_KEY) as client:
        upload = client.log_reference(model, "v1", rows)
        assert upload.rejected == [(100, "features.x: must be a number, string, boolean or null, not list")]
        assert upload.accepted == 12_000
        pd = pytest.importorskip("pandas")
        frame = pd.DataFrame({"x": [0.5, float("nan"), 2.5], "segment": ["a", None, "c"], "score": [0.1, 0.2, None]})
        from_frame = client.log_reference(model, "v2", frame, prediction_column="score", reference_id="holdout:v2")
        assert (from_frame.reference_id, from_frame.accepted, from_frame.rejected) == ("holdout:v2", 3, [])


def test_vectors_and_texts_are_accepted_and_a_dimension_change_is_rejected() -> None:
    np = pytest.importorskip("numpy")
    model = f"sdk-py-emb-{uuid.uuid4().hex[:12]}"
    problems: list[OspreyError] = []
    with Osprey(URL, API_KEY, on_error=problems.append) as client:
        for i in range(50):
            client.log(model, "v1", {"i": i}, 0.5, embeddings={"q": np.full(16, i, dtype=np.float32)}, text={"t": f"text {i}"})
        assert client.flush(timeout=POLL_TIMEOUT_S)
        client.log(model, "v1", {}, 0.5, embeddings={"q": [1.0, 2.0]})
        assert client.flush(timeout=POLL_TIMEOUT_S)
        stats = client.stats()
    assert stats["sent"] == 50 and stats["rejected"] == 1 and stats["invalid"] == 0
    rejected = [p.message for p in problems if p.kind == "rejected"]
    assert len(rejected) == 1 and "embeddings.q: expected 16 dimensions, got 2" in rejected[0], rejected
