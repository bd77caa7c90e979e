"""Reading jsonl, prodigy and doccano records into the store.

Each record's text becomes a document (openable later like any stored
document: `Store.load_text` returns it) and its spans become annotations
with `source="imported"` (a native record's own `source` is kept, so a
newsmark export restores as it was). A span whose offsets do not fit the
text (out of bounds, empty, splitting a character, or naming other text
than the record's `text` for the span) is reported with its record and
line number and skipped, never stored.

Attribute values and relations are checked against the project's
configuration (`labels.Config`): a value its label does not declare, a
relation type that is not declared or cannot join the two labels, or a
relation whose end is not a span of the record, is reported with the
record and line and left out (the span itself is kept).

Texts are stored as the reader shows every article: `sanitize`d, so one
newline convention and no terminal control characters. Where that changes
the text (CRLF, a BOM, U+2028), the spans' offsets move with it.
"""

from __future__ import annotations

import os
from bisect import bisect_right
from collections import Counter
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
from annotations.formats.common import ParsedRecord, ParsedSpan, read_json_lines
from annotations.labels import Config
from annotations.model import (
    CONTEXT_CHARS,
    META_KEYS,
    Annotation,
    Document,
    DocumentMeta,
    Relation,
    new_id,
    now_iso,
)
from annotations.store import STATUSES, Store

IMPORTED = "imported"

# New documents stored per batch (`Store.add_documents`): a few syncs each.
BATCH = 500


@dataclass
class ImportReport:
    records: int = 0
    documents: int = 0  # documents new to the store
    spans: int = 0  # annotations stored
    duplicates: int = 0  # spans the store already had
    normalised: int = 0  # records whose text was sanitized (offsets moved)
    links: int = 0  # cross-document links stored (native records' `links`)
    relations: int = 0  # relations between spans stored
    utf16_shifted: int = 0  # doccano records whose UTF-16 offsets differ from code points
    skipped_records: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # spans skipped, by record and line
    # Spans kept whose label the configuration does not declare: label -> count
    # (kept, for a label may be declared later; the reader has no key for it yet).
    undeclared_labels: Counter[str] = field(default_factory=Counter)


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
    # Every key a record's metadata can hold: an export imported again keeps
    # how its text was read (raw, encoding, repair, cleaning) and its record id.
    values = {k: raw.get(k) for k in META_KEYS}
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
    config: Config | None = None,
) -> ImportReport:
    """Import every record of `path`; spans that do not fit are reported, not stored.

    `annotator` is for spans whose record names none; `layer`, if given, is
    every span's annotator (an annotator's file imported as their layer).
    `config` (default: the defaults) declares the relation types and attribute values.
    """
    config = config or Config()
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
    batch = _Batch(store)
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
        doc_id = _store_record(store, parsed, where, annotator, report, batch, config, layer)
        if doc_id is not None and parsed.id:
            doc_ids[parsed.id] = doc_id
        for link in parsed.links:
            links.setdefault(str(link.get("id")), (where, link))
        if len(batch) >= BATCH:
            batch.flush()
    batch.flush()
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


class _Batch:
    """New documents gathered for one `Store.add_documents` (whole or absent after a crash).

    Spans are checked for duplicates here as the store would (same id, or
    same span and label), so the report counts what is stored.
    """

    def __init__(self, store: Store) -> None:
        self.store = store
        self.docs: dict[str, tuple[Document, list[Annotation], list[str]]] = {}
        self.keys: dict[str, set[Any]] = {}

    def __len__(self) -> int:
        return len(self.docs)

    def __contains__(self, doc_id: str) -> bool:
        return doc_id in self.docs

    def add_document(self, doc: Document) -> None:
        self.docs.setdefault(doc.id, (doc, [], ["untouched"]))
        self.keys.setdefault(doc.id, set())

    def add(self, ann: Annotation) -> bool:
        keys = self.keys[ann.doc_id]
        span = (ann.start, ann.end, ann.label, ann.annotator)  # a twin: in one layer
        if ann.id in keys or span in keys:
            return False
        keys.update((ann.id, span))
        self.docs[ann.doc_id][1].append(ann)
        return True

    def set_status(self, doc_id: str, status: str) -> None:
        self.docs[doc_id][2][0] = status

    def flush(self) -> None:
        if self.docs:
            self.store.add_documents(
                [(doc, anns, status[0]) for doc, anns, status in self.docs.values()])
        self.docs.clear()
        self.keys.clear()


