"""Agreement measures: small cases worked by hand, a reference alpha, properties.

The hand-worked case is the one docs/agreement.md works through (a test
there checks that the page states these same numbers).
"""

from __future__ import annotations

import random
from fractions import Fraction
from itertools import combinations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from nltk.metrics.agreement import AnnotationTask

from annotations.agreement import (
    Alpha,
    DocumentLayers,
    Span,
    alpha_counts,
    exact_matches,
    measure,
    overlap_matches,
    union,
)

# The worked example of docs/agreement.md: ten characters, three annotators.
WORKED = DocumentLayers("d1", 10, {
    "A": [Span(0, 4, "claim"), Span(6, 10, "quote")],
    "B": [Span(0, 4, "claim"), Span(5, 9, "quote")],
    "C": [Span(1, 4, "claim")],
})


def test_worked_example_by_hand() -> None:
    report = measure([WORKED])
    claim, quote = report.labels
    assert (claim.label, quote.label) == ("claim", "quote")
    # Exact: A-B share claim [0,4) only: 2*1/(2+2); A-C and B-C share nothing.
    pairs = {(p.a, p.b): p for p in report.overall.pairs}
    assert pairs["A", "B"].exact.value == 0.5
    assert pairs["A", "C"].exact.value == 0.0
    assert report.overall.exact_f1 == pytest.approx(1 / 6)
    # Overlap: A-B match both spans; A-C and B-C the claim: 2*1/(2+1).
    assert pairs["A", "B"].overlap.value == 1.0
    assert pairs["B", "C"].overlap.value == pytest.approx(2 / 3)
    assert report.overall.overlap_f1 == pytest.approx(7 / 9)
    # Alpha, claim: character 0 is marked by 2 of 3 coders: 2*1/(3-1) = 1
    # disagreeing pair; n = 30, n_1 = 4 + 4 + 3 = 11, n_0 = 19.
    assert claim.alpha == Alpha(Fraction(1), 30, 11, 10)
    assert claim.alpha.value == pytest.approx(1 - 29 * 1 / (19 * 11))  # 180/209
    # quote: characters 5 and 9 by one coder (2/2 each), 6-8 by two (2/2 each).
    assert quote.alpha == Alpha(Fraction(5), 30, 8, 10)
    assert quote.alpha.value == pytest.approx(1 - 29 * 5 / (22 * 8))  # 31/176
    assert report.overall.alpha.value == pytest.approx(1 - 59 * 6 / (41 * 19))  # 425/779
    assert claim.exact_f1 == pytest.approx(1 / 3)
    assert quote.overlap_f1 == pytest.approx(1 / 3)
    # Counts behind the figures.
    assert (report.overall.annotators, report.overall.documents, report.overall.spans) == (3, 1, 5)
    assert (claim.spans, quote.spans) == (3, 2)


def brute_alpha(doc: DocumentLayers, label: str) -> float | None:
    """Krippendorff's alpha by NLTK (Apache-2.0): one item per character."""
    data = []
    for coder, spans in doc.layers.items():
        for i in range(doc.length):
            inside = any(s.label == label and any(a <= i < b for a, b in s.pieces())
                         for s in spans)
            data.append((coder, i, int(inside)))
    values = {v for _c, _i, v in data}
    if len(values) < 2:
        return None
    return AnnotationTask(data).alpha()


def test_alpha_agrees_with_nltk_on_the_worked_example() -> None:
    report = measure([WORKED])
    for figure in report.labels:
        assert figure.alpha.value == pytest.approx(brute_alpha(WORKED, figure.label))


def test_overlap_needs_a_maximum_matching_not_a_greedy_one() -> None:
    # A's long span overlaps both of B's; a greedy pass taking B's first
    # span for it would leave A's second span unmatched.
    a = [Span(0, 10, "claim"), Span(0, 3, "claim")]
    b = [Span(1, 2, "claim"), Span(8, 12, "claim")]
    assert overlap_matches(a, b) == 2
    assert overlap_matches(list(reversed(a)), b) == 2
    assert overlap_matches(b, a) == 2


