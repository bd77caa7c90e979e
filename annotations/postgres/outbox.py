"""Changes kept on this machine while the PostgreSQL server cannot be reached.

When a change cannot be committed (the connection is lost, and one retry
after reconnecting failed too), it is appended to the outbox, a file of
JSON lines, and fsynced before the call returns: a kill while disconnected
loses nothing the outbox holds. The next time the store reaches the server
(the next change, the reader's timer, or the next start on the same store
and annotator) the outbox is sent in order, each change in its own
transaction, and emptied.

A line cut short by a kill belongs to a change whose call never returned:
it is dropped when read, as the folder store's logs do. Changes the server
refuses when they are finally sent (another role's layer, a document
deleted meanwhile) are moved to `<outbox>.refused`, never silently lost.

Where: `$NEWSMARK_OUTBOX`, else `$XDG_STATE_HOME/newsmark/outbox` (default
`~/.local/state/newsmark/outbox`), one file per store and annotator.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from pathlib import Path
from typing import Any

from annotations.errors import StoreError


def outbox_folder() -> Path:
    named = os.environ.get("NEWSMARK_OUTBOX")
    if named:
        return Path(named)
    state = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(state) / "newsmark" / "outbox"


def outbox_path(where: str, annotator: str, folder: Path | None = None) -> Path:
    """The outbox of one store (its URL without password) and annotator."""
    key = hashlib.sha256(f"{where}\n{annotator}".encode()).hexdigest()[:20]
    return (folder or outbox_folder()) / f"{key}.jsonl"


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


class Outbox:
    """An append-only, fsynced file of changes waiting for the server."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._count: int | None = None

    def entries(self) -> list[dict[str, Any]]:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            self._count = 0  # counted: `len` need not look again for every change
            return []
        except OSError as err:
            raise StoreError(f"cannot read the outbox {self.path}: {err.strerror or err}") from err
        lines = raw.split(b"\n")
        complete = lines[:-1]  # the last piece has no newline: a torn append, or empty
        entries = []
        for number, line in enumerate(complete, start=1):
            if not line.strip():
                continue
            try:
                entries.append(json.loads(line))
            except ValueError as err:
                raise StoreError(f"the outbox {self.path} is damaged at line {number} ({err}); "
                                 "move it away to go on (it holds changes not yet sent)") from err
        self._count = len(entries)
        return entries

    def __len__(self) -> int:
        if self._count is None:
            self.entries()
        return self._count or 0

    def append(self, entry: dict[str, Any]) -> None:
        """Add `entry`, durable when this returns."""
        data = (_dumps(entry) + "\n").encode("utf-8")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # A torn last line (a kill mid-append) is cut off first, so it is not glued on.
            size = self.path.stat().st_size if self.path.exists() else 0
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            try:
                if size and not self._ends_with_newline():
                    os.ftruncate(fd, self._complete_size())
                os.write(fd, data)
                os.fsync(fd)
            finally:
                os.close(fd)
        except OSError as err:
            raise StoreError(
                f"the server is unreachable and the outbox {self.path} cannot be written "
                f"({err.strerror or err}); this change was NOT saved") from err
        if self._count is not None:
            self._count += 1

    def _ends_with_newline(self) -> bool:
        with open(self.path, "rb") as handle:
            handle.seek(-1, os.SEEK_END)
            return handle.read(1) == b"\n"

    def _complete_size(self) -> int:
        raw = self.path.read_bytes()
        return raw.rfind(b"\n") + 1

    def keep(self, remaining: list[dict[str, Any]]) -> None:
        """Replace the outbox by `remaining` (the changes not sent yet), atomically."""
        if not remaining:
            with contextlib.suppress(FileNotFoundError):
                self.path.unlink()
            self._count = 0
            return
        tmp = self.path.with_name(f"{self.path.name}.{os.getpid()}.tmp")
        with open(tmp, "w", encoding="utf-8") as handle:
            handle.write("".join(_dumps(e) + "\n" for e in remaining))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, self.path)
        self._count = len(remaining)

    def refuse(self, entry: dict[str, Any], reason: str) -> Path:
        """Set aside a change the server refused; returns the file it went to."""
        path = self.path.with_name(self.path.name + ".refused")
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(_dumps({**entry, "refused": reason}) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        return path
