"""The keyword form: `client.log(model=..., version=..., features=..., prediction=...)` reads like the
TypeScript SDK's `osprey.log({model, version, features, prediction})`, line by line, and sends the
same events as the positional form, which keeps working."""

from __future__ import annotations

import datetime as dt

from osprey import ReferenceUpload

FEATURES = {"rooms": 4, "area_sqm": 92.5, "neighbourhood": "Riverside", "has_garden": True}
WHEN = dt.datetime(2026, 12, 6, 18, 30, tzinfo=dt.timezone.utc)


def without_ids(events: list[dict]) -> list[dict]:
    return [{k: v for k, v in e.items() if k != "event_id"} for e in events]


def test_log_by_keyword_sends_what_the_positional_call_sends(collector, make_client):
    client = make_client()
    by_keyword = client.log(
        model="house-prices",
        version="v1",
        features=FEATURES,
        prediction=412_000,
        latency_ms=7.9,
        tags={"region": "eu-west"},
        request_id="r-1",
        timestamp=WHEN,
    )
    positional = client.log(
        "house-prices", "v1", FEATURES, 412_000, latency_ms=7.9, tags={"region": "eu-west"}, request_id="r-1", timestamp=WHEN
    )
    assert client.flush(timeout=5)
    events = collector.received()
    assert [e["event_id"] for e in events] == [by_keyword, positional]
    first, second = without_ids(events)
    assert first == second
    assert first["model"] == "house-prices" and first["features"] == FEATURES and first["prediction"] == 412_000
    assert first["timestamp"] == int(WHEN.timestamp() * 1000)


def test_keywords_in_any_order_and_features_optional_as_in_typescript(collector, make_client, problems):
    client = make_client()
    eid = client.log(prediction=1, error="feature store timed out", version="v2", model="churn")
    assert client.flush(timeout=5)
    [event] = collector.received()
    assert event["event_id"] == eid
    assert (event["model"], event["version"], event["features"], event["error"]) == (
        "churn",
        "v2",
        {},
        "feature store timed out",
    )
    assert problems == [] and client.stats()["invalid"] == 0


def test_log_label_by_keyword_joins_like_the_typescript_log_label(collector, make_client):
    client = make_client()
    eid = client.log(model="house-prices", version="v1", features=FEATURES, prediction=412_000)
    client.log_label(model="house-prices", event_id=eid, label=398_500)
    client.log_label(model="house-prices", request_id="r-9", label=401_000, timestamp=WHEN)
    assert client.flush(timeout=5)
    labels = collector.received("/v1/labels")
    assert [(lb.get("event_id"), lb.get("request_id"), lb["label"]) for lb in labels] == [
        (eid, None, 398_500),
        (None, "r-9", 401_000),
    ]


def test_log_reference_by_keyword(collector, make_client):
    client = make_client()
    rows = [{"features": {"rooms": i}, "prediction": 1000 * i} for i in range(3)]
    upload = client.log_reference(model="house-prices", version="v1", rows=rows, reference_id="validation-2026")
    assert isinstance(upload, ReferenceUpload)
    assert (upload.reference_id, upload.accepted, upload.rejected) == ("validation-2026", 3, [])
    sent = collector.received("/v1/reference")
    assert [(r["model"], r["version"], r["features"]["rooms"]) for r in sent] == [("house-prices", "v1", i) for i in range(3)]
