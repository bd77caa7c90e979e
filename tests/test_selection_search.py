"""Quick selections and search, on the text alone."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotations.search import MAX_MATCHES, Found, SearchError, find, find_all
from annotations.segmentation import Segmenter
from annotations.selection import expand, quotation_at, quote_pairs

SEGMENTER = Segmenter.default()


def inside(text: str, needle: str) -> int:
    return text.index(needle)


def test_curly_quotation_around_the_cursor() -> None:
    text = "He said “peace at the expense of the victim” and left."
    seg = SEGMENTER.segment(text)
    span = quotation_at(text, seg, inside(text, "expense"))
    assert span is not None and text[span[0] : span[1]] == "peace at the expense of the victim"


def test_apostrophes_are_not_quotes() -> None:
    text = "“It’s certainly not fringe anymore,” one official told the Post’s reporter."
    assert quote_pairs(text) == [(0, text.index("”"))]


def test_nested_quotes_widen_on_a_second_press() -> None:
    text = "She wrote: “He told me ‘never again’ twice.” Then she stopped."
    seg = SEGMENTER.segment(text)
    first = quotation_at(text, seg, inside(text, "never"))
    assert first is not None and text[first[0] : first[1]] == "never again"
    marks = quotation_at(text, seg, inside(text, "never"), current=first)
    assert marks is not None and text[marks[0] : marks[1]] == "‘never again’"
    # The cursor sits after the closing mark then: the widening goes on.
    second = quotation_at(text, seg, marks[1], current=marks)
    assert second is not None and text[second[0] : second[1]] == "He told me ‘never again’ twice."
    third = quotation_at(text, seg, second[1], current=second)
    assert third is not None and text[third[0] : third[1]] == "“He told me ‘never again’ twice.”"
    assert quotation_at(text, seg, third[1], current=third) is None


def test_straight_quotes() -> None:
    text = 'The sign read "no entry" and "keep out".'
    seg = SEGMENTER.segment(text)
    span = quotation_at(text, seg, inside(text, "keep"))
    assert span is not None and text[span[0] : span[1]] == "keep out"
    assert quotation_at(text, seg, inside(text, "and")) is None


def test_expand_goes_word_sentence_paragraph_and_stops() -> None:
    text = "First sentence here. Second one.\n\nNext paragraph."
    seg = SEGMENTER.segment(text)
    offset = inside(text, "sentence")
    word = expand(seg, (offset, offset))
    assert text[word[0] : word[1]] == "sentence"
    sentence = expand(seg, word)
    assert text[sentence[0] : sentence[1]] == "First sentence here."
    paragraph = expand(seg, sentence)
    assert text[paragraph[0] : paragraph[1]] == "First sentence here. Second one."
    assert expand(seg, paragraph) is None  # never the whole article
    assert expand(seg, (0, len(text))) is None


def test_search_is_case_insensitive_and_keeps_offsets() -> None:
    text = "Straße and STRASSE and straße"
    assert find_all(text, "straße") == [(0, 6), (23, 29)]


def test_regex_search_and_its_errors() -> None:
    assert find_all("a1 b22 c333", r"re:\d{2,}") == [(4, 6), (8, 11)]
    with pytest.raises(SearchError, match="regular expression"):
        find_all("text", "re:(")
    assert find_all("text", "re:z*") == []  # empty matches are not matches
    # ...but a pattern that matched only empty text is not "not found".
    assert [find("Two lines\nhere", q) for q in ("re:^", r"re:\b", "re:z*", "re:q", "q")] == [
        Found([], only_empty=True), Found([], only_empty=True), Found([], only_empty=True),
        Found([]), Found([])]
    assert find("a b", "re:a|") == Found([(0, 1)])  # some text found: nothing to say


def test_patterns_the_compiler_or_the_matcher_gives_up_on_are_search_errors(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # Found by a new user: re:a{99999999999} (OverflowError) ended the reader
    # on an internal error, and a pattern that backtracks without end held it
    # for good, Esc and Ctrl+Q unanswered.
    for query in ("re:a{99999999999}", "re:" + "(" * 1000 + ")" * 1000):
        with pytest.raises(SearchError, match="regular expression"):
            find_all("text", query)
    import annotations.search as search

    monkeypatch.setattr(search, "SEARCH_SECONDS", 0.05)
    with pytest.raises(SearchError, match=r"took more than 0.05 s and was stopped"):
        find_all("a" * 3000 + "!", r"re:(.*a){12}$")


def test_matches_are_capped() -> None:
    assert len(find_all("a" * (MAX_MATCHES + 50), "a")) == MAX_MATCHES


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet="ab “”‘’\"' .\n", max_size=60), st.integers(min_value=0, max_value=60))
def test_quotation_is_always_inside_the_text(text: str, offset: int) -> None:
    seg = SEGMENTER.segment(text)
    offset = min(offset, len(text))
    for open_, close in quote_pairs(text):
        assert 0 <= open_ < close < len(text)
    span = quotation_at(text, seg, offset)
    if span is not None:
        assert 0 < span[0] and span[0] - 1 <= offset <= span[1] < len(text)
