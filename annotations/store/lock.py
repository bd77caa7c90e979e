"""The lock of a local store: one writable newsmark per store folder and annotator.

`lock` holds `{"pid", "host"}` of the newsmark writing the store; a store
opened for a named annotator takes `lock.<name>` instead, so several
annotators may write one folder at once (their writes take turns under
`write_lock`), but the same annotator only once. A second one finds the
lock live and opens the store read-only; a lock whose process is gone
(killed, a zombie, or an earlier process that had our pid) is stale and
taken over.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import socket
from pathlib import Path

from annotations.errors import StoreError

LOCK = "lock"

# Lock files this process holds, so that a stale lock left by an earlier
# process that happened to have our pid is recognised as stale.
_HELD_LOCKS: set[str] = set()


class StoreLocked(StoreError):
    """Another live newsmark holds the store's lock."""

    def __init__(self, message: str, pid: int | None, host: str | None = None) -> None:
        super().__init__(message)
        self.pid = pid
        self.host = host


def _pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return False
    # A zombie (killed, not yet reaped) is as dead as it gets.
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        if stat.rsplit(")", 1)[1].split()[0] == "Z":
            return False
    except (OSError, IndexError):
        pass
    return True


def file_name(annotator: str) -> str:
    """A safe file-name part for `annotator` (its name, or a digest of an odd one)."""
    if re.fullmatch(r"[A-Za-z0-9_-]{1,64}", annotator):
        return annotator
    return "x" + hashlib.sha256(annotator.encode("utf-8")).hexdigest()[:16]


class StoreLock:
    """The lock file of the store at `root` (for `annotator`, if named); `take` it,
    `release` it when done."""

    def __init__(self, root: Path, annotator: str | None = None) -> None:
        self.root = root
        self.annotator = annotator
        self.path = root / (LOCK if annotator is None else f"{LOCK}.{file_name(annotator)}")
        self.held = False

    def _key(self) -> str:
        return str(self.path.resolve())

    def take(self) -> None:
        me = {"pid": os.getpid(), "host": socket.gethostname()}
        for _attempt in range(5):
            try:
                fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                self._check_existing(me["host"])
                continue  # the stale lock was removed: try again
            except OSError as err:
                raise StoreError(
                    f"cannot write to {self.root}: {err.strerror or err}; "
                    "choose another with --store"
                ) from err
            try:
                # Not fsynced: other processes read it from the page cache,
                # and it need not outlive a crash (an empty or missing lock
                # is stale; a surviving one would name a pid that may since
                # belong to another program). An fsync here was a wait of up
                # to ~15 ms on a busy disk before every first frame.
                os.write(fd, json.dumps(me).encode())
            finally:
                os.close(fd)
            self.held = True
            _HELD_LOCKS.add(self._key())
            return
        raise StoreError(f"cannot take the lock {self.path}; try again")

    def _check_existing(self, host: str) -> None:
        """Raise StoreLocked if the lock is live; remove it if it is stale."""
        try:
            holder = json.loads(self.path.read_text(encoding="utf-8"))
            pid = int(holder["pid"])
            lock_host = str(holder.get("host") or host)
        except FileNotFoundError:
            return
        except (OSError, ValueError, KeyError, TypeError):
            pid, lock_host = None, host  # half-written by a killed process: stale
        if pid is not None:
            if lock_host != host:
                raise StoreLocked(
                    f"the store {self.root} is in use by newsmark (pid {pid} on {lock_host}); "
                    f"if no newsmark runs there, delete {self.path}",
                    pid,
                    lock_host,
                )
            ours = pid == os.getpid() and self._key() in _HELD_LOCKS
            if ours or (pid != os.getpid() and _pid_alive(pid)):
                who = ("another newsmark" if self.annotator is None
                       else f"another newsmark of annotator {self.annotator!r}")
                raise StoreLocked(
                    f"the store {self.root} is in use by {who} (pid {pid}); "
                    "close it, or open the store read-only",
                    pid,
                    lock_host,
                )
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path)

    def release(self) -> None:
        if not self.held:
            return
        self.held = False
        _HELD_LOCKS.discard(self._key())
        try:
            holder = json.loads(self.path.read_text(encoding="utf-8"))
            if holder.get("pid") != os.getpid():
                return  # someone took it over: not ours to remove
        except (OSError, ValueError, AttributeError):
            return
        with contextlib.suppress(OSError):
            os.unlink(self.path)
