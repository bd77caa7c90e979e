"""Session state of a local store, as typed fields: `session.json` + `session.log`.

What the reader restores on reopen and what re-anchoring and suggestions
remember: the panes, which document each file path held, re-anchoring
counts, each document's orphans (user data: annotations waiting to be
placed), its rejected suggestions and each annotator's progress on it.
Each field has its methods here and its key is defined only here (it was
a key/value bag whose keys three modules defined, and every change rewrote
the whole file).

A journal (`annotations.store.journal`): the snapshot keeps TinyDB's layout
of format 2 (table `state`, rows `{"key", "value"}`), so a format-2
`session.json` is read as it is; each change is one fsynced line of the
log, `{"set": key, "value": v}` or `{"merge": key, "value": {k: v}}` (the
path map grows by the entries that changed, not by a copy of 100,000), and
the log is folded into the snapshot when it grows.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterable
from typing import Any

from annotations.errors import StoreError
from annotations.model import Annotation
from annotations.store.journal import Journal
from annotations.store.protocol import STATUSES, Pane

PANES = "panes"  # [{"doc_id", "path", "cursor"}]
PATHS = "paths"  # {real path: id of the document last read from it}
REANCHORING = "reanchoring"  # {new doc id: {"from", "kept", "moved", "fuzzy", "orphaned"}}
# {annotator + TAB + doc id: status}: flat, so a change logs one entry, not a table.
ANNOTATOR_STATUSES = "annotator-statuses"

# Changes logged past this many (or past the number of keys) fold the log in.
COMPACT_AFTER = 500


def _orphans_key(doc_id: str) -> str:
    return f"orphans:{doc_id}"


def _rejected_key(doc_id: str) -> str:
    return f"rejected:{doc_id}"


def _copy(value: Any) -> Any:
    """A JSON copy: what is handed out or kept is never shared (TypeError if not JSON)."""
    return json.loads(json.dumps(value))


class SessionState:
    def __init__(self, journal: Journal) -> None:
        self._journal = journal
        self._values: dict[str, Any] = {}
        self._load()  # a damaged session file fails at open

    def _load(self) -> None:
        tables, changes = self._journal.read()
        values: dict[str, Any] = {}
        for row in (tables.get("state") or {}).values():
            if isinstance(row, dict) and isinstance(row.get("key"), str):
                values[row["key"]] = row.get("value")
        self._snapshot_keys = len(values)
        for change in changes:
            if "set" in change:
                values[str(change["set"])] = change.get("value")
            elif "merge" in change and isinstance(change.get("value"), dict):
                current = values.get(str(change["merge"]))
                merged = dict(current) if isinstance(current, dict) else {}
                merged.update(change["value"])
                values[str(change["merge"])] = merged
        self._values = values

    def _get(self, key: str, default: Any) -> Any:
        if self._journal.changed_on_disk():
            self._load()  # a read-only viewer sees the writer's changes
        value = self._values.get(key)
        return default if value is None else _copy(value)

    def _set(self, key: str, value: Any) -> None:
        value = _copy(value)
        if self._get(key, None) == value:
            return
        self._append({"set": key, "value": value})
        self._values[key] = value

    def _merge(self, key: str, entries: dict[str, Any]) -> None:
        current = self._get(key, {})
        current = current if isinstance(current, dict) else {}
        changed = {k: _copy(v) for k, v in entries.items() if current.get(k) != v}
        if not changed:
            return
        self._append({"merge": key, "value": changed})
        current.update(changed)
        self._values[key] = current

    def _append(self, change: dict[str, Any]) -> None:
        try:
            self._journal.append(change)
        except BaseException:
            self._journal.close()
            raise
        if self._journal.logged > max(COMPACT_AFTER, self._snapshot_keys):
            rows = {str(i): {"key": k, "value": v}
                    for i, (k, v) in enumerate(self._values.items(), start=1)}
            with contextlib.suppress(StoreError):  # the log keeps it meanwhile
                self._journal.compact({"state": rows})
                self._snapshot_keys = len(rows)

    # ----------------------------------------------------------- the fields

    def panes(self) -> list[Pane]:
        rows = self._get(PANES, [])
        panes = [Pane.from_dict(row) for row in rows] if isinstance(rows, list) else []
        return [pane for pane in panes if pane is not None]

    def set_panes(self, panes: list[Pane]) -> None:
        self._set(PANES, [pane.to_dict() for pane in panes])

    def paths(self) -> dict[str, str]:
        value = self._get(PATHS, {})
        return value if isinstance(value, dict) else {}

    def remember_paths(self, paths: dict[str, str]) -> None:
        self._merge(PATHS, paths)

    def reanchoring(self) -> dict[str, dict[str, Any]]:
        value = self._get(REANCHORING, {})
        return value if isinstance(value, dict) else {}

    def record_reanchoring(self, doc_id: str, entry: dict[str, Any]) -> None:
        self._merge(REANCHORING, {doc_id: entry})

    def orphans(self, doc_id: str) -> list[Annotation]:
        rows = self._get(_orphans_key(doc_id), [])
        return [Annotation.from_dict(row) for row in rows] if isinstance(rows, list) else []

    def set_orphans(self, doc_id: str, orphans: list[Annotation]) -> None:
        if orphans or self._get(_orphans_key(doc_id), None) is not None:
            self._set(_orphans_key(doc_id), [a.to_dict() for a in orphans])

    def rejected(self, doc_id: str) -> set[str]:
        value = self._get(_rejected_key(doc_id), [])
        return {str(key) for key in value} if isinstance(value, list) else set()

    def set_rejected(self, doc_id: str, keys: Iterable[str]) -> None:
        self._set(_rejected_key(doc_id), sorted(set(keys)))

    def annotator_statuses(self) -> dict[str, dict[str, str]]:
        value = self._get(ANNOTATOR_STATUSES, {})
        out: dict[str, dict[str, str]] = {}
        for key, status in (value.items() if isinstance(value, dict) else ()):
            annotator, _, doc_id = str(key).partition("\t")
            if doc_id and status in STATUSES:
                out.setdefault(annotator, {})[doc_id] = status
        return out

    def set_annotator_status(self, annotator: str, doc_id: str, status: str) -> None:
        if status not in STATUSES:
            raise ValueError(f"unknown status {status!r}; expected one of {STATUSES}")
        self._merge(ANNOTATOR_STATUSES, {f"{annotator}\t{doc_id}": status})

    def close(self) -> None:
        self._journal.close()
