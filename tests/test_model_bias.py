"""How readily each label's `ner` opens a span (annotations/model_bias.py)."""

from __future__ import annotations

import pytest

from annotations.span_model import PredictedSpan
from tests.model_fixtures import article

spacy = pytest.importorskip("spacy")


def untrained(labels: list[str]):  # type: ignore[no-untyped-def]
    from spacy.training import Example

    from annotations.span_model import blank_pipeline, model_doc, span_pipes
    from annotations.training import _Piece, _unlabelled

    nlp = blank_pipeline(labels)
    doc = model_doc(nlp, article(0)[0])
    nlp.initialize(lambda: [_unlabelled(_Piece({"x": Example(doc, doc.copy())}))])
    return nlp, span_pipes(nlp)


def spans_found(nlp, text: str) -> list[tuple[int, int, str]]:  # type: ignore[no-untyped-def]
    from annotations.span_model import SpanModel

    return [(s.start, s.end, s.label) for s in SpanModel(nlp).predict(text)]


def test_opening_actions_are_the_labels_begin_and_unit() -> None:
    from annotations.model_bias import opening_actions

    _nlp, ((_label, ner),) = untrained(["quote"])
    names = sorted(ner.moves.get_class_name(i) for i in opening_actions(ner))
    assert names == ["B-quote", "U-quote"]


def test_a_shift_opens_a_span_at_once_or_never() -> None:
    from annotations.model_bias import shift_opening

    nlp, ((_label, ner),) = untrained(["quote"])
    text = article(3)[0]
    base = ner.model.get_ref("upper").get_param("b").copy()
    shift_opening(ner, base, 50.0)
    # Opens at the first token (where the span then ends is not shifted).
    assert spans_found(nlp, text)[0][0] == 0
    shift_opening(ner, base, -50.0)
    assert spans_found(nlp, text) == []
    # The shift is part of the weights: saved and loaded with the pipeline.
    shift_opening(ner, base, 50.0)
    again = spacy.blank("en").from_config(nlp.config).from_bytes(nlp.to_bytes())
    assert spans_found(again, text) == spans_found(nlp, text)


def test_each_label_keeps_the_shift_that_scores_best() -> None:
    """`learn_opening_shifts` tries the grid, keeps per label the best shift (0 on
    a tie, 0 for a label with nothing held out) and leaves it applied."""
    from annotations.model_bias import learn_opening_shifts, opening_actions

    nlp, pipes = untrained(["claim", "quote"])
    bases = {label: ner.model.get_ref("upper").get_param("b").copy() for label, ner in pipes}
    gold = [[(0, 10, "quote"), (20, 30, "quote")]]

    def shift_of(label: str) -> float:
        ner = dict(pipes)[label]
        i = opening_actions(ner)[0]
        return round(float(ner.model.get_ref("upper").get_param("b")[i] - bases[label][i]), 3)

    def predict() -> list[list[PredictedSpan]]:
        # A stand-in for the model: finds one quote at shift 1, both from 1.5 on.
        shift = shift_of("quote")
        found = [(0, 10)] if shift >= 1.0 else []
        found += [(20, 30)] if shift >= 1.5 else []
        found += [(40, 50)] if shift >= 2.5 else []
        return [[PredictedSpan(s, e, "quote", 0.9) for s, e in found]
                + [PredictedSpan(60, 70, "claim", 0.9)]]

    chosen = learn_opening_shifts(pipes, predict, gold, grid=(0.0, 1.0, 1.5, 2.0, 2.5))
    assert chosen == {"claim": 0.0, "quote": 1.5}
    assert shift_of("quote") == 1.5 and shift_of("claim") == 0.0


def test_training_records_the_shifts_it_learnt(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from annotations.model_bias import GRID
    from annotations.training import TrainingDoc, metadata, train

    docs = []
    for n in range(6):
        text, quotes = article(n)
        docs.append(TrainingDoc(f"d{n}", text, tuple((s, e, "quote") for s, e in quotes)))
    result = train(docs, epochs=3, patience=3)
    assert set(result.opening_shifts) == {"quote"} and result.opening_shifts["quote"] in GRID
    meta = metadata(result, annotators=["ana"], seed=0, dev=0.2)
    assert meta["opening_shifts"] == result.opening_shifts


def test_a_prediction_asked_to_stop_stops() -> None:
    # The reader's suggestions for a long article run in a thread that
    # quitting waited for; it now asks its worker between batches of pieces.
    from annotations.errors import WorkStopped
    from annotations.span_model import SpanModel

    nlp, _pipes = untrained(["quote"])
    model = SpanModel(nlp)
    asked: list[int] = []
    assert model.predict(article(0)[0], stop=lambda: bool(asked.append(1))) is not None
    assert asked  # it was asked, and went on
    with pytest.raises(WorkStopped):
        model.predict(article(0)[0], stop=lambda: True)
