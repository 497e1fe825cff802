"""Delivers problems to `on_error`, or by default to the `osprey` logger, at a bounded rate.

Every message passes through `redact` first, so the API key can never reach a log line or a
callback, whatever a server or the network stack put into an error text.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from .errors import OspreyError, ProblemKind

logger = logging.getLogger("osprey")

ErrorHandler = Callable[[OspreyError], object]

LOG_INTERVAL_S = 10.0
REDACTED = "[redacted]"


class Reporter:
    def __init__(self, api_key: str, on_error: ErrorHandler | None, *, log_interval: float = LOG_INTERVAL_S) -> None:
        self._secret = api_key
        self._on_error = on_error
        self._log_interval = log_interval
        self._lock = threading.Lock()
        self._last_logged: dict[str, float] = {}
        self._suppressed: dict[str, int] = {}

    def redact(self, text: str) -> str:
        return text.replace(self._secret, REDACTED) if self._secret else text

    def report(self, kind: ProblemKind, message: str, *, count: int = 1, status: int | None = None) -> None:
        """Never raises: a failing on_error is logged (rate-limited) and otherwise ignored."""
        problem = OspreyError(kind, self.redact(message), count=count, status=status)
        if self._on_error is not None:
            try:
                self._on_error(problem)
                return
            except Exception as exc:  # the caller's handler must not break delivery
                problem = OspreyError(
                    "internal", self.redact(f"on_error raised {exc!r} while handling: {problem.message}")
                )
        self._log(problem)

    def _log(self, problem: OspreyError) -> None:
        now = time.monotonic()
        with self._lock:
            last = self._last_logged.get(problem.kind)
            if last is not None and now - last < self._log_interval:
                self._suppressed[problem.kind] = self._suppressed.get(problem.kind, 0) + 1
                return
            self._last_logged[problem.kind] = now
            suppressed = self._suppressed.pop(problem.kind, 0)
        more = f" ({suppressed} more '{problem.kind}' reports in the last {self._log_interval:g} s not shown)" if suppressed else ""
        try:
            logger.warning("osprey: %s (%d event%s)%s", problem.message, problem.count, "" if problem.count == 1 else "s", more)
        except Exception:  # a broken logging handler must not break delivery
            pass
