"""Waiting in an app test for what the app does on its own time.

`pilot.pause()` waits for the messages queued when it is called; a worker's
result, or a notification posted after the next refresh, can come later on
a loaded machine (a test that checked after one pause failed under
`nice -n 19` beside two trainings). These wait for the outcome itself.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any


async def until(pilot: Any, condition: Callable[[], bool], seconds: float = 30.0) -> None:
    """Pause until `condition()` holds; fail after `seconds`."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "what the test waits for did not happen"
        await pilot.pause(0.05)


async def until_notified(pilot: Any, app: Any, words: str, seconds: float = 30.0) -> None:
    """Pause until a notification holding `words` was posted."""
    await until(pilot, lambda: any(words in str(n.message) for n in app._notifications),
                seconds)
