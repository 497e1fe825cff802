"""log_reference(): batched, synchronous uploads to /v1/reference, with rejections by upload index."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import pytest

from fake_collector import FakeCollector, Scripted
from helpers import API_KEY
from osprey import OspreyError, ReferenceUpload

PATH = "/v1/reference"
SDK_DIR = Path(__file__).resolve().parents[2]


def row(i: int, **extra: Any) -> dict[str, Any]:
    return {"features": {"amount": i, "country": "FR" if i % 2 else "DE", "is_new": i % 3 == 0}, **extra}


def amounts(events: list[dict[str, Any]]) -> list[Any]:
    return [e["features"]["amount"] for e in events]


def reject_bad(event: dict[str, Any]) -> str | None:
    return "features.bad: refused by the collector" if event["features"].get("bad") is True else None


def test_sends_gzipped_batches_under_one_generated_reference_id(collector, make_client):
    client = make_client()
    upload = client.log_reference("fraud-model", "v3", [row(i) for i in range(12)], batch_rows=5)
    assert isinstance(upload, ReferenceUpload)
    assert uuid.UUID(upload.reference_id).version == 4
    assert (upload.accepted, upload.rejected) == (12, [])
    assert [(r.path, len(r.events)) for r in collector.requests] == [(PATH, 5), (PATH, 5), (PATH, 2)]
    first = collector.requests[0]
    assert first.headers["Authorization"] == f"Bearer {API_KEY}"
    assert first.headers["Content-Encoding"] == "gzip" and first.raw_body[:2] == b"\x1f\x8b"
    received = collector.received(PATH)
    assert amounts(received) == list(range(12))
    assert {e["reference_id"] for e in received} == {upload.reference_id}
    # log()'s buffer and counters are not involved
    assert collector.received() == []
    assert client.stats() == dict.fromkeys(["queued", "in_flight", "sent", "dropped", "rejected", "failed", "invalid", "retries"], 0)


def test_rows_carry_exactly_the_contract_fields(collector, make_client):
    client = make_client()
    upload = client.log_reference(
        "churn.v2_model-a",
        "2024-06-01",
        [
            {"features": {"age": 42, "plan": "pro", "ok": True, "score": float("nan"), "none": None},
             "prediction": (0.25, 0.75), "tags": {"split": "validation", "n": 3}, "timestamp": "not sent", "extra": 1},
            {"features": {}, "prediction": "cat"},
            {"features": {"x": 1}, "prediction": None},
        ],
        reference_id="train-2024:06.01_a",
    )
    assert upload == ReferenceUpload("train-2024:06.01_a", 3, [])
    base = {"model": "churn.v2_model-a", "version": "2024-06-01", "reference_id": "train-2024:06.01_a"}
    assert collector.received(PATH) == [
        {**base, "features": {"age": 42, "plan": "pro", "ok": True, "score": None, "none": None},
         "prediction": [0.25, 0.75], "tags": {"split": "validation", "n": "3"}},
        {**base, "features": {}, "prediction": "cat"},
        {**base, "features": {"x": 1}},
    ]


def test_defaults_to_5000_rows_a_batch(collector, make_client):
    upload = make_client().log_reference("m", "v1", (row(i) for i in range(12_001)))
    assert upload.accepted == 12_001
    assert [len(r.events) for r in collector.requests] == [5000, 5000, 2001]


def test_batches_stay_under_max_batch_bytes(collector, make_client):
    client = make_client(max_batch_bytes=2000)
    rows = [{"features": {"amount": i, "note": "x" * 100}, "prediction": [0.1, 0.2]} for i in range(60)]
    upload = client.log_reference("m", "v1", rows, batch_rows=1000)
    assert upload.accepted == 60
    assert len(collector.requests) > 3 and all(r.status == 200 for r in collector.requests)  # no 413
    for r in collector.requests:
        size = len(json.dumps(r.events, separators=(",", ":")).encode())
        assert size <= 2000
        if r is not collector.requests[-1]:
            assert size > 2000 - 200  # full: one more row (< 200 bytes) would not have fitted
    assert amounts(collector.received(PATH)) == list(range(60))


def test_rejections_here_and_by_the_collector_carry_their_index_in_the_upload(collector, make_client):
    collector.reject = reject_bad
    rows: list[Any] = [row(i) for i in range(23)]
    rows[2] = {"features": {"amount": [1, 2]}}  # refused here
    rows[6] = row(6, features={"amount": 6, "bad": True})  # by the collector
    rows[9] = {"prediction": 1}  # no features
    rows[12] = row(12, features={"amount": 12, "bad": True})
    rows[13] = row(13, prediction={"not": "a prediction"})
    rows[17] = "not a row"
    rows[21] = row(21, features={"amount": 21, "bad": True})
    rows[22] = row(22, prediction=float("nan"))
    upload = make_client().log_reference("m", "v1", rows, batch_rows=4)
    assert [index for index, _ in upload.rejected] == [2, 6, 9, 12, 13, 17, 21, 22]
    errors = dict(upload.rejected)
    assert errors[2] == "features.amount: must be a number, string, boolean or null, not list"
    assert errors[6] == errors[12] == errors[21] == "features.bad: refused by the collector"
    assert errors[9] == "features: required, a mapping of feature name to value"
    assert errors[13].startswith("prediction: must be a finite number")
    assert errors[17].startswith("row: must be a mapping")
    assert errors[22].startswith("prediction: must be a finite number") and "NaN" in errors[22]
    assert upload.accepted == 23 - 8
    sent = [i for i in range(23) if i not in (2, 9, 13, 17, 22)]
    assert amounts(collector.received(PATH)) == sent
    assert [len(r.events) for r in collector.requests] == [4, 4, 4, 4, 2]


def test_503_with_retry_after_is_waited_for_then_the_upload_goes_on(collector, make_client):
    collector.script.extend([Scripted(200, body={"accepted": 3, "rejected": []}), Scripted(503, {"Retry-After": "1"})])
    upload = make_client().log_reference("m", "v1", [row(i) for i in range(9)], batch_rows=3)
    assert [(len(r.events), r.status) for r in collector.requests] == [(3, 200), (3, 503), (3, 200), (3, 200)]
    retry, again = collector.requests[1], collector.requests[2]
    assert again.at - retry.at >= 0.95
    assert again.events == retry.events
    assert (upload.accepted, upload.rejected) == (9, [])
    assert amounts(collector.received(PATH)) == list(range(9))


def test_retries_while_the_collector_is_down_and_delivers_when_it_is_up(make_client):
    down = FakeCollector()
    port, url = down.port, down.url
    down.stop()
    client = make_client(url=url)
    result: list[Any] = []
    import threading

    thread = threading.Thread(target=lambda: result.append(client.log_reference("m", "v1", [row(i) for i in range(7)])))
    thread.start()
    time.sleep(0.4)
    up = FakeCollector(port).start()
    try:
        thread.join(20)
        assert not thread.is_alive()
        [upload] = result
        assert (upload.accepted, upload.rejected) == (7, [])
        assert amounts(up.received(PATH)) == list(range(7))
    finally:
        up.stop()


def test_413_splits_and_rejections_in_each_half_map_back(collector, make_client):
    collector.max_events = 3
    collector.reject = reject_bad
    rows = [row(i) for i in range(10)]
    rows[1] = {"features": {"amount": 1, "bad": True}}
    rows[8] = {"features": {"amount": 8, "bad": True}}
    upload = make_client().log_reference("m", "v1", rows, batch_rows=10)
    # 10 -> 413; 5 -> 413; 2 + 3; 5 -> 413; 2 + 3
    assert [(len(r.events), r.status) for r in collector.requests] == [
        (10, 413), (5, 413), (2, 200), (3, 200), (5, 413), (2, 200), (3, 200),
    ]
    assert upload.accepted == 8
    assert [index for index, _ in upload.rejected] == [1, 8]
    assert amounts(collector.received(PATH)) == list(range(10))


def test_raises_when_retries_run_out_and_reads_no_further(collector, make_client):
    collector.script.append(Scripted(200, body={"accepted": 10, "rejected": []}))
    collector.always = Scripted(503, body={"error": "storage is unavailable"})
    client = make_client(max_retry_duration=0.3)
    read = 0

    def rows():
        nonlocal read
        for i in range(100):
            read += 1
            yield row(i)

    with pytest.raises(OspreyError) as caught:
        client.log_reference("m", "v1", rows(), reference_id="ref-1", batch_rows=10)
    err = caught.value
    assert (err.kind, err.status, err.count) == ("failed", 503, 10)
    assert err.message == (
        "log_reference(m, v1): reference_id ref-1: rows 10-19 could not be delivered: retries ran out after "
        "0.3 s; last problem: HTTP 503: storage is unavailable; the 10 rows accepted before are stored under "
        "this reference_id; upload the whole dataset again to replace them"
    )
    assert str(err) == err.message
    assert len(collector.requests) > 2  # it did retry
    assert {amounts(r.events)[0] for r in collector.requests[1:]} == {10}
    assert read <= 21  # the failed batch, and at most the row after it


def test_401_is_not_retried_and_the_key_never_shows(collector, make_client):
    collector.always = Scripted(401, body={"error": f"invalid API key Bearer {API_KEY}"})
    with pytest.raises(OspreyError) as caught:
        make_client().log_reference("m", "v1", [row(i) for i in range(3)])
    err = caught.value
    assert len(collector.requests) == 1
    assert err.status == 401 and err.kind == "failed"
    assert "rows 0-2 could not be delivered: batch refused, not retried: HTTP 401: invalid API key" in err.message
    assert err.message.endswith("no row of this upload was stored")
    assert API_KEY not in err.message and API_KEY not in repr(err) and API_KEY not in str(err)


def test_a_row_over_the_body_limit_is_reported_not_sent(collector, make_client):
    client = make_client(max_batch_bytes=500)
    empty = client.log_reference("m", "v1", [])
    assert (empty.accepted, empty.rejected) == (0, []) and collector.requests == []
    upload = client.log_reference("m", "v1", [row(0), {"features": {"big": "x" * 600}}, row(2)])
    assert upload.accepted == 2
    [(index, error)] = upload.rejected
    assert index == 1 and error.startswith("row: ") and "500-byte request limit" in error
    assert amounts(collector.received(PATH)) == [0, 2]


def test_bad_arguments_raise_before_anything_is_sent(collector, make_client):
    client = make_client()
    with pytest.raises(ValueError, match=r"^log_reference: model: must be 1-128 characters"):
        client.log_reference("has space", "v1", [row(0)])
    with pytest.raises(ValueError, match="version"):
        client.log_reference("m", "", [row(0)])
    with pytest.raises(ValueError, match=r"reference_id: must be 1-128 characters of A-Z a-z 0-9 _ \. : -"):
        client.log_reference("m", "v1", [row(0)], reference_id="no/slashes")
    for bad in (0, -1, 1.5, True):
        with pytest.raises(ValueError, match="batch_rows"):
            client.log_reference("m", "v1", [row(0)], batch_rows=bad)
    with pytest.raises(ValueError, match="prediction_column applies to a pandas DataFrame only"):
        client.log_reference("m", "v1", [row(0)], prediction_column="score")
    for bad in (42, row(0), "rows"):
        with pytest.raises(TypeError, match="rows must be an iterable"):
            client.log_reference("m", "v1", bad)
    assert collector.requests == []
    client.close(timeout=2)
    with pytest.raises(OspreyError) as caught:
        client.log_reference("m", "v1", [row(0)])
    assert caught.value.kind == "dropped"


def test_numpy_values_are_converted_like_log(collector, make_client):
    np = pytest.importorskip("numpy")
    upload = make_client().log_reference("m", "v1", [
        {"features": {"f32": np.float32(1.5), "i64": np.int64(7), "b": np.bool_(True), "s": np.str_("cat"),
                      "nan": np.float64("nan")},
         "prediction": np.array([0.25, 0.75], dtype=np.float32), "tags": {"k": np.int32(2)}},
        {"features": {"a": 1}, "prediction": np.int64(1)},
        {"features": {"a": 2}, "prediction": np.float64("nan")},  # as in log(): a NaN prediction is invalid
    ])
    first, second = collector.received(PATH)
    assert first["features"] == {"f32": 1.5, "i64": 7, "b": True, "s": "cat", "nan": None}
    assert first["prediction"] == [0.25, 0.75] and first["tags"] == {"k": "2"}
    assert second["prediction"] == 1
    assert upload.accepted == 2 and [i for i, _ in upload.rejected] == [2]


def test_dataframe_rows_columns_are_features_and_prediction_column_the_prediction(collector, make_client):
    pd = pytest.importorskip("pandas")
    np = pytest.importorskip("numpy")
    frame = pd.DataFrame(
        {
            "amount": [10.5, np.nan, 30.0, 40.0, 50.0],
            "country": ["FR", None, "DE", "FR", "DE"],
            "visits": pd.array([1, None, 3, 4, 5], dtype="Int64"),
            "is_new": [True, False, True, False, True],
            "score": [0.9, 0.1, np.nan, 0.4, 0.5],
            "odd": [1, 2, 3, [4], 5],  # row 3: not a feature value
        },
        index=["a", "b", "c", "d", "e"],  # rejections are by position, not by index label
    )
    collector.reject = lambda e: "features.amount: refused" if e["features"]["amount"] == 50.0 else None
    upload = make_client().log_reference("m", "v1", frame, prediction_column="score", batch_rows=2)
    base = {"model": "m", "version": "v1", "reference_id": upload.reference_id}
    assert collector.received(PATH) == [
        {**base, "features": {"amount": 10.5, "country": "FR", "visits": 1, "is_new": True, "odd": 1}, "prediction": 0.9},
        {**base, "features": {"amount": None, "country": None, "visits": None, "is_new": False, "odd": 2}, "prediction": 0.1},
        {**base, "features": {"amount": 30.0, "country": "DE", "visits": 3, "is_new": True, "odd": 3}},  # NaN: no prediction
        {**base, "features": {"amount": 50.0, "country": "DE", "visits": 5, "is_new": True, "odd": 5}, "prediction": 0.5},
    ]
    assert [len(r.events) for r in collector.requests] == [2, 2]
    assert upload.accepted == 3
    assert upload.rejected == [
        (3, "features.odd: must be a number, string, boolean or null, not list"),
        (4, "features.amount: refused"),
    ]


def test_dataframe_without_prediction_column_and_bad_column(collector, make_client):
    pd = pytest.importorskip("pandas")
    client = make_client()
    frame = pd.DataFrame({"a": [1, 2], 7: ["x", "y"]})
    upload = client.log_reference("m", "v1", frame)
    assert [e["features"] for e in collector.received(PATH)] == [{"a": 1, "7": "x"}, {"a": 2, "7": "y"}]
    assert all("prediction" not in e for e in collector.received(PATH)) and upload.accepted == 2
    with pytest.raises(ValueError, match="prediction_column 'nope' is not a column"):
        client.log_reference("m", "v1", frame, prediction_column="nope")


def test_works_without_numpy_or_pandas_and_never_imports_them(collector):
    script = """
