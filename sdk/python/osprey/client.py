"""The Osprey client: log() enqueues and returns; a background thread delivers."""

from __future__ import annotations

import atexit
import os
import threading
import time
import weakref
from collections.abc import Callable, Mapping, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar

from ._buffer import Buffer
from . import _embeddings, _reference, _serialize
from ._ids import new_event_id
from ._reference import ReferenceUpload
from ._report import ErrorHandler, Reporter
from ._sender import Sender, SenderConfig
from .errors import OspreyError
from .production import Production, ProductionPoller

if TYPE_CHECKING:
    from .monitor import FeaturesFrom, PredictionFrom

F = TypeVar("F", bound=Callable[..., Any])

DEFAULT_CLOSE_TIMEOUT_S = 10.0

_live: weakref.WeakSet[Osprey] = weakref.WeakSet()


class Osprey:
    """Logs predictions and labels to an Osprey collector without blocking the caller.

    `log()` and `log_label()` never raise and never do I/O: they copy the event into a bounded
    in-memory buffer and return. A daemon thread sends batches of up to `max_batch_size` events
    every `flush_interval` seconds (or as soon as a batch is full), gzipped, retrying transient
    failures for up to `max_retry_duration` seconds. Problems are counted (see `stats()`) and
    reported to `on_error`, or by default logged (rate-limited) on the `osprey` logger.
    """

    def __init__(
        self,
        url: str,
        api_key: str,
        *,
        max_batch_size: int = 500,
        flush_interval: float = 1.0,
        max_buffer_size: int = 10_000,
        request_timeout: float = 10.0,
        max_retry_duration: float = 600.0,
        max_batch_bytes: int = _serialize.MAX_BODY_BYTES,
        on_error: ErrorHandler | None = None,
    ) -> None:
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise ValueError("url must be an http:// or https:// URL of the Osprey collector")
        if not isinstance(api_key, str) or not api_key:
            raise ValueError("api_key must be a non-empty string (an Osprey API key with the ingest scope)")
        _require(max_batch_size >= 1, "max_batch_size must be >= 1")
        _require(max_buffer_size >= 1, "max_buffer_size must be >= 1")
        _require(flush_interval > 0, "flush_interval must be > 0 seconds")
        _require(request_timeout > 0, "request_timeout must be > 0 seconds")
        _require(max_retry_duration >= 0, "max_retry_duration must be >= 0 seconds")
        _require(max_batch_bytes >= 1, "max_batch_bytes must be >= 1")
        _require(on_error is None or callable(on_error), "on_error must be callable")
        self.url = url.rstrip("/")
        self._api_key = api_key
        self._max_batch_size = max_batch_size
        self._max_buffer_size = max_buffer_size
        self._sender_config = SenderConfig(
            url=self.url,
            api_key=api_key,
            request_timeout=request_timeout,
            max_retry_duration=max_retry_duration,
            flush_interval=flush_interval,
            max_body_bytes=max_batch_bytes,
        )
        self._on_error = on_error
        self._production = ProductionPoller(self.url, api_key, request_timeout=request_timeout)
        self._closed = False
        self._close_lock = threading.Lock()
        self._start()
        _live.add(self)

    def _start(self) -> None:
        self._reporter = Reporter(self._api_key, self._on_error)
        self._buffer = Buffer(self._max_buffer_size, self._max_batch_size)
        self._sender = Sender(self._buffer, self._reporter, self._sender_config)
        self._sender.start()
        # A client dropped without close(): its thread sends what is queued, then stops.
        weakref.finalize(self, self._buffer.close)

    # ---- logging -----------------------------------------------------------------------------

    def log(
        self,
        model: str,
        version: str,
        features: Mapping[str, Any] | None = None,
        prediction: Any = None,
        *,
        latency_ms: float | None = None,
        error: str | BaseException | None = None,
        tags: Mapping[str, str] | None = None,
        request_id: str | None = None,
        event_id: str | None = None,
        timestamp: float | str | None = None,
        embeddings: Mapping[str, Any] | None = None,
        text: Mapping[str, str] | None = None,
    ) -> str:
        """Queues one prediction and returns its event_id (a new UUID unless given). Every argument
        may be given by keyword, as the TypeScript SDK's `log({model, version, features, ...})`:
        `client.log(model="m", version="v1", features={...}, prediction=0.9)`. Never raises,
        never blocks: invalid events are counted as `invalid`, and events that find the buffer
        full as `dropped`. Values are checked and converted (numpy included) on the sender thread.
        `embeddings`: vector features by name, numpy arrays or lists of numbers (stored as float32;
        at most 16, 1-4096 dimensions each; a name keeps the dimension of its first vector).
        `text`: text fields by name (at most 16, each cut to 10,000 characters)."""
        try:
            eid = new_event_id() if event_id is None else event_id if type(event_id) is str else str(event_id)
            event: dict[str, Any] = {
                "event_id": eid,
                "timestamp": time.time_ns() // 1_000_000 if timestamp is None else timestamp,
                "model": model,
                "version": version,
                "features": dict(features) if type(features) is dict else _copy_mapping(features),
            }
            if prediction is not None:
                kind = type(prediction)
                if kind is list:  # snapshot containers the caller may reuse
                    prediction = list(prediction)
                elif kind.__name__ == "ndarray":
                    prediction = prediction.copy()
                event["prediction"] = prediction
            if latency_ms is not None:
                event["latency_ms"] = latency_ms
            if error is not None:
                event["error"] = error
            if tags is not None:
                event["tags"] = _copy_mapping(tags)
            if request_id is not None:
                event["request_id"] = request_id
            if embeddings is not None:
                event["embeddings"] = _embeddings.snapshot(embeddings)
            if text is not None:
                event["text"] = dict(text) if type(text) is dict else _copy_mapping(text)
            self._buffer.put(("prediction", event))
            return eid
        except Exception as exc:
            return self._log_failed(exc, event_id)

    def log_label(
        self,
        model: str,
        label: float | str,
        *,
        event_id: str | None = None,
        request_id: str | None = None,
        timestamp: float | str | None = None,
    ) -> None:
        """Queues the ground truth for an earlier prediction, joined by its event_id (as returned
        by log()) or request_id. Never raises, never blocks."""
        try:
            self._buffer.put(
                (
                    "label",
                    {
                        "model": model,
                        "label": label,
                        "event_id": event_id,
                        "request_id": request_id,
                        "timestamp": time.time_ns() // 1_000_000 if timestamp is None else timestamp,
                    },
                )
            )
        except Exception as exc:
            self._log_failed(exc, event_id)

    def _log_failed(self, exc: Exception, event_id: Any) -> str:
        try:
            self._buffer.count("invalid")
            self._reporter.report("invalid", f"event not logged: {type(exc).__name__}: {exc}")
        except Exception:
            pass
        return event_id if isinstance(event_id, str) else ""

    def monitor(
        self,
        *,
        model: str,
        version: str,
        features: FeaturesFrom | None = None,
        prediction: PredictionFrom | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> Callable[[F], F]:
        """Decorator: logs every call of the function (see `osprey.monitor`)."""
        from .monitor import monitor

        return monitor(self, model=model, version=version, features=features, prediction=prediction, tags=tags)

    # ---- reference datasets ------------------------------------------------------------------

    def log_reference(
        self,
        model: str,
        version: str,
        rows: Any,
        reference_id: str | None = None,
        prediction_column: Any = None,
        batch_rows: int = _reference.DEFAULT_BATCH_ROWS,
        label_column: Any = None,
        embedding_columns: Sequence[Any] = (),
        text_columns: Sequence[Any] = (),
    ) -> ReferenceUpload:
        """Uploads a reference dataset for `model` `version` — what its inputs and outputs should
        look like, e.g. its training data — to `/v1/reference`; the newest upload becomes the
        model's reference for drift detection.

        `rows`: an iterable of `{"features": {...}, "prediction": ..., "label": ..., "tags": {...},
        "embeddings": {...}, "text": {...}}` dicts (all but features optional; embeddings and text
        as in log()), or a pandas DataFrame whose columns are the
        features, except `prediction_column` and `label_column` (if given), which are the
        prediction and the label, and `embedding_columns` / `text_columns`, whose cells (an array,
        a string) are the row's embeddings and texts under the column's name. A label is the row's
        ground truth, when the reference is labelled data such as a validation set: it lets Osprey
        estimate performance before production labels arrive. Values are checked and
        converted like log()'s (numpy included; NaN and missing values become null features, or no
        prediction). Every row is sent with `reference_id` (default: a new UUID).

        Unlike log(), this is a synchronous bulk upload in the calling thread: batches of at most
        `batch_rows` rows (and `max_batch_bytes`) are sent one after the other, gzipped, retried
        and split on 413 like log()'s. Returns a ReferenceUpload: the reference id, the rows
        accepted, and the rows refused (by the SDK's checks or the collector) as (index, error).
        Raises ValueError/TypeError for bad arguments, and OspreyError (kind "failed", with the
        HTTP status) when a batch cannot be delivered — a 4xx answer, or retries that ran out after
        `max_retry_duration`; the rows after it are not read. Does not change stats()."""
        if self._closed:
            raise OspreyError("dropped", "log_reference() after close(): nothing was sent", count=0)
        return _reference.upload(
            self._sender_config,
            self._sender._post,
            self._reporter,
            model,
            version,
            rows,
            reference_id=reference_id,
            prediction_column=prediction_column,
            label_column=label_column,
            embedding_columns=embedding_columns,
            text_columns=text_columns,
            batch_rows=batch_rows,
        )

    # ---- delivery ----------------------------------------------------------------------------

    def flush(self, timeout: float | None = None) -> bool:
        """Sends everything logged so far and waits until each event is sent, rejected or failed.
        Returns False if `timeout` seconds passed first (delivery goes on in the background)."""
        if threading.current_thread() is self._sender.thread:
            return False  # called from on_error: waiting here would wait for ourselves
        mark = self._buffer.request_flush()
        if not self._sender.thread.is_alive():
            return self._buffer.stats()["queued"] == 0
        return self._buffer.wait_done(mark, timeout)

    def close(self, timeout: float | None = DEFAULT_CLOSE_TIMEOUT_S) -> bool:
        """Stops taking events, delivers what is queued and stops the sender. After `timeout`
        seconds, whatever is still undelivered is given up and counted as `failed`. Returns True
        when everything was delivered in time. Safe to call more than once."""
        with self._close_lock:
            first = not self._closed
            self._closed = True
        if first:
            _live.discard(self)
        sender = self._sender
        if threading.current_thread() is sender.thread:
            return False
        self._buffer.close()
        if timeout is not None:
            sender.give_up_at(time.monotonic() + timeout)
        sender.thread.join(None if timeout is None else timeout + 0.5)
        return not sender.thread.is_alive() and not sender.timed_out

    def production(self, model: str) -> Production | None:
        """The model's production version from Osprey's registry (None before any promote),
        polled with ETag / If-None-Match and cached; see ProductionPoller (use it directly when the
        registry is served at another URL than the collector)."""
        return self._production.get(model)

    def watch_production(
        self,
        model: str,
        on_change: Callable[[Production | None], None],
        *,
        interval: float = 10.0,
        on_error: Callable[[OspreyError], None] | None = None,
    ) -> Callable[[], None]:
        """Calls on_change now and on every promote or rollback of `model`; returns a stop function."""
        return self._production.watch(model, on_change, interval=interval, on_error=on_error)

    def fetch_artifact(self, production: Production) -> bytes:
        """A production version's ONNX bytes, checked against its sha256."""
        return self._production.artifact(production)

    def stats(self) -> dict[str, int]:
        """Counters: queued, in_flight, sent, dropped, rejected, failed, invalid, retries."""
        return self._buffer.stats()

    def __enter__(self) -> Osprey:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def __repr__(self) -> str:  # never shows the API key
        return f"Osprey(url={self.url!r}, closed={self._closed})"

    def _after_fork_in_child(self) -> None:
        """A forked child gets fresh locks, an empty buffer and its own sender thread (the parent's
        queued events stay the parent's to send; the child's counters start at zero)."""
        self._close_lock = threading.Lock()
        if not self._closed:
            self._start()


def _copy_mapping(value: Any) -> Any:
    if value is None:
        return {}
    if isinstance(value, Mapping):
        return dict(value)
    return value  # not a mapping: the sender reports it as invalid


def _require(ok: bool, message: str) -> None:
    if not ok:
        raise ValueError(message)


def _close_all_at_exit() -> None:
    for client in list(_live):
        try:
            client.close()
        except Exception:
            pass


def _restart_all_after_fork() -> None:
    for client in list(_live):
        try:
            client._after_fork_in_child()
        except Exception:
            pass


atexit.register(_close_all_at_exit)
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_restart_all_after_fork)
