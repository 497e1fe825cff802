"""numpy scalars and arrays are converted to plain JSON values."""

from __future__ import annotations

import pytest

np = pytest.importorskip("numpy", reason="numpy is not installed; install the [test] extra to run the numpy tests")


def test_numpy_values_are_serialised(collector, make_client):
    client = make_client()
    client.log(
        "m", "v",
        {"f32": np.float32(1.5), "f64": np.float64(2.25), "i64": np.int64(7), "u8": np.uint8(3),
         "b": np.bool_(True), "s": np.str_("cat"), "nan": np.float64("nan")},
        np.array([0.1, 0.9], dtype=np.float32),
        latency_ms=np.float64(4.5),
        tags={"k": np.int32(2)},
    )
    client.log("m", "v", {}, np.int64(1))
    client.log("m", "v", {}, np.float32(0.5))
    client.log("m", "v", {}, np.array(3.0))  # 0-d array
    client.log_label("m", np.int64(1), request_id="r1")
    assert client.flush(timeout=5)
    first, second, third, fourth = collector.received()
    assert first["features"] == {"f32": 1.5, "f64": 2.25, "i64": 7, "u8": 3, "b": True, "s": "cat", "nan": None}
    assert first["prediction"] == pytest.approx([0.1, 0.9]) and first["latency_ms"] == 4.5
    assert first["tags"] == {"k": "2"}
    assert (second["prediction"], third["prediction"], fourth["prediction"]) == (1, 0.5, 3.0)
    assert collector.received("/v1/labels")[0]["label"] == 1
    assert client.stats()["invalid"] == 0


def test_numpy_nan_prediction_and_2d_array_are_invalid(collector, make_client):
    client = make_client()
    client.log("m", "v", {}, np.float64("nan"))
    client.log("m", "v", {}, np.zeros((2, 2)))
    assert client.flush(timeout=5)
    assert client.stats()["invalid"] == 2


def test_prediction_array_is_snapshotted_at_log_time(collector, make_client):
    client = make_client(flush_interval=60)
    out = np.array([0.25, 0.75])
    client.log("m", "v", {}, out)
    out[:] = 0.0  # the caller reuses its output buffer
    assert client.flush(timeout=5)
    assert collector.received()[0]["prediction"] == [0.25, 0.75]
