"""Alignment by meaning: the evidence on given vectors, and the optional model.

The evidence and the decision are tested on hand-made vectors, so they run
without the `embeddings` extra; the tests of the packaged model skip
cleanly without it and run when it is installed.
"""

from __future__ import annotations

import math
import os

import pytest

from annotations import sentence_vectors
from annotations.meaning_alignment import align_by_meaning, sentence_texts
from annotations.meaning_evidence import FEATURES, MeaningEvidence
from annotations.segmentation import Segmenter

# Two tellings of one story; A1 ~ B2 is a paraphrase with no content word in
# common, A0 ~ B0 shares words, A2 and B1 are each one outlet's own.
ARTICLE_A = (
    "The museum withdrew the painting from the auction on Friday. "
    "The listing was yanked within hours. "
    "Critics praised the gallery's new wing."
)
ARTICLE_B = (
    "The painting was withdrawn from the museum auction on Friday. "
    "Ferries will run every ten minutes. "
    "The item is no longer in the system."
)


def _unit(*xs: float) -> list[float]:
    norm = math.sqrt(sum(x * x for x in xs))
    return [x / norm for x in xs]


# Vectors as a model would give them: counterparts close, the rest apart.
A_VECS = [_unit(1, 0.1, 0, 0), _unit(0, 1, 0.1, 0), _unit(0, 0, 0, 1)]
B_VECS = [_unit(1, 0, 0.1, 0), _unit(0.2, 0, 1, 0.2), _unit(0.1, 1, 0, 0)]


def _segments():
    segmenter = Segmenter.train([ARTICLE_A, ARTICLE_B])
    return segmenter.segment(ARTICLE_A), segmenter.segment(ARTICLE_B)


def test_evidence_finds_a_paraphrase_sharing_no_word() -> None:
    a, b = _segments()
    evidence = MeaningEvidence(a, b, A_VECS, B_VECS)
    assert set(evidence.features) >= {(0, 0), (1, 2)}
    values = dict(zip(FEATURES, evidence.features[(1, 2)], strict=True))
    assert values["meaning"] > 0.9 and values["mutual"] == 1.0
    assert values["words"] == 0.0  # no content word in common: words alone miss it
    # A sentence close to nothing in the other article is no candidate at all.
    assert not any(i == 2 for i, _ in evidence.similarity)


def test_align_by_meaning_pairs_counterparts_and_leaves_the_rest() -> None:
    a, b = _segments()
    result = align_by_meaning(a, b, vectors=(A_VECS, B_VECS))
    assert {(p.a_index, p.b_index) for p in result.pairs} == {(0, 0), (1, 2)}
    assert result.unmatched_a() == [2] and result.unmatched_b() == [1]


def test_clashing_figures_and_negation_are_features() -> None:
    a = "Clinton leads Trump 49 to 41 among registered Democrats. Trump endorsed Ryan."
    b = "Clinton leads Trump 66 to 27 among younger voters. Trump has yet to endorse Ryan."
    segmenter = Segmenter.train([a, b])
    sa, sb = segmenter.segment(a), segmenter.segment(b)
    vecs = [_unit(1, 0), _unit(0, 1)]
    evidence = MeaningEvidence(sa, sb, vecs, vecs)
    first = dict(zip(FEATURES, evidence.features[(0, 0)], strict=True))
    second = dict(zip(FEATURES, evidence.features[(1, 1)], strict=True))
    assert first["clash"] == 1.0 and first["polarity"] == 0.0
    assert second["polarity"] == 1.0 and second["clash"] == 0.0


def test_one_vector_per_sentence_is_required() -> None:
    a, b = _segments()
    with pytest.raises(ValueError, match="one vector per sentence"):
        MeaningEvidence(a, b, A_VECS[:2], B_VECS)


def test_empty_articles() -> None:
    segmenter = Segmenter.train(["x"])
    empty = segmenter.segment("")
    result = align_by_meaning(empty, empty, vectors=([], []))
    assert result.pairs == []


def test_without_the_extra_the_model_says_how_to_install_it(monkeypatch) -> None:
    monkeypatch.setattr(sentence_vectors, "available", lambda: False)
    sentence_vectors.model.cache_clear()
    with pytest.raises(RuntimeError, match=r"newsmark\[embeddings\]"):
        sentence_vectors.model()
    sentence_vectors.model.cache_clear()


needs_extra = pytest.mark.skipif(not sentence_vectors.available(),
                                 reason="the embeddings extra is not installed")


@needs_extra
def test_packaged_model_loads_offline_and_tells_paraphrase_from_topic() -> None:
    a, b = _segments()
    va = sentence_vectors.encode(sentence_texts(a))
    vb = sentence_vectors.encode(sentence_texts(b))
    assert os.environ["HF_HUB_OFFLINE"] == "1" and os.environ["TRANSFORMERS_OFFLINE"] == "1"
    assert len(va) == 3 and len(va[0]) == 384
    assert abs(sum(x * x for x in va[0]) - 1.0) < 1e-4

    def cos(u, v) -> float:
        return float(sum(x * y for x, y in zip(u, v, strict=True)))

    # The yanked listing is closer to the item gone from the system than to
    # the ferries, though it shares no word with either.
    assert cos(va[1], vb[2]) > cos(va[1], vb[1]) + 0.1
    assert sentence_vectors.encode([sentence_texts(a)[1]])[0] is va[1]  # cached


@needs_extra
def test_align_by_meaning_with_the_packaged_model() -> None:
    a, b = _segments()
    result = align_by_meaning(a, b)
    assert (0, 0) in {(p.a_index, p.b_index) for p in result.pairs}
    assert 1 in result.unmatched_b()
