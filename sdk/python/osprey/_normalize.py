"""Turns what a caller logged into wire-contract values, or says why it cannot.

Runs on the background thread, so log() stays cheap. The rules mirror the collector's contract
(ingest/schema/*.schema.json): an event that passes here is one the collector accepts. Problems
are named the way the collector names them: `<field>: <problem>`.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
import sys
import uuid
from collections.abc import Mapping
from typing import Any

MODEL_PATTERN = re.compile(r"[A-Za-z0-9_.-]{1,128}")
REFERENCE_ID_PATTERN = re.compile(r"[A-Za-z0-9_.:-]{1,128}")
UUID_PATTERN = re.compile(
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}"
    r"|00000000-0000-0000-0000-000000000000|ffffffff-ffff-ffff-ffff-ffffffffffff"
)
MAX_NAME_LEN = 128
MAX_KEY_LEN = 256
MAX_TAG_VALUE_LEN = 1024
MAX_LABEL_LEN = 1024
MAX_ERROR_LEN = 4096
MAX_PREDICTION_ITEMS = 4096
MAX_LATENCY_MS = 86_400_000
YEAR_3000_MS = 32_503_680_000_000

_NoneType = type(None)
_SCALARS = (str, int, float, bool, _NoneType)


class InvalidEvent(ValueError):
    """An event that breaks the contract; the message is `<field>: <problem>`."""


def _plain(value: Any) -> Any:
    """numpy (and tensor-like) scalars and arrays as Python values; numpy is never imported here —
    if a caller passed a numpy value, numpy is already loaded."""
    if type(value) in _SCALARS:
        return value
    np = sys.modules.get("numpy")
    if np is not None:
        if isinstance(value, np.generic):
            return value.item()
        if isinstance(value, np.ndarray):
            return value.tolist()
    if isinstance(value, _SCALARS):  # subclasses: keep as they are
        return value
    tolist = getattr(value, "tolist", None)  # e.g. tensors
    if callable(tolist):
        return tolist()
    return value


def _finite_number(value: Any) -> int | float | None:
    """The value as a JSON number, or None when it is not a finite number (bools count as 0/1)."""
    value = _plain(value)
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value) if math.isfinite(value) else None
    return None


def _feature_value(name: str, value: Any) -> str | int | float | bool | None:
    value = _plain(value)
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, str):
        return str(value)
    if value is None:
        return None
    raise InvalidEvent(f"features.{name}: must be a number, string, boolean or null, not {type(value).__name__}")


def features(raw: Any) -> dict[str, str | int | float | bool | None]:
    """The features as JSON-safe values. `raw` is the SDK's own copy (made in log()), so when every
    name and value is already plain — the common case — it is returned as it is."""
    if type(raw) is dict:
        for key, value in raw.items():
            kind = type(value)
            if type(key) is not str or not 0 < len(key) <= MAX_KEY_LEN:
                break
            if kind is float:
                if value - value != 0.0:  # NaN or ±inf
                    break
            elif not (kind is str or kind is int or kind is bool or value is None):
                break
        else:
            return raw
    if not isinstance(raw, Mapping):
        raise InvalidEvent(f"features: must be a mapping of feature name to value, not {type(raw).__name__}")
    out: dict[str, str | int | float | bool | None] = {}
    for key, value in raw.items():
        if type(key) is not str:
            if isinstance(key, str):
                key = str(key)
            elif isinstance(_plain(key), int) and not isinstance(key, bool):
                key = str(_plain(key))
            else:
                raise InvalidEvent(f"features: names must be strings, not {type(key).__name__}")
        if not 0 < len(key) <= MAX_KEY_LEN:
            raise InvalidEvent(f"features: names must be 1-{MAX_KEY_LEN} characters")
        out[key] = _feature_value(key, value)
    return out


def model_name(raw: Any) -> str:
    if not isinstance(raw, str) or MODEL_PATTERN.fullmatch(raw) is None:
        raise InvalidEvent("model: must be 1-128 characters of A-Z a-z 0-9 _ . -")
    return str(raw)


def version_name(raw: Any) -> str:
    if not isinstance(raw, str):
        raise InvalidEvent(f"version: must be a string, not {type(raw).__name__}")
    if not 0 < len(raw) <= MAX_NAME_LEN:
        raise InvalidEvent(f"version: must be 1-{MAX_NAME_LEN} characters")
    return str(raw)


def reference_id(raw: Any) -> str:
    if not isinstance(raw, str) or REFERENCE_ID_PATTERN.fullmatch(raw) is None:
        raise InvalidEvent("reference_id: must be 1-128 characters of A-Z a-z 0-9 _ . : -")
    return str(raw)


def event_id(raw: Any) -> str:
    if isinstance(raw, uuid.UUID):
        raw = str(raw)
    if not isinstance(raw, str) or UUID_PATTERN.fullmatch(raw) is None:
        raise InvalidEvent("event_id: must be a UUID")
    return str(raw)


def timestamp(raw: Any) -> int | float | str:
    """Epoch milliseconds (number), an aware or local datetime, or ISO-8601 text."""
    if isinstance(raw, _dt.datetime):
        return int(raw.timestamp() * 1000)
    if isinstance(raw, str):
        if not raw:
            raise InvalidEvent("timestamp: must be an ISO-8601 string or epoch milliseconds")
        return str(raw)
    ms = _finite_number(raw)
    if ms is None or isinstance(_plain(raw), bool) or not 0 <= ms < YEAR_3000_MS:
        raise InvalidEvent("timestamp: must be an ISO-8601 string or epoch milliseconds")
    return ms


def request_id(raw: Any) -> str:
    value = _plain(raw)
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not 0 < len(value) <= MAX_KEY_LEN:
        raise InvalidEvent(f"request_id: must be a string of 1-{MAX_KEY_LEN} characters")
    return str(value)


def prediction(raw: Any) -> int | float | str | list[int | float]:
    value = _plain(raw)
    if isinstance(value, str):
        return str(value)
    if isinstance(value, (list, tuple)):
        if len(value) > MAX_PREDICTION_ITEMS:
            raise InvalidEvent(f"prediction: arrays hold at most {MAX_PREDICTION_ITEMS} numbers")
        items: list[int | float] = []
        for item in value:
            number = _finite_number(item)
            if number is None:
                raise InvalidEvent("prediction: arrays must hold finite numbers only")
            items.append(number)
        return items
    number = _finite_number(value)
    if number is None:
        raise InvalidEvent(
            "prediction: must be a finite number, a string or an array of numbers, "
            f"not {type(raw).__name__}" + (" (NaN/inf)" if isinstance(value, float) else "")
        )
    return number


def latency(raw: Any) -> int | float:
    number = _finite_number(raw)
    if number is None or isinstance(_plain(raw), bool) or not 0 <= number <= MAX_LATENCY_MS:
        raise InvalidEvent(f"latency_ms: must be a finite number from 0 to {MAX_LATENCY_MS}")
    return number


def error_text(raw: Any) -> str | None:
    """The error message, cut to the contract's length; None for no error (None or "")."""
    if raw is None:
        return None
    text = repr(raw) if isinstance(raw, BaseException) else raw if isinstance(raw, str) else str(raw)
    return text[:MAX_ERROR_LEN] or None


