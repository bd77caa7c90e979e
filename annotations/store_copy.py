"""Copying a whole store into another: a folder and PostgreSQL, either way round.

Everything a store holds is copied: documents (text and metadata, in
registration order), annotations of every layer (notes, sources and ids
kept), links, statuses, segmentations, session state (orphans, where
changed articles were re-anchored) and the undo history. So `export` of the
copy writes the same bytes as `export` of the original (a test checks it).

The target must hold no document yet: a copy never merges into, nor
overwrites, someone's work. Annotations go in with `add_many`, one
transaction (PostgreSQL) or one write per document (folder).
A PostgreSQL store's statuses, state and history are those of the role
(or `annotator`) the copy connects as.
"""

from __future__ import annotations

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


def copy_store(source: StoreSpec, target: StoreSpec) -> CopyReport:
    """Copy the store `source` into the empty store `target`."""
    if describe(source) == describe(target):
        raise StoreError(f"{describe(source)} is both the source and the target of the copy")
    with open_store(source, read_only=True, existing=True) as src, open_store(target) as dst:
        if dst.documents():
            raise StoreError(f"the store {describe(target)} already holds documents; copy "
                             "into an empty store (nothing was copied)")
        return _copy(src, dst)


def _copy(src: Any, dst: Any) -> CopyReport:
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
    while batch := list(islice(annotations, BATCH)):
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

    # The undo history, step by step in order, then where it stood.
    steps, position = src.history()
    for seq in sorted(steps):
        dst.record_step(steps[seq], HISTORY_LIMIT)
    if steps:
        dst.move_history(position)
    return report
