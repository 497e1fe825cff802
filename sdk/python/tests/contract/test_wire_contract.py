"""Contract: what the SDK puts on the wire validates against the collector's JSON Schemas
(ingest/schema), and what the SDK refuses as invalid the schemas refuse too."""

from __future__ import annotations

import datetime as dt
import json
import math
import uuid
from pathlib import Path
from typing import Any

import pytest

jsonschema = pytest.importorskip("jsonschema", reason="jsonschema is not installed; install the [test] extra")

from osprey import _normalize  # noqa: E402
from osprey._ids import new_event_id  # noqa: E402
from osprey._serialize import encode_event  # noqa: E402

SCHEMA_DIR = Path(__file__).resolve().parent / ".." / ".." / ".." / ".." / "ingest" / "schema"


def _validator(name: str) -> Any:
    path = SCHEMA_DIR / name
    if not path.exists():
        pytest.fail(f"contract schema missing: {path}")
    schema = json.loads(path.read_text())
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


PREDICTION = _validator("prediction.schema.json")
LABEL = _validator("label.schema.json")


def wire(raw: dict[str, Any], kind: str = "prediction") -> Any:
    normalize = _normalize.prediction_event if kind == "prediction" else _normalize.label_event
    return json.loads(encode_event(normalize(raw)))


def prediction(**fields: Any) -> dict[str, Any]:
    base = {"event_id": new_event_id(), "timestamp": 1_760_000_000_000, "model": "churn", "version": "v1", "features": {"a": 1}}
    base.update(fields)
    return base


VALID_PREDICTIONS = [
    prediction(prediction=0.5),
    prediction(prediction="cat", latency_ms=0, tags={"k": "v"}, request_id="r-1"),
    prediction(prediction=[0.1, 0.2, 0.7], latency_ms=12.5),
    prediction(prediction=None, error="ValueError('x')"),
    prediction(prediction=True),
    prediction(prediction=(1, 2)),
    prediction(features={"n": 1.5, "s": "x", "b": False, "z": None, "nan": math.nan, "inf": math.inf}, prediction=1),
    prediction(features={}, prediction=1, error="e" * 10_000),
    prediction(prediction=1, timestamp="2026-01-31T12:00:00Z"),
    prediction(prediction=1, timestamp=dt.datetime(2026, 1, 31, tzinfo=dt.timezone.utc)),
    prediction(prediction=1, event_id=uuid.uuid4()),
    prediction(prediction=1, embeddings={"q": [0.5, -3.4e38, 3]}, text={"t": "x" * 20_000, "e": ""}),
    prediction(prediction=1, embeddings={"q": [0.0] * 4096, "d": (1,)}, text={"t": "😀" * 6_000}),
    prediction(prediction=1, tags={"n": 1, "b": True}),
    prediction(model="a" * 128, version="v" * 128, prediction=[0.0] * 4096),
]


@pytest.mark.parametrize("raw", VALID_PREDICTIONS, ids=range(len(VALID_PREDICTIONS)))
def test_sdk_predictions_validate_against_the_schema(raw: dict[str, Any]) -> None:
    PREDICTION.validate(wire(raw))


def test_generated_event_ids_are_schema_uuids() -> None:
    for _ in range(1000):
        eid = new_event_id()
        assert uuid.UUID(eid).version == 4
        PREDICTION.validate(wire(prediction(prediction=1, event_id=eid)))


def test_numpy_values_validate_against_the_schema() -> None:
    np = pytest.importorskip("numpy", reason="numpy is not installed; install the [test] extra")
    PREDICTION.validate(
        wire(prediction(features={"f": np.float32(1), "i": np.int64(2), "b": np.bool_(False), "n": np.float64("nan")},
                        prediction=np.array([0.25, 0.75]), latency_ms=np.float64(3)))
    )
    LABEL.validate(wire({"model": "m", "label": np.int64(1), "event_id": new_event_id(), "timestamp": 1}, "label"))


