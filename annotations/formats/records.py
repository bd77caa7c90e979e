"""What every format exports: per-document or per-sentence views of the store.

A `RecordView` is one unit of export (a document, or one sentence of it)
with its text, tokens, sentences and spans, every offset relative to that
text in code points, and each span's token alignment:

- `token_start`/`token_end` are the first and last tokens the span touches
  (inclusive end, as Prodigy counts them);
- `aligned` says whether the span starts and ends exactly on those tokens'
  bounds. Snapped spans always do; a character-exact span (snapping off)
  may not, and is exported as tagged, never moved.

Tokens and sentences are the ones the store kept for the document when
the reader first segmented it (`Store.load_segmentation`): the tokens its
spans were snapped to, the same in every export. A document the reader
never segmented (an older store, an import) is segmented by
`Segmenter.default()`: seed abbreviations only, no training and no NLTK
data, so its tokens are the same on every machine and in every export,
and round trips are stable.

Views are built one document at a time (`Store.documents()`, then that
document's annotation rows and text), so an export never holds the corpus.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from annotations.anchoring import superseded_documents
from annotations.errors import StoreError
from annotations.formats.offsets import OffsetTable
from annotations.model import Annotation, AnnotationRow
from annotations.segmentation import Segmentation, Segmenter, SpanArray
from annotations.store import Store

Span = tuple[int, int]


# Not frozen: a frozen dataclass sets each field through object.__setattr__,
# which made building the views a fifth of an export (one per span).
@dataclass(slots=True)
class SpanView:
    """One exported span: offsets relative to its record's text (not changed once made)."""

    start: int
    end: int
    label: str
    text: str
    token_start: int | None
    token_end: int | None
    aligned: bool
    ann: Annotation | AnnotationRow  # rows when read from the store for export
    clipped: bool = False


@dataclass(slots=True)
class RecordView:
    """One exported record (a document, or one sentence of it)."""

    id: str
    text: str
    meta: dict[str, Any]
    status: str
    tokens: Sequence[Span]  # a SpanArray for a document, a list for a sentence
    sentences: Sequence[Span]  # a SpanArray for a document, a list for a sentence
    spans: list[SpanView]
    doc_id: str
    sentence: int | None = None  # index in the document, for --unit sentence
    offset: int = 0  # where `text` starts in the document's text
    _offsets: OffsetTable | None = field(default=None, repr=False)

    @property
    def offsets(self) -> OffsetTable:
        if self._offsets is None:
            self._offsets = OffsetTable(self.text)
        return self._offsets


@dataclass(frozen=True, slots=True)
class Filters:
    labels: frozenset[str] = frozenset()
    annotators: frozenset[str] = frozenset()
    done_only: bool = False

    def keep(self, ann: Annotation | AnnotationRow) -> bool:
        if self.labels and ann.label not in self.labels:
            return False
        return not (self.annotators and ann.annotator not in self.annotators)


