"""What the SDK tells `on_error` about: events it could not deliver, and why."""

from __future__ import annotations

from typing import Literal

ProblemKind = Literal["invalid", "dropped", "rejected", "failed", "internal"]


class OspreyError(Exception):
    """A delivery problem, handed to `on_error` — never raised into the caller's code, except by
    log_reference(), an upload the caller waits for, which raises it when a batch cannot be
    delivered (kind "failed") or the client is closed (kind "dropped").

    kind: "invalid" (an event broke the contract before sending), "dropped" (the buffer was full
    or the client closed), "rejected" (the collector refused an event), "failed" (a batch could not
    be delivered: a non-retryable answer, or retries ran out), "internal" (a bug in the SDK).
    count: how many events the problem covers. status: the HTTP status, when there was one.
    """

    def __init__(self, kind: ProblemKind, message: str, *, count: int = 1, status: int | None = None) -> None:
        super().__init__(message)
        self.kind: ProblemKind = kind
        self.message = message
        self.count = count
        self.status = status

    def __repr__(self) -> str:
        return f"OspreyError(kind={self.kind!r}, count={self.count}, status={self.status}, message={self.message!r})"
