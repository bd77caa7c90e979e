"""Rows of article text: every character kept, rows within the width, clusters whole."""

from __future__ import annotations

import regex
from hypothesis import given
from hypothesis import strategies as st
from rich.cells import cell_len

from tui.wrap import wrap_offsets

WORDS = st.sampled_from(["a", "the", "council", "extraordinarily", "👨\u200d👩\u200d👧", "👍🏽",
                         "東京", "e\u0301", " ", "  ", "\t", "—", "x" * 30])


def rows(text: str, width: int) -> list[str]:
    cuts = [0, *wrap_offsets(text, width), len(text)]
    return [text[a:b] for a, b in zip(cuts, cuts[1:])]


def test_words_move_whole_and_long_words_fold() -> None:
    assert rows("The motion passed by a single vote.", 10) == [
        "The ", "motion ", "passed by ", "a single ", "vote."]
    assert rows("x" * 25, 10) == ["x" * 10, "x" * 10, "x" * 5]
    family = "👨\u200d👩\u200d👧"
    assert rows(family * 4, 5) == [family * 2, family * 2]  # 2 cells each, never split


@given(st.lists(WORDS, max_size=30).map("".join), st.integers(min_value=2, max_value=40))
def test_rows_keep_every_character_fit_and_break_between_clusters(text: str, width: int) -> None:
    cuts = wrap_offsets(text, width)
    assert cuts == sorted(set(cuts)) and all(0 < c < len(text) for c in cuts)
    boundaries = {m.start() for m in regex.finditer(r"\X", text)}
    assert set(cuts) <= boundaries
    for row in rows(text, width):
        clusters = regex.findall(r"\X", row)
        assert cell_len(row.replace("\t", " ")) <= width or len(clusters) == 1
