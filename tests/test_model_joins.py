"""Joining a quotation the model splits at its attribution (annotations/model_joins.py)."""

from __future__ import annotations

from annotations.model_joins import join, joinable, learn_joins
from annotations.span_model import PredictedSpan

TEXT = "“It is late,” she said on Monday. “We go home.”\nNext line."


def pieces(text: str = TEXT, label: str = "quote") -> list[PredictedSpan]:
    first_end = text.index("”") + 1
    second = text.index("“", first_end)
    return [PredictedSpan(0, first_end, label, 0.9),
            PredictedSpan(second, text.index("”", second) + 1, label, 0.6)]


def test_an_interrupted_quotation_is_joined_across_its_attribution() -> None:
    a, b = pieces()
    assert joinable(TEXT, a, b, 40)
    (joined,) = join(TEXT, [a, b], {"quote": 40})
    assert (joined.start, joined.end, joined.label) == (a.start, b.end, "quote")
    assert joined.score == 0.6  # the lower of the two
    # Not when the gap allowed is shorter than the attribution, nor for
    # another label's spans, nor with no gap allowed at all.
    assert join(TEXT, [a, b], {"quote": 10}) == [a, b]
    assert join(TEXT, [a, b], {"claim": 40}) == [a, b]
    assert join(TEXT, [a, b], {}) == [a, b]


def test_only_a_sentence_that_goes_on_is_joined() -> None:
    # A full stop before the closing mark ends the quotation: two quotations.
    text = TEXT.replace("late,”", "late.”")
    assert join(text, pieces(text), {"quote": 40}) == pieces(text)
    # The second piece must open a quotation.
    a, b = pieces()
    plain = PredictedSpan(b.start + 1, b.end, "quote", 0.6)
    assert not joinable(TEXT, a, plain, 40)
    # Never across a line break.
    text = TEXT.replace("on Monday.", "on\nMonday.")
    assert join(text, pieces(text), {"quote": 40}) == pieces(text)


def test_spans_between_are_kept_and_each_label_joins_its_own() -> None:
    a, b = pieces()
    she = PredictedSpan(TEXT.index("she"), TEXT.index("she") + 3, "source", 0.8)
    out = join(TEXT, [a, she, b], {"quote": 40})
    assert [(s.start, s.end, s.label) for s in out] == [(a.start, b.end, "quote"),
                                                       (she.start, she.end, "source")]


def test_joins_are_learnt_where_the_gold_joins_them() -> None:
    a, b = pieces()
    hull = [(a.start, b.end, "quote")]
    apart = [(a.start, a.end, "quote"), (b.start, b.end, "quote")]
    assert learn_joins([TEXT], [hull], [[a, b]]) == {"quote": 40}  # the smallest that gains
    assert learn_joins([TEXT], [apart], [[a, b]]) == {"quote": 0}
    assert learn_joins([TEXT], [[]], [[a, b]]) == {"quote": 0}  # no gold: nothing learnt
