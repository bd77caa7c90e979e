"""A quotation and its attribution: joined where the model splits a quotation
at its attribution, cut where a span runs on over it.

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

The other way round, a span that opens with a quotation mark often runs
on past its closing mark over the attribution (`“…,” a voice-over says
as …`, `''…,'' said Alfonso Aguilar, the director of …`), where the gold
Content ends at the mark. So a span is cut at its last closing mark when
it opens with a quotation mark, the mark follows a comma or a full stop,
`?` or `!` (the quotation is a whole utterance, not a phrase quoted
inside a clause: `"Obama-Clinton" policies` stays whole), and what
follows it in the span, on one line, opens no quotation again (a joined
`“…,” he said. “…”` ends at its own last mark and is left alone).
Whether a label's spans are cut is chosen on the held-out documents, as
joins are: only if it gains exact F1. Measured on the dev tenth (the
fifth round's two-member model, ends moved and quotations joined): 20
Content spans cut, 13 made exact, 1 exact one spoilt; Content exact F1
0.517 -> 0.525, overlap unchanged.

And where the model found only the first piece (`“It’s very interesting,”
he said at one point.` tagged, the second quotation after it not), the
span is carried on over the attribution to the end of the quotation that
follows it (`carry`): the same pattern as a join (a comma and a closing
mark at the span's end, an opening mark after at most `gap` characters of
one line), the quotation closing on that line, and no span of its label
beginning in between. Chosen on the held-out documents as joins are
(`GRID`; 0 unless it gains). Measured on the dev tenth (the eleventh
round's headline model, everything above applied): 13 Content spans
carried, 8 made exact, 4 exact ones spoilt (a gold that keeps the second
quotation apart); Content exact F1 0.529 -> 0.532, overlap unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping, Sequence
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
# A span that opens a quotation; the closing marks after it; an utterance's
# last character before its closing mark.
_OPENS = re.compile(r"“|``|''|\"")
_CLOSES = re.compile(r"”|''|\"")
_UTTERANCE_ENDS = frozenset(",.?!")


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


def carry(text: str, spans: Sequence[SpanT], gaps: Mapping[str, int]) -> list[SpanT]:
    """`spans` with each first piece of an interrupted quotation whose second
    piece no span of its label holds carried on to that quotation's closing
    mark, across at most `gaps[label]` characters of attribution; the span
    keeps its score (the model's, for the words it did find)."""
    if not any(gaps.values()):
        return list(spans)
    starts: dict[str, list[int]] = {}
    for span in spans:
        starts.setdefault(span.label, []).append(span.start)
    return [_carried(text, span, gaps.get(span.label, 0), starts[span.label])
            for span in spans]


def _carried(text: str, span: SpanT, gap: int, starts: Sequence[int]) -> SpanT:
    if not gap or _CONTINUES.search(text, span.start, span.end) is None:
        return span
    line_end = text.find("\n", span.end)
    line_end = len(text) if line_end < 0 else line_end
    opening = _OPENS.search(text, span.end, min(line_end, span.end + gap + 2))
    closing = None if opening is None else _CLOSES.search(text, opening.end(), line_end)
    if (opening is None or closing is None or opening.start() - span.end > gap
            or any(span.end <= start < closing.end() for start in starts)):
        return span
    return replace(span, end=closing.end())  # type: ignore[type-var]


def _learn_gaps(texts: Sequence[str], gold: Sequence[Sequence[Triple]],
                predicted: Sequence[Sequence[_Span]], grid: Sequence[int],
                apply: Callable[[str, Sequence[_Span], Mapping[str, int]], list[_Span]]
                ) -> dict[str, int]:
    """Per label, the gap of `grid` whose `apply` scores the best exact F1 on
    the held-out documents (`texts`, their `gold` spans and the model's
    `predicted` ones); 0 (none) unless it gains, the smaller on a tie."""
    labels = sorted({s.label for found in predicted for s in found}
                    | {label for spans in gold for _s, _e, label in spans})
    best: dict[str, tuple[float, int]] = {}
    for gap in sorted(grid):
        scores = SpanScores()
        for text, spans, found in zip(texts, gold, predicted):
            changed = apply(text, found, dict.fromkeys(labels, gap))
            scores.add(spans, [(s.start, s.end, s.label) for s in changed])
        scores.keep_best_exact(best, labels, gap)
    return {label: best[label][1] if label in best else 0 for label in labels}


def learn_joins(texts: Sequence[str], gold: Sequence[Sequence[Triple]],
                predicted: Sequence[Sequence[_Span]], grid: Sequence[int] = GRID
                ) -> dict[str, int]:
    """Per label, the longest attribution joined across (`join`), chosen on the
    held-out documents (`_learn_gaps`)."""
    return _learn_gaps(texts, gold, predicted, grid, join)


def learn_carries(texts: Sequence[str], gold: Sequence[Sequence[Triple]],
                  predicted: Sequence[Sequence[_Span]], grid: Sequence[int] = GRID
                  ) -> dict[str, int]:
    """Per label, the longest attribution a first piece is carried across
    (`carry`), chosen on the held-out documents (`_learn_gaps`)."""
    return _learn_gaps(texts, gold, predicted, grid, carry)


def cut(text: str, span: SpanT) -> SpanT:
    """`span` cut at its last closing quotation mark where it opens with a
    quotation and runs on past it over the attribution; else `span` itself."""
    opening = _OPENS.match(text, span.start)
    if opening is None:
        return span
    closing = list(_CLOSES.finditer(text, opening.end(), span.end))
    last = closing[-1] if closing else None
    if last is None or text[last.start() - 1] not in _UTTERANCE_ENDS:
        return span
    rest = text[last.end():span.end]
    if not rest.strip(" ,.") or "\n" in rest or _OPENS.search(rest):
        return span
    return replace(span, end=last.end())  # type: ignore[type-var]


def cut_quotations(text: str, spans: Sequence[SpanT], labels: Collection[str]
                   ) -> list[SpanT]:
    """`spans` with those of `labels` cut at their quotation's closing mark (`cut`)."""
    if not labels:
        return list(spans)
    return [cut(text, span) if span.label in labels else span for span in spans]


def learn_cuts(texts: Sequence[str], gold: Sequence[Sequence[Triple]],
               predicted: Sequence[Sequence[_Span]]) -> list[str]:
    """The labels whose spans, cut at their quotation's closing mark, score a
    better exact F1 on the held-out documents than left as they are."""
    labels = sorted({s.label for found in predicted for s in found})
    best: dict[str, tuple[float, int]] = {}
    for cuts in (False, True):  # as they are first: a tie keeps them
        scores = SpanScores()
        for text, spans, found in zip(texts, gold, predicted):
            kept = cut_quotations(text, found, labels) if cuts else found
            scores.add(spans, [(s.start, s.end, s.label) for s in kept])
        scores.keep_best_exact(best, labels, int(cuts))
    return [label for label in labels if label in best and best[label][1]]
