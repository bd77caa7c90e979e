"""Native JSONL export: one record per annotated document, streamed.

Offsets are code points into `text`, end exclusive, and
`text[start:end] == span["text"]` holds for every span: a span whose
stored text no longer matches the document is an error, never exported.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, TextIO

from annotations.errors import StoreError
from annotations.model import Annotation
from annotations.store import Store

SPAN_FIELDS = ("id", "start", "end", "label", "text", "annotator", "created")


def span_record(ann: Annotation) -> dict[str, Any]:
    record = {name: getattr(ann, name) for name in SPAN_FIELDS}
    if ann.note:
        record["note"] = ann.note
    if ann.source != "manual":
        record["source"] = ann.source
    if ann.reanchored:  # "moved", "fuzzy" or "placed" after its article changed
        record["reanchored"] = ann.reanchored
    return record


def document_records(store: Store) -> Iterator[dict[str, Any]]:
    """Yield one export record per document that has annotations."""
    for doc in store.documents():
        spans = store.annotations(doc["id"])
        if not spans:
            continue
        text = store.load_text(doc["id"])
        if text is None:
            raise StoreError(f"document {doc['id']} has annotations but no stored text")
        for ann in spans:
            if text[ann.start : ann.end] != ann.text:
                raise StoreError(
                    f"annotation {ann.id} in {doc['id']} does not match its text; "
                    "run `newsmark stats` to see re-anchoring results"
                )
        meta = dict(doc.get("meta") or {})
        meta.setdefault("path", doc.get("path"))
        yield {
            "id": doc["id"],
            "text": text,
            "meta": meta,
            "spans": [span_record(ann) for ann in spans],
        }


def write_jsonl(records: Iterator[dict[str, Any]], out: TextIO) -> int:
    """Write records one per line; returns how many were written."""
    count = 0
    for record in records:
        out.write(json.dumps(record, ensure_ascii=False))
        out.write("\n")
        count += 1
    return count


@dataclass
class Stats:
    documents: int = 0
    annotated: int = 0
    per_label: Counter[str] = field(default_factory=Counter)
    per_document: list[tuple[str, str, Counter[str]]] = field(default_factory=list)
    # kept/moved/fuzzy/orphaned over every changed article, and "unplaced":
    # orphans still waiting for a person (see `annotations.anchoring`).
    reanchoring: dict[str, int] = field(default_factory=dict)


def collect_stats(store: Store) -> Stats:
    from annotations.anchoring import reanchoring_counts, superseded_documents

    stats = Stats(reanchoring=reanchoring_counts(store))
    # Older versions of changed articles: their annotations live on in the
    # current version, so counting them too would count them twice.
    superseded = superseded_documents(store)
    for doc in store.documents():
        if doc["id"] in superseded:
            continue
        stats.documents += 1
        counts = Counter(ann.label for ann in store.annotations(doc["id"]))
        if counts:
            stats.annotated += 1
            stats.per_label.update(counts)
        name = (doc.get("meta") or {}).get("title") or doc.get("path") or doc["id"]
        stats.per_document.append((doc["id"], name, counts))
    return stats
