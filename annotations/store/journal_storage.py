"""TinyDB over a journal: each change one fsynced log line, folded into a snapshot.

TinyDB's own `JSONStorage` rewrites the whole file on every write (a
second at 100,000 rows, NOTES.md), and its `Table` rebuilds the table's
dict on every write (0.2 ms at 1,000 rows, 40 ms at 100,000). Through
TinyDB's extension points, newsmark's database does neither:

- `JournalStorage` (a TinyDB `Storage`) keeps the tables in memory as
  `annotations.store.journal` read them (the snapshot, then the log
  replayed), with integer document ids; `write` (a whole-database write,
  which only `drop_tables` and the like make) folds everything into a new
  snapshot atomically.
- `JournalTable` (a TinyDB `Table`, the database's `table_class`) runs
  TinyDB's own insert / update / remove / upsert code on that in-memory
  table, sees which documents the operation put or deleted, and appends
  them as one line of the log (one write, one fsync) instead of writing
  the table. Searches (`search`, `get` with a `Query`) are TinyDB's.

Durability is the journal's: a change is on disk (fsynced) when the call
returns; a line cut short by a kill is dropped when read; any other bad
line names the file as damaged. If the append fails, memory is read again
from the disk, so it never holds a change that was not saved.

Log lines: `{"table": name, "put": {doc id: row, ...}}` and
`{"table": name, "delete": [doc id, ...]}`. Lines of format 2 (annotations
only, keyed by annotation id: `{"put": row}`, `{"delete": annotation id}`)
are read as changes of table `annotations`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping, MutableMapping
from typing import Any

from tinydb import TinyDB
from tinydb.storages import Storage
from tinydb.table import Table

from annotations.errors import StoreError
from annotations.store.journal import Journal

Tables = dict[str, dict[int, dict[str, Any]]]

# A log is folded into its snapshot once it holds more changes than this
# many, or than the snapshot holds rows: saves stay one line, and reading
# costs at most about twice the snapshot.
COMPACT_AFTER = 500

LEGACY_TABLE = "annotations"  # the table format-2 log lines change


Legacy = Callable[[Tables, dict[str, Any]], None]


def read_tables(journal: Journal, legacy: Legacy | None = None) -> tuple[Tables, int]:
    """(the tables the snapshot and log hold, rows in the snapshot): a fresh read.

    `legacy` replays a log line of an older layout (one without "table") onto
    the tables; without it such a line is an annotations change of format 2.
    """
    raw, changes = journal.read()
    tables: Tables = {}
    snapshot_rows = 0
    for name, rows in raw.items():
        if name == "journal":
            continue
        table: dict[int, dict[str, Any]] = {}
        for key, row in rows.items():
            try:
                table[int(key)] = row
            except ValueError as err:
                raise StoreError(f"{journal.snapshot} is damaged (row id {key!r} in table "
                                 f"{name!r}); newsmark will not overwrite it") from err
        tables[name] = table
        snapshot_rows += len(table)
    ids: dict[str, int] | None = None  # annotation id -> doc id, for format-2 lines
    for change in changes:
        name = change.get("table")
        if name is None and legacy is not None:
            legacy(tables, change)
            continue
        if name is None:
            if ids is None:
                ids = {str(row.get("id")): key
                          for key, row in tables.get(LEGACY_TABLE, {}).items()
                          if isinstance(row, dict)}
            _replay_legacy(tables.setdefault(LEGACY_TABLE, {}), ids, change)
            continue
        table = tables.setdefault(str(name), {})
        for key, row in (change.get("put") or {}).items():
            table[int(key)] = row
        for key in change.get("delete") or ():
            table.pop(int(key), None)
    return tables, snapshot_rows


def _replay_legacy(table: dict[int, dict[str, Any]], ids: dict[str, int],
                   change: dict[str, Any]) -> None:
    if "put" in change and isinstance(change["put"], dict):
        row = change["put"]
        key = ids.get(str(row.get("id")))
        if key is None:
            key = max(table, default=0) + 1
            ids[str(row.get("id"))] = key
        table[key] = row
    elif "delete" in change:
        key = ids.pop(str(change["delete"]), None)
        if key is not None:
            table.pop(key, None)


class JournalStorage(Storage):
    """A TinyDB storage whose tables live in memory and whose changes go to a journal."""

    def __init__(self, journal: Journal, legacy: Legacy | None = None, **_: Any) -> None:
        super().__init__()
        self.journal = journal
        self.legacy = legacy
        self.tables: Tables = {}
        self.snapshot_rows = 0
        self.pending: list[dict[str, Any]] | None = None  # a batch's changes, not yet logged
        self.reload()

    def reload(self) -> None:
        """Read the snapshot and log again (memory = disk)."""
        self.pending = None
        self.tables, self.snapshot_rows = read_tables(self.journal, self.legacy)

    def read(self) -> Tables:
        return self.tables

    def write(self, data: dict[str, Any]) -> None:
        # A whole-database write (TinyDB's drop_tables, say): a new snapshot.
        self.tables = {name: {int(k): row for k, row in rows.items()}
                       for name, rows in data.items()}
        self.compact()

    def append(self, change: dict[str, Any]) -> None:
        """Log one change durably (in a batch: when the batch ends); on failure, memory
        is read again from the disk."""
        if self.pending is not None:
            self.pending.append(change)
            return
        self._log(change)

    def _log(self, *changes: dict[str, Any]) -> None:
        try:
            self.journal.append(*changes)
        except BaseException:
            self.journal.close()
            try:
                self.reload()
            except StoreError:
                pass  # the next read says what is wrong with the files
            raise
        if self.journal.logged > max(COMPACT_AFTER, self.snapshot_rows):
            try:
                self.compact()
            except StoreError:
                pass  # the log still holds every change; folded in another time

    def compact(self) -> None:
        """Fold the log into a new snapshot (atomic; the old one kept as .bak)."""
        self.journal.compact({name: {str(k): row for k, row in rows.items()}
                              for name, rows in self.tables.items()})
        self.snapshot_rows = sum(len(rows) for rows in self.tables.values())

    def close(self) -> None:
        self.journal.close()


class _Recording(MutableMapping[int, dict[str, Any]]):
    """A table as TinyDB's update functions see it, noting what they put and delete.

    A row read may be changed in place (`update`): its value before is kept,
    and it counts as put only if it differs afterwards.
    """

    def __init__(self, table: dict[int, dict[str, Any]]) -> None:
        self.table = table
        self.put: set[int] = set()
        self.deleted: set[int] = set()
        self.read: dict[int, dict[str, Any]] = {}

    def __getitem__(self, key: int) -> dict[str, Any]:
        row = self.table[key]
        if key not in self.put and key not in self.read:
            self.read[key] = dict(row)
        return row

    def __setitem__(self, key: int, row: dict[str, Any]) -> None:
        self.table[key] = row
        self.put.add(key)
        self.deleted.discard(key)

    def __delitem__(self, key: int) -> None:
        del self.table[key]
        self.put.discard(key)
        self.read.pop(key, None)
        self.deleted.add(key)

    def __iter__(self) -> Iterator[int]:
        return iter(self.table)

    def __len__(self) -> int:
        return len(self.table)

    def __contains__(self, key: object) -> bool:
        return key in self.table

    def change(self, name: str) -> dict[str, Any] | None:
        put = set(self.put)
        put.update(key for key, before in self.read.items()
                   if key in self.table and self.table[key] != before)
        if not put and not self.deleted:
            return None
        change: dict[str, Any] = {"table": name}
        if put:
            change["put"] = {str(key): self.table[key] for key in sorted(put)}
        if self.deleted:
            change["delete"] = sorted(self.deleted)
        return change


class JournalTable(Table):
    """A TinyDB table whose writes append one journal line, not the whole table."""

    def _update_table(self, updater: Callable[[dict[int, Mapping]], None]) -> None:
        storage = self._storage
        if not isinstance(storage, JournalStorage):  # pragma: no cover - wiring error
            raise TypeError("JournalTable needs a JournalStorage")
        table = storage.tables.setdefault(self.name, {})
        recording = _Recording(table)
        try:
            updater(recording)  # type: ignore[arg-type]
            change = recording.change(self.name)
            if change is not None:
                storage.append(change)
        except BaseException:
            # Memory may hold a change the disk does not: read the disk again.
            if isinstance(storage.journal, Journal):
                try:
                    storage.reload()
                except StoreError:
                    pass
            self._next_id = None
            raise
        finally:
            self.clear_cache()


class JournalDB(TinyDB):
    """A TinyDB whose tables are `JournalTable`s on a `JournalStorage`."""

    table_class = JournalTable

    def __init__(self, journal: Journal, legacy: Legacy | None = None) -> None:
        super().__init__(journal, legacy, storage=JournalStorage)

    @contextlib.contextmanager
    def batch(self) -> Iterator[None]:
        """The TinyDB operations inside are logged as one write and one fsync, at the end:
        all of them are saved, or (on an error or a failed write) none."""
        storage = self.journal_storage
        if storage.pending is not None:  # nested: the outer batch logs
            yield
            return
        storage.pending = []
        try:
            yield
            changes, storage.pending = storage.pending, None
            if changes:
                storage._log(*changes)
        except BaseException:
            self.reload()
            raise
        finally:
            storage.pending = None

    @property
    def journal_storage(self) -> JournalStorage:
        storage = self.storage
        assert isinstance(storage, JournalStorage)
        return storage

    def reload(self) -> None:
        """Memory = disk again (the files changed: a writer beside a read-only viewer)."""
        self.journal_storage.reload()
        for table in self._tables.values():
            table.clear_cache()
            table._next_id = None
