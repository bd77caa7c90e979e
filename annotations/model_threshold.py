"""The score from which the model's spans are suggested, chosen on held-out documents.

A fixed 0.5 let nothing through from a model trained on five short
articles (its spans on a sixth scored 0.20-0.43: right spans, low
confidence), and a model trained on hundreds of documents scores on
another scale again. So training picks the threshold itself: the one
giving the best F1 on the documents it held out (exact and overlap F1
averaged, every label counted together), from a grid of 0.05 steps;
where several give the same F1 the lowest wins, as an annotator
rejects a wrong suggestion with one key but never sees a missing one.
It is saved with the model; `[model] threshold` in newsmark.toml, when
set, overrides it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from annotations.span_scoring import SpanScores, Triple

if TYPE_CHECKING:
    from annotations.span_model import PredictedSpan

GRID = tuple(round(0.05 * step, 2) for step in range(1, 20))  # 0.05 … 0.95
FALLBACK = 0.5  # a model saved without one (trained with nothing held out)


def best_threshold(held_out: Sequence[tuple[Sequence[Triple], Sequence[PredictedSpan]]]
                   ) -> float | None:
    """The grid threshold with the best F1 over `(gold spans, predicted spans)` of each
    held-out document; None when nothing can be learnt (no gold span, or no
    threshold lets a right span through)."""
    if not any(gold for gold, _found in held_out):
        return None
    best: tuple[float, float] | None = None  # (F1, threshold)
    for threshold in GRID:
        scores = SpanScores()
        for gold, found in held_out:
            scores.add(gold, [(s.start, s.end, s.label) for s in found if s.score >= threshold])
        f1 = (scores.micro("exact").f1 + scores.micro("overlap").f1) / 2
        if best is None or f1 > best[0]:
            best = (f1, threshold)
    return best[1] if best is not None and best[0] > 0 else None


def threshold_for(configured: float | None, saved: object) -> float:
    """What suggestions are filtered by: newsmark.toml's, else the model's own, else 0.5."""
    if configured is not None:
        return configured
    if isinstance(saved, int | float) and not isinstance(saved, bool) and 0 <= saved <= 1:
        return float(saved)
    return FALLBACK