def test_each_span_matches_once_and_touching_ends_do_not_overlap() -> None:
    assert overlap_matches([Span(0, 10, "x")], [Span(0, 3, "x"), Span(5, 8, "x")]) == 1
    assert overlap_matches([Span(0, 5, "x")], [Span(5, 8, "x")]) == 0  # end exclusive


def test_discontinuous_spans_overlap_by_their_fragments() -> None:
    gap = Span(0, 20, "x", ((0, 5), (15, 20)))
    assert overlap_matches([gap], [Span(7, 12, "x")]) == 0
    assert overlap_matches([gap], [Span(4, 12, "x")]) == 1
    # Exact match is on the hull (start, end, label).
    assert exact_matches([gap], [Span(0, 20, "x")]) == 1
    doc = DocumentLayers("g", 20, {"A": [gap], "B": [Span(0, 20, "x")]})
    assert measure([doc]).labels[0].alpha.value == pytest.approx(brute_alpha(doc, "x"))


def test_no_variation_leaves_alpha_undefined() -> None:
    doc = DocumentLayers("e", 5, {"A": [], "B": []})
    report = measure([doc], labels=["claim"])
    assert report.labels[0].alpha.value is None
    assert report.labels[0].exact_f1 is None  # no span from anyone: F1 is undefined
    assert report.overall.documents == 1


def test_documents_with_one_coder_do_not_count() -> None:
    lone = DocumentLayers("lone", 10, {"A": [Span(0, 3, "claim")]})
    report = measure([WORKED, lone])
    assert report.single_coder_documents == 1
    assert report.overall.documents == 1
    # Filtering annotators leaves documents with fewer coders out.
    only = measure([WORKED], annotators=["A", "Z"])
    assert only.overall.documents == 0 and only.single_coder_documents == 1


def test_unmarked_documents_still_count_as_agreeing_characters() -> None:
    # Nobody marked a quote in the second document: its characters are
    # units coded 0 by both, and they count for quote's alpha.
    one = DocumentLayers("one", 10, {"A": [Span(0, 4, "quote")], "B": [Span(0, 5, "quote")]})
    two = DocumentLayers("two", 10, {"A": [Span(0, 2, "claim")], "B": [Span(0, 2, "claim")]})
    quote = measure([one, two]).labels[1]
    assert quote.label == "quote"
    assert quote.alpha.units == 20 and quote.alpha.values == 40


def test_documents_are_ordered_lowest_agreement_first() -> None:
    good = DocumentLayers("good", 10, {"A": [Span(0, 4, "x")], "B": [Span(0, 4, "x")]})
    bad = DocumentLayers("bad", 10, {"A": [Span(0, 4, "x")], "B": [Span(5, 9, "x")]})
    half = DocumentLayers("half", 10, {"A": [Span(0, 4, "x")], "B": [Span(1, 4, "x")]})
    report = measure([good, bad, half])
    assert [d.doc_id for d in report.documents] == ["bad", "half", "good"]
    assert report.documents[0].overlap_f1 == 0.0


def test_matrix_compares_each_pair_on_the_documents_both_coded() -> None:
    d2 = DocumentLayers("d2", 10, {"A": [Span(0, 4, "claim")], "B": [Span(0, 4, "claim")]})
    report = measure([WORKED, d2])
    pairs = {(p.a, p.b): p for p in report.overall.pairs}
    assert pairs["A", "B"].documents == 2 and pairs["A", "C"].documents == 1
    assert pairs["A", "B"].exact.matched == 2 and pairs["A", "B"].exact.spans_a == 3
    # A two-coder alpha on its own: A and B on d1+d2 (claim and quote).
    assert pairs["A", "B"].alpha.values == 2 * 20 * 2


def test_union_merges_overlapping_and_touching_intervals() -> None:
    assert union([(5, 8), (0, 2), (1, 3), (3, 4), (9, 9)]) == [(0, 4), (5, 8)]


def test_alpha_counts_of_two_coders_is_the_symmetric_difference() -> None:
    counts = alpha_counts(10, [[(0, 4)], [(2, 6)]])
    assert counts.disagreement == 4 and counts.ones == 8 and counts.values == 20


# ------------------------------------------------------------------ properties

LABELS = ("claim", "quote")


