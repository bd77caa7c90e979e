"""Exact and overlap scores of predicted spans (no spaCy needed)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from annotations.span_scoring import SpanScores, overlap_matching


def test_exact_needs_both_bounds_and_the_label() -> None:
    scores = SpanScores()
    scores.add(gold=[(0, 10, "quote"), (20, 30, "claim")],
               predicted=[(0, 10, "quote"), (20, 29, "claim"), (40, 50, "claim")])
    assert scores.exact["quote"].f1 == 1.0
    assert scores.exact["claim"].matched == 0
    assert scores.overlap["claim"].matched == 1
    assert scores.overlap["claim"].precision == 0.5 and scores.overlap["claim"].recall == 1.0


def test_overlap_counts_each_span_once() -> None:
    # One long prediction over two gold spans matches one of them, not both.
    assert overlap_matching([(0, 5), (6, 10)], [(0, 10)]) == 1


def test_overlap_is_a_maximum_matching_not_greedy() -> None:
    # Greedy would give the first prediction the first gold span and leave
    # the second prediction (which overlaps only that one) unmatched.
    gold = [(0, 10), (12, 20)]
    predicted = [(5, 15), (0, 3)]
    assert overlap_matching(gold, predicted) == 2


def test_touching_spans_do_not_overlap() -> None:
    assert overlap_matching([(0, 5)], [(5, 9)]) == 0


spans = st.lists(st.tuples(st.integers(0, 60), st.integers(1, 15)).map(
    lambda p: (p[0], p[0] + p[1])), max_size=8)


@given(spans, spans)
def test_overlap_bounds(gold, predicted) -> None:
    scores = SpanScores()
    scores.add([(*g, "x") for g in gold], [(*p, "x") for p in predicted])
    e, o = scores.exact["x"], scores.overlap["x"]
    assert e.matched <= o.matched <= min(e.gold, e.predicted)
    assert 0.0 <= o.f1 <= 1.0


def test_keep_best_exact_keeps_the_first_of_equal_settings_per_label() -> None:
    gold = [(0, 5, "Cue"), (10, 20, "Source")]
    best: dict[str, tuple[float, int]] = {}
    for setting, predicted in ((1, [(0, 5, "Cue")]), (2, [(0, 5, "Cue"), (10, 20, "Source")]),
                               (3, [(0, 5, "Cue"), (10, 20, "Source")])):
        scores = SpanScores()
        scores.add(gold, predicted)
        scores.keep_best_exact(best, ["Cue", "Source", "Content"], setting)
    assert {label: kept for label, (_f1, kept) in best.items()} == {"Cue": 1, "Source": 2}


def test_the_table_keeps_its_columns_under_a_long_label() -> None:
    # PolNeAR's `Attribution-no-source` pushed its row's figures out of line.
    scores = SpanScores()
    scores.add([(0, 4, "Attribution-no-source"), (5, 9, "Cue")],
               [(0, 4, "Attribution-no-source"), (5, 8, "Cue")])
    header, *rows = scores.table().splitlines()
    assert len(rows) == 2
    at = header.index("exact")
    assert all(row[at - 3:at] == "   " and row[at:at + 4] in ("1.00", "0.00") for row in rows)
    assert {len(row) for row in rows} == {len(rows[0])}
