"""Session state of a local store, as typed fields: a TinyDB in `session.json` + `session.log`.

What the reader restores on reopen and what re-anchoring and suggestions
remember. Each field is a table of its own (`journal_storage`: a change is
one fsynced log line, folded into the snapshot when the log grows):

- `panes`        one row per pane, in order: `{"doc_id", "path", "cursor", "focused"}`, plus
                 `"annotator"` when a named annotator's (each reopens their own)
- `paths`        one row per file: `{"path", "doc"}` (the document last read from it)
- `reanchoring`  one row per changed article: `{"doc", "from", "kept", "moved", ...}`
- `orphans`      one row per orphan: the annotation's row plus `"owner"`, the
                 document whose list it is on (user data, kept as durably as
                 annotations)
- `rejected`     one row per document: `{"doc", "keys"}`
- `statuses`     one row per annotator and document: `{"annotator", "doc", "status"}`,
                 each annotator's own progress

Format 2 kept all of it as key/value rows of one table `state`, rewritten
whole on every change; `migrate_format_2` turns such a file into these
tables (the store's migration to format 3).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from tinydb.table import Document as Row

from annotations.model import Annotation
from annotations.store.files import dumps, write_json_atomic
from annotations.store.journal import Journal
from annotations.store.journal_storage import JournalDB
from annotations.store.protocol import STATUSES, Pane

PANES, PATHS, REANCHORING, ORPHANS, REJECTED = (
    "panes", "paths", "reanchoring", "orphans", "rejected")
ANNOTATOR_STATUSES = "statuses"


def _copy(value: Any) -> Any:
    """A JSON copy: what is handed out or kept is never shared (TypeError if not JSON)."""
    return json.loads(dumps(value))


class SessionState:
    def __init__(self, journal: Journal, *, annotator: str | None = None) -> None:
        self._journal = journal
        # Whose panes are read and written: several annotators may share a
        # folder store, and each reopens where they left off, not where the
        # last one to quit did. None: the store's own (as before annotators).
        self._annotator = annotator
        self.db = JournalDB(journal)
        self.tables = {name: self.db.table(name) for name in
                       (PANES, PATHS, REANCHORING, ORPHANS, REJECTED, ANNOTATOR_STATUSES)}
        self._index()  # a damaged session file fails at open

    def _rows(self, name: str) -> dict[int, dict[str, Any]]:
        return self.db.journal_storage.tables.get(name, {})

    def _index(self) -> None:
        """Row ids by key, so that a change costs one row, not a search of the table."""
        self._path_row = {r.get("path"): k for k, r in self._rows(PATHS).items()}
        self._reanchor_row = {r.get("doc"): k for k, r in self._rows(REANCHORING).items()}
        self._rejected_row = {r.get("doc"): k for k, r in self._rows(REJECTED).items()}
        self._status_row = {(r.get("annotator"), r.get("doc")): k
                            for k, r in self._rows(ANNOTATOR_STATUSES).items()}
        self._orphan_rows: dict[str, list[int]] = {}
        for key, row in sorted(self._rows(ORPHANS).items()):
            self._orphan_rows.setdefault(str(row.get("owner")), []).append(key)

    def refresh(self) -> None:
        """Read the files again if they changed (another newsmark wrote them)."""
        self._fresh()

    def _fresh(self) -> None:
        if self._journal.changed_on_disk():
            self.db.reload()  # a read-only viewer sees the writer's changes
            self._index()

    def _write(self, action: Any) -> None:
        """One change (perhaps several TinyDB operations) as one logged line."""
        try:
            with self.db.batch():
                action()
        except BaseException:
            self._index()  # memory was read again from the disk
            raise

    # ----------------------------------------------------------- the fields

    def panes(self) -> list[Pane]:
        self._fresh()
        every = self._rows(PANES)
        rows = [every[k] for k in sorted(every) if every[k].get("annotator") == self._annotator]
        if not rows and self._annotator is not None:
            # A named annotator's first session on a store: the store's own
            # panes (from before annotators had their own) are where to start.
            rows = [every[k] for k in sorted(every) if every[k].get("annotator") is None]
        return [p for p in (Pane.from_dict(row) for row in rows) if p is not None]

    def _own_pane_rows(self) -> list[int]:
        return [k for k, row in self._rows(PANES).items()
                if row.get("annotator") == self._annotator]

    def set_panes(self, panes: list[Pane]) -> None:
        if self.panes() == panes and self._own_pane_rows():
            return
        table = self.tables[PANES]
        owner = {} if self._annotator is None else {"annotator": self._annotator}

        def change() -> None:
            # Only this annotator's rows: the others' panes stay theirs.
            table.remove(doc_ids=self._own_pane_rows())
            table.insert_multiple({**pane.to_dict(), **owner} for pane in panes)

        self._write(change)

    def paths(self) -> dict[str, str]:
        self._fresh()
        return {str(r.get("path")): str(r.get("doc")) for r in self._rows(PATHS).values()}

    def remember_paths(self, paths: dict[str, str]) -> None:
        self._fresh()
        rows, table = self._rows(PATHS), self.tables[PATHS]
        changed = {p: d for p, d in paths.items()
                   if p not in self._path_row or rows[self._path_row[p]].get("doc") != d}
        if not changed:
            return

        def change() -> None:
            for path, doc_id in changed.items():
                key = self._path_row.get(path)
                if key is None:
                    self._path_row[path] = table.insert({"path": path, "doc": doc_id})
                else:
                    table.update({"doc": doc_id}, doc_ids=[key])

        self._write(change)

    def reanchoring(self) -> dict[str, dict[str, Any]]:
        self._fresh()
        return {str(r["doc"]): _copy({k: v for k, v in r.items() if k != "doc"})
                for r in self._rows(REANCHORING).values() if "doc" in r}

    def record_reanchoring(self, doc_id: str, entry: dict[str, Any]) -> None:
        self._fresh()
        row = {"doc": doc_id, **_copy(entry)}
        key = self._reanchor_row.get(doc_id)
        table = self.tables[REANCHORING]
        if key is None:
            self._write(lambda: self._reanchor_row.__setitem__(doc_id, table.insert(row)))
        elif self._rows(REANCHORING)[key] != row:
            self._write(lambda: table.upsert(Row(row, doc_id=key)))

    def orphans(self, doc_id: str) -> list[Annotation]:
        self._fresh()
        rows = self._rows(ORPHANS)
        return [Annotation.from_dict({k: v for k, v in rows[key].items() if k != "owner"})
                for key in self._orphan_rows.get(doc_id, [])]

    def set_orphans(self, doc_id: str, orphans: list[Annotation]) -> None:
        if self.orphans(doc_id) == orphans:
            return
        table = self.tables[ORPHANS]
        old = self._orphan_rows.get(doc_id, [])

        def change() -> None:
            if old:
                table.remove(doc_ids=old)
            keys = table.insert_multiple({**a.to_dict(), "owner": doc_id} for a in orphans)
            self._orphan_rows[doc_id] = keys

        self._write(change)

    def rejected(self, doc_id: str) -> set[str]:
        self._fresh()
        key = self._rejected_row.get(doc_id)
        keys = self._rows(REJECTED)[key].get("keys") if key is not None else []
        return {str(k) for k in keys} if isinstance(keys, list) else set()

    def set_rejected(self, doc_id: str, keys: Iterable[str]) -> None:
        wanted = sorted({str(k) for k in keys})
        if sorted(self.rejected(doc_id)) == wanted and (wanted or doc_id not in self._rejected_row):
            return
        key = self._rejected_row.get(doc_id)
        table = self.tables[REJECTED]
        row = {"doc": doc_id, "keys": wanted}
        if key is None:
            self._write(lambda: self._rejected_row.__setitem__(doc_id, table.insert(row)))
        else:
            self._write(lambda: table.upsert(Row(row, doc_id=key)))

    def annotator_statuses(self) -> dict[str, dict[str, str]]:
        self._fresh()
        out: dict[str, dict[str, str]] = {}
        for row in self._rows(ANNOTATOR_STATUSES).values():
            annotator, doc_id, status = row.get("annotator"), row.get("doc"), row.get("status")
            if isinstance(annotator, str) and isinstance(doc_id, str) and status in STATUSES:
                out.setdefault(annotator, {})[doc_id] = status
        return out

    def set_annotator_status(self, annotator: str, doc_id: str, status: str) -> None:
        if status not in STATUSES:
            raise ValueError(f"unknown status {status!r}; expected one of {STATUSES}")
        self._fresh()
        row = {"annotator": annotator, "doc": doc_id, "status": status}
        key = self._status_row.get((annotator, doc_id))
        table = self.tables[ANNOTATOR_STATUSES]
        if key is None:
            self._write(lambda: self._status_row.__setitem__((annotator, doc_id),
                                                             table.insert(row)))
        elif self._rows(ANNOTATOR_STATUSES)[key] != row:
            self._write(lambda: table.upsert(Row(row, doc_id=key)))

    def close(self) -> None:
        self.db.close()


def migrate_format_2(path: Path) -> None:
    """Turn a format-2 `session.json` (key/value rows of table `state`) into the tables
    above, in one atomic write (the old file kept as `.bak`, the store copied before)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return
    state = data.get("state") if isinstance(data, dict) else None
    if not isinstance(state, dict):
        return
    values = {row["key"]: row.get("value") for row in state.values()
              if isinstance(row, dict) and isinstance(row.get("key"), str)}
    tables: dict[str, dict[str, Any]] = {
        name: {} for name in (PANES, PATHS, REANCHORING, ORPHANS, REJECTED)}

    def add(name: str, row: dict[str, Any]) -> None:
        tables[name][str(len(tables[name]) + 1)] = row

    for pane in values.get(PANES) or []:
        if Pane.from_dict(pane) is not None:
            add(PANES, pane)
    for file, doc_id in (values.get(PATHS) or {}).items():
        add(PATHS, {"path": file, "doc": doc_id})
    for doc_id, entry in (values.get(REANCHORING) or {}).items():
        if isinstance(entry, dict):
            add(REANCHORING, {"doc": doc_id, **entry})
    for key, value in values.items():
        if key.startswith("orphans:") and isinstance(value, list):
            for row in value:
                if isinstance(row, dict):
                    add(ORPHANS, {**row, "owner": key.split(":", 1)[1]})
        elif key.startswith("rejected:") and isinstance(value, list):
            add(REJECTED, {"doc": key.split(":", 1)[1], "keys": [str(k) for k in value]})
    write_json_atomic(path, tables)