INVALID_PREDICTIONS = [
    prediction(model="has space", prediction=1),
    prediction(model="a" * 129, prediction=1),
    prediction(version="", prediction=1),
    prediction(version=3, prediction=1),
    prediction(features={"": 1}, prediction=1),
    prediction(features={"a": [1]}, prediction=1),
    prediction(features="nope", prediction=1),
    prediction(prediction={"a": 1}),
    prediction(prediction=[0.0] * 4097),
    prediction(prediction=["a"]),
    prediction(prediction=1, latency_ms=-1),
    prediction(prediction=1, latency_ms=86_400_001),
    prediction(prediction=1, tags={"k": "v" * 1025}),
    prediction(prediction=1, request_id=""),
    prediction(prediction=1, event_id="123"),
    prediction(prediction=1, embeddings={"q": [0.0] * 4097}),
    prediction(prediction=1, embeddings={"q": []}),
    prediction(prediction=1, embeddings={"q": [1e39]}),
    prediction(prediction=1, embeddings={"q": ["1"]}),
    prediction(prediction=1, embeddings={"": [1]}),
    prediction(prediction=1, embeddings={f"e{i}": [1] for i in range(17)}),
    prediction(prediction=1, embeddings=[1]),
    prediction(prediction=1, text={"t": 1}),
    prediction(prediction=1, text={f"t{i}": "" for i in range(17)}),
]
# Rules the JSON Schema cannot express but the collector's zod contract enforces; the SDK too.
INVALID_BEYOND_THE_SCHEMA = [
    prediction(),  # neither prediction nor error
    prediction(prediction=1, timestamp=-1),
]


@pytest.mark.parametrize("raw", INVALID_PREDICTIONS, ids=range(len(INVALID_PREDICTIONS)))
def test_what_the_sdk_refuses_the_schema_refuses(raw: dict[str, Any]) -> None:
    with pytest.raises(_normalize.InvalidEvent):
        _normalize.prediction_event(raw)
    assert not PREDICTION.is_valid(raw)


@pytest.mark.parametrize("raw", INVALID_BEYOND_THE_SCHEMA, ids=range(len(INVALID_BEYOND_THE_SCHEMA)))
def test_sdk_enforces_the_rules_beyond_the_schema(raw: dict[str, Any]) -> None:
    with pytest.raises(_normalize.InvalidEvent):
        _normalize.prediction_event(raw)


VALID_LABELS = [
    {"model": "churn", "label": 1, "event_id": new_event_id(), "timestamp": 1_760_000_000_000},
    {"model": "churn", "label": "yes", "request_id": "r-1", "timestamp": "2026-01-31T12:00:00Z"},
    {"model": "churn", "label": 0.5, "event_id": new_event_id(), "request_id": "r-2", "timestamp": 5},
    {"model": "churn", "label": False, "request_id": "r-3", "timestamp": 5},
]


@pytest.mark.parametrize("raw", VALID_LABELS, ids=range(len(VALID_LABELS)))
def test_sdk_labels_validate_against_the_schema(raw: dict[str, Any]) -> None:
    LABEL.validate(wire(raw, "label"))


def test_events_received_end_to_end_validate(collector, make_client) -> None:
    client = make_client()
    eid = client.log("churn", "v1", {"a": 1, "b": "x", "c": None, "d": True}, [0.2, 0.8], latency_ms=4, tags={"t": "1"}, request_id="rq")
    client.log("churn", "v1", {"a": 2}, None, error=RuntimeError("down"))
    client.log_label("churn", 1, event_id=eid)
    assert client.flush(timeout=5)
    events = collector.received()
    labels = collector.received("/v1/labels")
    assert len(events) == 2 and len(labels) == 1
    for event in events:
        PREDICTION.validate(event)
    LABEL.validate(labels[0])


# ---- reference rows (POST /v1/reference, log_reference()) ------------------------------------

REFERENCE = _validator("reference.schema.json")


def reference_wire(raw: Any, reference_id: str | None = None) -> Any:
    ref = new_event_id() if reference_id is None else _normalize.reference_id(reference_id)
    return json.loads(encode_event(_normalize.reference_row(raw, "churn", "v1", ref)))


VALID_REFERENCE_ROWS = [
    {"features": {"a": 1}},
    {"features": {}, "prediction": 0.5, "tags": {"split": "train"}},
    {"features": {"n": 1.5, "s": "x", "b": False, "z": None, "nan": math.nan, "inf": -math.inf}, "prediction": "cat"},
    {"features": {"a": 1}, "prediction": (1, 2, 3)},
    {"features": {"a": 1}, "prediction": None, "tags": {"n": 1, "b": True}},
    {"features": {"a": 1}, "prediction": [0.0] * 4096, "ignored": "not sent"},
]


@pytest.mark.parametrize("raw", VALID_REFERENCE_ROWS, ids=range(len(VALID_REFERENCE_ROWS)))
def test_sdk_reference_rows_validate_against_the_schema(raw: dict[str, Any]) -> None:
    REFERENCE.validate(reference_wire(raw))


