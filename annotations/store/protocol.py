"""The `Store` protocol: everything newsmark asks of a store, whatever engine keeps it.

The app, the CLI, export and import, the undo history, re-anchoring and
links use a store only through these methods, so a second engine (the
embedded one is `LocalStore`, a folder of TinyDB files; a PostgreSQL one
for teams is next) plugs in without touching them. `tests/store_contract.py`
is the behaviour every engine must show; an engine is added to its
`any_store` fixture.

Rules every engine keeps:

- Every mutating call is durable when it returns (nothing buffered that a
  kill could lose) and raises `StoreError` (`annotations.errors`), having
  changed nothing, when it cannot save. Nothing already saved is lost.
- A read-only store (`read_only`) reads everything and writes nothing:
  each mutating call raises `StoreError` naming why.
- Offsets are code points into the document's text (`annotations.model`).
- Values handed out are the caller's to keep: changing them changes nothing
  stored (except `annotation_rows` and the steps of `history`, read-only by
  contract: they are read per key press, and a copy would cost more than it).
- A document id is `[A-Za-z0-9_-]{1,128}`; any other is a `StoreError`.

Typed session state (panes, remembered paths, re-anchoring counts, orphans,
rejected suggestions) replaces the key/value bag of format 2: each thing
kept has its own pair of methods, and its one definition is here.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass
from typing import Any, Protocol, runtime_checkable

from annotations.model import Annotation, AnnotationRow, Document, Link
from annotations.segmentation import KeptSegmentation, Segmentation

STATUSES = ("untouched", "in progress", "done")

Warn = Callable[[str], None]

# A document's row: {"id", "path", "meta": {"path", "title", "source",
# "date"}, "status", "length"} (more keys may follow; readers ignore them).
DocumentRecord = dict[str, Any]

# One undo step as `annotations.history` writes it: {"seq", "kind", "before",
# "after", and "link" / "owner" where the kind has one}. The store keeps it
# as given and never looks inside but for "seq".
Step = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Pane:
    """Which document a pane showed, where its cursor was, and whether it had the
    focus (restored on reopen). With `shown` False, a document the panes
    showed in an earlier session: only its cursor is kept, for when it is
    opened again."""

    doc_id: str
    path: str | None = None
    cursor: int = 0
    focused: bool = False
    shown: bool = True

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Any) -> Pane | None:
        """A pane from its stored row; None if the row is not one."""
        if not isinstance(data, dict) or not isinstance(data.get("doc_id"), str):
            return None
        path, cursor = data.get("path"), data.get("cursor", 0)
        return cls(data["doc_id"], path if isinstance(path, str) else None,
                   cursor if isinstance(cursor, int) and cursor >= 0 else 0,
                   data.get("focused") is True,  # absent in rows saved before it
                   data.get("shown") is not False)


@runtime_checkable
class Store(Protocol):
    """A store of documents, their annotations, links, undo history and session state."""

    # ----------------------------------------------------------- the store itself

    @property
    def location(self) -> str:
        """Where the store is (a folder's path, a URI): `open_store(location)` opens it again,
        as export workers do in their own processes. Shown to people in messages."""
        ...

    @property
    def read_only(self) -> bool:
        """True when this store was opened (or fell back) read-only: nothing is written."""
        ...

    @property
    def upgraded(self) -> tuple[int, str] | None:
        """(the old format, where a copy of it was kept) if opening upgraded the store."""
        ...

    def check_writable(self) -> None:
        """Raise `StoreError` (saying why) if a change cannot be saved now: closed, read-only."""
        ...

    def close(self) -> None:
        """Release what the store holds (lock, files, connections). Idempotent."""
        ...

    def __enter__(self) -> Store: ...

    def __exit__(self, *exc: object) -> None: ...

    # ----------------------------------------------------------- documents

    def register(self, doc: Document) -> None:
        """Keep `doc` (its text and metadata) under `doc.id`; idempotent.

        A known id gets its path and metadata updated; its text never changes
        (a changed text is another document). A new document's status is
        "untouched"."""
        ...

    def register_many(self, docs: Iterable[Document]) -> int:
        """`register` each of `docs` in one write where the engine can; returns how many
        were new (a document given twice counts once)."""
        ...

    def register_soon(self, docs: Iterable[Document], paths: dict[str, str]) -> None:
        """`register_many(docs)` and `remember_paths(paths)`, written when the engine
        chooses: at the latest before any other write of this store (in any thread),
        at `write_registered()` and at `close()`. Reads see them at once. A crash
        before they are written loses only them: nothing that refers to them can have
        been saved. (The reader draws its first frame without waiting for the texts'
        fsyncs.)"""
        ...

    def write_registered(self) -> None:
        """Make what `register_soon` took durable now (nothing to do if it is)."""
        ...

    def add_documents(self, batch: list[tuple[Document, list[Annotation], str]]) -> int:
        """Register new documents, each with its annotations and status, as one batch
        (import): durable when it returns, at most a few syncs for the whole batch, and
        after a crash each document is whole (text, annotations, status) or absent.
        Documents already registered, and annotations `add_many` would skip, are left
        out; returns how many documents were added."""
        ...

    def document_record(self, doc_id: str) -> DocumentRecord | None:
        """The record of one document (see `DocumentRecord`), None if not registered."""
        ...

    def documents(self) -> list[DocumentRecord]:
        """Every document's record, in the order they were registered."""
        ...

    def load_text(self, doc_id: str) -> str | None:
        """A registered document's text exactly as registered; None if not registered."""
        ...

    def set_status(self, doc_id: str, status: str) -> None:
        """Set a document's status, one of `STATUSES` (ValueError otherwise; StoreError if
        the document is not registered). The first annotation saved on an untouched
        document makes it "in progress" by itself."""
        ...

    # ----------------------------------------------------------- segmentation cache

    def load_segmentation(
        self, doc_id: str, text: str, warn: Warn | None = None
    ) -> Segmentation | None:
        """The segmentation kept for `text`, or None (none kept, damaged, or made for another
        text: the caller segments again; `warn` hears why). Never raises for bad data."""
        ...

    def kept_segmentation(self, doc_id: str, warn: Warn | None = None
                          ) -> KeptSegmentation | None:
        """What `load_segmentation` decodes, read but not decoded (a 10 MB article's
        takes ~0.4 s to decode: the reader does that in a worker); None if none
        is kept or it cannot be read (`warn` hears why)."""
        ...

    def save_segmentation(self, doc_id: str, seg: Segmentation, warn: Warn | None = None) -> bool:
        """Keep `seg` for `doc_id` once (the tokens spans snap to must not change later);
        False if not written (kept already, read-only, or failed: told to `warn`)."""
        ...

    # ----------------------------------------------------------- annotations

    def annotations(self, doc_id: str) -> list[Annotation]:
        """One document's annotations sorted by (start, -end, label, created); [] if none
        or not registered. Cheap to call per key press (the engine keeps them)."""
        ...

    def counts(self, doc_id: str) -> Counter[str]:
        """How many annotations of each label `doc_id` has."""
        ...

    def annotation_rows(self, doc_id: str) -> list[AnnotationRow]:
        """One document's annotations as read-only rows, sorted as `annotations`, for
        reading everything once (export). A row that is not a valid span is a StoreError
        naming where it is."""
        ...

    def all_annotations(self) -> Iterator[Annotation]:
        """Every annotation of the store, document by document."""
        ...

    def add(self, ann: Annotation) -> bool:
        """Save `ann` on its (registered) document; False, writing nothing, if its id or the
        same (start, end, label) in the same annotator's layer is there already (two
        annotators' identical spans are both kept: agreement counts them)."""
        ...

    def add_with_step(self, ann: Annotation, step: Step, limit: int) -> bool | None:
        """`add(ann)` and, if it was saved, `record_step` of `step` (its "seq" set to one
        past the current position; `limit` as there), in ONE durable write: both or
        neither. None, writing nothing, from an engine that cannot make them one write
        (the folder store keeps the two in separate files): `History` then adds and
        records in turn, taking the add back if the step cannot be written."""
        ...

    def add_many(self, anns: Iterable[Annotation]) -> int:
        """`add` each of `anns` (skipping what `add` would skip, also within the batch) in
        one durable write per document or fewer; returns how many were saved. Each
        document's part is whole or absent after a crash."""
        ...

    def restore(self, ann: Annotation) -> bool:
        """Put back an annotation removed earlier (undo): like `add`, but only the id stops
        it (the same span and label elsewhere does not)."""
        ...

    def remove(self, doc_id: str, ann_id: str) -> Annotation | None:
        """Delete one annotation; returns it, or None (nothing written) if absent."""
        ...

    def update(self, ann: Annotation) -> Annotation | None:
        """Replace the annotation with `ann.id` by `ann`; returns the old one (None, nothing
        written, if absent)."""
        ...

    # ----------------------------------------------------------- links

    def links(self) -> list[Link]:
        """Every cross-document link, oldest first (also links whose spans are gone:
        undoing a removal brings the span back with its links)."""
        ...

    def add_link(self, link: Link) -> bool:
        """Save `link`; False if its id, or its two ends with the same relation, exist."""
        ...

    def restore_link(self, link: Link) -> bool:
        """Put back a removed link (undo); False if its id is present."""
        ...

    def remove_link(self, link_id: str) -> Link | None:
        """Delete one link; returns it, or None if there was none."""
        ...

    # ----------------------------------------------------------- undo history

    def history(self) -> tuple[dict[int, Step], int]:
        """(steps by their seq, position): the undo history, position the seq of the last
        applied step (0: none). Survives restarts. The mapping is the caller's, the steps
        in it are the store's: read them, never change them."""
        ...

    def record_step(self, step: Step, limit: int) -> None:
        """A new step, `step["seq"]` = position + 1: steps from that seq on (the redo
        tail) are dropped, the oldest beyond `limit` too; the position becomes its seq."""
        ...

    def move_history(self, position: int) -> None:
        """Set the position (an undo or redo step was applied)."""
        ...

    # ----------------------------------------------------------- session state

    def panes(self) -> list[Pane]:
        """The panes the reader showed when it last saved them (may name documents gone)."""
        ...

    def set_panes(self, panes: list[Pane]) -> None:
        """Keep where the panes are."""
        ...

    def paths(self) -> dict[str, str]:
        """{a file's real path: id of the document last read from it}."""
        ...

    def remember_paths(self, paths: dict[str, str]) -> None:
        """Add or replace these entries of `paths()` (others are kept)."""
        ...

    def reanchoring(self) -> dict[str, dict[str, Any]]:
        """{new doc id: {"from": old doc id, "kept", "moved", "fuzzy", "orphaned"}} of every
        article whose annotations were carried to a changed text."""
        ...

    def record_reanchoring(self, doc_id: str, entry: dict[str, Any]) -> None:
        """Set `reanchoring()[doc_id]` to `entry`."""
        ...

    def orphans(self, doc_id: str) -> list[Annotation]:
        """Annotations waiting to be placed on `doc_id`, as they were on the old text (their
        own `doc_id`), in list order. User data: kept as durably as annotations."""
        ...

    def set_orphans(self, doc_id: str, orphans: list[Annotation]) -> None:
        """Replace `doc_id`'s orphan list."""
        ...

    def rejected(self, doc_id: str) -> set[str]:
        """Keys (`Suggestion.key`) of the suggestions rejected for `doc_id`."""
        ...

    def set_rejected(self, doc_id: str, keys: Iterable[str]) -> None:
        """Replace the rejected suggestions of `doc_id`."""
        ...
