"""production(model): ETag polling, cache, watch and artifact checks against a real HTTP server."""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from osprey import Osprey, OspreyError, ProductionPoller

KEY = "secret-key-0123456789"
ARTIFACTS = {"v1": b"model one", "v2": b"model two"}


class Registry:
    """Plays Osprey's production endpoint and artifact route."""

    def __init__(self) -> None:
        self.current: tuple[str, str] | None = None  # (version, etag)
        self.seen_etags: list[str | None] = []
        self.tamper = False
        # What artifact_url starts with ("" for a path from the server's root); None: this server.
        self.artifact_base: str | None = None
        # Where the artifact route redirects to, when set.
        self.redirect_to: str | None = None
        registry = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                if self.headers.get("Authorization") != f"Bearer {KEY}":
                    return self._send(401, b"")
                if self.path.endswith("/artifact") and registry.redirect_to:
                    self.send_response(302)
                    self.send_header("Location", registry.redirect_to + self.path)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return None
                if self.path.endswith("/artifact"):
                    version = self.path.split("/")[-2]
                    return self._send(200, b"evil" if registry.tamper else ARTIFACTS[version])
                if self.path != "/v1/models/m/production":
                    return self._send(404, b"")
                registry.seen_etags.append(self.headers.get("If-None-Match"))
                if registry.current is None:
                    return self._send(404, b'{"error":"none"}')
                version, etag = registry.current
                if self.headers.get("If-None-Match") == etag:
                    return self._send(304, b"", etag)
                return self._send(200, json.dumps(registry.body(version)).encode(), etag)

            def _send(self, status: int, body: bytes, etag: str | None = None) -> None:
                self.send_response(status)
                if etag:
                    self.send_header("ETag", etag)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def body(self, version: str) -> dict[str, Any]:
        return {
            "model": "m",
            "version": version,
            "sha256": hashlib.sha256(ARTIFACTS[version]).hexdigest(),
            "artifact_url": f"{self.url if self.artifact_base is None else self.artifact_base}"
            f"/v1/models/m/versions/{version}/artifact",
            "changed_at": f"2026-01-0{version[1:]}T00:00:00.000Z",
        }


@pytest.fixture
def registry() -> Iterator[Registry]:
    r = Registry()
    yield r
    r.server.shutdown()
    r.server.server_close()


def test_sends_the_cached_etag_and_answers_the_cache_on_304(registry: Registry) -> None:
    poller = ProductionPoller(registry.url, KEY)
    assert poller.get("m") is None
    registry.current = ("v1", '"d1"')
    first = poller.get("m")
    assert first is not None and first["version"] == "v1"
    assert poller.get("m") is first
    registry.current = ("v2", '"d2"')
    second = poller.get("m")
    assert second is not None and second["version"] == "v2"
    assert registry.seen_etags == [None, None, '"d1"', '"d1"']


def test_stale_answer_when_unreachable_error_without_one(registry: Registry) -> None:
    registry.current = ("v1", '"d1"')
    poller = ProductionPoller(registry.url, KEY, request_timeout=1)
    known = poller.get("m")
    registry.server.shutdown()
    registry.server.server_close()
    assert poller.get("m") is known
    with pytest.raises(OspreyError) as cold:
        ProductionPoller(registry.url, KEY, request_timeout=1).get("m")
    assert cold.value.kind == "failed"


def test_refusal_raises_with_status(registry: Registry) -> None:
    registry.current = ("v1", '"d1"')
    with pytest.raises(OspreyError) as refused:
        ProductionPoller(registry.url, "wrong-key-0123456789").get("m")
    assert refused.value.status == 401


def test_watch_calls_back_now_and_once_per_change_and_artifacts_are_checked(registry: Registry) -> None:
    registry.current = ("v1", '"d1"')
    client = Osprey(registry.url, KEY)
    seen: list[str | None] = []
    stop = client.watch_production("m", lambda p: seen.append(p["version"] if p else None), interval=0.02)
    _until(lambda: len(registry.seen_etags) >= 3)
    registry.current = ("v2", '"d2"')
    _until(lambda: len(seen) == 2)
    polls = len(registry.seen_etags)
    _until(lambda: len(registry.seen_etags) >= polls + 2)
    stop()
    assert seen == ["v1", "v2"]
    info = client.production("m")
    assert info is not None
    assert client.fetch_artifact(info) == b"model two"
    registry.tamper = True
    with pytest.raises(OspreyError, match="expected"):
        client.fetch_artifact(info)
    client.close()


class Elsewhere:
    """Another origin: serves any artifact and records the Authorization headers it was sent."""

    def __init__(self) -> None:
        self.authorizations: list[str | None] = []
        elsewhere = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                elsewhere.authorizations.append(self.headers.get("Authorization"))
                body = ARTIFACTS[self.path.split("/")[-2]]
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def elsewhere() -> Iterator[Elsewhere]:
    e = Elsewhere()
    yield e
    e.server.shutdown()
    e.server.server_close()


def test_relative_artifact_url_is_resolved_against_the_configured_url(registry: Registry) -> None:
    registry.current = ("v1", '"d1"')
    registry.artifact_base = ""
    poller = ProductionPoller(registry.url + "/", KEY)
    info = poller.get("m")
    assert info is not None and info["artifact_url"] == "/v1/models/m/versions/v1/artifact"
    assert poller.artifact(info) == b"model one"


def test_artifact_url_on_another_origin_is_refused_and_gets_no_key(
    registry: Registry, elsewhere: Elsewhere
) -> None:
    registry.current = ("v1", '"d1"')
    registry.artifact_base = elsewhere.url
    poller = ProductionPoller(registry.url, KEY)
    info = poller.get("m")
    assert info is not None
    with pytest.raises(OspreyError) as refused:
        poller.artifact(info)
    assert refused.value.kind == "failed"
    assert str(refused.value) == (
        f"artifact of m v1: artifact_url {elsewhere.url}/v1/models/m/versions/v1/artifact is not on "
        f"{registry.url}, the origin this client is configured with; the API key is only sent there "
        "(configure the client with Osprey's OSPREY_PUBLIC_URL, or unset it for relative URLs)"
    )
    assert elsewhere.authorizations == []


def test_a_redirect_to_another_origin_is_followed_without_the_key(
    registry: Registry, elsewhere: Elsewhere
) -> None:
    registry.current = ("v2", '"d2"')
    registry.redirect_to = elsewhere.url
    poller = ProductionPoller(registry.url, KEY)
    info = poller.get("m")
    assert info is not None
    assert poller.artifact(info) == b"model two"
    assert elsewhere.authorizations == [None]


def _until(predicate: Any, timeout: float = 3.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.005)
