"""A thread worker's job, run so that it stops when Textual cancels the worker.

A thread cannot be stopped from outside, and closing the reader waits for
its threads (~2 s after opening a 10 MB article, over 30 s for two long
ones to align). So each job takes a `stop` it asks now and then, and ends
with `errors.WorkStopped` once the worker is cancelled: by the reader
closing, or by a newer job of an `exclusive` group.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from textual.worker import get_current_worker

from annotations.errors import WorkStopped

Result = TypeVar("Result")


def unless_cancelled(job: Callable[[Callable[[], bool]], Result]) -> Result | None:
    """`job(stop)` in the current thread worker; None if the worker was cancelled
    meanwhile (its result would be dropped: nothing of it is kept)."""
    worker = get_current_worker()
    try:
        return job(lambda: worker.is_cancelled)
    except WorkStopped:
        return None
