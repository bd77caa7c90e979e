"""Sentence alignment by meaning: the measured alternative to word overlap.

`align_by_meaning` aligns two articles as `annotations.alignment.align`
does (same decision: one to one surest first, the story's order as a weak
prior, one-to-many where a sentence adds part of a statement), but on
`MeaningEvidence`: candidates and similarity from sentence embeddings (the
optional `embeddings` extra, `annotations.sentence_vectors`), the word
evidence (TF-IDF cosine, verbatim trigrams, shared names and numbers,
clashing figures, negation) as features.

It is not what the reader or `newsmark align` use: measured on the
hand-aligned pairs it did not do better than the word method (dev pairs,
each left out of the fit in turn: precision 0.51 / recall 0.61 against
0.57 / 0.57; held out, read once: 0.45 / 0.40 against 0.50 / 0.37), it
loses one of the seed pair's fourteen pairs, and it costs seconds, not
milliseconds. docs/alignment.md gives the figures; `python -m bench
quality` reports both methods side by side when the extra is installed.

The weights and confidences were fitted by `python -m bench.fit_alignment
--method meaning` on the seed and dev pairs (never the held-out ones).
"""

from __future__ import annotations

from collections.abc import Iterable

from annotations.alignment import AlignedPair, Alignment, choose_pairs
from annotations.meaning_evidence import MeaningEvidence
from annotations.segmentation import Segmentation

WEIGHTS: dict[str, float] = {
    "meaning": 1.09,
    "margin_a": 0.48,
    "margin_b": 0.70,
    "mutual": 1.51,
    "words": 2.36,
    "verbatim": 1.20,
    "position": -1.35,
    "in_order": 0.53,
    "anchors": 1.11,
    "clash": 1.08,
    "polarity": 0.35,
}
INTERCEPT = -2.56
CONFIDENCE = 0.6
IN_ORDER_CONFIDENCE = 0.3


def sentence_texts(seg: Segmentation) -> list[str]:
    return [seg.text[s:e] for s, e in seg.sentences]


def align_by_meaning(a: Segmentation, b: Segmentation, *, corpus: Iterable[str] = (),
                     vectors: tuple[list, list] | None = None) -> Alignment:
    """Align `a` and `b` by meaning; `vectors` (one per sentence of each)
    skips the model, else `sentence_vectors.encode` computes them (the
    extra is needed then)."""
    if vectors is None:
        from annotations import sentence_vectors

        vectors = (sentence_vectors.encode(sentence_texts(a)),
                   sentence_vectors.encode(sentence_texts(b)))
    evidence = MeaningEvidence(a, b, vectors[0], vectors[1], corpus=corpus)
    kept = choose_pairs(evidence, floor=0.0, weights=WEIGHTS, intercept=INTERCEPT,
                        needed=CONFIDENCE, needed_in_order=IN_ORDER_CONFIDENCE)
    return Alignment(a, b, [AlignedPair(i, j, evidence.similarity[(i, j)])
                            for i, j in sorted(kept)])
