"""One HTTP POST of a gzipped JSON array to the collector, and what its answer means."""

from __future__ import annotations

import enum
import http.client
import json
import socket
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any

from ._version import __version__
from ._backoff import parse_retry_after

USER_AGENT = f"osprey-sdk-python/{__version__}"
# Answers that say "this request will never succeed as sent": count the batch as failed.
_RETRYABLE_4XX = frozenset({408, 425, 429})


class Verdict(enum.Enum):
    OK = "ok"  # 2xx: accepted, with per-event rejections
    RETRY = "retry"  # 429, 5xx, network errors, timeouts
    SPLIT = "split"  # 413: the body is too large
    FAIL = "fail"  # any other answer (400, 401, 403, 404, 415, ...)


@dataclass(frozen=True)
class Answer:
    verdict: Verdict
    status: int | None = None  # None: no HTTP answer (network error, timeout)
    retry_after: float | None = None
    problem: str = ""  # what went wrong, for reports (never contains the API key)
    accepted: int | None = None
    rejected: list[dict[str, Any]] = field(default_factory=list)


def verdict_for(status: int) -> Verdict:
    if 200 <= status < 300:
        return Verdict.OK
    if status == 413:
        return Verdict.SPLIT
    if status >= 500 or status in _RETRYABLE_4XX:
        return Verdict.RETRY
    return Verdict.FAIL


def _error_text(body: bytes) -> str:
    """The collector's `{"error": "..."}` message, or a short excerpt of whatever came back."""
    text = body[:2000].decode("utf-8", "replace").strip()
    try:
        parsed = json.loads(text)
    except ValueError:
        return text[:300]
    message = parsed.get("error") if isinstance(parsed, dict) else None
    return message[:300] if isinstance(message, str) else text[:300]


def _ok_answer(status: int, body: bytes) -> Answer:
    try:
        parsed = json.loads(body) if body else {}
    except ValueError:
        parsed = {}
    accepted = parsed.get("accepted") if isinstance(parsed, dict) else None
    rejected = parsed.get("rejected") if isinstance(parsed, dict) else None
    return Answer(
        Verdict.OK,
        status,
        accepted=accepted if isinstance(accepted, int) else None,
        rejected=[r for r in rejected if isinstance(r, dict)] if isinstance(rejected, list) else [],
    )


def post(url: str, body: bytes, *, api_key: str, timeout: float) -> Answer:
    """POSTs a gzipped JSON array; never raises for HTTP or network trouble."""
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={
            "Authorization": f"Bearer {api_key}",
            "Content-Type": "application/json",
            "Content-Encoding": "gzip",
            "User-Agent": USER_AGENT,
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status = response.status
            payload = response.read()
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
    except urllib.error.HTTPError as err:
        status = err.code
        try:
            payload = err.read()
        except (OSError, http.client.HTTPException):
            payload = b""
        retry_after = parse_retry_after(err.headers.get("Retry-After") if err.headers else None)
        err.close()
    except urllib.error.URLError as err:
        return Answer(Verdict.RETRY, problem=f"cannot reach the collector: {err.reason}")
    except (TimeoutError, socket.timeout):
        return Answer(Verdict.RETRY, problem=f"no answer from the collector within {timeout:g} s")
    except (OSError, http.client.HTTPException) as err:
        return Answer(Verdict.RETRY, problem=f"connection to the collector failed: {type(err).__name__}: {err}")
    verdict = verdict_for(status)
    if verdict is Verdict.OK:
        return _ok_answer(status, payload)
    return Answer(verdict, status, retry_after=retry_after, problem=f"HTTP {status}: {_error_text(payload)}")