@st.composite
def spans(draw: st.DrawFn, length: int) -> list[Span]:
    out = []
    for _ in range(draw(st.integers(0, 6))):
        start = draw(st.integers(0, length - 1))
        end = draw(st.integers(start + 1, length))
        out.append(Span(start, end, draw(st.sampled_from(LABELS))))
    return out


@st.composite
def documents(draw: st.DrawFn) -> list[DocumentLayers]:
    docs = []
    for n in range(draw(st.integers(1, 3))):
        length = draw(st.integers(1, 40))
        coders = draw(st.lists(st.sampled_from("ABCD"), min_size=2, max_size=4, unique=True))
        docs.append(DocumentLayers(f"d{n}", length, {c: draw(spans(length)) for c in coders}))
    return docs


def figures(report) -> list:  # type: ignore[no-untyped-def]
    out = []
    for figure in (*report.labels, report.overall):
        out += [figure.label, figure.exact_f1, figure.overlap_f1, figure.alpha,
                figure.spans, figure.documents]
    return out


@settings(max_examples=150, deadline=None)
@given(documents())
def test_identical_layers_agree_perfectly(docs: list[DocumentLayers]) -> None:
    copied = [DocumentLayers(d.doc_id, d.length, {c: list(d.layers["A"] if "A" in d.layers
                                                          else next(iter(d.layers.values())))
                                                  for c in d.layers}) for d in docs]
    report = measure(copied)
    for figure in (*report.labels, report.overall):
        assert figure.exact_f1 in (1.0, None)
        assert figure.overlap_f1 in (1.0, None)
        assert figure.alpha.value in (1.0, None)
        if figure.spans:
            assert figure.exact_f1 == 1.0 and figure.overlap_f1 == 1.0


@settings(max_examples=150, deadline=None)
@given(documents(), st.randoms(use_true_random=False))
def test_figures_do_not_depend_on_the_order_of_spans_or_annotators(
    docs: list[DocumentLayers], rng: random.Random
) -> None:
    shuffled = []
    for d in docs:
        coders = list(d.layers)
        rng.shuffle(coders)
        layers = {}
        for c in coders:
            spans_of_c = list(d.layers[c])
            rng.shuffle(spans_of_c)
            layers[c] = spans_of_c
        shuffled.append(DocumentLayers(d.doc_id, d.length, layers))
    assert figures(measure(shuffled)) == figures(measure(docs))


@settings(max_examples=150, deadline=None)
@given(documents())
def test_pairwise_f1_is_symmetric_and_overlap_at_least_exact(docs: list[DocumentLayers]) -> None:
    for doc in docs:
        for a, b in combinations(doc.layers, 2):
            sa, sb = doc.layers[a], doc.layers[b]
            assert exact_matches(sa, sb) == exact_matches(sb, sa)
            assert overlap_matches(sa, sb) == overlap_matches(sb, sa)
            assert exact_matches(sa, sb) <= overlap_matches(sa, sb) <= min(len(sa), len(sb))


@settings(max_examples=100, deadline=None)
@given(documents())
def test_alpha_equals_a_per_character_reference(docs: list[DocumentLayers]) -> None:
    for doc in docs:
        report = measure([doc])
        for figure in report.labels:
            expected = brute_alpha(doc, figure.label)
            if expected is None:
                assert figure.alpha.value is None
            else:
                assert figure.alpha.value == pytest.approx(expected)


def brute_matching(a: list[Span], b: list[Span]) -> int:
    """The largest matching by trying every assignment (small inputs only)."""
    best = 0

    def go(i: int, used: frozenset[int], size: int) -> None:
        nonlocal best
        if i == len(a):
            best = max(best, size)
            return
        go(i + 1, used, size)
        for j, y in enumerate(b):
            x = a[i]
            if j not in used and x.label == y.label and x.start < y.end and y.start < x.end:
                go(i + 1, used | {j}, size + 1)

    go(0, frozenset(), 0)
    return best


@settings(max_examples=200, deadline=None)
@given(spans(30), spans(30))
def test_overlap_matching_is_maximum(a: list[Span], b: list[Span]) -> None:
    for label in LABELS:
        sa = [s for s in a if s.label == label]
        sb = [s for s in b if s.label == label]
        assert overlap_matches(sa, sb) == brute_matching(sa, sb)
