"""Where the model's spans begin and end (annotations/model_boundaries.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotations.span_model import PredictedSpan
from tests.model_fixtures import article

spacy = pytest.importorskip("spacy")
np = pytest.importorskip("numpy")


def nlp():  # type: ignore[no-untyped-def]
    return spacy.blank("en")


def fitted(n: int = 8):  # type: ignore[no-untyped-def]
    """A scorer fitted on `n` fixture articles, their quotes labelled `quote`."""
    from annotations.model_boundaries import fit_scorer

    blank = nlp()
    docs = []
    for k in range(n):
        text, quotes = article(k)
        docs.append((blank.make_doc(text), [(s, e, "quote") for s, e in quotes]))
    return fit_scorer(docs, ["quote"], iterations=40)


def off_by_some(k: int) -> tuple[str, list[PredictedSpan], list[tuple[int, int]]]:
    """Article `k` (not trained on), its quotes, and predictions missing each quote's
    opening mark and running on over the word after it."""
    text, quotes = article(k)
    found = []
    for start, end in quotes:
        after = text.index(" ", end + 1)  # "… .” The" : one word too far
        found.append(PredictedSpan(start + 1, after, "quote", 0.7))
    return text, found, quotes


def test_quotation_state_tells_opening_from_closing_marks() -> None:
    from annotations.model_boundaries import quotation_state

    doc = nlp().make_doc('He said "yes" and \u201cno\u201d.\n\n"Again')
    before, after = quotation_state(doc)
    inside = {t.text + str(i): (int(before[i]) - 7, int(after[i]) - 7) for i, t in enumerate(doc)}
    assert inside["\"2"] == (0, 1)      # the opening straight quote
    assert inside["yes3"] == (1, 1)
    assert inside["\"4"] == (1, 0)      # the closing one
    assert inside["\u201c6"] == (0, 1)
    assert inside["\u201d8"] == (1, 0)
    # A paragraph break closes an unclosed quotation: the next " opens one.
    assert inside["\"11"] == (0, 1)


def test_features_are_hashed_into_the_weights_and_repeatable() -> None:
    from annotations.model_boundaries import BITS, token_features

    doc = nlp().make_doc(article(0)[0])
    starts, ends = token_features(doc)
    assert starts.shape[0] == ends.shape[0] == len(doc)
    assert starts.min() >= 0 and max(starts.max(), ends.max()) < 1 << BITS
    again = token_features(nlp().make_doc(article(0)[0]))
    assert (again[0] == starts).all() and (again[1] == ends).all()
    # Starts and ends are scored on different features.
    assert not np.intersect1d(starts[:, :4], ends[:, :4]).size


def test_spans_move_to_the_gold_like_boundaries() -> None:
    scorer = fitted()
    text, found, quotes = off_by_some(11)
    doc = nlp().make_doc(text)
    moved = scorer.refine(doc, found, {"quote": (4, 0.5, 0.0)})
    assert [(s.start, s.end) for s in moved] == quotes
    # Label and score go with the span.
    assert {(s.label, s.score) for s in moved} == {("quote", 0.7)}
    # Reach 0 (the knobs of a label never tuned) keeps the model's spans.
    assert scorer.refine(doc, found, {"quote": (0, 0.0, 0.0)}) == found
    assert scorer.refine(doc, found, {}) == found


def test_a_span_never_crosses_its_neighbour_nor_starts_on_whitespace() -> None:
    scorer = fitted()
    text, quotes = article(12)
    doc = nlp().make_doc(text)
    (s1, e1), (s2, e2) = quotes
    # Two spans of the label back to back: each may only move within its room.
    found = [PredictedSpan(s1, e1, "quote", 0.9), PredictedSpan(e1 + 1, s2 - 1, "quote", 0.2),
             PredictedSpan(s2, e2, "quote", 0.9)]
    moved = scorer.refine(doc, found, {"quote": (12, 0.0, 0.0)})
    spans = sorted((s.start, s.end) for s in moved)
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:]))
    assert all(not text[s].isspace() and not text[e - 1].isspace() for s, e in spans)
    # Spans of a label the scorer has no weights for are left alone.
    other = [PredictedSpan(3, 9, "claim", 0.5)]
    assert scorer.refine(doc, other, {"claim": (4, 0.0, 0.0)}) == other


def test_knobs_are_kept_only_where_they_gain_on_held_out_documents() -> None:
    from annotations.model_boundaries import KEEP, learn_knobs

    scorer = fitted()
    blank = nlp()
    texts, wrong, right = [], [], []
    for k in (11, 12, 13):
        text, found, quotes = off_by_some(k)
        texts.append(text)
        wrong.append(found)
        right.append([PredictedSpan(s, e, "quote", 0.9) for s, e in quotes])
    docs = [blank.make_doc(t) for t in texts]
    gold = [[(s.start, s.end, "quote") for s in r] for r in right]
    knobs = learn_knobs(scorer, docs, gold, wrong)
    assert knobs["quote"][0] > 0 and scorer.knobs == knobs and scorer.active()
    for doc, found, r in zip(docs, wrong, right):
        assert [(s.start, s.end) for s in scorer.refine(doc, found)] == [
            (s.start, s.end) for s in r]
    # Already exact: nothing to gain, the model's own spans are kept.
    assert learn_knobs(scorer, docs, gold, right) == {"quote": KEEP}
    assert not scorer.active()


def test_saved_and_loaded_with_its_knobs(tmp_path: Path) -> None:
    from annotations.model_boundaries import FILE_NAME, BoundaryScorer, knobs_to_json

    scorer = fitted(4)
    scorer.knobs = {"quote": (4, 0.5, 0.0)}
    scorer.save(tmp_path)
    assert (tmp_path / FILE_NAME).is_file()
    again = BoundaryScorer.load(tmp_path, knobs_to_json(scorer.knobs))
    assert again is not None and again.knobs == scorer.knobs
    text, found, _quotes = off_by_some(11)
    doc = nlp().make_doc(text)
    assert again.refine(doc, found) == scorer.refine(doc, found)
    # A folder from before the scorer existed: nothing to load, spans as they were.
    assert BoundaryScorer.load(tmp_path / "none", None) is None
    assert BoundaryScorer.load(tmp_path, None) is None


def test_the_model_moves_its_spans_and_keeps_the_scorer_in_its_folder(tmp_path: Path) -> None:
    """`SpanModel.predict` applies the scorer; `save` writes it, `SpanModel.load`
    reads it back, and `newsmark-model.json` records its knobs."""
    import json

    from annotations.model_boundaries import FILE_NAME
    from annotations.span_model import META_NAME, SpanModel, model_doc
    from annotations.training import TrainingResult, metadata, save
    from tests.test_model_bias import untrained

    pipeline, ((_label, ner),) = untrained(["quote"])
    from annotations.model_bias import shift_opening

    # An untrained `ner` told to open spans readily: spans somewhere, to move.
    shift_opening(ner, ner.model.get_ref("upper").get_param("b").copy(), 3.0)
    text = article(11)[0]
    plain = SpanModel(pipeline).predict(text)
    assert plain
    scorer = fitted()
    scorer.knobs = {"quote": (6, 0.0, 0.0)}
    expected = scorer.refine(model_doc(pipeline, text), plain)
    assert expected != plain
    model = SpanModel(pipeline, boundaries=scorer)
    assert model.predict(text) == expected

    result = TrainingResult(model=model, labels=["quote"], train_docs=[], dev_docs=[],
                            scores=None, best_epoch=1, epochs_run=1, seconds=1.0,
                            boundaries=scorer)
    folder = save(result, tmp_path / "model", metadata(result, annotators=["ana"], seed=0,
                                                       dev=0.2))
    meta = json.loads((folder / META_NAME).read_text())
    assert meta["boundaries"] == {"quote": {"reach": 6, "stay": 0.0, "step": 0.0}}
    loaded = SpanModel.load(folder)
    assert loaded.boundaries is not None and loaded.predict(text) == expected
    # A folder saved before the scorer existed predicts the parse's own spans.
    (folder / FILE_NAME).unlink()
    del meta["boundaries"]
    (folder / META_NAME).write_text(json.dumps(meta))
    older = SpanModel.load(folder)
    assert older.boundaries is None and older.predict(text) == plain


def test_train_says_how_far_span_ends_move() -> None:
    from annotations.model_boundaries import KEEP, describe

    assert describe({"Cue": KEEP, "Content": (16, 1.0, 0.0)}) == (
        "span ends move where the boundary scorers prefer: Content up to 16 tokens "
        "(Cue as the model found them)")
    assert describe({"Cue": KEEP}) is None
    assert describe({}) is None
