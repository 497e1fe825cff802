"""A real HTTP server on 127.0.0.1 that plays the Osprey collector for tests.

It gunzips and records every request, answers 200 with `{"accepted", "rejected"}` by default,
and can be told to fail: scripted answers (consumed one per request), a size limit (413), or a
rejection rule per event.
"""

from __future__ import annotations

import gzip
import json
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Recorded:
    path: str
    headers: dict[str, str]
    raw_body: bytes
    events: list[dict[str, Any]]
    status: int
    at: float


@dataclass
class Scripted:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: dict[str, Any] | None = None


class FakeCollector:
    def __init__(self, port: int = 0) -> None:
        self.requests: list[Recorded] = []
        self.script: deque[Scripted] = deque()
        self.always: Scripted | None = None  # answer every request with this
        self.max_events: int | None = None  # more events than this in one request → 413
        self.reject: Callable[[dict[str, Any]], str | None] | None = None
        self.delay = 0.0  # seconds to wait before answering
        self._lock = threading.Lock()
        collector = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:  # quiet
                pass

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                body = gzip.decompress(raw) if self.headers.get("Content-Encoding") == "gzip" else raw
                events = json.loads(body)
                status, headers, payload = collector._answer(events, self.headers)
                collector._record(Recorded(self.path, dict(self.headers), raw, events, status, time.monotonic()))
                if collector.delay:
                    time.sleep(collector.delay)
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def start(self) -> FakeCollector:
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread.is_alive():
            self.server.shutdown()
        self.server.server_close()

    def _answer(self, events: list[dict[str, Any]], headers: Any) -> tuple[int, dict[str, str], dict[str, Any]]:
        with self._lock:
            scripted = self.script.popleft() if self.script else self.always
        if scripted is not None:
            return scripted.status, scripted.headers, scripted.body or {"error": f"scripted {scripted.status}"}
        if self.max_events is not None and len(events) > self.max_events:
            return 413, {}, {"error": "request body is too large"}
        rejected = []
        for index, event in enumerate(events):
            problem = self.reject(event) if self.reject else None
            if problem:
                rejected.append({"index": index, "error": problem})
        return 200, {}, {"accepted": len(events) - len(rejected), "rejected": rejected}

    def _record(self, recorded: Recorded) -> None:
        with self._lock:
            self.requests.append(recorded)

    def received(self, path: str = "/v1/predictions", *, ok_only: bool = True) -> list[dict[str, Any]]:
        """Every event posted to `path` (by default only in requests answered 200)."""
        with self._lock:
            return [e for r in self.requests if r.path == path and (r.status == 200 or not ok_only) for e in r.events]

    def wait_for(self, n: int, path: str = "/v1/predictions", timeout: float = 5.0) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            events = self.received(path)
            if len(events) >= n:
                return events
            time.sleep(0.01)
        return self.received(path)