@dataclass(slots=True)
class Counts:
    """What an export did, for the closing message."""

    documents: int = 0
    records: int = 0
    spans: int = 0
    misaligned: int = 0
    clipped: int = 0  # spans crossing a sentence end (--unit sentence)
    dropped: int = 0  # spans a format could not express (CoNLL overlaps)
    links: int = 0  # cross-document links between exported spans
    links_path: str | None = None  # where they went, when not in the records
    relations: int = 0  # relations between exported spans of one record
    warnings: list[str] = field(default_factory=list)

    def add(self, other: Counts) -> None:
        """Count in what another part of the same export did (a worker's documents)."""
        for name in ("documents", "records", "spans", "misaligned", "clipped", "dropped",
                     "relations"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.warnings.extend(other.warnings)


@dataclass(frozen=True, slots=True)
class RelationView:
    """One exported relation: its id and type, and its ends as indices into `RecordView.spans`."""

    id: str
    type: str
    head: int
    tail: int


def relation_views(view: RecordView) -> list[RelationView]:
    """The relations among `view`'s spans, in span order then stored order.

    A relation whose tail is not in the record (an orphan waiting to be
    placed, a span filtered out, another sentence) is left out.
    """
    index = {span.ann.id: i for i, span in enumerate(view.spans)}
    out: list[RelationView] = []
    for i, span in enumerate(view.spans):
        for rel in span.ann.relations or ():
            # Rows read for export hold them as stored dicts; annotations as `Relation`s.
            if isinstance(rel, dict):
                rel_id, rel_type, tail = rel.get("id"), rel.get("type"), rel.get("tail")
            else:
                rel_id, rel_type, tail = rel.id, rel.type, rel.tail
            j = index.get(tail) if isinstance(tail, str) else None
            if j is not None and isinstance(rel_id, str) and isinstance(rel_type, str):
                out.append(RelationView(rel_id, rel_type, i, j))
    return out


def token_range(starts: list[int], ends: list[int], start: int, end: int) -> tuple[
    int | None, int | None, bool
]:
    """Tokens touched by ``[start, end)`` and whether the span sits on their bounds."""
    first = bisect_right(ends, start)  # first token ending after start
    last = bisect_left(starts, end) - 1  # last token starting before end
    if first > last:
        return None, None, False
    return first, last, starts[first] == start and ends[last] == end


def _span_views(
    anns: Iterable[Annotation | AnnotationRow],
    tokens: Sequence[Span],
    base: int = 0,
    limit: int | None = None,
) -> list[SpanView]:
    if isinstance(tokens, SpanArray):
        starts: Sequence[int] = tokens.starts
        ends: Sequence[int] = tokens.ends
    else:
        starts = [s for s, _ in tokens]
        ends = [e for _, e in tokens]
    views: list[SpanView] = []
    append = views.append
    for ann in anns:
        start, end = ann.start - base, ann.end - base
        text = ann.text
        if start < 0 or (limit is not None and end > limit):
            cut = max(start, 0)
            end = end if limit is None else min(end, limit)
            text = text[cut - start : end - start]
            start, clipped = cut, True
        else:
            clipped = False
        # token_range, inline: this runs once per exported span.
        first = bisect_right(ends, start)
        last = bisect_left(starts, end) - 1
        if first > last:
            append(SpanView(start, end, ann.label, text, None, None, False, ann, clipped))
        else:
            aligned = starts[first] == start and ends[last] == end
            append(SpanView(start, end, ann.label, text, first, last, aligned, ann, clipped))
    return views


def document_meta(record: dict[str, Any]) -> dict[str, Any]:
    meta = dict(record.get("meta") or {})
    if meta.get("path") is None:
        meta["path"] = record.get("path")
    return meta


def iter_documents(
    store: Store,
    filters: Filters = Filters(),  # noqa: B008 - frozen, never mutated
    segmenter: Segmenter | None = None,
    progress: Callable[[], None] | None = None,
    warn: Callable[[str], None] | None = None,
) -> Iterator[tuple[RecordView, Segmentation]]:
    """One view per document with at least one (kept) span, in registration order.

    `segmenter` (default: `Segmenter.default()`, made only if needed)
    segments documents the store has no segmentation of; `warn` hears of
    stored segmentations that were damaged and segmented again.
    """
    for record in exported_records(store, filters, progress):
        found = document_view(store, record, filters, segmenter, warn)
        if found is not None:
            yield found


def exported_records(
    store: Store,
    filters: Filters = Filters(),  # noqa: B008 - frozen, never mutated
    progress: Callable[[], None] | None = None,
) -> Iterator[dict[str, Any]]:
    """The document records an export looks at, in registration order (no file read).

    Each record's status is the exported layer's (`status_reader`)."""
    superseded = _superseded(store)
    status = status_reader(store, filters)
    for record in store.documents():
        if record["id"] in superseded:
            continue  # an older version of a changed article: its spans moved on
        if progress is not None:
            progress()
        record = {**record, "status": status(record)}
        if filters.done_only and record["status"] != "done":
            continue
        yield record


def status_reader(store: Store, filters: Filters) -> Callable[[dict[str, Any]], str]:
    """How an export reads a document record's status.

    Exporting one annotator's layer (`--annotator ana`), it is ana's own
    progress: each annotator keeps theirs, and the record alone gives the
    connecting role's (PostgreSQL) or the last one's to mark it (folder).
    Otherwise the record's. A folder store that kept no one's progress on a
    document per annotator (made before it did) gives the record's too.
    """

    def recorded(record: dict[str, Any]) -> str:
        return str(record.get("status") or "untouched")

    if len(filters.annotators) != 1:
        return recorded
    (name,) = filters.annotators
    team = getattr(store, "team_statuses", None)
    if team is not None:
        theirs = {doc_id: each[name] for doc_id, each in team().items() if name in each}
        return lambda record: theirs.get(record["id"], "untouched")
    per_annotator = getattr(store, "annotator_statuses", None)
    if per_annotator is None:
        return recorded
    everyone = per_annotator()
    mine = everyone.get(name, {})
    known = {doc_id for docs in everyone.values() for doc_id in docs}
    return lambda record: mine.get(record["id"]) or (
        "untouched" if record["id"] in known else recorded(record))


def document_view(
    store: Store,
    record: dict[str, Any],
    filters: Filters = Filters(),  # noqa: B008 - frozen, never mutated
    segmenter: Segmenter | None = None,
    warn: Callable[[str], None] | None = None,
) -> tuple[RecordView, Segmentation] | None:
    """The view of one document record, or None if it has no (kept) span.

    `segmenter` (default: `Segmenter.default()`) segments a document the
    store has no segmentation of.
    """
    doc_id = record["id"]
    anns = store.annotation_rows(doc_id)
    if filters.labels or filters.annotators:
        anns = [a for a in anns if filters.keep(a)]
    if not anns:
        return None
    text = store.load_text(doc_id)
    if text is None:
        raise StoreError(f"document {doc_id} has annotations but no stored text")
    for ann in anns:
        if text[ann.start : ann.end] != ann.text:
            raise StoreError(
                f"annotation {ann.id} in {doc_id} does not match its text; "
                "run `newsmark stats` to see re-anchoring results"
            )
    seg = store.load_segmentation(doc_id, text, warn)
    if seg is None:
        # Not kept: the store keeps what the reader segmented (trained on
        # the session's articles); export reads the store read-only.
        seg = (segmenter or _default_segmenter()).segment(text)
    view = RecordView(
        id=doc_id,
        text=text,
        meta=document_meta(record),
        status=record.get("status") or "untouched",
        tokens=seg.tokens,
        sentences=seg.sentences,
        spans=_span_views(anns, seg.tokens),
        doc_id=doc_id,
    )
    return view, seg


@cache
def _default_segmenter() -> Segmenter:
    """Made once, on first need: seed abbreviations only, the same on every machine."""
    return Segmenter.default()


def _superseded(store: Store) -> set[str]:
    """Older versions of changed articles, whose annotations were carried to the new one."""
    return superseded_documents(store)


def sentence_views(doc: RecordView, counts: Counts) -> Iterator[RecordView]:
    """One view per sentence of `doc`, offsets relative to the sentence.

    A span goes to the first sentence it overlaps (the one it starts in, or
    the next one if it starts in the whitespace between two) and is clipped
    to that sentence's end; `counts.clipped` counts them. Every sentence is
    yielded, with or without spans: sentence classifiers need negatives.
    """
    sentences = doc.sentences
    sent_ends = [e for _, e in sentences]
    per_sentence: list[list[Annotation | AnnotationRow]] = [[] for _ in sentences]
    for span in doc.spans:
        i = bisect_right(sent_ends, span.ann.start)  # first sentence ending after the start
        if i < len(sentences) and sentences[i][0] < span.ann.end:
            per_sentence[i].append(span.ann)
        else:
            counts.warnings.append(
                f"{doc.doc_id}: span {span.ann.id} holds no sentence text; left out"
            )
    tok_starts = [s for s, _ in doc.tokens]
    for i, (s, e) in enumerate(sentences):
        lo, hi = bisect_left(tok_starts, s), bisect_left(tok_starts, e)
        tokens = [(ts - s, te - s) for ts, te in doc.tokens[lo:hi]]
        spans = _span_views(per_sentence[i], tokens, base=s, limit=e - s)
        counts.clipped += sum(1 for v in spans if v.clipped)
        meta = {**doc.meta, "doc_id": doc.doc_id, "sentence": i, "doc_start": s}
        yield RecordView(
            id=f"{doc.doc_id}-s{i}",
            text=doc.text[s:e],
            meta=meta,
            status=doc.status,
            tokens=tokens,
            sentences=[(0, e - s)],
            spans=spans,
            doc_id=doc.doc_id,
            sentence=i,
            offset=s,
        )
