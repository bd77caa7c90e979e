"""Reading jsonl, prodigy and doccano records into the store.

Each record's text becomes a document (openable later like any stored
document: `Store.load_text` returns it) and its spans become annotations
with `source="imported"` (a native record's own `source` is kept, so a
newsmark export restores as it was). A span whose offsets do not fit the
text (out of bounds, empty, splitting a character, or naming other text
than the record's `text` for the span) is reported with its record and
line number and skipped, never stored.

Texts are stored as the reader shows every article: `sanitize`d, so one
newline convention and no terminal control characters. Where that changes
the text (CRLF, a BOM, U+2028), the spans' offsets move with it.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from annotations.cleaning import _BOM, _NEWLINES, sanitize
from annotations.formats import (
    DOCCANO_OFFSETS,
    IMPORT_FORMATS,
    FormatError,
    doccano,
    native,
    prodigy,
)
from annotations.formats.common import ParsedRecord, read_json_lines
from annotations.model import Annotation, Document, DocumentMeta
from annotations.store import STATUSES, Store

IMPORTED = "imported"


@dataclass
class ImportReport:
    records: int = 0
    documents: int = 0  # documents new to the store
    spans: int = 0  # annotations stored
    duplicates: int = 0  # spans the store already had
    normalised: int = 0  # records whose text was sanitized (offsets moved)
    links: int = 0  # cross-document links stored (native records' `links`)
    utf16_shifted: int = 0  # doccano records whose UTF-16 offsets differ from code points
    skipped_records: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # spans skipped, by record and line


class TextMap:
    """Offsets in a text -> offsets in `sanitize(text)`."""

    def __init__(self, text: str) -> None:
        self.clean = sanitize(text)
        self._starts: list[int] = []
        self._ends: list[int] = []
        self._new_starts: list[int] = []
        self._new_lens: list[int] = []
        self._after: list[int] = []  # delta (removed characters) after each change
        delta = 0
        changes = [(0, 1, 0)] if text.startswith(_BOM) else []
        offset = len(_BOM) if changes else 0
        changes += [(m.start(), m.end(), 1) for m in _NEWLINES.finditer(text, offset)]
        for start, end, new_len in changes:
            self._starts.append(start)
            self._ends.append(end)
            self._new_starts.append(start - delta)
            self._new_lens.append(new_len)
            delta += (end - start) - new_len
            self._after.append(delta)
        if len(self.clean) != len(text) - delta:
            raise ValueError("the text cannot be normalised (newline rules changed?)")
        self.changed = self.clean != text

    def map(self, offset: int, is_end: bool) -> int:
        k = bisect_right(self._starts, offset) - 1
        if k < 0:
            return offset
        if offset >= self._ends[k]:
            return offset - self._after[k]
        if offset == self._starts[k]:
            return self._new_starts[k]
        return self._new_starts[k] + (self._new_lens[k] if is_end else 0)


def _parser(fmt: str, doccano_offsets: str) -> Callable[[Any], ParsedRecord]:
    if fmt == "jsonl":
        return native.parse
    if fmt == "prodigy":
        return prodigy.parse
    if fmt == "doccano":
        return lambda obj: doccano.parse(obj, doccano_offsets)
    raise FormatError(f"cannot import {fmt!r}; import takes {', '.join(IMPORT_FORMATS)}")


def _meta(raw: dict[str, Any]) -> DocumentMeta:
    values = {k: raw.get(k) for k in ("path", "title", "source", "date")}
    return DocumentMeta(**{k: None if v is None else str(v) for k, v in values.items()})


def import_file(
    store: Store,
    path: Path,
    fmt: str,
    *,
    annotator: str = "",
    layer: str | None = None,
    doccano_offsets: str = "utf16",
    progress: Callable[[], None] | None = None,
) -> ImportReport:
    """Import every record of `path`; spans that do not fit are reported, not stored.

    `annotator` is for spans whose record names none; `layer`, if given, is
    every span's annotator (an annotator's file imported as their layer).
    """
    if doccano_offsets not in DOCCANO_OFFSETS:
        raise FormatError(f"unknown doccano offsets {doccano_offsets!r}")
    parse = _parser(fmt, doccano_offsets)
    store.check_writable()
    report = ImportReport()
    # Native records carry their document's links; they are stored once every
    # record is in, when both ends exist. Record ids map to the stored ids
    # (which differ when the text was normalised).
    doc_ids: dict[str, str] = {}
    links: dict[str, tuple[str, dict[str, Any]]] = {}
    for number, obj in read_json_lines(path):
        report.records += 1
        where = f"record {report.records} (line {number})"
        if progress is not None:
            progress()
        try:
            parsed = parse(obj)
        except ValueError as err:
            report.skipped_records.append(f"{where}: {err}")
            continue
        if parsed.skip:
            report.skipped_records.append(f"{where}: {parsed.skip}")
            continue
        report.problems.extend(f"{where}, {p}" for p in parsed.problems)
        report.utf16_shifted += parsed.utf16_shifted
        doc_id = _store_record(store, parsed, where, annotator, layer, report)
        if doc_id is not None and parsed.id:
            doc_ids[parsed.id] = doc_id
        for link in parsed.links:
            links.setdefault(str(link.get("id")), (where, link))
    if links:
        _store_links(store, links.values(), doc_ids, report)
    return report


def _store_links(
    store: Store,
    links: Iterable[tuple[str, dict[str, Any]]],
    doc_ids: dict[str, str],
    report: ImportReport,
) -> None:
    from annotations.links import Link, LinkStore

    present: dict[str, set[str]] = {}

    def exists(doc_id: str, ann_id: str) -> bool:
        if doc_id not in present:
            known = store.document_record(doc_id) is not None
            present[doc_id] = {a.id for a in store.annotations(doc_id)} if known else set()
        return ann_id in present[doc_id]

    with LinkStore(store) as link_store:
        for where, raw in links:
            try:
                a_doc = doc_ids.get(raw.get("a_doc"), raw.get("a_doc"))
                b_doc = doc_ids.get(raw.get("b_doc"), raw.get("b_doc"))
                fields = {"a_doc": a_doc, "a_ann": raw.get("a_span"), "b_doc": b_doc,
                          "b_ann": raw.get("b_span"), "relation": raw.get("relation"),
                          "annotator": raw.get("annotator", ""), "id": raw.get("id")}
                if raw.get("created") is not None:
                    fields["created"] = raw["created"]
                if not all(isinstance(v, str) for v in fields.values()):
                    raise ValueError("a field is missing or not a string")
                link = Link(**fields)  # type: ignore[arg-type]
            except (TypeError, ValueError) as err:
                report.problems.append(f"{where}, link {raw.get('id')!r}: {err}")
                continue
            if not (exists(link.a_doc, link.a_ann) and exists(link.b_doc, link.b_ann)):
                report.problems.append(
                    f"{where}, link {link.id}: a span it joins is not in the store"
                )
                continue
            if link_store.add(link):
                report.links += 1


def _store_record(
    store: Store, parsed: ParsedRecord, where: str, annotator: str, layer: str | None,
    report: ImportReport,
) -> str | None:
    """Store one record's document and spans; returns the document's id (None: skipped)."""
    text = parsed.text
    try:
        mapping = TextMap(text)
    except ValueError as err:
        report.skipped_records.append(f"{where}: {err}")
        return None
    if mapping.changed:
        report.normalised += 1
    doc = Document(text=mapping.clean, meta=_meta(parsed.meta))
    if store.document_record(doc.id) is None:
        report.documents += 1
    store.register(doc)
    for i, span in enumerate(parsed.spans, start=1):
        problem = _check_span(text, span.start, span.end, span.label, span.text)
        if problem is None:
            start, end = mapping.map(span.start, False), mapping.map(span.end, True)
            if start >= end:
                problem = "is empty once newlines are normalised"
        if problem is not None:
            report.problems.append(f"{where}, span {i} [{span.start}, {span.end}): {problem}")
            continue
        ann = Annotation.tag(
            doc, start, end, span.label,
            annotator=layer if layer is not None else (
                span.annotator if span.annotator is not None else annotator),
            source=span.source or IMPORTED,
            note=span.note,
        )
        changes: dict[str, Any] = {}
        if span.id and (layer is None or layer == span.annotator):
            # (A span put in another annotator's layer is a new span: the
            # record's own, in its layer, may be in the store already.)
            changes["id"] = span.id
        if span.created:
            changes["created"] = span.created
        if span.reanchored:
            changes["reanchored"] = span.reanchored
        if span.fragments:
            changes["fragments"] = tuple(
                (mapping.map(a, False), mapping.map(b, True)) for a, b in span.fragments)
        if changes:
            try:
                ann = ann.with_changes(**changes)
            except ValueError as err:  # fragments that do not fit the span
                report.problems.append(f"{where}, span {i} [{span.start}, {span.end}): {err}")
                continue
        if store.add(ann):
            report.spans += 1
        else:
            report.duplicates += 1
    if parsed.status in STATUSES and parsed.status != "untouched":
        store.set_status(doc.id, parsed.status)
    return doc.id


def _check_span(text: str, start: int, end: int, label: str, stated: str | None) -> str | None:
    if not 0 <= start < end <= len(text):
        return f"is outside the text (0-{len(text)}) or empty"
    if not label or any(c.isspace() for c in label):
        return f"bad label {label!r}"
    if stated is not None and text[start:end] != stated:
        return f"names {text[start:end]!r}, but the record says {stated!r}"
    return None
