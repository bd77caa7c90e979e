"""A JSON snapshot plus an append-only log of the changes made since it.

Rewriting a whole file per change costs the file's size: a tag on an
article with 10,000 annotations re-serialised 4 MB, and every undo step
rewrote up to 1,000 history entries. A journal appends one line per change
instead (one write and one fsync: the change is durable when `append`
returns) and folds the log into the snapshot when the log has grown as
long as the snapshot (`compact`), so a save costs the change, and reading
costs at most twice the snapshot.

Two files:

- `<name>.json`, the snapshot, in TinyDB's layout (a mapping of tables),
  written atomically by `write_json_atomic` (old version kept as `.bak`).
  Table `journal` holds its generation: `{"1": {"generation": g}}`
  (0 when absent, as in stores written before journals).
- `<name>.log`: a header line `{"journal": g}`, then one JSON object per
  line. It is replayed only onto the snapshot of the same generation.

Compaction writes the snapshot as generation g + 1, then replaces the log
by an empty one of g + 1 (temp file and rename). Killed in between, the
old log says g and is known to be folded in already.

A kill while a line is being appended leaves at most a partial last line
without its newline: that `append` never returned, so the line is dropped
when read and cut off before the next append. Any other line that does not
parse is damage: the file is named and never written to.
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path
from typing import Any

from annotations.errors import StoreError
from annotations.store.files import (
    cannot_write,
    dumps,
    stat_key,
    sync_data,
    write_atomic,
    write_json_atomic,
)


class Journal:
    """The snapshot and log of one thing (a document's annotations, the history).

    `read()` gives the snapshot's tables and the changes logged since; the
    owner replays them and keeps the result in memory. `append` and
    `compact` write; both raise StoreError (and change nothing the next
    `read()` would not see) when the disk refuses.
    """

    def __init__(self, snapshot: Path, log: Path, *, read_only: bool = False) -> None:
        self.snapshot = snapshot
        self.log = log
        self.read_only = read_only
        self.generation = 0
        self.logged = 0  # changes in the log that the snapshot lacks
        self._fd: int | None = None
        self._size = 0  # bytes of the log up to its last whole line
        self._fresh_log = True  # no usable log on disk: the next append starts one
        self._damaged: StoreError | None = None
        self._keys: tuple[Any, Any] = (None, None)

    # ----------------------------------------------------------- reading

    def changed_on_disk(self) -> bool:
        """Were the files replaced or appended to since this journal read or wrote them?"""
        return (stat_key(self.snapshot), stat_key(self.log)) != self._keys

    def read(self) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """(snapshot tables, changes logged since, oldest first)."""
        self._close_fd()
        self._damaged = None
        keys = (stat_key(self.snapshot), stat_key(self.log))
        tables = self._read_snapshot()
        state = (tables.get("journal") or {}).get("1") or {}
        generation = state.get("generation", 0)
        if not isinstance(generation, int):
            raise self._damage(self.snapshot, "bad journal generation")
        self.generation = generation
        changes = self._read_log(generation)
        self.logged = len(changes)
        self._keys = keys
        return tables, changes

    def _damage(self, path: Path, detail: str, hint: str = "") -> StoreError:
        if not hint:
            bak = path.with_name(f"{path.name}.bak")
            # Only a snapshot written more than once has a .bak: named only if there.
            hint = f"Restore it from {bak} or move it away." if bak.exists() else "Move it away."
        err = StoreError(f"{path} is damaged ({detail}); newsmark will not overwrite it. {hint}")
        self._damaged = err
        return err

    def _read_snapshot(self) -> dict[str, Any]:
        try:
            with open(self.snapshot, "rb") as handle:
                raw = handle.read()
        except FileNotFoundError:
            return {}
        except OSError as err:
            raise StoreError(f"cannot read {self.snapshot}: {err.strerror or err}") from err
        if not raw:
            return {}
        try:
            data = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as err:
            raise self._damage(self.snapshot, str(err)) from err
        if not isinstance(data, dict) or not all(isinstance(t, dict) for t in data.values()):
            raise self._damage(self.snapshot, "not a table mapping")
        return data

    def _read_log(self, generation: int) -> list[dict[str, Any]]:
        try:
            with open(self.log, "rb") as handle:
                raw = handle.read()
        except FileNotFoundError:
            self._fresh_log, self._size = True, 0
            return []
        except OSError as err:
            raise StoreError(f"cannot read {self.log}: {err.strerror or err}") from err
        hint = (f"Move it away to go back to {self.snapshot} (the changes logged "
                "since are then lost), or repair that line.")
        lines = raw.split(b"\n")
        # The part after the last newline is a line whose append never returned.
        complete, self._size = lines[:-1], len(raw) - len(lines[-1])
        if not complete:
            # Not even a header: the log was being created. Start it again.
            self._fresh_log, self._size = True, 0
            return []
        try:
            header = json.loads(complete[0].decode("utf-8"))
            logged_generation = header["journal"]
        except (UnicodeDecodeError, ValueError, KeyError, TypeError) as err:
            raise self._damage(self.log, f"line 1: no journal header ({err})", hint) from err
        if logged_generation != generation:
            # Folded into the snapshot already (killed while compacting).
            self._fresh_log = True
            return []
        self._fresh_log = False
        body = complete[1:]
        # One parse for the whole log (a per-line json.loads was half the
        # cost of reading a document's annotations for export); taken only
        # if every line is one object, else each line is parsed to name
        # the damaged one.
        if all(line[:1] == b"{" and line[-1:] == b"}" for line in body):
            try:
                parsed: Any = json.loads(b"[" + b",".join(body) + b"]")
            except (UnicodeDecodeError, ValueError):
                parsed = None
            if (
                isinstance(parsed, list)
                and len(parsed) == len(body)
                and all(type(change) is dict for change in parsed)
            ):
                return parsed
        changes = []
        for number, line in enumerate(body, start=2):
            try:
                change = json.loads(line.decode("utf-8"))
            except (UnicodeDecodeError, ValueError) as err:
                raise self._damage(self.log, f"line {number}: {err}", hint) from err
            if not isinstance(change, dict):
                raise self._damage(self.log, f"line {number}: not an object", hint)
            changes.append(change)
        return changes

    # ----------------------------------------------------------- writing

    def _writable(self) -> None:
        if self.read_only:
            raise StoreError(f"cannot write {self.log}: the store is open read-only")
        if self._damaged is not None:
            raise self._damaged

    def append(self, *changes: dict[str, Any]) -> None:
        """Log `changes` durably: one write and one fsync for all of them."""
        self._writable()
        data = "".join(dumps(change) + "\n" for change in changes).encode("utf-8")
        if self._fresh_log:
            self._start_log(self.generation)
        fd = self._open_fd()
        try:
            written = os.write(fd, data)
            while written < len(data):  # a short write: rare, but then go on
                written += os.write(fd, data[written:])
            sync_data(fd)
        except OSError as err:
            # Take back whatever part of it reached the file, so that a later
            # read (and the memory kept from this one) agrees it was not saved.
            self._close_fd()
            with contextlib.suppress(OSError):
                os.truncate(self.log, self._size)
            self._keys = (None, None)  # read again before trusting memory
            raise cannot_write(self.log, err) from err
        self._size += len(data)
        self.logged += len(changes)
        self._keys = (self._keys[0], stat_key(self.log))

    def _open_fd(self) -> int:
        if self._fd is None:
            try:
                fd = os.open(self.log, os.O_WRONLY | os.O_APPEND)
            except OSError as err:
                raise cannot_write(self.log, err) from err
            try:
                if os.fstat(fd).st_size != self._size:
                    # A partial line from a killed append: cut it off first.
                    os.ftruncate(fd, self._size)
                    os.fsync(fd)
            except OSError as err:
                os.close(fd)
                raise cannot_write(self.log, err) from err
            self._fd = fd
        return self._fd

    def _start_log(self, generation: int) -> None:
        """Replace the log by an empty one of `generation` (atomically)."""
        self._close_fd()
        header = (dumps({"journal": generation}) + "\n").encode("utf-8")
        write_atomic(self.log, header, keep_backup=False)
        self._size, self._fresh_log, self.logged = len(header), False, 0
        self._keys = (self._keys[0], stat_key(self.log))

    def compact(self, tables: dict[str, Any]) -> None:
        """Write `tables` (everything the snapshot and log hold) as the new snapshot."""
        self._writable()
        generation = self.generation + 1
        data = {**tables, "journal": {"1": {"generation": generation}}}
        write_json_atomic(self.snapshot, data)
        # From here the snapshot holds every change: the old log is stale.
        self.generation, self.logged, self._fresh_log = generation, 0, True
        self._close_fd()
        self._keys = (stat_key(self.snapshot), stat_key(self.log))
        with contextlib.suppress(StoreError):
            self._start_log(generation)  # else the next append starts it

    def _close_fd(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.close(self._fd)
            self._fd = None

    def close(self) -> None:
        self._close_fd()
