"""Grapheme clusters: motions and span ends never split what reads as one character."""

from __future__ import annotations

import regex
from hypothesis import given
from hypothesis import strategies as st

from annotations.graphemes import cluster_at, next_boundary, previous_boundary, snap

FAMILY = "👨\u200d👩\u200d👧"
TEXT = f"A {FAMILY} and 👍🏽, ❤️, 🇬🇧 and e\u0301.\n"

# Pieces that build clusters: joiners, modifiers, selectors, marks, flags.
PIECES = st.sampled_from(["a", " ", "\n", "\r", ".", "e\u0301", "\u0301", "\u200d", "👨", "👩",
                          "🏽", "❤", "\ufe0f", "🇬", "🇧", "한", "\u1100", "\u1161", "x\u0308"])


def clusters(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in regex.finditer(r"\X", text)]


def test_steps_right_and_left_over_whole_clusters() -> None:
    stops, offset = [0], 0
    while offset < len(TEXT):
        offset = next_boundary(TEXT, offset)
        stops.append(offset)
    assert [TEXT[a:b] for a, b in zip(stops, stops[1:])][2:13] == [
        FAMILY, " ", "a", "n", "d", " ", "👍🏽", ",", " ", "❤️", ","]
    back = [len(TEXT)]
    while back[-1] > 0:
        back.append(previous_boundary(TEXT, back[-1]))
    assert back[::-1] == stops


def test_a_span_end_inside_a_cluster_grows_to_the_whole_cluster() -> None:
    start = TEXT.index(FAMILY)
    assert snap(TEXT, start + 2, start + 3) == (start, start + len(FAMILY))
    thumb = TEXT.index("👍")
    assert snap(TEXT, thumb, thumb + 1) == (thumb, thumb + 2)


@given(st.lists(PIECES, max_size=40).map("".join))
def test_every_offset_finds_the_cluster_regex_finds(text: str) -> None:
    spans = clusters(text)
    for start, end in spans:
        for offset in range(start, end):
            assert cluster_at(text, offset) == (start, end)
    assert cluster_at(text, len(text)) == (len(text), len(text))
