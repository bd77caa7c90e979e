"""Inter-annotator agreement on spans: exact F1, overlap F1, Krippendorff's alpha.

Input is one `DocumentLayers` per document: its length in characters and,
per annotator who coded it, that annotator's spans. An annotator named in
`layers` with no span coded the document and found nothing (which is
information: every character is coded 0). Only documents coded by two or
more annotators count. docs/agreement.md states every formula with an
example worked by hand.

- **Exact-match F1** of annotators A and B: a span of A matches a span of B
  with the same start, end and label; over the documents both coded,
  F1 = 2 * matched / (spans of A + spans of B).
- **Overlap F1**: a span of A matches a span of B of the same label that
  shares at least one character with it, each span matched at most once,
  matched = the size of a maximum matching (so the figure never depends on
  the order spans are stored in).
- Both are pooled over documents per pair, then averaged over the pairs of
  annotators for which they are defined.
- **Krippendorff's alpha** (nominal) per label at the character level:
  every character of a coded document is a unit, each coder gives it 1
  inside a span of the label, 0 outside; alpha = 1 - D_o / D_e from the
  coincidence counts. Computed on runs of characters (interval arithmetic),
  never character by character, and with exact fractions, so it does not
  depend on the order of spans or annotators at all.

Discontinuous spans (`fragments`) match by their hull for F1 (start, end);
for overlap and for alpha only the characters of their fragments count.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from itertools import combinations
from typing import Any, NamedTuple

Interval = tuple[int, int]


class Span(NamedTuple):
    """A span as agreement sees it: offsets, label, and fragments if discontinuous."""

    start: int
    end: int
    label: str
    fragments: tuple[Interval, ...] = ()

    def pieces(self) -> tuple[Interval, ...]:
        return self.fragments or ((self.start, self.end),)


@dataclass(frozen=True)
class DocumentLayers:
    """One document: its length and each coder's spans (`layers[annotator]`)."""

    doc_id: str
    length: int
    layers: Mapping[str, Sequence[Span]]
    name: str = ""


# ------------------------------------------------------------------ figures


@dataclass(frozen=True)
class F1:
    """Matched spans between two annotators and how many each marked."""

    matched: int = 0
    spans_a: int = 0
    spans_b: int = 0

    @property
    def value(self) -> float | None:
        total = self.spans_a + self.spans_b
        return None if total == 0 else 2 * self.matched / total

    def __add__(self, other: F1) -> F1:
        return F1(self.matched + other.matched, self.spans_a + other.spans_a,
                  self.spans_b + other.spans_b)

    def to_dict(self) -> dict[str, Any]:
        return {"f1": self.value, "matched": self.matched, "spans_a": self.spans_a,
                "spans_b": self.spans_b}


@dataclass(frozen=True)
class Alpha:
    """The coincidence counts behind a nominal binary alpha.

    `disagreement` is o_01, the off-diagonal coincidences (one side),
    `values` n, the pairable values (characters x coders), `ones` n_1, the
    values coded 1 (inside a span), `units` the characters.
    """

    disagreement: Fraction = Fraction(0)
    values: int = 0
    ones: int = 0
    units: int = 0

    @property
    def value(self) -> float | None:
        """1 - (n - 1) * o_01 / (n_0 * n_1); None when every value is the same (D_e = 0)."""
        zeros = self.values - self.ones
        if zeros == 0 or self.ones == 0:
            return None
        return float(1 - (self.values - 1) * self.disagreement / (zeros * self.ones))

    def __add__(self, other: Alpha) -> Alpha:
        return Alpha(self.disagreement + other.disagreement, self.values + other.values,
                     self.ones + other.ones, self.units + other.units)

    def to_dict(self) -> dict[str, Any]:
        return {"alpha": self.value, "characters": self.units, "values": self.values,
                "coded_inside": self.ones,
                "disagreeing_pairs": float(self.disagreement)}


@dataclass(frozen=True)
class PairAgreement:
    """Two annotators compared over the documents both coded."""

    a: str
    b: str
    documents: int
    exact: F1
    overlap: F1
    alpha: Alpha

    def to_dict(self) -> dict[str, Any]:
        return {"a": self.a, "b": self.b, "documents": self.documents,
                "exact": self.exact.to_dict(), "overlap": self.overlap.to_dict(),
                "alpha": self.alpha.to_dict()}


