"""The background thread: takes batches from the buffer, encodes, gzips and delivers them.

Delivery (see `_delivery`): 2xx → sent (per-event rejections counted, never retried); 413 → split
in two and deliver each half; 429/5xx/network trouble → retry with full-jitter backoff (at least
Retry-After) until `max_retry_duration` has passed since the first try; anything else → failed.
The batch stays in flight — and counted against the buffer's capacity — until it is resolved.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from . import _normalize, _serialize, _transport
from ._buffer import Buffer, Item, Kind
from ._delivery import Delivery, Post
from ._report import Reporter
from ._transport import Answer

PATHS: dict[Kind, str] = {"prediction": "/v1/predictions", "label": "/v1/labels"}
NORMALIZERS: dict[Kind, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "prediction": _normalize.prediction_event,
    "label": _normalize.label_event,
}


@dataclass
class SenderConfig:
    url: str
    api_key: str
    request_timeout: float
    max_retry_duration: float
    flush_interval: float
    max_body_bytes: int = _serialize.MAX_BODY_BYTES


class Sender:
    def __init__(self, buffer: Buffer, reporter: Reporter, config: SenderConfig, post: Post = _transport.post) -> None:
        self._buffer = buffer
        self._reporter = reporter
        self._config = config
        self._post = post
        self._give_up_at: float | None = None  # set by close(): stop retrying at this time
        self._reported_drops = 0
        self.timed_out = False  # close() ran out of time and undelivered events were given up
        self.thread = threading.Thread(target=self._run, name="osprey-sender", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def give_up_at(self, when: float) -> None:
        self._give_up_at = when

    # ---- the loop ----------------------------------------------------------------------------

    def _run(self) -> None:
        buffer = self._buffer
        while True:
            try:
                batch = buffer.take(self._config.flush_interval)
            except Exception as exc:  # pragma: no cover - defensive: the thread must not die
                self._reporter.report("internal", f"sender error: {exc!r}")
                time.sleep(0.1)
                continue
            if batch is None:
                self._report_drops()
                return
            try:
                self._deliver_batch(batch)
            except Exception as exc:  # pragma: no cover - defensive
                buffer.count("failed", len(batch))
                self._reporter.report("internal", f"sender error, batch lost: {exc!r}", count=len(batch))
            finally:
                buffer.finish(len(batch))
            self._report_drops()
            if self._out_of_time():
                self.timed_out = True
                lost = buffer.abandon()
                if lost:
                    buffer.count("failed", lost)
                    self._reporter.report("failed", "events not delivered before close() timed out", count=lost)

    def _report_drops(self) -> None:
        dropped = self._buffer.stats()["dropped"]
        if dropped > self._reported_drops:
            n = dropped - self._reported_drops
            self._reported_drops = dropped
            why = "the client is closed" if self._buffer.closing else f"the buffer is full (max_buffer_size={self._buffer.capacity})"
            self._reporter.report("dropped", f"events dropped: {why}", count=n)

    def _out_of_time(self) -> bool:
        return self._give_up_at is not None and time.monotonic() >= self._give_up_at

    # ---- one batch ---------------------------------------------------------------------------

    def _deliver_batch(self, batch: Iterable[Item]) -> None:
        groups: dict[Kind, tuple[list[bytes], list[str]]] = {}
        for kind, raw in batch:
            try:
                chunk = _serialize.encode_event(NORMALIZERS[kind](raw))
            except _normalize.InvalidEvent as exc:
                self._invalid(kind, raw, str(exc))
                continue
            except (ValueError, TypeError, KeyError, AttributeError) as exc:
                self._invalid(kind, raw, f"event: cannot be encoded as JSON ({type(exc).__name__}: {exc})")
                continue
            chunks, names = groups.setdefault(kind, ([], []))
            chunks.append(chunk)
            names.append(_describe(kind, raw))
        for kind, (chunks, names) in groups.items():
            url = self._config.url + PATHS[kind]
            sizes = [len(c) for c in chunks]
            for start, end in _serialize.split_by_size(sizes, self._config.max_body_bytes):
                self._deliver(url, chunks[start:end], names[start:end], time.monotonic())

    def _invalid(self, kind: Kind, raw: dict[str, Any], problem: str) -> None:
        self._buffer.count("invalid")
        self._reporter.report("invalid", f"{kind} {_describe(kind, raw)} not sent: {problem}")

    def _deliver(self, url: str, chunks: list[bytes], names: list[str], started: float) -> None:
        """Delivers one request's worth of events, retrying and splitting as the answers say."""
        _BatchDelivery(self, names).deliver(url, chunks, started)

    def _accepted(self, answer: Answer, names: list[str]) -> None:
        rejected = 0
        for rejection in answer.rejected:
            index = rejection.get("index")
            name = names[index] if isinstance(index, int) and 0 <= index < len(names) else "?"
            rejected += 1
            self._reporter.report("rejected", f"collector rejected event {name}: {rejection.get('error', '?')}", status=answer.status)
        rejected = min(rejected, len(names))
        self._buffer.count("rejected", rejected)
        self._buffer.count("sent", len(names) - rejected)

    def _failed(self, n: int, problem: str, status: int | None) -> None:
        self._buffer.count("failed", n)
        self._reporter.report("failed", problem, count=n, status=status)

    def _timeout(self) -> float:
        timeout = self._config.request_timeout
        if self._give_up_at is not None:
            timeout = max(0.05, min(timeout, self._give_up_at - time.monotonic()))
        return timeout

    def _sleep(self, seconds: float) -> bool:
        """Sleeps before a retry; False when close() has run out of time (give up instead)."""
        until = time.monotonic() + seconds
        while True:
            now = time.monotonic()
            limit = until if self._give_up_at is None else min(until, self._give_up_at)
            if now >= limit:
                return not self._out_of_time()
            time.sleep(min(limit - now, 0.05))


class _BatchDelivery(Delivery):
    """One batch of the background queue: outcomes go to the buffer's counters and `on_error`,
    and close()'s deadline cuts retries short."""

    def __init__(self, sender: Sender, names: list[str]) -> None:
        config = sender._config
        super().__init__(sender._post, config.api_key, config.request_timeout, config.max_retry_duration)
        self._sender = sender
        self._names = names

    def accepted(self, offset: int, count: int, answer: Answer) -> None:
        self._sender._accepted(answer, self._names[offset : offset + count])

    def failed(self, offset: int, count: int, problem: str, status: int | None) -> None:
        self._sender._failed(count, problem, status)

    def describe(self, offset: int) -> str:
        return f"event {self._names[offset]}"

    def stopped(self) -> str | None:
        if not self._sender._out_of_time():
            return None
        self._sender.timed_out = True
        return "close() timed out"

    def retried(self) -> None:
        self._sender._buffer.count("retries")

    def timeout(self) -> float:
        return self._sender._timeout()

    def sleep(self, seconds: float) -> bool:
        return self._sender._sleep(seconds)


def _describe(kind: Kind, raw: dict[str, Any]) -> str:
    """How reports name an event: its event_id, else its request_id."""
    try:
        ident = raw.get("event_id") or raw.get("request_id")
        return str(ident) if ident is not None else "(no id)"
    except Exception:
        return "(no id)"
