"""Which model version is in production: polled with ETag / If-None-Match and cached.

    poller = ProductionPoller("http://localhost:3000", api_key)
    info = poller.get("house-prices")          # dict, or None before any promote
    stop = poller.watch("house-prices", on_change=load_model, interval=10)
    onnx_bytes = poller.artifact(info)         # checked against info["sha256"]

`Osprey.production(model)` / `watch_production` / `fetch_artifact` use one of these on the
client's URL and key. Standard library only.

The API key goes only to the configured origin: a relative `artifact_url` is resolved against the
configured URL, one on another origin is refused, and a redirect to another origin is followed
without the key.
"""

from __future__ import annotations

import hashlib
import json
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from email.message import Message
from typing import IO, Any

from ._transport import USER_AGENT
from .errors import OspreyError

Production = dict[str, Any]
_DEFAULT_PORTS = {"http": 80, "https": 443}


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urllib.parse.urlsplit(url)
    scheme = parts.scheme.lower()
    return scheme, (parts.hostname or "").lower(), parts.port or _DEFAULT_PORTS.get(scheme)


class _KeyStaysHome(urllib.request.HTTPRedirectHandler):
    """urllib copies every header onto a redirect; the API key must not follow one off-origin."""

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: IO[bytes],
        code: int,
        msg: str,
        headers: Message,
        newurl: str,
    ) -> urllib.request.Request | None:
        new = super().redirect_request(req, fp, code, msg, headers, newurl)
        if new is not None and _origin(newurl) != _origin(req.full_url):
            new.remove_header("Authorization")
        return new


class ProductionPoller:
    """Each model's last answer is cached with its ETag and sent back as If-None-Match, so an
    unchanged production costs a 304 with no body. After a network failure the last answer is
    returned if there is one (a stale version beats none for a service deciding what to load);
    without one, and for any refusal, get() raises OspreyError(kind="failed")."""

    def __init__(self, url: str, api_key: str, *, request_timeout: float = 10.0) -> None:
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise ValueError("url must be an http:// or https:// URL of Osprey's web app")
        self.url = url.rstrip("/")
        self._api_key = api_key
        self._timeout = request_timeout
        self._cache: dict[str, tuple[str, Production]] = {}
        self._lock = threading.Lock()
        self._opener = urllib.request.build_opener(_KeyStaysHome)

    def get(self, model: str) -> Production | None:
        with self._lock:
            cached = self._cache.get(model)
        headers = {"Authorization": f"Bearer {self._api_key}", "User-Agent": USER_AGENT}
        if cached:
            headers["If-None-Match"] = cached[0]
        path = f"/v1/models/{urllib.parse.quote(model, safe='')}/production"
        request = urllib.request.Request(self.url + path, headers=headers)
        try:
            with self._opener.open(request, timeout=self._timeout) as response:
                value: Production = json.loads(response.read())
                etag = response.headers.get("ETag")
        except urllib.error.HTTPError as error:
            error.close()
            if error.code == 304 and cached:
                return cached[1]
            if error.code == 404:
                with self._lock:
                    self._cache.pop(model, None)
                return None
            raise OspreyError("failed", f"production of {model}: {error.code}", status=error.code) from None
        except (urllib.error.URLError, OSError) as error:
            if cached:
                return cached[1]
            raise OspreyError("failed", f"production of {model}: {error}") from None
        if etag:
            with self._lock:
                self._cache[model] = (etag, value)
        return value

    def watch(
        self,
        model: str,
        on_change: Callable[[Production | None], None],
        *,
        interval: float = 10.0,
        on_error: Callable[[OspreyError], None] | None = None,
    ) -> Callable[[], None]:
        """Calls on_change now and after every promote or rollback (seen within `interval`
        seconds), from a daemon thread. Returns a function that stops it."""
        stopped = threading.Event()

        def run() -> None:
            last: str | None = None
            while not stopped.is_set():
                try:
                    info = self.get(model)
                    key = f"{info['version']}@{info['changed_at']}" if info else ""
                    if key != last:
                        last = key
                        on_change(info)
                except OspreyError as error:
                    if on_error:
                        on_error(error)
                stopped.wait(interval)

        threading.Thread(target=run, name=f"osprey-production-{model}", daemon=True).start()
        return stopped.set

    def artifact(self, production: Production) -> bytes:
        """The version's ONNX bytes, checked against its sha256. Raises OspreyError(kind="failed")
        for an artifact_url on another origin than the configured URL's."""
        what = f"artifact of {production['model']} {production['version']}"
        url = self._artifact_url(production["artifact_url"], what)
        request = urllib.request.Request(
            url, headers={"Authorization": f"Bearer {self._api_key}", "User-Agent": USER_AGENT}
        )
        try:
            with self._opener.open(request, timeout=self._timeout * 6) as response:
                data = response.read()
        except urllib.error.HTTPError as error:
            error.close()
            raise OspreyError("failed", f"{what}: {error.code}", status=error.code) from None
        except (urllib.error.URLError, OSError) as error:
            raise OspreyError("failed", f"{what}: {error}") from None
        digest = hashlib.sha256(data).hexdigest()
        if digest != production["sha256"]:
            raise OspreyError("failed", f"{what}: sha256 {digest}, expected {production['sha256']}")
        return data

    def _artifact_url(self, raw: str, what: str) -> str:
        # A path from the server's root keeps a path prefix of the configured URL (a proxy's).
        if raw.startswith("/") and not raw.startswith("//"):
            url = self.url + raw
        else:
            url = urllib.parse.urljoin(self.url + "/", raw)
        if _origin(url) != _origin(self.url):
            origin = urllib.parse.urlsplit(self.url)._replace(path="", query="", fragment="").geturl()
            raise OspreyError(
                "failed",
                f"{what}: artifact_url {url} is not on {origin}, the origin this client is configured with; "
                "the API key is only sent there (configure the client with Osprey's OSPREY_PUBLIC_URL, "
                "or unset it for relative URLs)",
            )
        return url