def _store_record(
    store: Store, parsed: ParsedRecord, where: str, annotator: str, report: ImportReport,
    batch: _Batch, config: Config, layer: str | None,
) -> str | None:
    """Store one record's document, spans and relations; returns its id (None: skipped).

    A document new to the store joins the batch; spans on a known one are
    added to it (one write for the record's spans).
    """
    text = parsed.text
    try:
        mapping = TextMap(text)
    except ValueError as err:
        report.skipped_records.append(f"{where}: {err}")
        return None
    if mapping.changed:
        report.normalised += 1
    doc = Document(text=mapping.clean, meta=_meta(parsed.meta))
    known = doc.id not in batch and store.document_record(doc.id) is not None
    if known:
        store.register(doc)  # its path and metadata, as the record says
    elif doc.id not in batch:
        report.documents += 1
        batch.add_document(doc)
    anns: list[Annotation] = []
    by_key: dict[str, int] = {}  # what the record's relations call a span -> index
    clean = mapping.clean
    # Made here, not by `Annotation.tag` per span: one clock read and one
    # draw of random ids per record (a fifth of an import's time, per span).
    created = now_iso()
    random_ids = os.urandom(6 * len(parsed.spans)).hex()
    for i, span in enumerate(parsed.spans, start=1):
        problem = _check_span(text, span.start, span.end, span.label, span.text)
        if problem is None:
            start, end = mapping.map(span.start, False), mapping.map(span.end, True)
            if start >= end:
                problem = "is empty once newlines are normalised"
        if problem is not None:
            report.problems.append(f"{where}, span {i} [{span.start}, {span.end}): {problem}")
            continue
        own_id = span.id and (layer is None or layer == span.annotator)
        # (A span put in another annotator's layer is a new span: the
        # record's own, in its layer, may be in the store already.)
        try:
            ann = Annotation(
                doc_id=doc.id, start=start, end=end, label=span.label, text=clean[start:end],
                annotator=layer if layer is not None else (
                    span.annotator if span.annotator is not None else annotator),
                created=span.created or created,
                id=span.id if own_id else random_ids[12 * (i - 1): 12 * i],
                note=span.note,
                source=span.source or IMPORTED,
                prefix=clean[max(0, start - CONTEXT_CHARS): start],
                suffix=clean[end: end + CONTEXT_CHARS],
                reanchored=span.reanchored,
                attrs=_declared_attrs(span, config, f"{where}, span {i}", report),
                fragments=tuple((mapping.map(a, False), mapping.map(b, True))
                                for a, b in span.fragments),
            )
        except ValueError as err:  # fragments that do not fit the span
            report.problems.append(f"{where}, span {i} [{span.start}, {span.end}): {err}")
            continue
        key = span.key or span.id
        if key is not None:
            by_key.setdefault(key, len(anns))
        anns.append(ann)
        if config.label(ann.label) is None:
            report.undeclared_labels[ann.label] += 1
    _attach_relations(parsed, anns, by_key, config, where, report)
    if known:
        present = {a.id for a in store.annotations(doc.id)}
        added = store.add_many(anns)
        report.spans += added
        report.duplicates += len(anns) - added
        report.relations += sum(len(a.relations) for a in anns if a.id not in present)
    else:
        for ann in anns:
            if batch.add(ann):
                report.spans += 1
                report.relations += len(ann.relations)
            else:
                report.duplicates += 1
    if parsed.status in STATUSES and parsed.status != "untouched":
        if known:
            store.set_status(doc.id, parsed.status)
        else:
            batch.set_status(doc.id, parsed.status)
    return doc.id


def _declared_attrs(span: ParsedSpan, config: Config, where: str,
                    report: ImportReport) -> dict[str, str]:
    kept = {}
    for name, value in span.attrs.items():
        problem = config.attribute_problem(span.label, name, value)
        if problem is None:
            kept[name] = value
        else:
            report.problems.append(f"{where}: {problem}")
    return kept


def _attach_relations(parsed: ParsedRecord, made: list[Annotation], by_key: dict[str, int],
                      config: Config, where: str, report: ImportReport) -> None:
    """Put each of the record's relations on its head span (`made` is changed in place)."""
    for number, rel in enumerate(parsed.relations, start=1):
        named = f"{where}, relation {rel.id or number}"
        head_i, tail_i = by_key.get(rel.head), by_key.get(rel.tail)
        if head_i is None or tail_i is None:
            missing = rel.head if head_i is None else rel.tail
            report.problems.append(f"{named} ({rel.type}): span {missing!r} is not among "
                                   "the record's stored spans")
            continue
        head, tail = made[head_i], made[tail_i]
        problem = config.relation_problem(rel.type, head.label, tail.label)
        if problem is None and head_i == tail_i:
            problem = "joins a span to itself"
        if problem is not None:
            report.problems.append(f"{named}: {problem}")
            continue
        relation = Relation(id=rel.id or new_id(), type=rel.type, tail=tail.id)
        made[head_i] = head.with_changes(relations=(*head.relations, relation))


def _check_span(text: str, start: int, end: int, label: str, stated: str | None) -> str | None:
    if not 0 <= start < end <= len(text):
        return f"is outside the text (0-{len(text)}) or empty"
    if not label or (not label.isalnum() and any(c.isspace() for c in label)):
        return f"bad label {label!r}"
    if stated is not None and text[start:end] != stated:
        return f"names {text[start:end]!r}, but the record says {stated!r}"
    return None
