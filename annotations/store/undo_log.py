"""The undo history of a local store: a TinyDB in `history.json` + `history.log`.

Two tables (`journal_storage`): `entries`, one row per step with its
sequence number as row id (each row a step as `annotations.history` made
it), and `state`, one row `{"position": seq}`: the last step applied (0
when none). Recording a step is three TinyDB operations (the redo tail and
the oldest steps beyond the limit removed, the step inserted, the position
set) logged as one line with one fsync (`JournalDB.batch`); an undo or redo
sets the position. So undo and redo carry on across restarts, and a step
costs one appended line, not a rewrite of 1,000 entries.

Format-2 logs hold `{"record": step}` and `{"position": n}` lines; they
are read as those changes (`_legacy`).
"""

from __future__ import annotations

import json
from typing import Any

from tinydb.table import Document as Row

from annotations.store.files import dumps
from annotations.store.journal import Journal
from annotations.store.journal_storage import JournalDB, Tables

Step = dict[str, Any]

ENTRIES = "entries"
STATE = "state"
_POSITION_ROW = 1

# Steps kept when a format-2 log line is replayed (its newsmark's limit).
DEFAULT_LIMIT = 1000


class UndoLog:
    """The steps and position, through TinyDB."""

    def __init__(self, journal: Journal) -> None:
        self._journal = journal
        self.db = JournalDB(journal, _legacy)
        self.entries = self.db.table(ENTRIES)
        self.state = self.db.table(STATE)

    def read(self) -> tuple[dict[int, Step], int]:
        # Read again only if the files changed (a read-only viewer beside a
        # writer, or a write that failed half way).
        if self._journal.changed_on_disk():
            self.db.reload()
        tables = self.db.journal_storage.tables
        entries = dict(tables.get(ENTRIES, {}))
        row = tables.get(STATE, {}).get(_POSITION_ROW)
        position = int(row["position"]) if row else max(entries, default=0)
        return entries, position

    def record(self, step: Step, limit: int) -> None:
        entries, _position = self.read()
        seq = int(step["seq"])
        stale = [s for s in entries if s >= seq]  # the redo tail
        kept = sorted(s for s in entries if s < seq)
        stale += kept[: max(0, len(kept) + 1 - limit)]  # the oldest beyond the limit
        with self.db.batch():  # one line, one fsync, for all three
            if stale:
                self.entries.remove(doc_ids=stale)
            self.entries.insert(Row(json.loads(dumps(step)), doc_id=seq))  # its own copy
            self._set_position(seq)

    def move(self, position: int) -> None:
        self.read()
        self._set_position(position)

    def _set_position(self, position: int) -> None:
        self.state.upsert(Row({"position": position}, doc_id=_POSITION_ROW))

    def compact(self) -> None:
        """Fold the log into history.json (done by itself when the log grows long)."""
        self.read()
        self.db.journal_storage.compact()

    def close(self) -> None:
        self.db.close()


def _legacy(tables: Tables, change: dict[str, Any]) -> None:
    """A format-2 history line: a step recorded, or the position moved."""
    entries = tables.setdefault(ENTRIES, {})
    state = tables.setdefault(STATE, {})
    if "record" in change:
        step = change["record"]
        seq = int(step["seq"])
        for old in [s for s in entries if s >= seq]:
            del entries[old]
        entries[seq] = step
        for old in sorted(entries)[: max(0, len(entries) - DEFAULT_LIMIT)]:
            del entries[old]
        state[_POSITION_ROW] = {"position": seq}
    elif "position" in change:
        state[_POSITION_ROW] = {"position": int(change["position"])}