def mean_f1(values: Iterable[float | None]) -> float | None:
    """The mean of the defined figures (None if none is)."""
    defined = [v for v in values if v is not None]
    return sum(defined) / len(defined) if defined else None


@dataclass(frozen=True)
class LabelAgreement:
    """The figures of one label (`label` None: all labels together)."""

    label: str | None
    annotators: int
    documents: int
    spans: int
    alpha: Alpha
    pairs: tuple[PairAgreement, ...]

    @property
    def exact_f1(self) -> float | None:
        return mean_f1(p.exact.value for p in self.pairs)

    @property
    def overlap_f1(self) -> float | None:
        return mean_f1(p.overlap.value for p in self.pairs)

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label, "annotators": self.annotators, "documents": self.documents,
            "spans": self.spans, "exact_f1": self.exact_f1, "overlap_f1": self.overlap_f1,
            "pairs_with_f1": sum(p.overlap.value is not None for p in self.pairs),
            "alpha": self.alpha.to_dict(), "pairs": [p.to_dict() for p in self.pairs],
        }


@dataclass(frozen=True)
class DocumentAgreement:
    doc_id: str
    name: str
    annotators: tuple[str, ...]
    spans: int
    exact_f1: float | None
    overlap_f1: float | None
    alpha: float | None

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.doc_id, "name": self.name, "annotators": list(self.annotators),
                "spans": self.spans, "exact_f1": self.exact_f1,
                "overlap_f1": self.overlap_f1, "alpha": self.alpha}


@dataclass(frozen=True)
class AgreementReport:
    annotators: tuple[str, ...]
    labels: tuple[LabelAgreement, ...]
    overall: LabelAgreement
    documents: tuple[DocumentAgreement, ...]  # lowest agreement first
    single_coder_documents: int  # coded by fewer than two annotators: not counted

    def to_dict(self) -> dict[str, Any]:
        return {
            "annotators": list(self.annotators),
            "overall": self.overall.to_dict(),
            "labels": [figure.to_dict() for figure in self.labels],
            "documents": [doc.to_dict() for doc in self.documents],
            "single_coder_documents": self.single_coder_documents,
        }


# ------------------------------------------------------------------ measures


def union(intervals: Iterable[Interval]) -> list[Interval]:
    """Sorted, disjoint intervals covering the same characters."""
    merged: list[Interval] = []
    for start, end in sorted(intervals):
        if start >= end:
            continue
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def covered(intervals: Sequence[Interval]) -> int:
    return sum(end - start for start, end in intervals)


def exact_matches(a: Sequence[Span], b: Sequence[Span]) -> int:
    """Spans of `a` and `b` with the same start, end and label (a multiset intersection)."""
    if not a or not b:
        return 0
    ca = Counter((s.start, s.end, s.label) for s in a)
    cb = Counter((s.start, s.end, s.label) for s in b)
    return sum(min(n, cb[key]) for key, n in ca.items() if key in cb)


def _touch(x: Span, y: Span) -> bool:
    if x.start >= y.end or y.start >= x.end:
        return False
    if not x.fragments and not y.fragments:
        return True
    return any(s1 < e2 and s2 < e1 for s1, e1 in x.pieces() for s2, e2 in y.pieces())


def overlap_matches(a: Sequence[Span], b: Sequence[Span]) -> int:
    """The size of a maximum matching of `a`'s spans to `b`'s sharing a character.

    Spans are split into clusters of chained overlaps (by their hulls); in
    each, augmenting paths (Kuhn's algorithm, breadth first) find a maximum
    matching, whose size does not depend on the order of the spans.
    """
    if not a or not b:
        return 0
    items = sorted([(s.start, s.end, 0, i) for i, s in enumerate(a)]
                   + [(s.start, s.end, 1, i) for i, s in enumerate(b)])
    total = 0
    cluster: list[tuple[int, int, int, int]] = []
    reach = -1
    for item in items:
        if cluster and item[0] >= reach:
            total += _cluster_matching(cluster, a, b)
            cluster = []
        cluster.append(item)
        reach = max(reach, item[1]) if len(cluster) > 1 else item[1]
    total += _cluster_matching(cluster, a, b)
    return total


