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
from annotations.links import LinkStore
from annotations.model import Document, DocumentMeta

HISTORY = "history"
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
            raise StoreError(f"document {record['id']} of {src.root} has no text; "
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

    for record, doc in zip(records, docs):
        seg = src.load_segmentation(doc.id, doc.text)
        if seg is not None and dst.save_segmentation(doc.id, seg):
            report.segmentations += 1
        status = record.get("status") or "untouched"
        # Tagging moved the copy's status along; set it to the original's.
        if (dst.document_record(doc.id) or {}).get("status") != status:
            dst.set_status(doc.id, status)
        if status != "untouched":
            report.statuses += 1

    for key, value in src.state_items():
        dst.set_state(key, value)
        report.state += 1

    with LinkStore(src) as src_links, LinkStore(dst) as dst_links:
        for link in src_links.all():
            if dst_links.restore(link):
                report.links += 1

    history = src.journal(HISTORY)
    try:
        tables, changes = history.read()
    finally:
        history.close()
    if tables or changes:
        copied = dst.journal(HISTORY)
        try:
            copied.read()  # its generation, which compact moves on from
            # The snapshot keeps its tables; its own generation is the target's business.
            copied.compact({k: v for k, v in tables.items() if k != "journal"})
            if changes:
                copied.append(*changes)
        finally:
            copied.close()
    return report


