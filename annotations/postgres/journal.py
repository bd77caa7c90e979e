"""A journal (`annotations.journal`'s interface) kept in the PostgreSQL store.

The undo history reads and writes a journal: a snapshot of tables and the
changes logged since. Here the snapshot is a row of `journal_snapshots` and
each change a row of `journal_lines`, both under the store's annotator, so
each person's undo history is their own. An append is one committed INSERT.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from annotations.errors import StoreError

if TYPE_CHECKING:
    from annotations.postgres.store import PostgresStore


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


class PgJournal:
    """One annotator's journal `name` in a PostgreSQL store."""

    def __init__(self, store: PostgresStore, name: str) -> None:
        self.store = store
        self.name = name
        self.log = f"{store.where} (journal {name} of {store.annotator})"
        self.snapshot = self.log
        self.generation = 0
        self.logged = 0
        self._key: tuple[Any, Any] | None = None

    def _params(self) -> tuple[str, str]:
        return (self.store.annotator, self.name)

    def _current_key(self) -> tuple[Any, Any]:
        row = self.store._one(
            "SELECT (SELECT generation FROM journal_snapshots WHERE owner = %s AND name = %s), "
            "(SELECT max(seq) FROM journal_lines WHERE owner = %s AND name = %s)",
            (*self._params(), *self._params()))
        return (row[0], row[1])

    def changed_on_disk(self) -> bool:
        """True if the journal changed since this object last read or wrote it.

        While the server is away, memory (with the lines kept in the outbox)
        is all there is: False.
        """
        from annotations.postgres.store import Disconnected

        if self.store.pending and self.store.flush():
            return False  # the lines kept for later are not on the server yet
        try:
            return self._key != self._current_key()
        except Disconnected:
            return False

    def read(self) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        store = self.store
        with store._lock, store._conn.transaction():
            store._run("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            snap = store._one("SELECT generation, tables::text FROM journal_snapshots "
                              "WHERE owner = %s AND name = %s", self._params())
            generation = 0 if snap is None else int(snap[0])
            tables = {} if snap is None else json.loads(snap[1])
            lines = store._all("SELECT seq, line::text FROM journal_lines WHERE owner = %s "
                               "AND name = %s AND generation = %s ORDER BY seq",
                               (*self._params(), generation))
            self._key = self._current_key()
        self.generation = generation
        self.logged = len(lines)
        return tables, [json.loads(line) for _seq, line in lines]

    def _writable(self) -> None:
        if self.store.read_only:
            raise StoreError(f"cannot write {self.log}: the store is open read-only")

    def append(self, *changes: dict[str, Any]) -> None:
        """Log `changes`: committed when this returns, or kept in the store's outbox."""
        self._writable()
        if not changes:
            return
        with self.store._lock:
            # (newest line before ours, our newest): one round trip. The
            # statement's snapshot predates its own rows, so `before` is what
            # the journal held when our lines went in.
            sent = self.store._change(
                {"op": "journal", "name": self.name, "generation": self.generation,
                 "lines": list(changes)}, lambda: None)
            self.logged += len(changes)
            before, seq = sent if sent is not None else (None, None)
            # Someone else's lines in between, or kept for later: read again when next asked.
            fresh = sent is not None and self._key is not None and before == self._key[1]
            self._key = (self._key[0], seq) if fresh and self._key is not None else None

    def compact(self, tables: dict[str, Any]) -> None:
        """Make `tables` the snapshot (next generation) and drop the lines folded in."""
        self._writable()
        store = self.store
        data = {**tables, "journal": {"1": {"generation": self.generation + 1}}}
        with store._lock, store._conn.transaction():
            store._run(
                "INSERT INTO journal_snapshots (owner, name, generation, tables) "
                "VALUES (%s, %s, %s, %s) ON CONFLICT (owner, name) DO UPDATE SET "
                "generation = EXCLUDED.generation, tables = EXCLUDED.tables",
                (*self._params(), self.generation + 1, _dumps(data)))
            store._run("DELETE FROM journal_lines WHERE owner = %s AND name = %s "
                       "AND generation <= %s", (*self._params(), self.generation))
            self.generation += 1
            self.logged = 0
            self._key = self._current_key()

    def close(self) -> None:
        """Nothing held: the store owns the connection."""