def _cluster_matching(cluster: list[tuple[int, int, int, int]],
                      a: Sequence[Span], b: Sequence[Span]) -> int:
    left = [a[i] for _s, _e, side, i in cluster if side == 0]
    right = [b[i] for _s, _e, side, i in cluster if side == 1]
    if not left or not right:
        return 0
    if len(left) == 1 and len(right) == 1:
        return int(_touch(left[0], right[0]))
    edges = [[j for j, y in enumerate(right) if _touch(x, y)] for x in left]
    match_of_left = [-1] * len(left)
    match_of_right = [-1] * len(right)
    size = 0
    for root in range(len(left)):
        # Breadth-first search for an augmenting path from `root`.
        parent_of_right: dict[int, int] = {}
        queue = [root]
        found = -1
        for x in queue:
            for y in edges[x]:
                if y in parent_of_right:
                    continue
                parent_of_right[y] = x
                if match_of_right[y] == -1:
                    found = y
                    break
                queue.append(match_of_right[y])
            if found != -1:
                break
        if found == -1:
            continue
        y = found
        while y != -1:  # flip the path back to the root
            x = parent_of_right[y]
            previous = match_of_left[x]
            match_of_left[x] = y
            match_of_right[y] = x
            y = previous
        size += 1
    return size


def disagreement_runs(coverages: Sequence[Sequence[Interval]]) -> int:
    """Sum over characters of k * (m - k): k coders of m mark the character.

    A sweep over the coverages' boundaries: between two boundaries k is
    constant, so each run adds its length times k * (m - k).
    """
    m = len(coverages)
    events: list[tuple[int, int]] = []
    for intervals in coverages:
        for start, end in intervals:
            events.append((start, 1))
            events.append((end, -1))
    events.sort()
    total = 0
    k = 0
    position = 0
    for offset, step in events:
        if k and offset > position:
            total += (offset - position) * k * (m - k)
        position = offset
        k += step
    return total


def alpha_counts(length: int, coverages: Sequence[Sequence[Interval]]) -> Alpha:
    """Coincidence counts of one document and label (every coder codes every character).

    A character that k of m coders mark contributes k * (m - k) / (m - 1)
    coincidences of a 0 with a 1.
    """
    m = len(coverages)
    if m < 2 or length <= 0:
        return Alpha()
    return Alpha(Fraction(disagreement_runs(coverages), m - 1), m * length,
                 sum(covered(c) for c in coverages), length)


# ------------------------------------------------------------------ the report


@dataclass
class _Partial:
    """What one label adds to alpha where it was used: o_01 and n_1.

    The characters and values of alpha come from every coded document,
    whether or not anyone used the label there (unmarked text is agreement
    too), so they are counted once per document, not per label.
    """

    disagreement: Fraction = Fraction(0)
    ones: int = 0

    def add(self, counts: Alpha) -> None:
        self.disagreement += counts.disagreement
        self.ones += counts.ones

    def alpha(self, values: int, units: int) -> Alpha:
        return Alpha(self.disagreement, values, self.ones, units)


@dataclass
class _PairTotals:
    documents: int = 0
    values: int = 0
    units: int = 0
    exact: dict[str, F1] = field(default_factory=dict)
    overlap: dict[str, F1] = field(default_factory=dict)
    alpha: dict[str, _Partial] = field(default_factory=dict)


@dataclass
class _DocumentTotals:
    doc: DocumentLayers
    coders: tuple[str, ...]
    spans: int
    exact: list[F1]  # per pair, labels pooled
    overlap: list[F1]
    alpha: _Partial


def _by_label(spans: Iterable[Span], labels: frozenset[str] | None) -> dict[str, list[Span]]:
    grouped: dict[str, list[Span]] = {}
    for span in spans:
        if labels is None or span.label in labels:
            grouped.setdefault(span.label, []).append(span)
    return grouped


