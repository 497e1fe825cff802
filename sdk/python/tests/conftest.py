from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from fake_collector import FakeCollector
from helpers import API_KEY
from osprey import Osprey, OspreyError


@pytest.fixture
def collector() -> Iterator[FakeCollector]:
    server = FakeCollector().start()
    yield server
    server.stop()


@pytest.fixture
def problems() -> list[OspreyError]:
    return []


@pytest.fixture
def make_client(collector: FakeCollector, problems: list[OspreyError]) -> Iterator[Any]:
    """Builds clients against the fake collector (on_error collects into `problems`), closes them after."""
    clients: list[Osprey] = []

    def make(**options: Any) -> Osprey:
        options.setdefault("on_error", problems.append)
        client = Osprey(options.pop("url", collector.url), options.pop("api_key", API_KEY), **options)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close(timeout=2)

