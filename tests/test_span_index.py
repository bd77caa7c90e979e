"""One span index for every kind of span the article view draws: same answers as a scan."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from annotations.span_index import SpanIndex, step_from

SPANS = st.lists(st.tuples(st.integers(0, 60), st.integers(1, 30)).map(
    lambda p: (p[0], p[0] + p[1])), max_size=25)


@given(SPANS, st.integers(0, 90), st.integers(0, 20), st.lists(st.integers(0, 24), max_size=5))
def test_overlapping_touches_and_clipped_agree_with_a_scan(
    spans: list[tuple[int, int]], start: int, length: int, removals: list[int]
) -> None:
    index = SpanIndex.of_ranges(spans[:len(spans) // 2])
    for span in spans[len(spans) // 2:]:
        index.insert(span)
    kept = list(spans)
    for r in removals:  # removals leave the longest length behind: still correct
        if kept:
            span = kept.pop(r % len(kept))
            assert index.pop_where(span[0], lambda s, span=span: s == span) == span
    end = start + length
    expected = sorted(s for s in kept if s[1] > start and s[0] < end)
    assert sorted(index.overlapping(start, end)) == expected
    assert index.clipped(start, end) == [(max(s, start), min(e, end))
                                         for s, e in index.overlapping(start, end)]
    row_end = max(end, start + 1)
    assert index.touches(start, end) == any(e > start and s < row_end for s, e in kept)
    assert sorted(index) == sorted(kept)
    assert [s for s, _ in index.items] == sorted(s for s, _ in kept)


@given(st.lists(st.integers(0, 50), max_size=12), st.integers(0, 50), st.booleans())
def test_step_from_is_the_nearest_start_beyond_the_offset_wrapping_round(
    starts: list[int], offset: int, forward: bool
) -> None:
    starts.sort()
    target, wrapped = step_from(starts, offset, forward=forward)
    # The definition it replaced: a scan of every start.
    beyond = [s for s in starts if (s > offset if forward else s < offset)]
    if not starts:
        assert (target, wrapped) == (None, True)
    elif beyond:
        assert (target, wrapped) == (min(beyond) if forward else max(beyond), False)
    else:
        assert (target, wrapped) == (starts[0] if forward else starts[-1], True)


def test_replace_where_keeps_the_place_among_equal_starts() -> None:
    from types import SimpleNamespace as Span

    first, second, longer = Span(start=5, end=9, n=1), Span(start=5, end=9, n=2), Span(
        start=5, end=12, n=3)
    index = SpanIndex([first, second, longer])
    edited = Span(start=5, end=9, n=20)
    assert index.replace_where(edited, lambda item: item.n == 2) is second
    assert [item.n for item in index.overlapping(0, 20)] == [1, 20, 3]
    # Another span, or nothing that matches: nothing changes.
    assert index.replace_where(Span(start=5, end=10, n=4), lambda item: True) is None
    assert index.replace_where(Span(start=6, end=9, n=5), lambda item: True) is None
    assert index.replace_where(Span(start=5, end=9, n=6), lambda item: item.n == 7) is None
    assert [item.n for item in index.overlapping(0, 20)] == [1, 20, 3]


@given(SPANS)
def test_inserted_spans_keep_the_stores_order_longer_first_among_equal_starts(
        spans: list[tuple[int, int]]) -> None:
    # Found by a new user: a claim removed and put back by an undo came after
    # the quote starting with it, and the Annotations list swapped the rows.
    stored = sorted(spans, key=lambda s: (s[0], -s[1]))
    index = SpanIndex.of_ranges(stored[: len(stored) // 2])
    for span in stored[len(stored) // 2:][::-1]:  # any order of insertion
        index.insert(span)
    assert [(s, -e) for s, e in index] == sorted((s, -e) for s, e in spans)