def measure(
    documents: Iterable[DocumentLayers],
    *,
    labels: Iterable[str] | None = None,
    annotators: Iterable[str] | None = None,
) -> AgreementReport:
    """Every figure over `documents` coded by two or more of `annotators` (default: all).

    `labels` keeps only spans of those labels (named labels are reported
    even when no one used them); a document still counts as coded by an
    annotator who marked only other labels there.
    """
    label_filter = None if labels is None else frozenset(labels)
    coder_filter = None if annotators is None else frozenset(annotators)
    pairs: dict[tuple[str, str], _PairTotals] = {}
    label_alpha: dict[str, _Partial] = {name: _Partial() for name in label_filter or ()}
    label_spans: Counter[str] = Counter()
    label_coders: dict[str, set[str]] = {}
    all_coders: set[str] = set()
    per_document: list[_DocumentTotals] = []
    values = units = 0
    single = 0
    for doc in documents:
        coders = tuple(sorted(c for c in doc.layers if coder_filter is None or c in coder_filter))
        if len(coders) < 2:
            single += 1
            continue
        all_coders.update(coders)
        values += len(coders) * doc.length
        units += doc.length
        grouped = {c: _by_label(doc.layers[c], label_filter) for c in coders}
        doc_labels = sorted({label for g in grouped.values() for label in g})
        coverage = {c: {label: union(p for s in spans for p in s.pieces())
                        for label, spans in grouped[c].items()} for c in coders}
        totals = _DocumentTotals(doc, coders, 0, [], [], _Partial())
        for label in doc_labels:
            label_coders.setdefault(label, set()).update(coders)
            spans = sum(len(grouped[c].get(label, ())) for c in coders)
            label_spans[label] += spans
            totals.spans += spans
            counts = alpha_counts(doc.length, [coverage[c].get(label, []) for c in coders])
            label_alpha.setdefault(label, _Partial()).add(counts)
            totals.alpha.add(counts)
        for a, b in combinations(coders, 2):
            pair = pairs.setdefault((a, b), _PairTotals())
            pair.documents += 1
            pair.values += 2 * doc.length
            pair.units += doc.length
            doc_exact, doc_overlap = F1(), F1()
            for label in doc_labels:
                sa, sb = grouped[a].get(label, []), grouped[b].get(label, [])
                exact = F1(exact_matches(sa, sb), len(sa), len(sb))
                overlap = F1(overlap_matches(sa, sb), len(sa), len(sb))
                pair.exact[label] = pair.exact.get(label, F1()) + exact
                pair.overlap[label] = pair.overlap.get(label, F1()) + overlap
                pair.alpha.setdefault(label, _Partial()).add(alpha_counts(
                    doc.length, [coverage[a].get(label, []), coverage[b].get(label, [])]))
                doc_exact += exact
                doc_overlap += overlap
            totals.exact.append(doc_exact)
            totals.overlap.append(doc_overlap)
        per_document.append(totals)

    names = sorted(label_alpha)

    def pairs_for(label: str | None) -> tuple[PairAgreement, ...]:
        out = []
        for (a, b), pair in sorted(pairs.items()):
            keys = names if label is None else [label]
            out.append(PairAgreement(
                a, b, pair.documents,
                sum((pair.exact.get(k, F1()) for k in keys), F1()),
                sum((pair.overlap.get(k, F1()) for k in keys), F1()),
                sum((pair.alpha.get(k, _Partial()).alpha(pair.values, pair.units)
                     for k in keys), Alpha()),
            ))
        return tuple(out)

    per_label = tuple(
        LabelAgreement(label, len(label_coders.get(label, ())), len(per_document),
                       label_spans[label], label_alpha[label].alpha(values, units),
                       pairs_for(label))
        for label in names
    )
    overall = LabelAgreement(
        None, len(all_coders), len(per_document), sum(label_spans.values()),
        sum((f.alpha for f in per_label), Alpha()), pairs_for(None),
    )
    # A document's alpha pools the report's labels, as the overall figure does.
    doc_figures = sorted((DocumentAgreement(
        t.doc.doc_id, t.doc.name, t.coders, t.spans,
        mean_f1(f.value for f in t.exact), mean_f1(f.value for f in t.overlap),
        t.alpha.alpha(len(t.coders) * t.doc.length * len(names),
                      t.doc.length * len(names)).value,
    ) for t in per_document), key=_lowest_first)
    return AgreementReport(tuple(sorted(all_coders)), per_label, overall, tuple(doc_figures),
                           single)


def _lowest_first(doc: DocumentAgreement) -> tuple[float, float, float, str]:
    # A document where no one marked anything agrees vacuously: last.
    overlap = 2.0 if doc.overlap_f1 is None else doc.overlap_f1
    exact = 2.0 if doc.exact_f1 is None else doc.exact_f1
    alpha = 2.0 if doc.alpha is None else doc.alpha
    return (overlap, exact, alpha, doc.doc_id)
