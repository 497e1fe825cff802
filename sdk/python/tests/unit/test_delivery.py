"""Happy-path delivery against the fake collector: batching, gzip, headers, event shape."""

from __future__ import annotations

import gzip
import json
import uuid

from helpers import API_KEY, eventually, sample_features


def test_batches_by_count_and_flushes_the_rest(collector, make_client):
    client = make_client(max_batch_size=10, flush_interval=60)
    ids = [client.log("churn", "v1", sample_features(i), 0.5) for i in range(25)]
    assert client.flush(timeout=5)
    sizes = [len(r.events) for r in collector.requests]
    assert sizes == [10, 10, 5]
    assert [e["event_id"] for e in collector.received()] == ids
    assert client.stats() == {
        "queued": 0, "in_flight": 0, "sent": 25, "dropped": 0, "rejected": 0, "failed": 0, "invalid": 0, "retries": 0,
    }


def test_sends_on_the_interval_without_flush(collector, make_client):
    client = make_client(max_batch_size=500, flush_interval=0.1)
    for i in range(3):
        client.log("churn", "v1", sample_features(i), 1)
    assert eventually(lambda: len(collector.received()) == 3, timeout=3)
    assert len(collector.requests) == 1


def test_gzip_json_and_auth_headers(collector, make_client):
    client = make_client()
    client.log("churn", "v1", sample_features(), 0.25)
    assert client.flush(timeout=5)
    [request] = collector.requests
    assert request.path == "/v1/predictions"
    assert request.headers["Authorization"] == f"Bearer {API_KEY}"
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["Content-Encoding"] == "gzip"
    assert request.raw_body[:2] == b"\x1f\x8b"
    assert json.loads(gzip.decompress(request.raw_body)) == request.events


def test_event_has_exactly_the_contract_fields(collector, make_client):
    client = make_client()
    event_id = client.log(
        "fraud.model-2", "2024-01", {"amount": 10.5, "country": "DE"}, [0.1, 0.9],
        latency_ms=3.25, tags={"region": "eu"}, request_id="req-1",
    )
    client.log("fraud.model-2", "2024-01", {"amount": 1}, None, error="boom", timestamp=1_700_000_000_000)
    assert client.flush(timeout=5)
    first, second = collector.received()
    assert uuid.UUID(event_id).version == 4
    assert set(first) == {"event_id", "timestamp", "model", "version", "features", "prediction", "latency_ms", "tags", "request_id"}
    assert first["event_id"] == event_id
    assert first["prediction"] == [0.1, 0.9]
    assert first["latency_ms"] == 3.25
    assert isinstance(first["timestamp"], int) and first["timestamp"] > 1_600_000_000_000
    assert set(second) == {"event_id", "timestamp", "model", "version", "features", "error"}
    assert second["timestamp"] == 1_700_000_000_000


def test_caller_may_reuse_its_features_dict(collector, make_client):
    client = make_client(flush_interval=60)
    feats = {"x": 1}
    client.log("m", "v", feats, 1)
    feats["x"] = 2
    client.log("m", "v", feats, 2)
    assert client.flush(timeout=5)
    assert [e["features"]["x"] for e in collector.received()] == [1, 2]


def test_labels_go_to_their_own_endpoint(collector, make_client):
    client = make_client()
    event_id = client.log("churn", "v1", sample_features(), 0.7)
    client.log_label("churn", 1, event_id=event_id)
    client.log_label("churn", "yes", request_id="req-9", timestamp="2026-01-31T12:00:00Z")
    assert client.flush(timeout=5)
    labels = collector.received("/v1/labels")
    assert labels[0]["event_id"] == event_id and labels[0]["label"] == 1
    assert labels[1] == {"model": "churn", "label": "yes", "request_id": "req-9", "timestamp": "2026-01-31T12:00:00Z"}
    assert client.stats()["sent"] == 3


def test_custom_event_id_is_kept(collector, make_client):
    client = make_client()
    mine = str(uuid.uuid4())
    assert client.log("m", "v", {}, 1, event_id=mine) == mine
    assert client.flush(timeout=5)
    assert collector.received()[0]["event_id"] == mine


def test_flush_with_nothing_queued_is_true(make_client):
    assert make_client().flush(timeout=1) is True


def test_repr_hides_the_key(make_client):
    assert API_KEY not in repr(make_client())
