"""Verifying Osprey's alert webhooks (Standard Webhooks signatures)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Mapping
from typing import Any

DEFAULT_TOLERANCE_S = 300


class WebhookVerificationError(Exception):
    """The webhook is not from Osprey: a missing header, a stale timestamp or a bad signature."""


def _header(headers: Mapping[str, Any], name: str) -> str | None:
    getter = getattr(headers, "get", None)
    value = getter(name) if getter is not None else None
    if value is None:
        for key in headers:
            if key.lower() == name:
                value = headers[key]
                break
    if isinstance(value, (list, tuple)):
        value = " ".join(value)
    return value


def verify_webhook(
    secret: str,
    headers: Mapping[str, Any],
    body: bytes | str,
    *,
    tolerance: float = DEFAULT_TOLERANCE_S,
    now: float | None = None,
) -> Any:
    """Checks an Osprey webhook and returns its parsed JSON payload.

    The signature is HMAC-SHA256 over ``id.timestamp.body`` with the channel's ``whsec_`` secret
    (Standard Webhooks). Pass the raw body as received. Any one of several space-separated
    ``v1,<base64>`` signatures may match (secret rotation); comparisons take constant time and a
    timestamp more than ``tolerance`` seconds from now is refused. Raises
    :class:`WebhookVerificationError` otherwise.
    """
    msg_id = _header(headers, "webhook-id")
    timestamp = _header(headers, "webhook-timestamp")
    signatures = _header(headers, "webhook-signature")
    if not msg_id or not timestamp or not signatures:
        raise WebhookVerificationError(
            "missing webhook-id, webhook-timestamp or webhook-signature header"
        )
    if not timestamp.isdigit():
        raise WebhookVerificationError("webhook-timestamp is not a number")
    current = time.time() if now is None else now
    if abs(current - int(timestamp)) > tolerance:
        raise WebhookVerificationError(
            f"webhook-timestamp is more than {tolerance:g} s from now (a replay, or a wrong clock)"
        )
    text = body if isinstance(body, str) else body.decode("utf-8")
    key = base64.b64decode(secret[6:] if secret.startswith("whsec_") else secret)
    expected = hmac.new(key, f"{msg_id}.{timestamp}.{text}".encode(), hashlib.sha256).digest()
    for entry in signatures.split(" "):
        version, _, signature = entry.partition(",")
        if version != "v1" or not signature:
            continue
        try:
            given = base64.b64decode(signature, validate=True)
        except ValueError:
            continue
        if hmac.compare_digest(given, expected):
            return json.loads(text)
    raise WebhookVerificationError("no signature matches the secret")
