"""verify_webhook against a message signed by the server's code (the shared test vector)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from osprey import WebhookVerificationError, verify_webhook

# Produced by detectors/src/alerts/channels/signing.ts, whose own test checks it still does.
VECTOR = json.loads(
    (Path(__file__).parents[4] / "test" / "fixtures" / "webhook-signature-vector.json").read_text()
)
NOW = VECTOR["now_ms"] / 1000


def test_accepts_either_secret_of_a_rotation_and_returns_the_payload():
    for secret in VECTOR["secrets"]:
        payload = verify_webhook(secret, VECTOR["headers"], VECTOR["body"].encode(), now=NOW)
        assert payload["type"] == "alert.firing"
        assert payload["data"]["note"] == "unicode: é ✓"


def test_header_names_are_case_insensitive_and_text_bodies_work():
    upper = {k.upper(): v for k, v in VECTOR["headers"].items()}
    assert verify_webhook(VECTOR["secrets"][1], upper, VECTOR["body"], now=NOW)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda h, b: (h, b.replace("firing", "resolved")), "no signature"),
        (lambda h, b: ({**h, "webhook-id": "other"}, b), "no signature"),
        (lambda h, b: ({**h, "webhook-signature": "v1,!!notbase64 v2,x"}, b), "no signature"),
        (lambda h, b: ({k: v for k, v in h.items() if k != "webhook-timestamp"}, b), "missing"),
        (lambda h, b: ({**h, "webhook-timestamp": "soon"}, b), "not a number"),
    ],
)
def test_refuses_tampering_and_missing_headers(change, message):
    headers, body = change(dict(VECTOR["headers"]), VECTOR["body"])
    with pytest.raises(WebhookVerificationError, match=message):
        verify_webhook(VECTOR["secrets"][0], headers, body, now=NOW)


def test_timestamp_tolerance():
    secret = VECTOR["secrets"][0]
    for skew in (301, -301):
        with pytest.raises(WebhookVerificationError, match="more than 300 s"):
            verify_webhook(secret, VECTOR["headers"], VECTOR["body"], now=NOW + skew)
    assert verify_webhook(secret, VECTOR["headers"], VECTOR["body"], now=NOW + 600, tolerance=900)


def test_another_secret_is_refused():
    import base64

    other = "whsec_" + base64.b64encode(b"x" * 32).decode()
    with pytest.raises(WebhookVerificationError):
        verify_webhook(other, VECTOR["headers"], VECTOR["body"], now=NOW)
