"""The short lock every write to a folder store takes: several annotators, one folder.

Several people may work on one folder store at once (a lab server reached
over SSH), each as their own annotator: each holds the `lock` of their own
name (`lock.StoreLock`), and all share the documents, their annotations
(every layer in one file per document), statuses, links and session. Two
processes appending to one log, or one compacting it while the other
appends, would lose a change. So every write takes this lock (an exclusive
`flock` on `write.lock`, held for the write alone: a few milliseconds), and
under it the store first reads again whatever another process changed
since (the files' size, inode and time say so), then writes. Reading takes
no lock: files are replaced atomically and a log's cut-off last line is
ignored, so a reader sees each change whole or not at all.

The lock is the kernel's: a killed process drops it at once, nothing stale
is left to clean up. It is reentrant within a process (a write that calls
another takes it once).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
from collections.abc import Iterator
from pathlib import Path

from annotations.errors import StoreError

WRITE_LOCK = "write.lock"


class WriteLock:
    """`held()`: the store's write lock for the time of one write."""

    def __init__(self, root: Path) -> None:
        self.path = root / WRITE_LOCK
        self._fd: int | None = None
        self._depth = 0
        self._mutex = threading.RLock()

    @contextlib.contextmanager
    def held(self) -> Iterator[bool]:
        """Hold the lock; yields True when this call took it (not already held here)."""
        with self._mutex:
            first = self._depth == 0
            if first:
                self._take()
            self._depth += 1
            try:
                yield first
            finally:
                self._depth -= 1
                if self._depth == 0:
                    self._give_back()

    def _take(self) -> None:
        try:
            if self._fd is None:
                self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            fcntl.flock(self._fd, fcntl.LOCK_EX)
        except OSError as err:
            raise StoreError(f"cannot lock {self.path} for writing: "
                             f"{err.strerror or err}") from err

    def _give_back(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(self._fd, fcntl.LOCK_UN)

    def close(self) -> None:
        with self._mutex:
            if self._fd is not None:
                with contextlib.suppress(OSError):
                    os.close(self._fd)
                self._fd = None