def test_reference_ids_generated_or_given_validate() -> None:
    for _ in range(200):
        REFERENCE.validate(reference_wire({"features": {"a": 1}}))
    for ref in ("train-2024:06.01_a", "a", "x" * 128):
        REFERENCE.validate(reference_wire({"features": {"a": 1}}, ref))
    for ref in ("", "x" * 129, "no/slash", "space here"):
        with pytest.raises(_normalize.InvalidEvent):
            _normalize.reference_id(ref)
        assert not REFERENCE.is_valid({"model": "m", "version": "v", "features": {}, "reference_id": ref})


def test_numpy_and_dataframe_reference_rows_validate() -> None:
    np = pytest.importorskip("numpy", reason="numpy is not installed; install the [test] extra")
    pd = pytest.importorskip("pandas", reason="pandas is not installed")
    from osprey._reference import _frame_rows

    REFERENCE.validate(reference_wire(
        {"features": {"f": np.float32(1), "i": np.int64(2), "b": np.bool_(False), "n": np.float64("nan")},
         "prediction": np.array([0.25, 0.75]), "label": np.int64(1)}
    ))
    frame = pd.DataFrame({
        "x": [1.5, np.nan], "c": ["a", None], "k": pd.array([1, None], dtype="Int64"), "b": [True, False],
        "p": [0.2, np.nan], "y": ["churned", None],
    })
    rows = list(_frame_rows(frame, {"prediction": "p", "label": "y"}, 5000))
    assert [r.get("label") for r in rows] == ["churned", None]
    assert len(rows) == 2
    for raw in rows:
        REFERENCE.validate(reference_wire(raw))


INVALID_REFERENCE_ROWS = [
    {"features": {"": 1}},
    {"features": {"a": [1]}},
    {"features": "nope"},
    {"features": {"a": 1}, "prediction": {"a": 1}},
    {"features": {"a": 1}, "prediction": [0.0] * 4097},
    {"features": {"a": 1}, "prediction": ["a"]},
    {"features": {"a": 1}, "tags": {"k": "v" * 1025}},
    {"features": {"a": 1}, "label": {"class": 1}},
    {"features": {"a": 1}, "label": "v" * 1025},
]


@pytest.mark.parametrize("raw", INVALID_REFERENCE_ROWS, ids=range(len(INVALID_REFERENCE_ROWS)))
def test_reference_rows_the_sdk_refuses_the_schema_refuses(raw: dict[str, Any]) -> None:
    with pytest.raises(_normalize.InvalidEvent):
        _normalize.reference_row(raw, "churn", "v1", "ref")
    assert not REFERENCE.is_valid({"model": "churn", "version": "v1", "reference_id": "ref", **raw})


def test_reference_rows_received_end_to_end_validate(collector, make_client) -> None:
    upload = make_client().log_reference("churn", "v1", [
        {"features": {"a": 1, "b": "x", "c": None, "d": True}, "prediction": [0.2, 0.8], "tags": {"t": "1"}},
        {"features": {"a": 2}, "prediction": "yes"},
        {"features": {"a": 3}},
    ])
    rows = collector.received("/v1/reference")
    assert upload.accepted == len(rows) == 3
    for row in rows:
        REFERENCE.validate(row)


def test_lone_surrogates_are_sent_as_u_fffd_like_the_collector_stores_them() -> None:
    # What '😀 smile'[:1] is in JavaScript, and what a Python str holds after a bad decode.
    raw = prediction(
        version="v\ud800x",
        features={"f\udc00": "a\ud800", "ok": 1},
        prediction="p\udbff",
        tags={"t": "\ud83d\ude00 pair"},
        request_id="r\ud800",
    )
    sent = wire(raw)
    assert sent["version"] == "v\ufffdx"
    assert sent["features"] == {"f\ufffd": "a\ufffd", "ok": 1}
    assert sent["prediction"] == "p\ufffd"
    assert sent["tags"] == {"t": "😀 pair"}  # a pair side by side is the character, as in JS
    assert sent["request_id"] == "r\ufffd"
    PREDICTION.validate(sent)


def test_two_names_that_become_one_once_repaired_are_refused_like_the_collector_refuses_them() -> None:
    # "f\ud800" and "f\udbff" are both "f\ufffd" once repaired: one value would be lost.
    raw = prediction(features={"f\ud800": 1, "f\udbff": 2, "g\udc00": 3}, prediction=1)
    with pytest.raises(_normalize.InvalidEvent) as refused:
        wire(raw)
    assert str(refused.value) == (
        'features: the names "f\\ud800" and "f\\udbff" are both "f\ufffd" once lone UTF-16 '
        "surrogates are replaced with U+FFFD, and one value would be lost; rename one"
    )
    assert wire(prediction(features={"f\ud800": 1, "g\ud800": 2}, prediction=1))["features"] == {"f\ufffd": 1, "g\ufffd": 2}
