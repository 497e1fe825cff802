"""Retry timing: exponential backoff with full jitter, and the server's Retry-After."""

from __future__ import annotations

import random
import time
from email.utils import parsedate_to_datetime

BASE_DELAY_S = 0.2
MAX_DELAY_S = 30.0
# A Retry-After longer than this is treated as this: a misconfigured proxy must not park the SDK.
MAX_RETRY_AFTER_S = 300.0


def backoff_delay(
    attempt: int,
    *,
    base: float = BASE_DELAY_S,
    cap: float = MAX_DELAY_S,
    rand: random.Random | None = None,
) -> float:
    """Seconds to wait before retry number `attempt` (0 for the first retry): uniform in
    [0, min(cap, base * 2**attempt)] — "full jitter", so many clients that failed together
    do not retry together."""
    ceiling = cap if attempt >= 64 else min(cap, base * (2**attempt))
    return (rand or random).random() * ceiling


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date); None when absent or
    unreadable. Negative values count as 0 and very long ones are capped."""
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        if when is None:
            return None
        seconds = when.timestamp() - (time.time() if now is None else now)
    if seconds != seconds:  # NaN
        return None
    return min(max(seconds, 0.0), MAX_RETRY_AFTER_S)


def retry_delay(attempt: int, retry_after: float | None, *, base: float = BASE_DELAY_S, cap: float = MAX_DELAY_S) -> float:
    """The wait before the next try: the jittered backoff, but never less than Retry-After."""
    delay = backoff_delay(attempt, base=base, cap=cap)
    if retry_after is not None:
        delay = max(delay, retry_after)
    return delay
