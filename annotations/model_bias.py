"""How readily each label's `ner` opens a span, tuned on held-out documents.

Trained on PolNeAR, the per-label `ner` is precise and misses much: its
Content spans overlap a gold span 9 times in 10, yet it finds only about
half of the gold Content (the README's "A model in the loop" figures). Its
greedy parse opens a span only where "begin" (B) or "unit" (U) outscores
"outside" (O), and training leaves those scores shy of opening. A shift
added to the B and U scores of one label's `ner` makes it open more
spans; once a span is open, where it ends is still the model's own
decision. On the documents training held out (a tenth of the training
documents of an undertrained model, 200 CPU s), a shift of 2 took
Content's overlap recall from 0.46 to 0.73 and its overlap F1 from 0.61
to 0.73, exact F1 0.35 to 0.38; a shift of the end (L) scores did not
help either way.

So training, once it has chosen its best epoch, tries each shift of
`GRID` on the held-out documents and keeps, per label, the one with the
best mean of exact and overlap F1 (the smallest on a tie: no shift when
nothing is gained). The shift is added to the output bias of that
label's `ner`, so it is part of the saved weights: spaCy's own parse,
the span scores and the uncertainty (`span_decoding`)
all see it, and a model folder saved before this existed loads and
predicts as it did (its shift is 0). `newsmark-model.json` records the
shifts.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from annotations.span_scoring import SpanScores, Triple

if TYPE_CHECKING:
    from spacy.pipeline import EntityRecognizer

    from annotations.span_model import PredictedSpan

GRID = (-1.0, -0.5, 0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0)


def _upper(ner: EntityRecognizer) -> Any:
    return ner.model.get_ref("upper")


def opening_actions(ner: EntityRecognizer) -> list[int]:
    """The indices of `ner`'s actions that open a span of its label (B-, U-)."""
    out = []
    for i in range(ner.moves.n_moves):
        name = ner.moves.get_class_name(i)
        # "U-" alone is spaCy's "outside every span" unit: not an opening.
        if name[:2] in ("B-", "U-") and name[2:]:
            out.append(i)
    return out


def shift_opening(ner: EntityRecognizer, base: Any, shift: float) -> None:
    """Set `ner`'s output bias to `base` (its bias before any shift) plus
    `shift` on its opening actions."""
    bias = base.copy()
    bias[opening_actions(ner)] += shift
    _upper(ner).set_param("b", bias)


def learn_opening_shifts(
    pipes: Sequence[tuple[str, EntityRecognizer]],
    predict: Callable[[], Sequence[Sequence[PredictedSpan]]],
    gold: Sequence[Sequence[Triple]],
    grid: Sequence[float] = GRID,
    may_try: Callable[[], bool] | None = None,
) -> dict[str, float]:
    """Choose and apply, for each (label, its `ner`), the shift of `grid` whose
    predictions score best on the held-out documents.

    `predict()` gives the current model's spans for each held-out document
    and `gold` their gold spans, in the same order. Each label's spans come
    from its own `ner` alone, so one pass per shift scores every label at
    once. Returns the shift kept per label (0.0 when no gold span of it is
    held out). `may_try()`, asked before each shift, stops the search when
    false (the training's time is up): the best of the shifts tried is kept.
    A label may have several `ner`s (an ensemble's members): each gets its
    label's shift.
    """
    bases = [_upper(ner).get_param("b").copy() for _label, ner in pipes]
    best: dict[str, tuple[float, float]] = {}  # label: (mean F1, shift)
    # 0 first: on a tie the unshifted model is kept.
    for shift in sorted(grid, key=lambda s: (abs(s), s)):
        if may_try is not None and not may_try():
            break
        for (_label, ner), base in zip(pipes, bases):
            shift_opening(ner, base, shift)
        scores = SpanScores()
        for spans, found in zip(gold, predict()):
            scores.add(spans, [(s.start, s.end, s.label) for s in found])
        for label, _ner in pipes:
            if not scores.exact[label].gold:
                continue
            f1 = (scores.exact[label].f1 + scores.overlap[label].f1) / 2
            if label not in best or f1 > best[label][0]:
                best[label] = (f1, shift)
    chosen = {label: best[label][1] if label in best else 0.0 for label, _ner in pipes}
    for (label, ner), base in zip(pipes, bases):
        shift_opening(ner, base, chosen[label])
    return chosen
