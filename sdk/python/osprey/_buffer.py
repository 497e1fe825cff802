"""The bounded, thread-safe queue between log() and the background sender, with the counters.

Callers only append under a lock (no I/O, no encoding). An event stays counted against
`capacity` until the sender is done with it — while it is retried too — so a collector outage
bounds memory instead of growing it; when full, NEW events are dropped and counted.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from typing import Any, Literal

Kind = Literal["prediction", "label"]
Item = tuple[Kind, dict[str, Any]]

COUNTERS = ("sent", "dropped", "rejected", "failed", "invalid", "retries")


class Buffer:
    def __init__(self, capacity: int, batch_size: int) -> None:
        self.capacity = capacity
        self.batch_size = batch_size
        self._lock = threading.Lock()
        self._work = threading.Condition(self._lock)  # the sender waits here for events
        self._done = threading.Condition(self._lock)  # flush() waits here for the sender
        self._items: deque[Item] = deque()
        self._in_flight = 0
        self._enqueued = 0  # events ever accepted into the buffer
        self._completed = 0  # events the sender has finished with (sent, rejected, failed, invalid)
        self._flush_target = 0  # the sender hurries until _completed reaches this
        self._closing = False
        self._counts = dict.fromkeys(COUNTERS, 0)

    # ---- caller side -------------------------------------------------------------------------

    def put(self, item: Item) -> bool:
        """Appends unless full or closed; returns False (and counts a drop) otherwise."""
        with self._lock:
            items = self._items
            if self._closing or len(items) + self._in_flight >= self.capacity:
                self._counts["dropped"] += 1
                return False
            items.append(item)
            self._enqueued += 1
            if len(items) == self.batch_size:
                self._work.notify()
            return True

    def count(self, counter: str, n: int = 1) -> None:
        with self._lock:
            self._counts[counter] += n

    def stats(self) -> dict[str, int]:
        with self._lock:
            return {"queued": len(self._items), "in_flight": self._in_flight, **self._counts}

    def request_flush(self) -> int:
        """Asks the sender to send everything queued now; returns the mark flush() waits for."""
        with self._lock:
            self._flush_target = max(self._flush_target, self._enqueued)
            self._work.notify()
            return self._flush_target

    def wait_done(self, mark: int, timeout: float | None) -> bool:
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._lock:
            while self._completed < mark:
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    return False
                self._done.wait(remaining)
            return True

    def close(self) -> None:
        """No new events from now on; the sender sends what is queued, then stops."""
        with self._lock:
            self._closing = True
            self._flush_target = self._enqueued
            self._work.notify()

    @property
    def closing(self) -> bool:
        return self._closing

    # ---- sender side -------------------------------------------------------------------------

    def take(self, interval: float) -> deque[Item] | None:
        """Blocks until a batch is due — `batch_size` events, `interval` seconds since the last
        batch, a flush, or close — and hands it over as in flight. None: closed and empty."""
        deadline = time.monotonic() + interval
        with self._lock:
            while True:
                n = len(self._items)
                hurry = self._closing or self._completed < self._flush_target
                now = time.monotonic()
                if n >= self.batch_size or (n and (hurry or now >= deadline)):
                    break
                if self._closing and n == 0:
                    return None
                if now >= deadline:
                    deadline = now + interval
                self._work.wait(deadline - now)
            if n <= self.batch_size:  # the common case: O(1) under the lock callers contend for
                batch, self._items = self._items, deque()
            else:
                popleft = self._items.popleft
                batch = deque(popleft() for _ in range(self.batch_size))
            self._in_flight = len(batch)
            return batch

    def finish(self, n: int) -> None:
        """The sender is done with the batch of `n` it took."""
        with self._lock:
            self._in_flight = 0
            self._completed += n
            self._done.notify_all()

    def abandon(self) -> int:
        """Empties the queue (close ran out of time); returns how many events were in it."""
        with self._lock:
            n = len(self._items)
            self._items.clear()
            self._completed += n
            self._done.notify_all()
            return n
