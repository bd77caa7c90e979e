"""Training examples that work out their gold once (annotations/fixed_examples.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotations.fixed_examples import fixed_example
from annotations.store import open_store
from annotations.training import collect
from tests.model_fixtures import tiny_store


def test_a_fixed_example_tags_as_spacy_does_and_only_once() -> None:
    spacy = pytest.importorskip("spacy")
    from spacy.tokens import Span
    from spacy.training import Example

    nlp = spacy.blank("en")
    predicted = nlp.make_doc("Mr. Lee said on Monday that the plan \u201cwould fail,\u201d "
                             "and left.")
    reference = predicted.copy()
    reference.ents = [Span(reference, 0, 2, "Source"), Span(reference, 6, 13, "Content")]
    fixed = fixed_example(predicted, reference)
    plain = Example(predicted, reference)

    assert fixed.get_aligned_ner() == plain.get_aligned_ner()
    assert fixed.get_aligned_ner()[:3] == ["B-Source", "L-Source", "O"]
    first = fixed.get_aligned_ents_and_ner()
    assert fixed.get_aligned_ents_and_ner() is first  # kept, not worked out again
    assert [(s.start, s.end, s.label_) for s in first[0]] == [(0, 2, "Source"), (6, 13, "Content")]


def test_training_learns_the_same_weights_as_with_spacys_examples(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The cache must change only the time a step takes: the same seed trains
    # the same weights, to the byte, as spaCy's own Example does.
    pytest.importorskip("spacy")
    from spacy.training import Example

    from annotations import training

    tiny_store(tmp_path / "s")
    with open_store(tmp_path / "s", read_only=True) as store:
        docs, _ = collect(store)

    def weights() -> bytes:
        result = training.train(docs, epochs=3, patience=3, processes=1)
        return result.model.nlp.to_bytes()

    fixed = weights()
    monkeypatch.setattr(training, "fixed_example", Example)
    assert weights() == fixed
