"""Joining a quotation the model splits at its attribution.

News interrupts a quotation with who said it: `“It’s very interesting,”
he said at one point. “Everybody believes in it.”` PolNeAR's annotators
tag such a quotation as one Content (a discontinuous span, its hull):
of the interruptions `,” … “` in the training documents' text, 1,054
lie inside one gold Content and 97 between two. The span model, reading
token by token, ends a span at the closing mark and opens another after
the attribution, so the one gold span is missed exactly, twice.

So two neighbouring spans of one label are joined into one when the first
ends with a comma and a closing quotation mark (`,”`, `,''`, `,"`), the
second begins with an opening one, and the text between them, on one
line, is at most `gap` characters (the attribution). Whether a label's
spans are joined, and the longest gap, are chosen on the held-out
documents (`GRID`, for the best exact F1; 0, never, unless joining
gains), since the convention is the annotators', not English's: labels
whose quotations are tagged piece by piece keep 0.

Measured on the dev tenth of PolNeAR's training documents (the bench's
headline model, span ends moved): Content exact F1 0.435 -> 0.450 with
joins across at most 120 characters (0.446 at 80, 0.440 at 40), overlap
F1 0.752 -> 0.755 (26 pairs matched the pattern, 20 of them inside one
gold span).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Protocol, TypeVar

from annotations.span_scoring import PredictedSpanLike, SpanScores, Triple


class _Span(PredictedSpanLike, Protocol):
    """What is joined: a predicted span with its score."""

    @property
    def score(self) -> float: ...


SpanT = TypeVar("SpanT", bound=_Span)

# Longest attribution (characters between the two pieces) tried; 0: no join.
GRID = (0, 40, 80, 120)
# The first piece's end: a comma, then a closing mark (the sentence goes on).
_CONTINUES = re.compile(r",\s*(”|''|\")\s*$")
_OPENING = ("“", "``", "''", '"')


def joinable(text: str, first: _Span, second: _Span, gap: int) -> bool:
    """Whether `first` and `second` (in that order, not overlapping) are one
    quotation interrupted by at most `gap` characters of one line."""
    between = text[first.end:second.start]
    return (0 < gap and first.end <= second.start and len(between) <= gap
            and "\n" not in between
            and _CONTINUES.search(text[first.start:first.end]) is not None
            and text[second.start:second.end].lstrip().startswith(_OPENING))


def join(text: str, spans: Sequence[SpanT], gaps: Mapping[str, int]) -> list[SpanT]:
    """`spans` (character offsets in `text`) with each label's interrupted
    quotations joined, across at most `gaps[label]` characters; the joined
    span scores the lower of its pieces' scores."""
    if not any(gaps.values()):
        return list(spans)
    out: list[SpanT] = []
    last: dict[str, int] = {}  # label: its latest span's place in `out`
    for span in sorted(spans, key=lambda s: (s.start, -s.end, s.label)):
        at = last.get(span.label)
        if at is not None and joinable(text, out[at], span, gaps.get(span.label, 0)):
            first = out[at]
            out[at] = replace(first, end=span.end,  # type: ignore[type-var]
                              score=min(first.score, span.score))
            continue
        last[span.label] = len(out)
        out.append(span)
    return sorted(out, key=lambda s: (s.start, -s.end, s.label))


def learn_joins(texts: Sequence[str], gold: Sequence[Sequence[Triple]],
                predicted: Sequence[Sequence[_Span]], grid: Sequence[int] = GRID
                ) -> dict[str, int]:
    """Per label, the gap of `grid` whose joins score the best exact F1 on the
    held-out documents (`texts`, their `gold` spans and the model's
    `predicted` ones); 0 (no join) unless joining gains, the smaller on a tie."""
    labels = sorted({s.label for found in predicted for s in found}
                    | {label for spans in gold for _s, _e, label in spans})
    best: dict[str, tuple[float, int]] = {}
    for gap in sorted(grid):
        scores = SpanScores()
        for text, spans, found in zip(texts, gold, predicted):
            joined = join(text, found, dict.fromkeys(labels, gap))
            scores.add(spans, [(s.start, s.end, s.label) for s in joined])
        scores.keep_best_exact(best, labels, gap)
    return {label: best[label][1] if label in best else 0 for label in labels}
