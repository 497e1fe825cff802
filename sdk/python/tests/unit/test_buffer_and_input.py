"""The bounded buffer and bad input: drops are counted exactly, log() never raises."""

from __future__ import annotations

import math
import threading
from collections.abc import Iterator, Mapping
from typing import Any

from helpers import sample_features


def test_full_buffer_drops_new_events_and_counts_them_exactly(collector, make_client, problems):
    # A batch can never fill (batch size > buffer) and the interval never passes: nothing leaves.
    client = make_client(max_buffer_size=100, max_batch_size=1000, flush_interval=60)
    ids = [client.log("churn", "v1", sample_features(i), i) for i in range(150)]
    assert all(isinstance(i, str) and i for i in ids)
    stats = client.stats()
    assert (stats["queued"], stats["dropped"]) == (100, 50)
    assert client.flush(timeout=5)
    assert [e["event_id"] for e in collector.received()] == ids[:100]  # the oldest are kept
    assert client.stats()["sent"] == 100 and client.stats()["dropped"] == 50
    assert sum(p.count for p in problems if p.kind == "dropped") == 50


def test_drops_are_exact_with_many_threads(collector, make_client):
    client = make_client(max_buffer_size=1000, max_batch_size=5000, flush_interval=60)

    def work() -> None:
        for i in range(500):
            client.log("churn", "v1", {"i": i}, 1)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    stats = client.stats()
    assert stats["queued"] == 1000 and stats["dropped"] == 3000
    assert client.flush(timeout=10)
    assert len(collector.received()) == 1000


class BrokenMapping(Mapping[str, Any]):
    def __getitem__(self, key: str) -> Any:
        raise RuntimeError("nope")

    def __iter__(self) -> Iterator[str]:
        raise RuntimeError("nope")

    def __len__(self) -> int:
        return 1


class BadStr:
    def __str__(self) -> str:
        raise RuntimeError("no str")

    __repr__ = __str__


GARBAGE: list[tuple[tuple[Any, ...], dict[str, Any]]] = [
    ((None, "v1", {}), {"prediction": 1}),  # model missing
    (("bad model name!", "v1", {}, 1), {}),
    (("m" * 129, "v1", {}, 1), {}),
    (("m", None, {}, 1), {}),
    (("m", "", {}, 1), {}),
    (("m", "v", "not a mapping", 1), {}),
    (("m", "v", ["a", "b"], 1), {}),
    (("m", "v", object(), 1), {}),
    (("m", "v", BrokenMapping(), 1), {}),
    (("m", "v", {"f": object()}, 1), {}),
    (("m", "v", {"f": [1, 2]}, 1), {}),
    (("m", "v", {1.5: 1}, 1), {}),
    (("m", "v", {"": 1}, 1), {}),
    (("m", "v", {}, None), {}),  # neither prediction nor error
    (("m", "v", {}, {"a": 1}), {}),
    (("m", "v", {}, math.nan), {}),
    (("m", "v", {}, [1, "x"]), {}),
    (("m", "v", {}, [[1, 2]]), {}),
    (("m", "v", {}, 1), {"latency_ms": -1}),
    (("m", "v", {}, 1), {"latency_ms": "fast"}),
    (("m", "v", {}, 1), {"latency_ms": math.inf}),
    (("m", "v", {}, 1), {"tags": 5}),
    (("m", "v", {}, 1), {"tags": {"k": object()}}),
    (("m", "v", {}, 1), {"request_id": ""}),
    (("m", "v", {}, 1), {"event_id": "not-a-uuid"}),
    (("m", "v", {}, 1), {"event_id": BadStr()}),
    (("m", "v", {}, 1), {"timestamp": -5}),
    (("m", "v", {}, 1), {"timestamp": object()}),
    (("m", "v", {}, BadStr()), {}),
]


def test_log_never_raises_on_garbage_and_counts_it_invalid(collector, make_client, problems):
    client = make_client(flush_interval=60)
    for args, kwargs in GARBAGE:
        result = client.log(*args, **kwargs)
        assert isinstance(result, str)
    assert client.flush(timeout=5)
    stats = client.stats()
    assert stats["invalid"] == len(GARBAGE)
    assert stats["sent"] == 0 and collector.received() == []
    invalid = [p.message for p in problems if p.kind == "invalid"]
    assert len(invalid) == len(GARBAGE)
    assert any("model: must be 1-128 characters" in m for m in invalid)
    assert any("prediction: required unless error is set" in m for m in invalid)


def test_log_label_never_raises_on_garbage(collector, make_client):
    client = make_client(flush_interval=60)
    client.log_label("m", 1)  # no event_id / request_id
    client.log_label("m", None, event_id="x")  # type: ignore[arg-type]
    client.log_label("m", [1], request_id="r")  # type: ignore[arg-type]
    client.log_label(None, 1, request_id="r")  # type: ignore[arg-type]
    client.log_label("m", math.nan, request_id="r")
    client.log_label("m", True, request_id="r")  # bools are sent as 0/1
    assert client.flush(timeout=5)
    assert client.stats()["invalid"] == 5
    assert collector.received("/v1/labels") == [{"model": "m", "label": 1, "request_id": "r", "timestamp": collector.received("/v1/labels")[0]["timestamp"]}]


def test_lenient_values_are_converted(collector, make_client):
    client = make_client()
    client.log("m", "v", {"nan": math.nan, "inf": -math.inf, 7: "int key"}, True, error=ValueError("x"), tags={"n": 3})
    client.log("m", "v", None, (1, 2.5), error="")
    client.log("m", "v", {}, 1, error="e" * 5000)
    assert client.flush(timeout=5)
    first, second, third = collector.received()
    assert first["features"] == {"nan": None, "inf": None, "7": "int key"}
    assert first["prediction"] == 1 and first["error"] == "ValueError('x')" and first["tags"] == {"n": "3"}
    assert second["features"] == {} and second["prediction"] == [1, 2.5] and "error" not in second
    assert len(third["error"]) == 4096


def test_log_after_close_is_dropped_not_raised(collector, make_client):
    client = make_client()
    client.close(timeout=2)
    assert isinstance(client.log("m", "v", {}, 1), str)
    assert client.stats()["dropped"] == 1
