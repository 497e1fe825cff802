"""What the SDK does when the collector fails: retry, give up, split, count — and never leak the key."""

from __future__ import annotations

import time

from fake_collector import FakeCollector, Scripted
from helpers import API_KEY, sample_features


def test_collector_down_then_up_loses_nothing(make_client):
    down = FakeCollector()
    port, url = down.port, down.url
    down.stop()  # nothing listens on the port: connection refused
    client = make_client(url=url, max_batch_size=50, flush_interval=0.05)
    ids = [client.log("churn", "v1", sample_features(i), i) for i in range(120)]
    time.sleep(0.5)
    assert client.stats()["retries"] >= 1
    up = FakeCollector(port).start()
    try:
        assert client.flush(timeout=20)
        received = [e["event_id"] for e in up.received()]
        assert sorted(received) == sorted(ids)
        assert len(received) == len(set(received)) == 120
        stats = client.stats()
        assert stats["sent"] == 120 and stats["failed"] == 0 and stats["dropped"] == 0
    finally:
        up.stop()


def test_503_retry_after_is_honoured(collector, make_client):
    collector.script.append(Scripted(503, {"Retry-After": "1"}))
    client = make_client()
    client.log("churn", "v1", sample_features(), 1)
    assert client.flush(timeout=10)
    first, second = collector.requests
    assert (first.status, second.status) == (503, 200)
    assert second.at - first.at >= 0.95
    assert second.events == first.events
    assert client.stats()["retries"] == 1 and client.stats()["sent"] == 1


def test_429_and_500_are_retried(collector, make_client):
    collector.script.extend([Scripted(429), Scripted(500), Scripted(502)])
    client = make_client()
    client.log("churn", "v1", sample_features(), 1)
    assert client.flush(timeout=20)
    assert [r.status for r in collector.requests] == [429, 500, 502, 200]
    assert client.stats()["retries"] == 3 and client.stats()["sent"] == 1


def test_rejected_events_are_counted_not_retried(collector, make_client, problems):
    collector.reject = lambda e: "features.age: must be a number" if e["features"].get("age") == "bad" else None
    client = make_client()
    for i in range(10):
        client.log("churn", "v1", {"age": "bad" if i % 3 == 0 else i}, 1)
    assert client.flush(timeout=5)
    assert len(collector.requests) == 1
    stats = client.stats()
    assert (stats["rejected"], stats["sent"], stats["retries"]) == (4, 6, 0)
    rejected = [p for p in problems if p.kind == "rejected"]
    assert len(rejected) == 4 and "features.age: must be a number" in rejected[0].message


def test_401_is_not_retried_and_the_key_never_shows(collector, make_client, problems, caplog):
    # A hostile/buggy server echoing the key back must not get it into a report either.
    collector.always = Scripted(401, body={"error": f"invalid API key Bearer {API_KEY}"})
    client = make_client()
    for i in range(5):
        client.log("churn", "v1", sample_features(i), 1)
    assert client.flush(timeout=5)
    assert len(collector.requests) == 1
    assert client.stats()["failed"] == 5 and client.stats()["retries"] == 0
    [failed] = [p for p in problems if p.kind == "failed"]
    assert failed.status == 401 and failed.count == 5
    assert "401" in failed.message and "invalid API key" in failed.message
    assert all(API_KEY not in p.message and API_KEY not in repr(p) for p in problems)


def test_401_default_logging_is_key_free_and_rate_limited(collector, caplog):
    from osprey import Osprey

    collector.always = Scripted(401, body={"error": f"bad key {API_KEY}"})
    client = Osprey(collector.url, API_KEY, max_batch_size=1, flush_interval=60)
    try:
        with caplog.at_level("WARNING", logger="osprey"):
            for i in range(5):
                client.log("churn", "v1", sample_features(i), 1)
            assert client.flush(timeout=5)
    finally:
        client.close(timeout=2)
    assert client.stats()["failed"] == 5 and len(collector.requests) == 5
    records = [r for r in caplog.records if r.name == "osprey"]
    assert len(records) == 1  # 5 failures, one log line within the rate-limit window
    assert "401" in records[0].getMessage() and API_KEY not in records[0].getMessage()


def test_400_and_415_are_not_retried(collector, make_client):
    collector.script.extend([Scripted(400), Scripted(415)])
    client = make_client(max_batch_size=1, flush_interval=60)
    client.log("m", "v", {}, 1)
    client.log("m", "v", {}, 2)
    assert client.flush(timeout=5)
    assert [r.status for r in collector.requests] == [400, 415]
    assert client.stats()["failed"] == 2 and client.stats()["retries"] == 0


def test_413_splits_the_batch_until_it_fits(collector, make_client):
    collector.max_events = 4
    client = make_client(flush_interval=60)
    ids = [client.log("churn", "v1", sample_features(i), i) for i in range(10)]
    assert client.flush(timeout=5)
    assert [e["event_id"] for e in collector.received()] == ids
    assert [len(r.events) for r in collector.requests] == [10, 5, 2, 3, 5, 2, 3]
    assert client.stats()["sent"] == 10 and client.stats()["failed"] == 0


def test_413_for_a_single_event_fails_it(collector, make_client, problems):
    collector.always = Scripted(413)
    client = make_client()
    client.log("churn", "v1", sample_features(), 1)
    assert client.flush(timeout=5)
    assert client.stats()["failed"] == 1
    assert any(p.kind == "failed" and p.status == 413 for p in problems)


def test_gives_up_after_max_retry_duration(collector, make_client, problems):
    collector.always = Scripted(503)
    client = make_client(max_retry_duration=0.5)
    client.log("churn", "v1", sample_features(), 1)
    started = time.monotonic()
    assert client.flush(timeout=10)
    assert time.monotonic() - started < 5
    stats = client.stats()
    assert stats["failed"] == 1 and stats["sent"] == 0 and stats["retries"] >= 1
    assert any(p.kind == "failed" and "retries ran out" in p.message for p in problems)


def test_flush_times_out_while_the_collector_is_down(make_client):
    down = FakeCollector()
    url = down.url
    down.stop()
    client = make_client(url=url)
    client.log("churn", "v1", sample_features(), 1)
    started = time.monotonic()
    assert client.flush(timeout=0.3) is False
    assert time.monotonic() - started < 1.5
    assert client.stats()["in_flight"] + client.stats()["queued"] == 1


def test_slow_collector_times_out_and_is_retried(collector, make_client):
    collector.delay = 0.6
    client = make_client(request_timeout=0.2, max_retry_duration=0.3)
    client.log("churn", "v1", sample_features(), 1)
    assert client.flush(timeout=10)
    assert client.stats()["failed"] == 1
