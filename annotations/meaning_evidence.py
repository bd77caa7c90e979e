"""Evidence that two sentences state the same thing, by meaning and by words.

`MeaningEvidence` is `sentence_evidence.Evidence`'s counterpart for the
optional sentence-embedding method (`annotations.sentence_vectors`): the
candidates and the similarity come from the cosine of the two sentences'
embeddings, which sees a paraphrase ("the listing was yanked" / "the item
is no longer in the system") that shares no word; the word evidence stays
as features, since an embedding is weak exactly where words are strong
(numbers, names, negation: "leads 49 to 41" and "leads 66 to 27" are close
in meaning-space, and so are "endorsed" and "has yet to endorse").

Features (`FEATURES`), for the pairs where one sentence is the other's
best match by meaning:

- meaning: the embeddings' cosine; margin_a / margin_b: how far it is
  above each side's next best match (a sentence close to many shares a
  topic, not a statement); mutual: each is the other's best match;
- words: the TF-IDF cosine of stemmed content words (names and numbers
  weighing more), and verbatim: the Dice share of word trigrams (see
  `sentence_evidence`);
- position: the distance of their relative places; in_order: whether the
  pair keeps the story's order between the confident pairs around it;
- anchors: names and numbers shared (capped at 3, scaled to 0-1); clash:
  both state two or more figures and share none; polarity: one is negated
  and the other not.

The vectors are computed by the caller (one article's sentences once,
cached per document): this module only needs them as rows of floats, so it
imports no model and works on any vectors, which is how it is tested
without the extra.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Sequence

from annotations.segmentation import Segmentation
from annotations.sentence_evidence import (
    Evidence,
    longest_ordered,
    negated,
    numbers_clash,
    sentence_terms,
    trigram_share,
)

FEATURES = ("meaning", "margin_a", "margin_b", "mutual", "words", "verbatim",
            "position", "in_order", "anchors", "clash", "polarity")

# Candidates per sentence, from each side, by meaning.
CANDIDATES = 4
# Mutual best matches from this cosine on make the chain that `in_order`
# measures against.
CHAIN = 0.6
# No candidate under this cosine: unrelated sentences of one story score
# 0.1-0.3 (all-MiniLM-L6-v2).
FLOOR = 0.3

Vectors = Sequence[Sequence[float]]


def _cosine_rows(a_vecs: Vectors, b_vecs: Vectors) -> list[list[float]]:
    """The cosine matrix of two lists of unit vectors (numpy when there)."""
    if not len(a_vecs) or not len(b_vecs):
        return [[] for _ in range(len(a_vecs))]
    try:
        import numpy as np
    except ImportError:  # pragma: no cover - the extra brings numpy
        return [[sum(x * y for x, y in zip(u, v)) for v in b_vecs] for u in a_vecs]
    return (np.asarray(a_vecs, dtype="float32") @ np.asarray(b_vecs, dtype="float32").T
            ).tolist()


class MeaningEvidence:
    """Candidate pairs of two segmentations by meaning, each with `FEATURES`.

    `a_vecs` / `b_vecs`: one unit vector per sentence of `a` / `b`.
    `similarity[(i, j)]` is the cosine (0-1), `features[(i, j)]` the
    values in the order of `FEATURES`; `coverage` (for one-to-many) is the
    word evidence's.
    """

    FEATURES = FEATURES

    def __init__(self, a: Segmentation, b: Segmentation, a_vecs: Vectors, b_vecs: Vectors,
                 *, corpus: Iterable[str] = ()) -> None:
        if len(a_vecs) != len(a.sentences) or len(b_vecs) != len(b.sentences):
            raise ValueError("one vector per sentence is needed")
        self.n_a, self.n_b = len(a.sentences), len(b.sentences)
        self.words = words = Evidence(a, b, corpus=corpus)
        cos = _cosine_rows(a_vecs, b_vecs)
        candidates: set[tuple[int, int]] = set()
        for i, row in enumerate(cos):
            candidates.update((i, j) for j in heapq.nlargest(
                CANDIDATES, range(self.n_b), key=row.__getitem__) if row[j] >= FLOOR)
        for j in range(self.n_b):
            column = [cos[i][j] for i in range(self.n_a)]
            candidates.update((i, j) for i in heapq.nlargest(
                CANDIDATES, range(self.n_a), key=column.__getitem__) if column[i] >= FLOOR)
        self.similarity = {(i, j): max(0.0, min(1.0, cos[i][j])) for i, j in candidates}
        self.best_a, self.best_b = _best(self.similarity)
        self.chain = longest_ordered(
            (i, j) for (i, j), s in self.similarity.items()
            if s >= CHAIN and self.best_a[i][0] == j and self.best_b[j][0] == i)

        a_text = [a.text[s:e] for s, e in a.sentences]
        b_text = [b.text[s:e] for s, e in b.sentences]
        a_terms, b_terms = sentence_terms(a), sentence_terms(b)
        self.features: dict[tuple[int, int], tuple[float, ...]] = {}
        for (i, j), sim in self.similarity.items():
            best_of_a, best_of_b = self.best_a[i][0] == j, self.best_b[j][0] == i
            if not (best_of_a or best_of_b):
                continue
            shared = set(a_terms[i]) & set(b_terms[j])
            self.features[(i, j)] = (
                sim,
                _margin(sim, j, self.best_a[i]),
                _margin(sim, i, self.best_b[j]),
                float(best_of_a and best_of_b),
                words.word_cosine(i, j),
                trigram_share(a_text[i], b_text[j]),
                abs(i / max(1, self.n_a) - j / max(1, self.n_b)),
                float(words.in_order_of(self.chain, i, j)),
                min(3, sum(1 for t in shared if words.is_anchor(t))) / 3,
                float(numbers_clash(a_terms[i], b_terms[j])),
                float(negated(a_text[i]) != negated(b_text[j])),
            )

    def coverage(self, side: str, one: int, others: Iterable[int]) -> float:
        return self.words.coverage(side, one, others)


def _best(similarity: dict[tuple[int, int], float]
          ) -> tuple[dict[int, tuple[int, float, float]], dict[int, tuple[int, float, float]]]:
    """Each sentence's best match: (index, cosine, second best's cosine)."""
    rows: dict[int, list[tuple[float, int]]] = {}
    cols: dict[int, list[tuple[float, int]]] = {}
    for (i, j), s in similarity.items():
        rows.setdefault(i, []).append((s, -j))
        cols.setdefault(j, []).append((s, -i))

    def best(table: dict[int, list[tuple[float, int]]]) -> dict[int, tuple[int, float, float]]:
        out = {}
        for k, row in table.items():
            top = heapq.nlargest(2, row)
            out[k] = (-top[0][1], top[0][0], top[1][0] if len(top) > 1 else 0.0)
        return out

    return best(rows), best(cols)


def _margin(sim: float, other: int, best: tuple[int, float, float]) -> float:
    """How far `sim` is above the best match that is not `other`."""
    index, first, second = best
    return sim - (second if index == other else first)


__all__ = ["FEATURES", "MeaningEvidence"]
