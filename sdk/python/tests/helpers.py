from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

API_KEY = "osk_test_5ecret_never_logged"


def sample_features(i: int = 0) -> dict[str, Any]:
    return {"age": 30 + i, "income": 1234.5, "plan": "pro", "active": True, "missing": None}


def eventually(check: Callable[[], bool], timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.01)
    return check()
