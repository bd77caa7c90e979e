"""The row index against a plain list: same answers after any corrections."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tui.row_index import RowIndex


def naive_find(counts: list[int], row: int) -> tuple[int, int]:
    row = max(0, min(row, sum(counts) - 1))
    for line, count in enumerate(counts):
        if row < count:
            return line, row
        row -= count
    raise AssertionError


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.integers(min_value=1, max_value=9), min_size=1, max_size=60),
    st.lists(st.tuples(st.integers(min_value=0, max_value=59),
                       st.integers(min_value=1, max_value=9)), max_size=20),
)
def test_matches_a_list_after_updates(counts: list[int], updates) -> None:
    index = RowIndex(counts)
    counts = list(counts)
    for line, value in updates:
        line %= len(counts)
        assert index.set(line, value) == value - counts[line]
        counts[line] = value
    assert index.total == sum(counts)
    for line in range(len(counts)):
        assert index.first_row(line) == sum(counts[:line])
    for row in range(-2, sum(counts) + 2):
        assert index.find(row) == naive_find(counts, row)
