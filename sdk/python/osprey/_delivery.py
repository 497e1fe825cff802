"""Delivering one batch of encoded events, shared by the background sender and log_reference().

One request: 2xx → `accepted` (per-event rejections are the caller's to count, never retried);
413 → split in two and deliver each half; 429/5xx/network trouble → retry with full-jitter backoff
(at least Retry-After) until `max_retry_duration` has passed since the batch's first try;
anything else → `failed`. Subclasses say what those outcomes mean for them.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from . import _serialize
from ._backoff import retry_delay
from ._transport import Answer, Verdict

Post = Callable[..., Answer]


class Delivery:
    """Sends one batch of encoded events to one URL. `offset`/`count` name a part of the batch
    given to `deliver()` (parts appear when a 413 splits it); each part is settled exactly once,
    in order, by `accepted()` or `failed()`. A hook that raises stops the rest of the batch."""

    def __init__(self, post: Post, api_key: str, request_timeout: float, max_retry_duration: float) -> None:
        self.post = post
        self.api_key = api_key
        self.request_timeout = request_timeout
        self.max_retry_duration = max_retry_duration

    # ---- what the outcomes mean: for subclasses ------------------------------------------------

    def accepted(self, offset: int, count: int, answer: Answer) -> None:
        raise NotImplementedError

    def failed(self, offset: int, count: int, problem: str, status: int | None) -> None:
        raise NotImplementedError

    def describe(self, offset: int) -> str:
        """How messages name the item at `offset`."""
        return f"item {offset}"

    def stopped(self) -> str | None:
        """Why to stop trying now (e.g. "close() timed out"), or None to go on."""
        return None

    def retried(self) -> None:
        """Called once per request re-sent after a retryable failure."""

    def timeout(self) -> float:
        return self.request_timeout

    def sleep(self, seconds: float) -> bool:
        """Waits before a retry; False gives up instead."""
        time.sleep(seconds)
        return True

    # ---- the loop ------------------------------------------------------------------------------

    def deliver(self, url: str, chunks: Sequence[bytes], started: float, offset: int = 0) -> None:
        """Delivers one request's worth of events, retrying and splitting as the answers say;
        `started` is when the batch was first tried (the retry deadline counts from it)."""
        stop = self.stopped()
        if stop is not None:
            self.failed(offset, len(chunks), f"{stop} before these events could be sent", None)
            return
        body = _serialize.gzip_body(chunks)
        attempt = 0
        while True:
            answer = self.post(url, body, api_key=self.api_key, timeout=self.timeout())
            if answer.verdict is Verdict.OK:
                self.accepted(offset, len(chunks), answer)
                return
            if answer.verdict is Verdict.SPLIT and len(chunks) > 1:
                half = len(chunks) // 2
                self.deliver(url, chunks[:half], started, offset)
                self.deliver(url, chunks[half:], started, offset + half)
                return
            if answer.verdict is Verdict.RETRY:
                delay = retry_delay(attempt, answer.retry_after)
                deadline = started + self.max_retry_duration
                if time.monotonic() + delay <= deadline and self.sleep(delay):
                    attempt += 1
                    self.retried()
                    continue
                why = self.stopped() or f"retries ran out after {self.max_retry_duration:g} s"
                self.failed(offset, len(chunks), f"{why}; last problem: {answer.problem}", answer.status)
                return
            if answer.verdict is Verdict.SPLIT:
                self.failed(offset, 1, f"{self.describe(offset)} is too large for the collector: {answer.problem}", 413)
                return
            self.failed(offset, len(chunks), f"batch refused, not retried: {answer.problem}", answer.status)
            return