def tags(raw: Any) -> dict[str, str]:
    if not isinstance(raw, Mapping):
        raise InvalidEvent(f"tags: must be a mapping of string to string, not {type(raw).__name__}")
    out: dict[str, str] = {}
    for key, value in raw.items():
        if not isinstance(key, str) or len(key) > MAX_KEY_LEN:
            raise InvalidEvent(f"tags: names must be strings of at most {MAX_KEY_LEN} characters")
        value = _plain(value)
        if isinstance(value, (bool, int, float)):
            value = str(value)
        if not isinstance(value, str):
            raise InvalidEvent(f"tags.{key}: must be a string, not {type(value).__name__}")
        if len(value) > MAX_TAG_VALUE_LEN:
            raise InvalidEvent(f"tags.{key}: must be at most {MAX_TAG_VALUE_LEN} characters")
        out[str(key)] = str(value)
    return out


def prediction_event(raw: Mapping[str, Any]) -> dict[str, Any]:
    """A logged prediction (as built by log()) as a contract-valid wire event."""
    out: dict[str, Any] = {
        "event_id": event_id(raw["event_id"]),
        "timestamp": timestamp(raw["timestamp"]),
        "model": model_name(raw["model"]),
        "version": version_name(raw["version"]),
        "features": features(raw["features"]),
    }
    error = error_text(raw.get("error"))
    if raw.get("prediction") is not None:
        out["prediction"] = prediction(raw["prediction"])
    elif error is None:
        raise InvalidEvent("prediction: required unless error is set")
    if raw.get("latency_ms") is not None:
        out["latency_ms"] = latency(raw["latency_ms"])
    if error is not None:
        out["error"] = error
    if raw.get("tags") is not None:
        out["tags"] = tags(raw["tags"])
    if raw.get("request_id") is not None:
        out["request_id"] = request_id(raw["request_id"])
    _vectors_and_texts(raw, out)
    return out


