"""Each annotator's progress on each document: untouched, in progress, done.

The store keeps one status per document (what `export --done-only` reads);
with several annotators each has their own: ana may be done with a text
ben has not opened. A folder store keeps them in its session state
(`LocalStore.annotator_statuses`); they are read once per session and each
change is saved when made: a person starting or finishing a document, not
a key press. A PostgreSQL store keeps each annotator's own status itself.
"""

from __future__ import annotations

from typing import Protocol

from annotations.store import STATUSES


class StatusStore(Protocol):
    """What per-annotator statuses need of a store (the folder store has it)."""

    def annotator_statuses(self) -> dict[str, dict[str, str]]: ...

    def set_annotator_status(self, annotator: str, doc_id: str, status: str) -> None: ...


class LayerStatuses:
    """A folder store's per-annotator statuses. A store without them (PostgreSQL,
    where each annotator's `set_status` is their own already) has none here."""

    def __init__(self, store: StatusStore | object) -> None:
        self.store = store
        read = getattr(store, "annotator_statuses", None)
        self._data: dict[str, dict[str, str]] = read() if read is not None else {}
        self._kept = read is not None

    def all(self) -> dict[str, dict[str, str]]:
        """{annotator: {doc id: status}} (the statuses themselves: read, never change)."""
        return self._data

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
        if not self._kept or self.status(annotator, doc_id) == status:
            return
        self.store.set_annotator_status(  # type: ignore[union-attr]
            annotator, doc_id, status)  # first: memory follows what was saved
        self._data.setdefault(annotator, {})[doc_id] = status

    def started(self, annotator: str, doc_id: str) -> None:
        """`annotator` tagged in `doc_id`: in progress, unless marked done already."""
        if self.status(annotator, doc_id) == "untouched":
            self.set(annotator, doc_id, "in progress")
