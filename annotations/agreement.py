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

from annotations.attribute_agreement import (
    AttributeAgreement,
    AttributeFigure,
    AttributeItems,
    SpanKey,
)

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
    # Per coder, each span's attribute values (`attribute_agreement`); empty
    # where no span of the document has one.
    attributes: Mapping[str, Mapping[SpanKey, AttributeItems]] = field(default_factory=dict)


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
    # Agreement on attribute values, over spans marked at the same place.
    attributes: tuple[AttributeFigure, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "annotators": list(self.annotators),
            "overall": self.overall.to_dict(),
            "labels": [figure.to_dict() for figure in self.labels],
            "attributes": [figure.to_dict() for figure in self.attributes],
            "documents": [doc.to_dict() for doc in self.documents],
            "single_coder_documents": self.single_coder_documents,
        }


# ------------------------------------------------------------------ measures
#
# Spans are handled as plain tuples (start, end, label, fragments): `Span`
# is one, and a reader of 300,000 spans builds them faster without names.


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


def intersection(x: Sequence[Interval], y: Sequence[Interval]) -> int:
    """Characters in both of two sorted, disjoint interval lists (one merge pass)."""
    total = i = j = 0
    nx, ny = len(x), len(y)
    while i < nx and j < ny:
        xs, xe = x[i]
        ys, ye = y[j]
        low = xs if xs > ys else ys
        high = xe if xe < ye else ye
        if low < high:
            total += high - low
        if xe < ye:
            i += 1
        else:
            j += 1
    return total


def exact_matches(a: Sequence[Span], b: Sequence[Span]) -> int:
    """Spans of `a` and `b` with the same start, end and label (a multiset intersection)."""
    if not a or not b:
        return 0
    ka = [(s[0], s[1], s[2]) for s in a]
    kb = [(s[0], s[1], s[2]) for s in b]
    sa, sb = set(ka), set(kb)
    if len(sa) == len(ka) and len(sb) == len(kb):  # no twins (the store refuses them)
        return len(sa & sb)
    ca, cb = Counter(ka), Counter(kb)
    return sum(min(n, cb[key]) for key, n in ca.items() if key in cb)


def _touch(x: Span, y: Span) -> bool:
    if x[0] >= y[1] or y[0] >= x[1]:
        return False
    if not x[3] and not y[3]:
        return True
    return any(s1 < e2 and s2 < e1 for s1, e1 in (x[3] or ((x[0], x[1]),))
               for s2, e2 in (y[3] or ((y[0], y[1]),)))


def overlap_matches(a: Sequence[Span], b: Sequence[Span]) -> int:
    """The size of a maximum matching of `a`'s spans to `b`'s sharing a character.

    Spans are split into clusters of chained overlaps (by their hulls); in
    each, augmenting paths (Kuhn's algorithm, breadth first) find a maximum
    matching, whose size does not depend on the order of the spans.
    """
    if not a or not b:
        return 0
    return _matching(sorted([(s[0], s[1], 0, s) for s in a] + [(s[0], s[1], 1, s) for s in b]))


def _matching(items: list[tuple[int, int, int, Span]]) -> int:
    """Maximum matching over `items` (start, end, side, span), sorted by start."""
    total = 0
    cluster: list[tuple[int, int, int, Span]] = []
    reach = -1
    for item in items:
        if item[0] >= reach:
            if len(cluster) == 2:
                first, second = cluster
                if first[2] != second[2] and (not (first[3][3] or second[3][3])
                                              or _touch(first[3], second[3])):
                    total += 1
            elif len(cluster) > 2:
                total += _cluster_matching(cluster)
            cluster = [item]
            reach = item[1]
        else:
            cluster.append(item)
            if item[1] > reach:
                reach = item[1]
    if len(cluster) >= 2:
        total += _cluster_matching(cluster)
    return total