def label(raw: Any) -> float | int | str:
    value = _plain(raw)
    if isinstance(value, str):
        if len(value) > MAX_LABEL_LEN:
            raise InvalidEvent(f"label: must be at most {MAX_LABEL_LEN} characters")
        return value
    number = _finite_number(value)
    if number is None:
        raise InvalidEvent("label: must be a finite number or a string")
    return number


def label_event(raw: Mapping[str, Any]) -> dict[str, Any]:
    """A logged label (as built by log_label()) as a contract-valid wire event."""
    out: dict[str, Any] = {"model": model_name(raw["model"]), "label": label(raw["label"])}
    if raw.get("event_id") is not None:
        out["event_id"] = event_id(raw["event_id"])
    if raw.get("request_id") is not None:
        out["request_id"] = request_id(raw["request_id"])
    if "event_id" not in out and "request_id" not in out:
        raise InvalidEvent("event_id: event_id or request_id is required")
    out["timestamp"] = timestamp(raw["timestamp"])
    return out


def reference_row(raw: Any, model: str, version: str, ref_id: str) -> dict[str, Any]:
    """One reference row `{"features", "prediction"?, "label"?, "tags"?, "embeddings"?, "text"?}` as a contract-valid wire
    row, with the upload's model, version and reference_id (already checked). Values are checked
    and converted like log()'s; a prediction or label of None is none; other keys are not sent."""
    if not isinstance(raw, Mapping):
        raise InvalidEvent(f"row: must be a mapping with features, prediction and tags, not {type(raw).__name__}")
    if raw.get("features") is None:
        raise InvalidEvent("features: required, a mapping of feature name to value")
    out: dict[str, Any] = {"model": model, "version": version, "reference_id": ref_id, "features": features(raw["features"])}
    if raw.get("prediction") is not None:
        out["prediction"] = prediction(raw["prediction"])
    if _plain(raw.get("label")) is not None:
        out["label"] = label(raw["label"])
    if raw.get("tags") is not None:
        out["tags"] = tags(raw["tags"])
    _vectors_and_texts(raw, out)
    return out


def _vectors_and_texts(raw: Mapping[str, Any], out: dict[str, Any]) -> None:
    """The event's `embeddings` and `text`, when given (None counts as none)."""
    if raw.get("embeddings") is not None:
        out["embeddings"] = _embeddings.embeddings(raw["embeddings"])
    if raw.get("text") is not None:
        out["text"] = _embeddings.texts(raw["text"])


# Last: _embeddings uses InvalidEvent and MAX_KEY_LEN from this module.
from . import _embeddings  # noqa: E402
