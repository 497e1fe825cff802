"""Which model version is in production: polled with ETag / If-None-Match and cached.

    poller = ProductionPoller("http://localhost:3000", api_key)
    info = poller.get("house-prices")          # dict, or None before any promote
    stop = poller.watch("house-prices", on_change=load_model, interval=10)
    onnx_bytes = poller.artifact(info)         # checked against info["sha256"]

`Osprey.production(model)` / `watch_production` / `fetch_artifact` use one of these on the
client's URL and key. Standard library only.
"""

from __future__ import annotations

import hashlib
import json
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from typing import Any

from ._transport import USER_AGENT
from .errors import OspreyError

Production = dict[str, Any]


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

    def get(self, model: str) -> Production | None:
        with self._lock:
            cached = self._cache.get(model)
        headers = {"Authorization": f"Bearer {self._api_key}", "User-Agent": USER_AGENT}
        if cached:
            headers["If-None-Match"] = cached[0]
        path = f"/v1/models/{urllib.parse.quote(model, safe='')}/production"
        request = urllib.request.Request(self.url + path, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=self._timeout) as response:
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
        """The version's ONNX bytes, checked against its sha256."""
        request = urllib.request.Request(
            production["artifact_url"],
            headers={"Authorization": f"Bearer {self._api_key}", "User-Agent": USER_AGENT},
        )
        what = f"artifact of {production['model']} {production['version']}"
        try:
            with urllib.request.urlopen(request, timeout=self._timeout * 6) as response:
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
