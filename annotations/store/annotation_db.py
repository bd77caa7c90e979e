"""One document's annotations: a TinyDB of its own (`docs/<id>.json` + `docs/<id>.log`).

One database per document keeps each table small (TinyDB's cost per write
grows with the table, NOTES.md) and a save costs one appended line of that
document's log (`journal_storage`). Rows are saved and removed through
TinyDB's table API; on top of it this keeps what a key press asks for
without scanning: annotation id -> row id, the (start, end, label) spans
and the label counts, and the parsed, sorted `Annotation`s (built on first
use, then carried along change by change).
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections import Counter
from typing import Any

from tinydb.table import Document as Row

from annotations.model import Annotation
from annotations.store.journal import Journal
from annotations.store.journal_storage import JournalDB

TABLE = "annotations"

Span = tuple[Any, Any, Any, Any]  # start, end, label, annotator


def sort_key(ann: Annotation) -> tuple[int, int, str, str]:
    return (ann.start, -ann.end, ann.label, ann.created)


def _span(row: dict[str, Any]) -> Span:
    # A twin is the same span and label in the same layer (annotator): two
    # annotators marking the same words are two layers agreeing.
    return (row.get("start"), row.get("end"), row.get("label"), row.get("annotator", ""))


def layer_span(ann: Annotation) -> Span:
    """What makes two annotations twins (`_span` of an `Annotation`)."""
    return (ann.start, ann.end, ann.label, ann.annotator)


class DocumentAnnotations:
    """The annotations of one document, in its TinyDB, with the indexes a save needs."""

    def __init__(self, journal: Journal) -> None:
        self.journal = journal
        self.db = JournalDB(journal)
        self.table = self.db.table(TABLE)
        self._index()

    def reload(self) -> None:
        self.db.reload()
        self._index()

    def _index(self) -> None:
        rows = self.db.journal_storage.tables.get(TABLE, {})
        self.ids: dict[str, int] = {}
        for key, row in rows.items():
            ann_id = row.get("id") if isinstance(row, dict) else None
            self.ids[str(ann_id) if ann_id else f"#{key}"] = key
        self.spans = Counter(_span(row) for row in rows.values())
        self.labels = Counter(row.get("label") for row in rows.values())
        self._anns: list[Annotation] | None = None

    @property
    def tables(self) -> dict[str, dict[int, dict[str, Any]]]:
        return self.db.journal_storage.tables

    def rows(self) -> dict[str, dict[str, Any]]:
        """annotation id -> stored row (the store's own: read, never change)."""
        table = self.tables.get(TABLE, {})
        return {ann_id: table[key] for ann_id, key in self.ids.items()}

    def row(self, ann_id: str) -> dict[str, Any] | None:
        key = self.ids.get(ann_id)
        return None if key is None else self.tables.get(TABLE, {}).get(key)

    @property
    def annotations(self) -> list[Annotation]:
        if self._anns is None:
            self._anns = sorted((Annotation.from_dict(r) for r in self.rows().values()),
                                key=sort_key)
        return self._anns

    # ----------------------------------------------------------- changes (each durable)

    def insert(self, anns: list[Annotation]) -> None:
        """Save new annotations: one TinyDB insert_multiple, one log line, one fsync."""
        rows = [ann.to_dict() for ann in anns]
        try:
            keys = self.table.insert_multiple(rows)
        except BaseException:
            self._index()  # the database was read again from the disk
            raise
        for ann, row, key in zip(anns, rows, keys):
            self.ids[ann.id] = key
            self._counted(ann, row)

    def replace(self, ann: Annotation) -> None:
        """Save `ann` over the row with its id (which must exist)."""
        key = self.ids[ann.id]
        stored = self.row(ann.id)
        assert stored is not None
        old = dict(stored)  # TinyDB updates the stored row in place
        row = ann.to_dict()
        try:
            self.table.upsert(Row(row, doc_id=key))
        except BaseException:
            self._index()
            raise
        self._forget(ann.id, old)
        self._counted(ann, row)

    def delete(self, ann_id: str) -> None:
        key = self.ids[ann_id]
        old = self.row(ann_id)
        assert old is not None
        try:
            self.table.remove(doc_ids=[key])
        except BaseException:
            self._index()
            raise
        del self.ids[ann_id]
        self._forget(ann_id, old)

    def compact(self) -> None:
        """Fold the log into the snapshot now (saves do it when the log is long)."""
        self.db.journal_storage.compact()

    def close(self) -> None:
        self.db.close()

    # ----------------------------------------------------------- the indexes

    def _counted(self, ann: Annotation, row: dict[str, Any]) -> None:
        self.spans[_span(row)] += 1
        self.labels[ann.label] += 1
        if self._anns is not None:
            insort(self._anns, ann, key=sort_key)

    def _forget(self, ann_id: str, row: dict[str, Any]) -> None:
        span = _span(row)
        self.spans[span] -= 1
        if not self.spans[span]:
            del self.spans[span]
        self.labels[row.get("label")] -= 1
        if not self.labels[row.get("label")]:
            del self.labels[row.get("label")]
        if self._anns is not None:
            old = Annotation.from_dict(row)
            index = bisect_left(self._anns, sort_key(old), key=sort_key)
            while index < len(self._anns) and self._anns[index].id != ann_id:
                index += 1
            if index < len(self._anns):
                del self._anns[index]
