"""Backoff timing and Retry-After parsing (pure functions)."""

from __future__ import annotations

import random
from email.utils import formatdate

from osprey._backoff import MAX_RETRY_AFTER_S, backoff_delay, parse_retry_after, retry_delay


def test_full_jitter_stays_within_the_exponential_ceiling():
    rng = random.Random(1)
    for attempt in range(12):
        ceiling = min(30.0, 0.2 * 2**attempt)
        delays = [backoff_delay(attempt, rand=rng) for _ in range(200)]
        assert all(0 <= d <= ceiling for d in delays)
        assert max(delays) > ceiling * 0.8  # it does use the whole range
    assert backoff_delay(10_000) <= 30.0


def test_retry_after_forms():
    assert parse_retry_after(None) is None
    assert parse_retry_after("") is None
    assert parse_retry_after("garbage") is None
    assert parse_retry_after("2") == 2.0
    assert parse_retry_after("1.5") == 1.5
    assert parse_retry_after("-3") == 0.0
    assert parse_retry_after("99999") == MAX_RETRY_AFTER_S
    assert parse_retry_after(formatdate(1_000_010, usegmt=True), now=1_000_000) == 10.0


def test_retry_delay_is_never_below_retry_after():
    assert all(retry_delay(0, 1.0) >= 1.0 for _ in range(100))
    assert all(retry_delay(0, None) <= 0.2 for _ in range(100))
