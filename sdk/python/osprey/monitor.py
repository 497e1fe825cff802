"""`@monitor`: log every call of a prediction function — its inputs, output, latency and errors."""

from __future__ import annotations

import functools
import inspect
import time
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from .client import Osprey

F = TypeVar("F", bound=Callable[..., Any])
# Either a function called with the decorated function's arguments that returns the features, or
# the names of the parameters whose values are the features.
FeaturesFrom = Callable[..., Mapping[str, Any]] | Sequence[str]
PredictionFrom = Callable[[Any], Any]


def default_features(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Mapping[str, Any]:
    """The first positional argument that is a mapping (so `self` is skipped on methods), else
    the keyword arguments."""
    for arg in args:
        if isinstance(arg, Mapping):
            return arg
    return kwargs


def monitor(
    client: Osprey,
    *,
    model: str,
    version: str,
    features: FeaturesFrom | None = None,
    prediction: PredictionFrom | None = None,
    tags: Mapping[str, str] | None = None,
) -> Callable[[F], F]:
    """Decorates a sync or async function so each call is logged to `client`:

    * features: `features(*args, **kwargs)` when it is a function; the values of the named
      parameters when it is a list of names; else `default_features`;
    * prediction: the return value, or `prediction(return_value)` when given;
    * latency_ms: the call's duration (time.perf_counter);
    * on an exception: `error=repr(exc)` and no prediction; the exception is re-raised.

    Logging never changes what the function returns or raises.
    """

    names = None if features is None or callable(features) else [str(n) for n in features]

    def event_features(signature: inspect.Signature | None, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        try:
            if callable(features):
                return features(*args, **kwargs)
            if signature is not None and names is not None:
                bound = signature.bind(*args, **kwargs)
                bound.apply_defaults()
                return {name: bound.arguments[name] for name in names if name in bound.arguments}
            return default_features(args, kwargs)
        except Exception as exc:  # a broken extractor must not break the call
            return exc

    def record(
        signature: inspect.Signature | None,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        started: float,
        result: Any,
        exc: Exception | None,
    ) -> None:
        latency_ms = (time.perf_counter() - started) * 1000.0
        try:
            feats = event_features(signature, args, kwargs)
            if isinstance(feats, Exception):
                client.log(model, version, {}, None, error=f"osprey: features extractor raised {feats!r}", latency_ms=latency_ms, tags=tags)
                return
            if exc is not None:
                client.log(model, version, feats, None, latency_ms=latency_ms, error=repr(exc), tags=tags)
                return
            output = prediction(result) if prediction is not None else result
            client.log(model, version, feats, output, latency_ms=latency_ms, tags=tags)
        except Exception:  # never let monitoring change the function's behaviour
            pass

    def decorate(fn: F) -> F:
        signature = inspect.signature(fn) if names is not None else None
        if inspect.iscoroutinefunction(fn):

            @functools.wraps(fn)
            async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
                started = time.perf_counter()
                try:
                    result = await fn(*args, **kwargs)
                except Exception as exc:
                    record(signature, args, kwargs, started, None, exc)
                    raise
                record(signature, args, kwargs, started, result, None)
                return result

            return async_wrapper  # type: ignore[return-value]

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                result = fn(*args, **kwargs)
            except Exception as exc:
                record(signature, args, kwargs, started, None, exc)
                raise
            record(signature, args, kwargs, started, result, None)
            return result

        return wrapper  # type: ignore[return-value]

    return decorate
