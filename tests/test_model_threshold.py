"""The suggestion threshold learnt on held-out documents (no spaCy needed)."""

from __future__ import annotations

from annotations.model_threshold import FALLBACK, best_threshold, threshold_for
from annotations.span_model import PredictedSpan


def span(start: int, end: int, score: float, label: str = "claim") -> PredictedSpan:
    return PredictedSpan(start, end, label, score)


def test_a_timid_model_gets_a_low_threshold() -> None:
    # Right spans at 0.2-0.4 (a model trained on five short articles): with
    # 0.5 nothing would be suggested at all.
    held_out = [([(0, 10, "claim"), (20, 30, "claim")], [span(0, 10, 0.43), span(20, 30, 0.21)]),
                ([(5, 9, "quote")], [span(5, 9, 0.38, "quote"), span(40, 50, 0.12)])]
    assert best_threshold(held_out) == 0.15  # lets the three right ones through, not 0.12


def test_wrong_confident_spans_raise_it() -> None:
    held_out = [([(0, 10, "claim")], [span(0, 10, 0.9), span(20, 30, 0.6), span(40, 45, 0.55)])]
    assert best_threshold(held_out) == 0.65


def test_nothing_to_learn_from_gives_none() -> None:
    assert best_threshold([]) is None
    assert best_threshold([([], [span(0, 4, 0.9)])]) is None  # no gold span
    assert best_threshold([([(0, 4, "claim")], [span(10, 14, 0.9)])]) is None  # never right


def test_the_configured_threshold_wins_then_the_models_own() -> None:
    assert threshold_for(0.7, 0.2) == 0.7
    assert threshold_for(None, 0.2) == 0.2
    assert threshold_for(None, None) == FALLBACK
    assert threshold_for(None, "0.2") == FALLBACK  # a hand-edited model file
    assert threshold_for(None, True) == FALLBACK
    assert threshold_for(None, 3) == FALLBACK
