"""Sentence alignment of two articles telling the same story.

Two outlets retell one story: many sentences of one have a counterpart in
the other, some say what the other does not. `align` finds the
counterparts so the reader can show them side by side and mark the
sentences only one outlet carries.

Evidence (`annotations.sentence_evidence`): the candidate pairs, each with
a similarity (TF-IDF cosine of stemmed content words, names and numbers
weighing more, plus words copied verbatim) and a few features that tell a
shared statement from shared topic words: whether the two are each
other's best match and by how much, whether the pair keeps the story's
order between the confident pairs around it, how many names, numbers and
phrases they share.

Decision (`choose_pairs`): a logistic model weighs the features
(`WEIGHTS`, fitted on the hand-aligned development pairs of
`bench/alignment_gold/dev/` and the seed pair by `python -m
bench.fit_alignment`; never on the held-out pairs) into a confidence.
Only pairs where one sentence is the other's best match, with similarity
from `MUTUAL_THRESHOLD`, are considered, and none where one sentence
denies a word of the other's statement (`Evidence.denied`). Then:

1. one to one, surest first: a pair is kept from `CONFIDENCE` on when
   neither sentence is paired yet;
2. order: a pair of sentences both still alone, lying in both articles'
   order between the pairs of 1. before and after it, is kept from
   `IN_ORDER_CONFIDENCE` on (the story's order as a weak prior);
3. one-to-many: from `IN_ORDER_CONFIDENCE` on, a sentence joins a kept
   pair's sentence when it says a part of that sentence's statement its
   partners did not (`_join`): where one outlet splits in two what the
   other says in one.

The two confidences were chosen by F1 on the dev pairs, each left out of
the fit in turn, among those that keep every pair of the seed articles.

Limits: this is word overlap, not meaning. A paraphrase that shares no
rare word ("the listing was yanked" / "the item is no longer in the
system") is missed, and two sentences about the same people and numbers
that state different things can pair (a statement and its denial, "Trump
endorsed Ryan" / "Trump has yet to endorse Ryan", no longer does: a pair
where a word both share is denied in one only is never kept). Sentence
embeddings were measured against it (`annotations.meaning_alignment`, the
optional `embeddings` extra) and did no better. docs/alignment.md gives the measured figures.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from annotations.segmentation import Segmentation, Span
from annotations.sentence_evidence import (
    FEATURES,
    STOP_WORDS,
    Evidence,
    longest_ordered,
    terms,
)

__all__ = ["STOP_WORDS", "AlignedPair", "Alignment", "align", "confidence", "terms"]

# A similarity at which two sentences plainly may say the same thing; the
# candidates scored are those within half of it (see `align`'s threshold).
THRESHOLD = 0.18
# No pair under this similarity, whatever else it has for it.
MUTUAL_THRESHOLD = 0.12

# Logistic weights of the features (see `FEATURES`) and the intercept:
# fitted by `python -m bench.fit_alignment` on the dev pairs.
WEIGHTS: dict[str, float] = {
    "similarity": 0.61,
    "verbatim": 0.41,
    "mutual": 0.56,
    "margin_a": 1.52,
    "margin_b": 1.51,
    "position": -1.10,
    "in_order": 0.07,
    "anchors": -0.62,
    "coverage": 0.38,
    "shared": 1.41,
    "phrases": 0.36,
    "polarity": -0.88,
    "parallel": 1.47,
}
INTERCEPT = -2.83
# The confidence a pair needs (chosen on the dev pairs).
CONFIDENCE = 0.6
# A pair between confident pairs, in the story order of both articles, needs
# only this much.
IN_ORDER_CONFIDENCE = 0.4
# A sentence joins a pair when it covers this much more of the weight of
# the sentence it joins (see `_join`).
JOIN_GAIN = 0.1


@dataclass(frozen=True, slots=True)
class AlignedPair:
    """Sentence `a_index` of the first article matches `b_index` of the second."""

    a_index: int
    b_index: int
    score: float


@dataclass(frozen=True)
class Alignment:
    """Which sentences of two articles say the same thing.

    `pairs` are sorted by (a_index, b_index); a sentence may be in several.
    """

    a: Segmentation
    b: Segmentation
    pairs: list[AlignedPair]
    _of_a: dict[int, list[int]] = field(init=False, repr=False, compare=False)
    _of_b: dict[int, list[int]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        of_a: dict[int, list[int]] = defaultdict(list)
        of_b: dict[int, list[int]] = defaultdict(list)
        for p in self.pairs:
            of_a[p.a_index].append(p.b_index)
            of_b[p.b_index].append(p.a_index)
        object.__setattr__(self, "_of_a", {i: sorted(js) for i, js in of_a.items()})
        object.__setattr__(self, "_of_b", {j: sorted(is_) for j, is_ in of_b.items()})

    def counterparts_of_a(self, i: int) -> list[int]:
        """Sentence indices of `b` matching sentence `i` of `a` (sorted; [] if none)."""
        return list(self._of_a.get(i, ()))

    def counterparts_of_b(self, j: int) -> list[int]:
        """Sentence indices of `a` matching sentence `j` of `b` (sorted; [] if none)."""
        return list(self._of_b.get(j, ()))

    def unmatched_a(self) -> list[int]:
        """Sentences of `a` with no counterpart: what only the first outlet says."""
        return [i for i in range(len(self.a.sentences)) if i not in self._of_a]

    def unmatched_b(self) -> list[int]:
        """Sentences of `b` with no counterpart: what only the second outlet says."""
        return [j for j in range(len(self.b.sentences)) if j not in self._of_b]

    def counterpart_spans(self, side: str, offset: int) -> list[Span]:
        """Spans in the other article matching the sentence at `offset` of `side`.

        `side` is "a" or "b"; the cursor's offset goes in, the spans to
        highlight in the other pane come out ([] when none, or no sentence).
        """
        if side == "a":
            index = self.a.sentence_at(offset)
            found = [] if index is None else self.counterparts_of_a(index)
            return [self.b.sentences[j] for j in found]
        if side == "b":
            index = self.b.sentence_at(offset)
            found = [] if index is None else self.counterparts_of_b(index)
            return [self.a.sentences[i] for i in found]
        raise ValueError(f"side must be 'a' or 'b', not {side!r}")

    def score(self, i: int, j: int) -> float | None:
        for p in self.pairs:
            if p.a_index == i and p.b_index == j:
                return p.score
        return None

    def records(self) -> Iterator[dict[str, Any]]:
        """JSON-ready records: every pair, then every unmatched sentence.

        `{"a": [start, end], "b": [start, end], "score": 0.62}` per pair,
        `{"a": [s, e], "b": null}` / `{"a": null, "b": [s, e]}` per
        sentence without counterpart; offsets are code points into each text.
        """
        for p in self.pairs:
            yield {
                "a": list(self.a.sentences[p.a_index]),
                "b": list(self.b.sentences[p.b_index]),
                "score": round(p.score, 3),
            }
        for i in self.unmatched_a():
            yield {"a": list(self.a.sentences[i]), "b": None}
        for j in self.unmatched_b():
            yield {"a": None, "b": list(self.b.sentences[j])}


def confidence(features: tuple[float, ...], weights: dict[str, float] | None = None,
               intercept: float | None = None, names: tuple[str, ...] = FEATURES) -> float:
    """The model's probability that a pair with these features (named by
    `names`) is a counterpart."""
    w = WEIGHTS if weights is None else weights
    z = INTERCEPT if intercept is None else intercept
    z += sum(w[name] * x for name, x in zip(names, features, strict=True))
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


def align(
    a: Segmentation,
    b: Segmentation,
    *,
    corpus: Iterable[str] = (),
    threshold: float = THRESHOLD,
    stop: Callable[[], bool] | None = None,
) -> Alignment:
    """Align the sentences of `a` and `b` (see the module's notes).

    `corpus`: texts of the other loaded articles, for better IDF weights;
    the texts of `a` and `b` themselves are skipped if they are in it.
    `threshold` scales the similarity floor (`MUTUAL_THRESHOLD` at the
    default) and the candidates scored. `stop`, asked now and then, ends
    the alignment with `errors.WorkStopped` when it says so.
    """
    evidence = Evidence(a, b, corpus=corpus, bound=threshold / 2, stop=stop)
    kept = choose_pairs(evidence, floor=threshold * MUTUAL_THRESHOLD / THRESHOLD)
    pairs = [AlignedPair(i, j, evidence.similarity[(i, j)]) for i, j in sorted(kept)]
    return Alignment(a, b, pairs)


def choose_pairs(
    evidence: Evidence,
    *,
    floor: float = MUTUAL_THRESHOLD,
    weights: dict[str, float] | None = None,
    intercept: float | None = None,
    needed: float = CONFIDENCE,
    needed_in_order: float = IN_ORDER_CONFIDENCE,
) -> set[tuple[int, int]]:
    """The pairs kept among `evidence`'s candidates (see the module's notes).

    The model and its threshold can be given (`bench.fit_alignment` tries
    others); `align` uses the module's. `evidence` may also be a
    `meaning_evidence.MeaningEvidence`: its `FEATURES` name its features.
    """
    likely: dict[tuple[int, int], float] = {}
    # A pair where one sentence denies what the other states ("endorsed
    # Ryan" / "has yet to endorse Ryan") is never kept, however much else
    # they share: on the dev pairs 21 of 22 such pairs were wrong.
    denied = getattr(evidence, "denied", frozenset())
    for (i, j), features in evidence.features.items():
        if evidence.similarity[(i, j)] >= floor and (i, j) not in denied:
            likely[(i, j)] = confidence(features, weights, intercept, evidence.FEATURES)
    ranked = sorted(likely, key=lambda k: (-likely[k], k))
    kept: set[tuple[int, int]] = set()
    taken_a: set[int] = set()
    taken_b: set[int] = set()

    def keep(i: int, j: int) -> None:
        kept.add((i, j))
        taken_a.add(i)
        taken_b.add(j)

    # One to one, surest first: a sentence already paired is not paired
    # again here (its other candidates may still join it as parts, below).
    for i, j in ranked:
        if likely[(i, j)] >= needed and i not in taken_a and j not in taken_b:
            keep(i, j)
    chain = longest_ordered(kept)
    for i, j in ranked:
        if (likely[(i, j)] >= needed_in_order and i not in taken_a and j not in taken_b
                and _between(chain, i, j)):
            keep(i, j)
    for i, j in ranked:
        if likely[(i, j)] >= needed_in_order and (i, j) not in kept:
            _join(evidence, kept, i, j, taken_a, taken_b)
    return kept


def _join(evidence: Evidence, kept: set[tuple[int, int]], i: int, j: int,
          taken_a: set[int], taken_b: set[int]) -> None:
    """One-to-many: keep (i, j) when one of the two is paired already (the
    hub) and the other says part of the hub's statement that its partners
    did not: with it, they cover `JOIN_GAIN` more of the hub's weight. A
    sentence that only repeats a partner ("We need strong leadership" / "We
    need very, very strong leadership"), or shares the hub's topic words its
    partner already had, adds nothing and stays apart. The new sentence may
    be paired already: one outlet's two sentences can each carry half of two
    of the other's."""
    for side, hub, new, new_taken in (("a", i, j, taken_b), ("b", j, i, taken_a)):
        partners = {y for x, y in kept if x == hub} if side == "a" else {
            x for x, y in kept if y == hub}
        if not partners:
            continue
        gain = (evidence.coverage(side, hub, partners | {new})
                - evidence.coverage(side, hub, partners))
        if gain >= JOIN_GAIN:
            kept.add((i, j))
            new_taken.add(new)
            return


def _between(chain: list[tuple[int, int]], i: int, j: int) -> bool:
    """(i, j) lies strictly between the chain's pairs before and after it,
    on both sides (pairs before and after are needed)."""
    k = bisect_left(chain, (i, -1))
    if k == 0:
        return False
    low = chain[k - 1][1]
    while k < len(chain) and chain[k][0] == i:
        k += 1
    return k < len(chain) and low < j < chain[k][1]
