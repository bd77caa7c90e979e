"""Each annotator's progress on each document: untouched, in progress, done.

The store keeps one status per document (what `export --done-only` reads);
with several annotators each has their own: ana may be done with a text
ben has not opened. They are kept in the store's session state under one
key, read once per session and written (atomically, as all session state
is) when one changes: a change is a person starting or finishing a
document, not a key press.
"""

from __future__ import annotations

from typing import Any, Protocol

from annotations.store import STATUSES

KEY = "layer-statuses"  # {annotator: {doc_id: status}}


class StateStore(Protocol):
    def get_state(self, key: str, default: Any = None) -> Any: ...

    def set_state(self, key: str, value: Any) -> None: ...


class LayerStatuses:
    def __init__(self, store: StateStore) -> None:
        self.store = store
        raw = store.get_state(KEY, {}) or {}
        # Only well-formed entries: the state is plain JSON a person could edit.
        self._data: dict[str, dict[str, str]] = {
            str(name): {str(doc): status for doc, status in docs.items() if status in STATUSES}
            for name, docs in raw.items() if isinstance(docs, dict)
        } if isinstance(raw, dict) else {}

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
        data = {name: dict(docs) for name, docs in self._data.items()}
        data.setdefault(annotator, {})[doc_id] = status
        self.store.set_state(KEY, data)  # first: memory follows only what was saved
        self._data = data

    def started(self, annotator: str, doc_id: str) -> None:
        """`annotator` tagged in `doc_id`: in progress, unless marked done already."""
        if self.status(annotator, doc_id) == "untouched":
            self.set(annotator, doc_id, "in progress")

    def team(self, doc_id: str) -> tuple[int, int]:
        """(annotators who marked `doc_id` done, annotators who have started it)."""
        statuses = [docs[doc_id] for docs in self._data.values() if doc_id in docs]
        started = [s for s in statuses if s != "untouched"]
        return sum(s == "done" for s in started), len(started)
