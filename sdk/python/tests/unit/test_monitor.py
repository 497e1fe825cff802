"""@monitor on sync and async functions, success and failure."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from osprey import monitor


def test_sync_function_is_logged(collector, make_client):
    client = make_client()

    @monitor(client, model="churn", version="v1")
    def predict(features: dict[str, Any]) -> float:
        return 0.75

    assert predict({"age": 3, "plan": "pro"}) == 0.75
    assert predict.__name__ == "predict"
    assert client.flush(timeout=5)
    [event] = collector.received()
    assert event["features"] == {"age": 3, "plan": "pro"}
    assert event["prediction"] == 0.75
    assert event["model"] == "churn" and event["version"] == "v1"
    assert 0 <= event["latency_ms"] < 1000
    assert "error" not in event


def test_kwargs_are_the_features_when_no_mapping_is_passed(collector, make_client):
    client = make_client()

    @client.monitor(model="churn", version="v1")
    def predict(*, age: int, plan: str) -> str:
        return "stay"

    assert predict(age=3, plan="pro") == "stay"
    assert client.flush(timeout=5)
    [event] = collector.received()
    assert event["features"] == {"age": 3, "plan": "pro"} and event["prediction"] == "stay"


def test_method_skips_self_and_custom_extractors(collector, make_client):
    client = make_client()

    class Model:
        @monitor(client, model="m", version="v", prediction=lambda out: out["score"], tags={"team": "risk"})
        def predict(self, row: dict[str, Any]) -> dict[str, float]:
            return {"score": 0.5}

        @monitor(client, model="m", version="v", features=lambda self, x, y: {"x": x, "y": y})
        def add(self, x: int, y: int) -> int:
            return x + y

    model = Model()
    assert model.predict({"a": 1}) == {"score": 0.5}
    assert model.add(2, 3) == 5
    assert client.flush(timeout=5)
    first, second = collector.received()
    assert first["features"] == {"a": 1} and first["prediction"] == 0.5 and first["tags"] == {"team": "risk"}
    assert second["features"] == {"x": 2, "y": 3} and second["prediction"] == 5


def test_sync_error_is_logged_and_reraised(collector, make_client):
    client = make_client()

    @monitor(client, model="churn", version="v1")
    def predict(features: dict[str, Any]) -> float:
        raise ValueError("bad input")

    with pytest.raises(ValueError, match="bad input"):
        predict({"age": 3})
    assert client.flush(timeout=5)
    [event] = collector.received()
    assert event["error"] == "ValueError('bad input')"
    assert "prediction" not in event and event["latency_ms"] >= 0


def test_async_function_success_and_error(collector, make_client):
    client = make_client()

    @monitor(client, model="churn", version="v1")
    async def predict(features: dict[str, Any]) -> list[float]:
        await asyncio.sleep(0.02)
        if features.get("fail"):
            raise RuntimeError("model down")
        return [0.2, 0.8]

    assert asyncio.iscoroutinefunction(predict)
    assert asyncio.run(predict({"age": 1})) == [0.2, 0.8]
    with pytest.raises(RuntimeError):
        asyncio.run(predict({"fail": True}))
    assert client.flush(timeout=5)
    ok, failed = collector.received()
    assert ok["prediction"] == [0.2, 0.8] and ok["latency_ms"] >= 15
    assert failed["error"] == "RuntimeError('model down')" and "prediction" not in failed


def test_broken_feature_extractor_does_not_break_the_call(collector, make_client):
    client = make_client()

    @monitor(client, model="m", version="v", features=lambda x: 1 / 0)
    def predict(x: int) -> int:
        return x

    assert predict(4) == 4
    assert client.flush(timeout=5)
    [event] = collector.received()
    assert "ZeroDivisionError" in event["error"]


def test_features_by_parameter_name(collector, make_client):
    client = make_client()

    @monitor(client, model="m", version="v", features=["age", "plan"])
    def predict(model_obj: object, age: int, plan: str = "basic", debug: bool = False) -> int:
        return 1

    assert predict(object(), 41) == 1
    assert client.flush(timeout=5)
    [event] = collector.received()
    assert event["features"] == {"age": 41, "plan": "basic"}
