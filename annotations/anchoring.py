"""Finding annotations again after their article's text changed, in a store.

A document's id is a hash of its text, so a re-scraped article is a new
document. `reanchor` (`annotations/reanchor.py`, imported only when an
article changed under its annotations; its docstring gives the four steps:
kept, moved, fuzzy, orphan) finds each annotation again on the new text.

`carry_over` applies this to a store when a Workspace opens an article whose
path the store knows under another document id, and keeps the orphans and
the counts in the store's session state (`Store.orphans`, `reanchoring`,
`paths`). The old document and its annotations stay in the store untouched.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from annotations.identity import path_key
from annotations.model import Annotation, Document
from annotations.store.protocol import Store

if TYPE_CHECKING:
    from annotations.reanchor import ReanchorReport

# --------------------------------------------------------------------- the store


def previous_versions(store: Store, docs: list[Document]) -> dict[str, str]:
    """new doc id -> id of the document last opened from the same path."""
    paths = store.paths()
    previous: dict[str, str] = {}
    unknown: dict[str, Document] = {}
    for doc in docs:
        key = path_key(doc.meta.path)
        if key is None:
            continue
        if key in paths:
            if paths[key] != doc.id:
                previous[doc.id] = paths[key]
        else:
            unknown[key] = doc
    if unknown:
        # A store from before paths were remembered: the last other document
        # registered with the same path is the previous version.
        for record in store.documents():
            key = path_key(record.get("path"))
            doc = unknown.get(key) if key else None
            if doc is not None and record["id"] != doc.id:
                previous[doc.id] = record["id"]
    return previous


def read_alike(record: dict[str, Any], doc: Document) -> bool:
    """Whether a stored document's record and `doc` were read the same way
    (both with --raw, or both cleaned)."""
    return ((record.get("meta") or {}).get("raw") or None) == doc.meta.raw


def carry_over(store: Store, documents: Iterable[Document]) -> dict[str, ReanchorReport]:
    """Re-anchor the annotations of changed articles; returns a report per changed doc.

    The documents must be registered already. Idempotent: a re-run after a
    crash in the middle adds nothing twice (annotation ids are kept), and
    once done the path points at the new document so it is not run again.
    """
    if store.read_only:
        return {}
    docs = [doc for doc in documents if doc.meta.path]
    previous = previous_versions(store, docs)
    reports: dict[str, ReanchorReport] = {}
    for doc in docs:
        old_id = previous.get(doc.id)
        old_record = None if old_id is None else store.document_record(old_id)
        if old_id is None or old_record is None:
            continue
        if not read_alike(old_record, doc):
            # The same file read the other way (--raw, or cleaned): another
            # text of an unchanged file. Each keeps its own spans; carried
            # over, they moved and came back with each switch.
            continue
        old_anns = store.annotations(old_id)
        # Orphans the old version still had are tried again on the new text.
        old_anns += [a for a in orphans(store, old_id) if a.id not in {b.id for b in old_anns}]
        if not old_anns:
            # Nothing was tagged on the old version: nothing to carry over,
            # and nothing to report ("0 kept, 0 moved, …" only alarmed).
            continue
        old_text = store.load_text(old_id)
        from annotations.reanchor import reanchor_document

        report = reanchor_document(old_text, doc.text, old_anns, new_doc_id=doc.id)
        report.old_doc_id = old_id
        present = {ann.id for ann in store.annotations(doc.id)}
        for ann in report.annotations:
            if ann.id not in present:
                store.add(ann)
        kept_orphans = [a for a in orphans(store, doc.id) if a.id not in present]
        listed = {a.id for a in kept_orphans}
        new_orphans = [a for a in report.orphans if a.id not in present and a.id not in listed]
        _save_orphans(store, doc.id, kept_orphans + new_orphans)
        if old_text == doc.text:
            # Not a change: a copy of a text that, in a store made before
            # copies were told apart (`annotations.identity`), shared one
            # document with another file. The copy keeps what it showed
            # then; from now on the two are tagged apart.
            continue
        store.record_reanchoring(doc.id, {"from": old_id, **report.counts()})
        reports[doc.id] = report
    # Last: remember which document each path now holds (this marks the
    # carry-over done; a crash before it repeats it harmlessly).
    paths: dict[str, str] = {}
    for doc in docs:
        key = path_key(doc.meta.path)
        if key is not None:
            paths[key] = doc.id
    store.remember_paths(paths)
    return reports


def superseded_documents(store: Store) -> set[str]:
    """Ids of older versions of articles whose annotations were carried to a newer one."""
    summary = store.reanchoring()
    current = set(store.paths().values())
    return {entry["from"] for entry in summary.values() if entry.get("from")} - current


def reanchoring_counts(store: Store) -> dict[str, int]:
    """Totals over the store: kept/moved/fuzzy/orphaned, and orphans still to place."""
    totals = {"kept": 0, "moved": 0, "fuzzy": 0, "orphaned": 0, "unplaced": 0}
    for doc_id, entry in store.reanchoring().items():
        for name in ("kept", "moved", "fuzzy", "orphaned"):
            totals[name] += int(entry.get(name, 0))
        totals["unplaced"] += len(store.orphans(doc_id))
    return totals


# --------------------------------------------------------------------- orphans


def orphans(store: Store, doc_id: str) -> list[Annotation]:
    """The annotations waiting to be placed on `doc_id` (as they were on the old text)."""
    return store.orphans(doc_id)


def _save_orphans(store: Store, doc_id: str, anns: list[Annotation]) -> None:
    store.set_orphans(doc_id, anns)


def find_orphan(store: Store, doc_id: str, orphan_id: str) -> Annotation | None:
    return next((a for a in orphans(store, doc_id) if a.id == orphan_id), None)


def forget_orphan(store: Store, doc_id: str, orphan_id: str) -> Annotation | None:
    """Take one orphan off the list (it stays in its old document); returns it."""
    anns = orphans(store, doc_id)
    found = next((a for a in anns if a.id == orphan_id), None)
    if found is not None:
        _save_orphans(store, doc_id, [a for a in anns if a.id != orphan_id])
    return found


def list_orphan(store: Store, doc_id: str, orphan: Annotation) -> bool:
    """Put `orphan` (back) on `doc_id`'s list, in text order; False if it is listed."""
    anns = orphans(store, doc_id)
    if any(a.id == orphan.id for a in anns):
        return False
    anns.append(orphan)
    anns.sort(key=lambda a: (a.start, -a.end, a.id))
    _save_orphans(store, doc_id, anns)
    return True


def placed(orphan: Annotation, doc: Document, start: int, end: int, label: str) -> Annotation:
    """The orphan re-made on `doc` at [start, end): same id, author, date and note."""
    fresh = Annotation.tag(doc, start, end, label)
    return fresh.with_changes(
        id=orphan.id,
        annotator=orphan.annotator,
        created=orphan.created,
        note=orphan.note,
        source=orphan.source,
        attrs=orphan.attrs,
        relations=orphan.relations,
        reanchored="placed",
    )
