"""Joining a quotation the model splits at its attribution, cutting one
that runs on over it, and carrying a first piece on to a second the model
missed (annotations/model_joins.py)."""

from __future__ import annotations

from annotations.model_joins import (
    carry,
    cut,
    cut_quotations,
    join,
    joinable,
    learn_carries,
    learn_cuts,
    learn_joins,
)
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


RUNS_ON = "“We will win,” a voice-over says as the podium stands empty.\nNext."


def whole(text: str, upto: str, label: str = "quote") -> PredictedSpan:
    return PredictedSpan(0, text.index(upto) + len(upto), label, 0.7)


def test_a_quotation_that_runs_on_over_its_attribution_is_cut_at_its_mark() -> None:
    span = whole(RUNS_ON, "empty")
    assert (cut(RUNS_ON, span).start, cut(RUNS_ON, span).end) == (0, RUNS_ON.index("”") + 1)
    assert cut(RUNS_ON, span).score == 0.7
    # Straight quotes and doubled apostrophes (some papers' quotation marks) alike.
    for opening, closing in (('"', '"'), ("''", "''")):
        text = RUNS_ON.replace("“", opening).replace("”", closing)
        assert cut(text, whole(text, "empty")).end == text.index(",") + 1 + len(closing)


def test_what_is_not_an_utterance_run_on_is_left_whole() -> None:
    # A phrase quoted inside a clause: no comma or stop before its mark.
    phrase = '"Obama-Clinton" policies'
    assert cut(phrase, PredictedSpan(0, len(phrase), "quote", 0.5)).end == len(phrase)
    # A span that does not open with a quotation mark, or ends at its mark.
    assert cut(RUNS_ON, PredictedSpan(1, 30, "quote", 0.5)).end == 30
    ends = RUNS_ON.index("”") + 1
    assert cut(RUNS_ON, PredictedSpan(0, ends, "quote", 0.5)).end == ends
    # A joined quotation (it opens again after the attribution), and a span
    # running into the next line, are left as they are.
    joined = TEXT.index("home.”") + len("home.”")
    assert cut(TEXT, PredictedSpan(0, joined, "quote", 0.5)).end == joined
    over = RUNS_ON.index("Next") + 4
    assert cut(RUNS_ON, PredictedSpan(0, over, "quote", 0.5)).end == over


def test_cuts_are_learnt_where_the_gold_ends_at_the_mark() -> None:
    span = whole(RUNS_ON, "empty")
    ends = RUNS_ON.index("”") + 1
    say = PredictedSpan(RUNS_ON.index("says"), RUNS_ON.index("says") + 4, "cue", 0.9)
    gold_at_mark = [(0, ends, "quote"), (say.start, say.end, "cue")]
    assert learn_cuts([RUNS_ON], [gold_at_mark], [[span, say]]) == ["quote"]
    gold_run_on = [(0, span.end, "quote"), (say.start, say.end, "cue")]
    assert learn_cuts([RUNS_ON], [gold_run_on], [[span, say]]) == []  # a tie keeps them whole
    kept = cut_quotations(RUNS_ON, [span, say], ["quote"])
    assert [(s.start, s.end) for s in kept] == [(0, ends), (say.start, say.end)]
    assert cut_quotations(RUNS_ON, [span, say], []) == [span, say]


def test_a_first_piece_is_carried_on_to_the_quotation_after_its_attribution() -> None:
    first, second = pieces()
    (carried,) = carry(TEXT, [first], {"quote": 40})
    assert (carried.start, carried.end, carried.score) == (0, second.end, first.score)
    # Straight quotes and doubled apostrophes alike.
    for opening, closing in (('"', '"'), ("''", "''")):
        text = TEXT.replace("“", opening).replace("”", closing)
        piece = PredictedSpan(0, text.index(",") + 1 + len(closing), "quote", 0.9)
        (span,) = carry(text, [piece], {"quote": 40})
        assert span.end == text.index("home.") + 5 + len(closing)
    # Another label's gap, or none, or one shorter than the attribution: as it was.
    for gaps in ({"claim": 40}, {}, {"quote": 10}):
        assert carry(TEXT, [first], gaps) == [first]


def test_only_a_sentence_that_goes_on_into_a_closed_quotation_is_carried() -> None:
    gaps = {"quote": 40}
    # A full stop before the closing mark: the quotation ended there.
    stop = TEXT.replace("late,”", "late.”")
    assert carry(stop, [pieces(stop)[0]], gaps) == [pieces(stop)[0]]
    # An attribution across a line break, or a second quotation that does not
    # close on its line (a paragraph's quotation goes on in the next).
    for text in (TEXT.replace("on Monday.", "on\nMonday."), TEXT.replace("home.”", "home.")):
        piece = PredictedSpan(0, text.index("”") + 1, "quote", 0.9)
        assert carry(text, [piece], gaps) == [piece]
    # A span of its label already begins in between: that one is the model's
    # reading (`join` decides about it), left as it is.
    first, second = pieces()
    assert carry(TEXT, [first, second], gaps) == [first, second]
    she = PredictedSpan(TEXT.index("she"), TEXT.index("she") + 3, "source", 0.8)
    assert carry(TEXT, [first, she], gaps)[1] == she  # other labels' spans do not stop it
    assert carry(TEXT, [first, she], gaps)[0].end == second.end


def test_carries_are_learnt_where_the_gold_holds_both_pieces() -> None:
    first, second = pieces()
    assert learn_carries([TEXT], [[(0, second.end, "quote")]], [[first]]) == {"quote": 40}
    assert learn_carries([TEXT], [[(0, first.end, "quote")]], [[first]]) == {"quote": 0}
    assert learn_carries([TEXT], [[]], [[first]]) == {"quote": 0}