import json, os, sys
sys.modules["numpy"] = None  # import numpy -> ImportError, as if not installed
sys.modules["pandas"] = None
from osprey import Osprey
with Osprey(os.environ["URL"], "osk_subprocess") as client:
    upload = client.log_reference("m", "v1", [{"features": {"a": i}, "prediction": i} for i in range(3)])
print(json.dumps([upload.accepted, upload.rejected]))
"""
    env = {**os.environ, "URL": collector.url, "PYTHONPATH": str(SDK_DIR)}
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == [3, []]
    assert [e["features"]["a"] for e in collector.received(PATH)] == [0, 1, 2]
    check = "import sys, osprey; print(sorted(m for m in ('numpy', 'pandas') if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", check], env=env, capture_output=True, text=True, timeout=30)
    assert done.stdout.strip() == "[]", done.stderr


def test_rows_carry_their_label_a_number_or_a_class_name(collector, make_client):
    np = pytest.importorskip("numpy")
    upload = make_client().log_reference(
        "m",
        "v1",
        [
            {"features": {"x": 0}, "label": 1},
            {"features": {"x": 1}, "label": "churned"},
            {"features": {"x": 2}, "label": np.float32(0.5)},
            {"features": {"x": 3}, "label": None},
            {"features": {"x": 4}, "label": float("nan")},
            {"features": {"x": 5}, "label": {"class": 1}},
        ],
    )
    assert [(e["features"]["x"], e.get("label", "none")) for e in collector.received(PATH)] == [
        (0, 1), (1, "churned"), (2, 0.5), (3, "none"),
    ]
    problem = "label: must be a finite number or a string"
    assert upload.rejected == [(4, problem), (5, problem)] and upload.accepted == 4


def test_dataframe_label_column_is_the_label_and_not_a_feature(collector, make_client):
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"a": [1.5, 2.5, 3.5], "score": [0.9, 0.2, 0.6], "truth": [1, None, 0]})
    client = make_client()
    upload = client.log_reference("m", "v1", frame, prediction_column="score", label_column="truth")
    assert [(e["features"], e["prediction"], e.get("label")) for e in collector.received(PATH)] == [
        ({"a": 1.5}, 0.9, 1), ({"a": 2.5}, 0.2, None), ({"a": 3.5}, 0.6, 0),
    ]
    assert "label" not in collector.received(PATH)[1] and upload.accepted == 3
    with pytest.raises(ValueError, match="label_column 'nope' is not a column"):
        client.log_reference("m", "v1", frame, label_column="nope")
    with pytest.raises(ValueError, match="label_column 'score' is already the prediction column"):
        client.log_reference("m", "v1", frame, prediction_column="score", label_column="score")
    with pytest.raises(ValueError, match="label_column applies to a pandas DataFrame only"):
        client.log_reference("m", "v1", [{"features": {}}], label_column="truth")