def _cluster_matching(cluster: list[tuple[int, int, int, Span]]) -> int:
    left = [item[3] for item in cluster if item[2] == 0]
    right = [item[3] for item in cluster if item[2] == 1]
    if not left or not right:
        return 0
    if len(left) == 1 or len(right) == 1:  # one span on a side: matched if it touches any
        one, many = (left[0], right) if len(left) == 1 else (right[0], left)
        return int(any(_touch(one, other) for other in many))
    if any(x[3] for x in left) or any(y[3] for y in right):
        edges = [[j for j, y in enumerate(right) if _touch(x, y)] for x in left]
    else:  # continuous spans (nearly all): the hull test inline
        edges = [[j for j, y in enumerate(right) if y[0] < x[1] and x[0] < y[1]]
                 for x in left]
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


def alpha_counts(length: int, coverages: Sequence[Sequence[Interval]]) -> Alpha:
    """Coincidence counts of one document and label (every coder codes every character).

    A character that k of m coders mark adds k * (m - k) / (m - 1)
    coincidences of a 0 with a 1. Summed over characters, k * (m - k) is
    (m - 1) * (characters each coder marks, summed) - 2 * (characters each
    pair of coders both mark, summed): interval arithmetic, no character loop.
    """
    m = len(coverages)
    if m < 2 or length <= 0:
        return Alpha()
    sizes = [covered(c) for c in coverages]
    shared = sum(intersection(x, y) for x, y in combinations(coverages, 2))
    return Alpha(Fraction((m - 1) * sum(sizes) - 2 * shared, m - 1), m * length,
                 sum(sizes), length)


# ------------------------------------------------------------------ the report


@dataclass
class _Partial:
    """What one label adds to alpha where it was used: k * (m - k) sums, and n_1.

    The characters and values of alpha come from every coded document,
    whether or not anyone used the label there (unmarked text is agreement
    too), so they are counted once per document, not per label. The
    disagreement is kept per number of coders m (an integer sum each, divided
    by m - 1 at the end): exact, and cheap to add up.
    """

    runs: dict[int, int] = field(default_factory=dict)
    ones: int = 0

    def add(self, m: int, runs: int, ones: int) -> None:
        self.runs[m] = self.runs.get(m, 0) + runs
        self.ones += ones

    def merge(self, other: _Partial) -> None:
        for m, runs in other.runs.items():
            self.runs[m] = self.runs.get(m, 0) + runs
        self.ones += other.ones

    def alpha(self, values: int, units: int) -> Alpha:
        disagreement = sum((Fraction(runs, m - 1) for m, runs in self.runs.items()), Fraction(0))
        return Alpha(disagreement, values, self.ones, units)


@dataclass
class _PairTotals:
    documents: int = 0
    values: int = 0
    units: int = 0
    exact: dict[str, list[int]] = field(default_factory=dict)  # label: [matched, a, b]
    overlap: dict[str, int] = field(default_factory=dict)  # label: matched
    alpha: dict[str, _Partial] = field(default_factory=dict)

    def merge(self, other: _PairTotals) -> None:
        self.documents += other.documents
        self.values += other.values
        self.units += other.units
        for label, (matched, a, b) in other.exact.items():
            mine = self.exact.setdefault(label, [0, 0, 0])
            mine[0] += matched
            mine[1] += a
            mine[2] += b
        for label, matched in other.overlap.items():
            self.overlap[label] = self.overlap.get(label, 0) + matched
        for label, partial in other.alpha.items():
            self.alpha.setdefault(label, _Partial()).merge(partial)


@dataclass
class _DocumentTotals:
    doc_id: str
    name: str
    length: int
    coders: tuple[str, ...]
    spans: int
    exact: list[F1]  # per pair, labels pooled
    overlap: list[F1]
    alpha: _Partial


def _prepare(spans: Iterable[Span], labels: frozenset[str] | None
             ) -> dict[str, tuple[list[Span], list[Interval]]]:
    """One coder's spans of a document by label: sorted, and the characters they cover."""
    grouped: dict[str, list[Span]] = {}
    for span in spans:
        if labels is None or span[2] in labels:
            grouped.setdefault(span[2], []).append(span)
    out = {}
    for label, group in grouped.items():
        group.sort()
        out[label] = (group, union(piece for s in group
                                   for piece in (s[3] or ((s[0], s[1]),))))
    return out


