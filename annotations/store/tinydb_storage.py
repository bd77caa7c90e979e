"""A TinyDB storage that never leaves a half-written file (whole-file tables of a store).

For the store's small whole-file tables (documents, links, session state):
each write goes through `files.write_json_atomic` (temp file, fsync,
rename, `.bak`). TinyDB's own `JSONStorage` writes in place (seek, write,
truncate): a kill in the middle leaves invalid JSON (NOTES.md).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tinydb import TinyDB
from tinydb.storages import Storage

from annotations.errors import StoreError
from annotations.store.files import damaged, stat_key, write_json_atomic


class AtomicJSONStorage(Storage):
    """A TinyDB storage that never leaves a half-written file.

    `read()` parses the file once and then serves the parsed data from
    memory; a cheap `stat` tells it when the file was replaced by someone
    else (a read-only viewer sees the writer's changes). TinyDB mutates the
    structure `read()` returns and passes it back to `write()`: after a
    successful write that structure *is* the file's content, so it stays the
    cache; if the write fails, the cache is dropped and the next read parses
    the file again, so memory never disagrees with the disk.
    """

    def __init__(self, path: str | Path, *, read_only: bool = False, **_: Any) -> None:
        super().__init__()
        self.path = Path(path)
        self.read_only = read_only
        self._data: dict[str, Any] | None = None
        self._key: tuple[int, int, int] | None = None
        self._loaded = False
        self._damaged = False

    def invalidate(self) -> None:
        """Forget the cached data: the next read parses the file."""
        self._data = None
        self._key = None
        self._loaded = False

    def _load(self) -> dict[str, Any] | None:
        try:
            with open(self.path, "rb") as handle:
                raw = handle.read()
        except FileNotFoundError:
            return None
        except OSError as err:
            raise StoreError(f"cannot read {self.path}: {err.strerror or err}") from err
        if not raw:
            return None
        try:
            data = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as err:
            self._damaged = True
            raise damaged(self.path, err) from err
        if not isinstance(data, dict) or not all(isinstance(t, dict) for t in data.values()):
            self._damaged = True
            raise damaged(self.path, "not a table mapping")
        return data

    def changed_on_disk(self) -> bool:
        """Was the file replaced since this storage last read or wrote it?"""
        return not self._loaded or stat_key(self.path) != self._key

    def read(self) -> dict[str, Any] | None:
        key = stat_key(self.path)
        if self._loaded and key == self._key:
            return self._data
        data = self._load()
        self._damaged = False
        self._data, self._key, self._loaded = data, key, True
        return data

    def write(self, data: dict[str, Any]) -> None:
        if self.read_only:
            raise StoreError(f"cannot write {self.path}: the store is open read-only")
        if self._damaged:
            raise damaged(self.path, "it did not parse")
        try:
            write_json_atomic(self.path, data)
        except BaseException:
            self.invalidate()
            raise
        self._data, self._key, self._loaded = data, stat_key(self.path), True

    def close(self) -> None:
        self.invalidate()


def open_db(path: Path, read_only: bool) -> TinyDB:
    """A TinyDB on `path` written atomically."""
    return TinyDB(path, storage=AtomicJSONStorage, read_only=read_only)


