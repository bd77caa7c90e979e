"""One document's export: the options of an export, and the lines a document becomes.

Shared by `annotations.export` (one process) and `annotations.export_workers`
(a worker process per core), which both format documents with
`document_lines`: here, so neither imports the other.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from annotations.formats import (
    DOCCANO_OFFSETS,
    EXPORT_FORMATS,
    NEEDS_OUT,
    SENTENCE_FORMATS,
    FormatError,
    doccano,
    native,
    prodigy,
)
from annotations.formats.records import Counts, Filters, RecordView, document_view, sentence_views
from annotations.store import Store


@dataclass(frozen=True)
class ExportOptions:
    format: str = "jsonl"
    unit: str = "document"  # or "sentence"
    filters: Filters = field(default_factory=Filters)
    doccano_offsets: str = "utf16"
    # Worker processes for JSON-lines formats: 0 picks (one per core, for
    # a store of many documents), 1 formats everything in this process.
    jobs: int = 0

    def check(self, out_path: Path | None) -> None:
        if self.format not in EXPORT_FORMATS:
            raise FormatError(f"unknown format {self.format!r}; choose one of {EXPORT_FORMATS}")
        if self.unit not in ("document", "sentence"):
            raise FormatError(f"unknown unit {self.unit!r}; choose document or sentence")
        if self.unit == "sentence" and self.format not in SENTENCE_FORMATS:
            raise FormatError(
                f"--unit sentence works with {', '.join(SENTENCE_FORMATS)}, not {self.format}"
            )
        if self.doccano_offsets not in DOCCANO_OFFSETS:
            raise FormatError(f"unknown doccano offsets {self.doccano_offsets!r}")
        if self.jobs < 0:
            raise FormatError(f"--jobs must be 0 (one per core) or more, not {self.jobs}")
        if self.format in NEEDS_OUT and out_path is None:
            what = "a folder" if self.format == "brat" else "a file"
            raise FormatError(f"the {self.format} format needs --out ({what} to write)")


def document_units(doc: RecordView, options: ExportOptions, counts: Counts) -> Iterator[RecordView]:
    """What one document's view is exported as: itself, or its sentences."""
    counts.documents += 1
    units = sentence_views(doc, counts) if options.unit == "sentence" else iter([doc])
    for view in units:
        counts.spans += len(view.spans)
        counts.misaligned += sum(1 for s in view.spans if not s.aligned)
        yield view


def document_lines(
    store: Store,
    record: dict[str, Any],
    options: ExportOptions,
    links: dict[str, list[dict[str, Any]]],
    counts: Counts,
) -> list[str]:
    """The JSON lines of one document record (none if it has no kept span)."""
    found = document_view(store, record, options.filters, warn=counts.warnings.append)
    if found is None:
        return []
    lines = []
    for view in document_units(found[0], options, counts):
        counts.records += 1
        if options.format == "jsonl":
            lines.append(native.line(view, links.get(view.doc_id)))
        else:
            lines.append(json.dumps(json_record(view, options, links), ensure_ascii=False))
    return lines


def json_record(
    view: RecordView, options: ExportOptions, links: dict[str, list[dict[str, Any]]]
) -> dict[str, Any]:
    if options.format == "jsonl":
        record = native.record(view)
        if view.doc_id in links:
            record["links"] = links[view.doc_id]
        return record
    if options.format == "prodigy":
        return prodigy.record(view)
    if options.format == "doccano":
        return doccano.record(view, options.doccano_offsets)
    raise FormatError(f"{options.format} is not a JSON-lines format")