class Agreement:
    """Figures gathered document by document; `add` one, `merge` another's, then `report`.

    Everything kept is a sum, so documents can be measured in any order,
    or in several processes whose `Agreement`s are merged.
    """

    def __init__(self, labels: Iterable[str] | None = None,
                 annotators: Iterable[str] | None = None) -> None:
        self.label_filter = None if labels is None else frozenset(labels)
        self.coder_filter = None if annotators is None else frozenset(annotators)
        self.pairs: dict[tuple[str, str], _PairTotals] = {}
        self.label_alpha: dict[str, _Partial] = {
            name: _Partial() for name in self.label_filter or ()}
        self.label_spans: Counter[str] = Counter()
        self.label_coders: dict[str, set[str]] = {}
        self.coders: set[str] = set()
        self.documents: list[_DocumentTotals] = []
        self.values = 0
        self.units = 0
        self.single = 0
        self.attributes = AttributeAgreement()

    def add(self, doc: DocumentLayers) -> None:
        coders = tuple(sorted(c for c in doc.layers
                              if self.coder_filter is None or c in self.coder_filter))
        if len(coders) < 2:
            self.single += 1
            return
        m = len(coders)
        length = doc.length
        self.coders.update(coders)
        self.values += m * length
        self.units += length
        prepared = {c: _prepare(doc.layers[c], self.label_filter) for c in coders}
        doc_labels = sorted({label for p in prepared.values() for label in p})
        totals = _DocumentTotals(doc.doc_id, doc.name, length, coders, 0, [], [], _Partial())
        empty: tuple[list[Span], list[Interval]] = ([], [])
        pair_list = list(combinations(coders, 2))
        pair_totals = []
        for a, b in pair_list:
            pair = self.pairs.get((a, b))
            if pair is None:
                pair = self.pairs[a, b] = _PairTotals()
            pair.documents += 1
            pair.values += 2 * length
            pair.units += length
            pair_totals.append(pair)
        doc_exact = [[0, 0, 0] for _ in pair_list]
        doc_overlap = [0] * len(pair_list)
        for label in doc_labels:
            self.label_coders.setdefault(label, set()).update(coders)
            layers = [prepared[c].get(label, empty) for c in coders]
            spans = sum(len(group) for group, _cover in layers)
            self.label_spans[label] += spans
            totals.spans += spans
            sizes = [covered(cover) for _group, cover in layers]
            ones = sum(sizes)
            shared_all = 0
            for index, ((a, b), pair) in enumerate(zip(pair_list, pair_totals)):
                ia, ib = coders.index(a), coders.index(b)
                (sa, ca), (sb, cb) = layers[ia], layers[ib]
                shared = intersection(ca, cb)
                shared_all += shared
                pair.alpha.setdefault(label, _Partial()).add(
                    2, sizes[ia] + sizes[ib] - 2 * shared, sizes[ia] + sizes[ib])
                matched = exact_matches(sa, sb)
                overlapping = overlap_matches(sa, sb) if sa and sb else 0
                counts = pair.exact.get(label)
                if counts is None:
                    counts = pair.exact[label] = [0, 0, 0]
                counts[0] += matched
                counts[1] += len(sa)
                counts[2] += len(sb)
                pair.overlap[label] = pair.overlap.get(label, 0) + overlapping
                here = doc_exact[index]
                here[0] += matched
                here[1] += len(sa)
                here[2] += len(sb)
                doc_overlap[index] += overlapping
            runs = (m - 1) * ones - 2 * shared_all  # sum of k * (m - k) over characters
            partial = self.label_alpha.get(label)
            if partial is None:
                partial = self.label_alpha[label] = _Partial()
            partial.add(m, runs, ones)
            totals.alpha.add(m, runs, ones)
        if doc.attributes:
            self.attributes.add(
                {c: {key: items for key, items in doc.attributes.get(c, {}).items()
                     if self.label_filter is None or key[2] in self.label_filter}
                 for c in coders}, coders)
        totals.exact = [F1(*counts) for counts in doc_exact]
        totals.overlap = [F1(matched, counts[1], counts[2])
                          for matched, counts in zip(doc_overlap, doc_exact)]
        self.documents.append(totals)

    def merge(self, other: Agreement) -> None:
        for key, pair in other.pairs.items():
            self.pairs.setdefault(key, _PairTotals()).merge(pair)
        for label, partial in other.label_alpha.items():
            self.label_alpha.setdefault(label, _Partial()).merge(partial)
        self.label_spans.update(other.label_spans)
        for label, coders in other.label_coders.items():
            self.label_coders.setdefault(label, set()).update(coders)
        self.coders.update(other.coders)
        self.documents += other.documents
        self.values += other.values
        self.units += other.units
        self.single += other.single
        self.attributes.merge(other.attributes)

    def report(self) -> AgreementReport:
        names = sorted(self.label_alpha)
        # A label named in the filter that no one used has its row, but the
        # pooled figures leave it out: its characters would count as agreed
        # on, and naming a label that does not exist would raise alpha.
        pooled = [label for label in names if self.label_spans[label]]

        def pairs_for(label: str | None) -> tuple[PairAgreement, ...]:
            keys = pooled if label is None else [label]
            out = []
            for (a, b), pair in sorted(self.pairs.items()):
                exact = [pair.exact.get(k, [0, 0, 0]) for k in keys]
                matched_a = sum(e[1] for e in exact)
                matched_b = sum(e[2] for e in exact)
                out.append(PairAgreement(
                    a, b, pair.documents,
                    F1(sum(e[0] for e in exact), matched_a, matched_b),
                    F1(sum(pair.overlap.get(k, 0) for k in keys), matched_a, matched_b),
                    sum((pair.alpha.get(k, _Partial()).alpha(pair.values, pair.units)
                         for k in keys), Alpha()),
                ))
            return tuple(out)

        per_label = tuple(
            LabelAgreement(label, len(self.label_coders.get(label, ())), len(self.documents),
                           self.label_spans[label],
                           self.label_alpha[label].alpha(self.values, self.units),
                           pairs_for(label))
            for label in names
        )
        overall = LabelAgreement(
            None, len(self.coders), len(self.documents), sum(self.label_spans.values()),
            sum((f.alpha for f in per_label if f.label in pooled), Alpha()), pairs_for(None),
        )
        # A document's alpha pools the report's labels, as the overall figure does.
        width = max(1, len(pooled))
        doc_figures = sorted((DocumentAgreement(
            t.doc_id, t.name, t.coders, t.spans,
            mean_f1(f.value for f in t.exact), mean_f1(f.value for f in t.overlap),
            t.alpha.alpha(len(t.coders) * t.length * width, t.length * width).value,
        ) for t in self.documents), key=_lowest_first)
        return AgreementReport(tuple(sorted(self.coders)), per_label, overall,
                               tuple(doc_figures), self.single, self.attributes.report())


def measure(
    documents: Iterable[DocumentLayers],
    *,
    labels: Iterable[str] | None = None,
    annotators: Iterable[str] | None = None,
) -> AgreementReport:
    """Every figure over `documents` coded by two or more of `annotators` (default: all).

    `labels` keeps only spans of those labels (named labels are reported
    even when no one used them, and left out of the pooled figures); a
    document still counts as coded by an annotator who marked only other
    labels there.
    """
    agreement = Agreement(labels, annotators)
    for doc in documents:
        agreement.add(doc)
    return agreement.report()


def _lowest_first(doc: DocumentAgreement) -> tuple[float, float, float, str]:
    # A document where no one marked anything agrees vacuously: last.
    overlap = 2.0 if doc.overlap_f1 is None else doc.overlap_f1
    exact = 2.0 if doc.exact_f1 is None else doc.exact_f1
    alpha = 2.0 if doc.alpha is None else doc.alpha
    return (overlap, exact, alpha, doc.doc_id)
