"""close(), the context manager and the flush at interpreter exit."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time

from fake_collector import FakeCollector
from helpers import API_KEY, sample_features

from osprey import Osprey


def test_close_flushes_everything(collector):
    client = Osprey(collector.url, API_KEY, flush_interval=60)
    ids = [client.log("churn", "v1", sample_features(i), i) for i in range(30)]
    assert client.close(timeout=5) is True
    assert [e["event_id"] for e in collector.received()] == ids
    assert not client._sender.thread.is_alive()
    assert client.close(timeout=1) is True  # idempotent


def test_context_manager_closes(collector):
    with Osprey(collector.url, API_KEY, flush_interval=60) as client:
        client.log("churn", "v1", sample_features(), 1)
    assert len(collector.received()) == 1
    assert client.stats()["sent"] == 1


def test_close_gives_up_on_time_when_the_collector_is_down():
    down = FakeCollector()
    url = down.url
    down.stop()
    problems = []
    client = Osprey(url, API_KEY, flush_interval=60, max_batch_size=10, on_error=problems.append)
    for i in range(25):
        client.log("churn", "v1", sample_features(i), i)
    started = time.monotonic()
    assert client.close(timeout=0.5) is False
    assert time.monotonic() - started < 2.0
    stats = client.stats()
    assert stats["failed"] == 25 and stats["queued"] == 0 and stats["in_flight"] == 0
    assert sum(p.count for p in problems if p.kind == "failed") == 25


def test_events_are_flushed_at_interpreter_exit(collector):
    script = textwrap.dedent(
        f"""
        from osprey import Osprey
        client = Osprey({collector.url!r}, {API_KEY!r}, flush_interval=60)
        for i in range(50):
            client.log("churn", "v1", {{"i": i}}, i)
        print("logged")
        # no flush(), no close(): the atexit hook must deliver
        """
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=20)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "logged"
    assert sorted(e["features"]["i"] for e in collector.received()) == list(range(50))


def test_forked_child_gets_its_own_sender(collector):
    import os

    import pytest

    if not hasattr(os, "fork"):
        pytest.skip("os.fork is not available on this platform")
    client = Osprey(collector.url, API_KEY, flush_interval=60)
    client.log("churn", "v1", {"who": "parent"}, 1)  # queued in the parent, not sent yet
    pid = os.fork()
    if pid == 0:  # child: the parent's queued event is not its to send
        ok = False
        try:
            client.log("churn", "v1", {"who": "child"}, 2)
            ok = client.flush(timeout=5) and client.stats()["sent"] == 1
        finally:
            os._exit(0 if ok else 1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert client.close(timeout=5)
    assert sorted(e["features"]["who"] for e in collector.received()) == ["child", "parent"]


def test_a_dropped_client_still_sends_and_stops_its_thread(collector):
    import gc

    client = Osprey(collector.url, API_KEY, flush_interval=60)
    client.log("churn", "v1", {"i": 1}, 1)
    thread = client._sender.thread
    del client
    gc.collect()
    thread.join(timeout=5)
    assert not thread.is_alive()
    assert len(collector.received()) == 1
