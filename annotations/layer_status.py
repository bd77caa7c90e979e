"""Each annotator's progress on each document: untouched, in progress, done.

The store keeps one status per document (what `export --done-only` reads);
with several annotators each has their own: ana may be done with a text
ben has not opened. The store keeps them as a typed field of its session
state (`Store.annotator_statuses`); they are read once per session and each
change is saved when made: a person starting or finishing a document, not
a key press.
"""

from __future__ import annotations

from typing import Protocol

from annotations.store import STATUSES


class StatusStore(Protocol):
    """What per-annotator statuses need of a store (the `Store` protocol has it)."""

    def annotator_statuses(self) -> dict[str, dict[str, str]]: ...

    def set_annotator_status(self, annotator: str, doc_id: str, status: str) -> None: ...


class LayerStatuses:
    def __init__(self, store: StatusStore) -> None:
        self.store = store
        self._data = store.annotator_statuses()

    def status(self, annotator: str, doc_id: str) -> str:
        return self._data.get(annotator, {}).get(doc_id, "untouched")

    def known(self, doc_id: str) -> bool:
        """Has anyone's progress on `doc_id` been recorded per annotator?

        A store from before per-annotator statuses has only the document's.
        """
        return any(doc_id in docs for docs in self._data.values())

    def set(self, annotator: str, doc_id: str, status: str) -> None:
        """Saved before it returns; nothing is written if it is so already."""
        if status not in STATUSES:
            raise ValueError(f"unknown status {status!r}; expected one of {STATUSES}")
        if self.status(annotator, doc_id) == status:
            return
        self.store.set_annotator_status(annotator, doc_id, status)  # first: memory follows
        self._data.setdefault(annotator, {})[doc_id] = status

    def started(self, annotator: str, doc_id: str) -> None:
        """`annotator` tagged in `doc_id`: in progress, unless marked done already."""
        if self.status(annotator, doc_id) == "untouched":
            self.set(annotator, doc_id, "in progress")

    def team(self, doc_id: str) -> tuple[int, int]:
        """(annotators who marked `doc_id` done, annotators who have started it)."""
        statuses = [docs[doc_id] for docs in self._data.values() if doc_id in docs]
        started = [s for s in statuses if s != "untouched"]
        return sum(s == "done" for s in started), len(started)
