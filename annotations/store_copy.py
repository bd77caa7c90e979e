"""Copying a whole store into another: a folder and PostgreSQL, either way round.

Everything a store holds is copied: documents (text and metadata, in
registration order), annotations of every layer (notes, sources and ids
kept), links, statuses, segmentations, session state (orphans, where
changed articles were re-anchored) and the undo history. So `export` of the
copy writes the same bytes as `export` of the original (a test checks it).

The target must hold no document yet: a copy never merges into, nor
overwrites, someone's work. Annotations go in with `add_many`, one
transaction (PostgreSQL) or one write per document (folder).
Each annotator's own progress, panes and undo history go to the same
annotator in the copy (`_copy_annotators`): every annotator with a layer
or a status in the source. What belongs to no one in particular (a folder
store's own history and statuses, opened without an annotator; on
PostgreSQL, the connecting role's) is copied as the target's own. Orphans,
rejected suggestions and re-anchoring are copied as the source gives them
without an annotator (a folder store keeps them for all).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import islice
from typing import Any

from annotations.engines import StoreSpec, describe, open_store
from annotations.errors import StoreError
from annotations.model import Document, DocumentMeta

HISTORY_LIMIT = 1_000_000  # keep every step the source kept (its own limit applied already)
BATCH = 20_000  # annotations per add_many: memory stays flat on a big store


@dataclass
class CopyReport:
    documents: int = 0
    annotations: int = 0
    links: int = 0
    statuses: int = 0
    segmentations: int = 0
    state: int = 0
    annotators: int = 0  # whose own statuses, panes or undo history were copied


def copy_store(source: StoreSpec, target: StoreSpec) -> CopyReport:
    """Copy the store `source` into the empty store `target`."""
    if describe(source) == describe(target):
        raise StoreError(f"{describe(source)} is both the source and the target of the copy")
    with open_store(source, read_only=True, existing=True) as src, open_store(target) as dst:
        if dst.documents():
            raise StoreError(f"the store {describe(target)} already holds documents; copy "
                             "into an empty store (nothing was copied)")
        return _copy(src, dst, _Opener(source, target))


@dataclass(frozen=True)
class _Opener:
    """The source (read-only) and the target of a copy, opened as one annotator."""

    source: StoreSpec
    target: StoreSpec

    @contextmanager
    def as_annotator(self, name: str) -> Iterator[tuple[Any, Any]]:
        with open_store(self.source, read_only=True, existing=True, annotator=name) as src, \
                open_store(self.target, annotator=name) as dst:
            yield src, dst


def _copy(src: Any, dst: Any, opener: _Opener) -> CopyReport:
    report = CopyReport()
    records = src.documents()
    docs = []
    for record in records:
        text = src.load_text(record["id"])
        if text is None:
            raise StoreError(f"document {record['id']} of {src.location} has no text; "
                             "nothing was copied")
        docs.append(Document(text, DocumentMeta.from_dict(record.get("meta") or {}),
                             id=record["id"]))
    dst.register_many(docs)
    report.documents = len(docs)

    annotations = src.all_annotations()
    layers: set[str] = set()
    while batch := list(islice(annotations, BATCH)):
        layers.update(ann.annotator for ann in batch)
        added = dst.add_many(batch)
        if added < len(batch):
            # The folder store's add_many skips a span another layer holds too;
            # restore skips only what is there already (the same id).
            added = sum(dst.restore(ann) for ann in batch) + added
        report.annotations += added

    # Segmentations as kept (the tokens spans were snapped to), and each
    # document's status as the original has it (tagging moved the copy's on).
    segmentations = {}
    for doc in docs:
        seg = src.load_segmentation(doc.id, doc.text)
        if seg is not None:
            segmentations[doc.id] = seg
    statuses = {r["id"]: r.get("status") or "untouched" for r in records}
    report.statuses = sum(status != "untouched" for status in statuses.values())
    keep_copied = getattr(dst, "keep_copied", None)
    if keep_copied is not None:  # one transaction for all (PostgreSQL)
        report.segmentations = keep_copied(segmentations, statuses)
    else:
        for doc_id, seg in segmentations.items():
            report.segmentations += bool(dst.save_segmentation(doc_id, seg))
        now = {r["id"]: r["status"] for r in dst.documents()}
        for doc_id, status in statuses.items():
            if now.get(doc_id) != status:
                dst.set_status(doc_id, status)

    # Session state, field by field (the protocol's): what re-anchoring and
    # the reader remember; orphans are user data.
    dst.set_panes(src.panes())
    paths = src.paths()
    if paths:
        dst.remember_paths(paths)
    for doc_id, entry in src.reanchoring().items():
        dst.record_reanchoring(doc_id, entry)
    for doc in docs:
        orphans = src.orphans(doc.id)
        if orphans:
            dst.set_orphans(doc.id, orphans)
        rejected = src.rejected(doc.id)
        if rejected:
            dst.set_rejected(doc.id, rejected)
        report.state += bool(orphans) + bool(rejected)
    report.state += bool(paths) + len(src.reanchoring())

    for link in src.links():
        if dst.restore_link(link):
            report.links += 1

    # Before the target's own history is written: a folder store opened for
    # a named annotator adopts the store's history if it has none of its own.
    report.annotators, copied = _copy_annotators(src, layers, opener)
    report.statuses += copied
    _copy_history(src, dst)
    return report


def _copy_history(src: Any, dst: Any) -> None:
    """The undo history, step by step in order, then where it stood."""
    steps, position = src.history()
    for seq in sorted(steps):
        dst.record_step(steps[seq], HISTORY_LIMIT)
    if steps:
        dst.move_history(position)


def _statuses_of(store: Any) -> dict[str, dict[str, str]]:
    """{annotator: {doc id: status}}: each annotator's own progress."""
    team = getattr(store, "team_statuses", None)  # PostgreSQL: doc id -> {annotator: status}
    if team is not None:
        out: dict[str, dict[str, str]] = {}
        for doc_id, each in team().items():
            for name, status in each.items():
                out.setdefault(name, {})[doc_id] = status
        return out
    per_annotator = getattr(store, "annotator_statuses", None)
    return per_annotator() if per_annotator is not None else {}


def _copy_annotators(src: Any, layers: set[str], opener: _Opener) -> tuple[int, int]:
    """Each annotator's statuses, panes and undo history, under their own name.

    Returns how many annotators had any, and how many statuses were copied.
    The source's own annotator (a PostgreSQL store's connecting role) was
    copied as the target's own already.
    """
    statuses = _statuses_of(src)
    own = getattr(src, "annotator", None)
    annotators = copied = 0
    for name in sorted((layers | set(statuses)) - {own, ""}):
        theirs = {doc_id: status for doc_id, status in statuses.get(name, {}).items()
                  if status != "untouched"}
        with opener.as_annotator(name) as (source, target):
            steps, _position = source.history()
            panes = source.panes()
            if not (theirs or steps or panes):
                continue
            annotators += 1
            for doc_id, status in theirs.items():
                if hasattr(target, "set_annotator_status"):  # a folder store keeps them so
                    target.set_annotator_status(name, doc_id, status)
                else:  # PostgreSQL: the target opened as `name` sets its own
                    target.set_status(doc_id, status)
                copied += 1
            if panes:
                target.set_panes(panes)
            _copy_history(source, target)
    return annotators, copied
