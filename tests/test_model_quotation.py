"""Each token's quotation state (annotations/quotation_state.py), read by the
span model's encoder, and model folders saved with and without it."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from annotations.quotation_state import (
    CLOSING,
    DOUBLED_META,
    INSIDE,
    OPENING,
    OUTSIDE,
    STATES,
    quotation_states,
)
from annotations.store import open_store
from tests.model_fixtures import article, tiny_store

IN, OUT, OPEN, CLOSE = INSIDE, OUTSIDE, OPENING, CLOSING


def states(text: str, doubled: bool = False) -> list[tuple[str, str]]:
    """(word, state) of `text` split at whitespace and around quote marks."""
    pattern = (r'``|\'\'|["“”„«»]|(?:[^\s"“”„«»`\']|\'(?!\'))+|\n' if doubled
               else r'["“”„«»]|[^\s"“”„«»]+|\n')
    words = [(m.start(), m.end()) for m in re.finditer(pattern, text)]
    return [(text[s:e], q) for (s, e), q in zip(words, quotation_states(text, words, doubled))]


def test_curly_and_straight_quotes_open_and_close() -> None:
    assert states('He said “no way” and "yes" then.') == [
        ("He", OUT), ("said", OUT), ("“", OPEN), ("no", IN), ("way", IN), ("”", CLOSE),
        ("and", OUT), ('"', OPEN), ("yes", IN), ('"', CLOSE), ("then.", OUT)]


def test_single_quotes_nested_in_double_ones_stay_inside() -> None:
    assert states("“They called it ‘a farce,’ she’s sure,” he said.") == [
        ("“", OPEN), ("They", IN), ("called", IN), ("it", IN), ("‘a", IN),
        ("farce,’", IN), ("she’s", IN), ("sure,", IN), ("”", CLOSE), ("he", OUT),
        ("said.", OUT)]
    assert states("He said \"it's 'fine'\" today")[-3:] == [("'fine'", IN), ('"', CLOSE),
                                                           ("today", OUT)]


def test_unbalanced_marks() -> None:
    # A closing mark with nothing open closes nothing; an opening one inside a
    # quotation leaves it open; a straight quote between letters flips.
    assert states("odd ” here “a “b” c") == [
        ("odd", OUT), ("”", CLOSE), ("here", OUT), ("“", OPEN), ("a", IN), ("“", OPEN),
        ("b", IN), ("”", CLOSE), ("c", OUT)]
    assert [q for _w, q in states('x"y z"w')] == [OUT, OPEN, IN, IN, CLOSE, OUT]
    assert states('"') == [('"', OPEN)]
    assert states("") == []


def test_a_quotation_left_open_ends_at_a_line_break() -> None:
    text = "“Never closed, she said.\n\nThe next paragraph.\n“Again” and\nmore"
    assert [q for w, q in states(text) if w.strip()] == [
        OPEN, IN, IN, IN, IN, OUT, OUT, OUT, OPEN, IN, CLOSE, OUT, OUT]
    # A multi-paragraph quotation opens again with its own mark.
    assert [q for w, q in states('"One\n"Two."')] == [OPEN, IN, IN, OPEN, IN, CLOSE]


def test_doubled_apostrophes_are_marks_when_asked() -> None:
    # As some papers write every double quote, and PTB text opens one.
    text = "TNT. ''Tales From the Crypt,'' an HBO hit, ''24.'' ``Yes,'' he said"
    assert states(text, doubled=True) == [
        ("TNT.", OUT), ("''", OPEN), ("Tales", IN), ("From", IN), ("the", IN),
        ("Crypt,", IN), ("''", CLOSE), ("an", OUT), ("HBO", OUT), ("hit,", OUT),
        ("''", OPEN), ("24.", IN), ("''", CLOSE), ("``", OPEN), ("Yes,", IN),
        ("''", CLOSE), ("he", OUT), ("said", OUT)]
    # Not asked (a folder trained before they were read): no marks at all.
    assert {q for _w, q in states(text)} == {OUT}
    # A lone apostrophe is no mark either way.
    assert {q for _w, q in states("the Joneses' dog, 'tis", doubled=True)} == {OUT}


@given(st.text(alphabet=st.sampled_from(list('ab ."“”\'’`\n,')), max_size=60), st.booleans())
def test_every_token_has_one_state_and_marks_are_marks(text: str, doubled: bool) -> None:
    words = [(m.start(), m.end()) for m in re.finditer(r"\S+|\n", text)]
    found = quotation_states(text, words, doubled)
    marks = re.compile(r'["“”]|\'\'|``' if doubled else r'["“”]')
    assert len(found) == len(words) and set(found) <= set(STATES)
    for (start, end), state in zip(words, found):
        assert (state in (OPEN, CLOSE)) == bool(marks.search(text, start, end))
        if "\n" in text[:start] and not marks.search(text, text.rindex("\n", 0, start), start):
            assert state in (OUT, OPEN, CLOSE)  # nothing open since the last line break


# ---------------------------------------------------------------- the model reads it

spacy_needed = pytest.mark.skipif(
    __import__("importlib").util.find_spec("spacy") is None, reason="needs spaCy")


def _docs(root: Path) -> list[Any]:
    from annotations.training import collect

    tiny_store(root)
    with open_store(root, read_only=True) as store:
        return collect(store)[0]


def _saved(docs: list[Any], out: Path) -> Path:
    from annotations.training import metadata, save, train

    result = train(docs, epochs=6, patience=6)
    return save(result, out, metadata(result, annotators=["ana"], seed=0, dev=0.2))


def _encoded(nlp: Any, doc: Any) -> Any:
    from annotations.span_model import TOK2VEC

    return nlp.get_pipe(TOK2VEC).predict([doc])[0]


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A folder trained with the feature, and one trained as before it existed
    (the encoder's config of then, `features` absent from its metadata)."""
    pytest.importorskip("spacy")
    from annotations import span_model

    root = tmp_path_factory.mktemp("quotation")
    docs = _docs(root / "store")
    new = _saved(docs, root / "new")
    old_config = json.loads(json.dumps(span_model.TOK2VEC_MODEL))
    embed = old_config["embed"]
    embed["attrs"], embed["rows"] = embed["attrs"][:4], embed["rows"][:4]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(span_model, "TOK2VEC_MODEL", old_config)
        old = _saved(docs, root / "old")
    meta = json.loads((old / "newsmark-model.json").read_text())
    assert meta.pop("features") == []
    (old / "newsmark-model.json").write_text(json.dumps(meta))
    return new, old


@spacy_needed
def test_a_trained_folder_records_the_feature_and_its_encoder_reads_it(
        folders: tuple[Path, Path]) -> None:
    import numpy as np

    from annotations.span_model import SpanModel, model_doc

    new, _old = folders
    meta = json.loads((new / "newsmark-model.json").read_text())
    assert meta["features"] == ["quotation", "doubled-apostrophes"]
    assert "TAG" in (new / "pipeline" / "config.cfg").read_text()
    assert json.loads((new / "pipeline" / "meta.json").read_text())[DOUBLED_META] is True
    model = SpanModel.load(new)
    text, quotes = article(8)  # not in the store
    doc = model_doc(model.nlp, text)
    assert {t.tag_ for t in doc} == {OUT, OPEN, IN, CLOSE}
    # Without the states the encoder gives other vectors: it reads them.
    assert not np.allclose(_encoded(model.nlp, doc), _encoded(model.nlp,
                                                              model.nlp.make_doc(text)))
    assert {(s.start, s.end) for s in model.predict(text)} == set(quotes)


@spacy_needed
def test_a_folder_saved_before_the_feature_predicts_as_before(
        folders: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    import numpy as np

    from annotations.span_model import SpanModel, model_doc, predict_docs

    _new, old = folders
    model = SpanModel.load(old)
    text, _quotes = article(8)
    doc = model_doc(model.nlp, text)
    assert all(t.tag_ == "" for t in doc)  # not annotated: its encoder reads no TAG
    plain = model.nlp.make_doc(text)
    assert np.array_equal(_encoded(model.nlp, doc), _encoded(model.nlp, plain))
    assert predict_docs(model.nlp, [plain])[0][0] == predict_docs(model.nlp, [doc])[0][0]
    found = model.predict(text)
    assert found and {s.label for s in found} == {"quote"}
    # Docs made as before the feature existed: the very same spans and scores.
    monkeypatch.setattr("annotations.span_model.model_doc", lambda nlp, t: nlp.make_doc(t))
    assert model.predict(text) == found


@spacy_needed
def test_features_that_disagree_with_the_pipeline_are_refused(
        folders: tuple[Path, Path], tmp_path: Path) -> None:
    from annotations.span_model import ModelError, SpanModel

    new, old = folders
    for source, features in ((new, []), (new, ["quotation"]), (old, ["quotation"]),
                             (old, ["quotation", "doubled-apostrophes"]), (new, "quotation")):
        folder = tmp_path / f"{source.name}-{features}"
        shutil.copytree(source, folder)
        meta = json.loads((folder / "newsmark-model.json").read_text())
        (folder / "newsmark-model.json").write_text(json.dumps({**meta, "features": features}))
        with pytest.raises(ModelError, match="'features'"):
            SpanModel.load(folder)


@spacy_needed
def test_a_folder_saved_before_doubled_apostrophes_reads_them_as_before(
        folders: tuple[Path, Path], tmp_path: Path) -> None:
    # A folder of the first version of the feature: its pipeline's meta and
    # its metadata as they were saved then.
    from annotations.span_model import SpanModel, model_doc

    new, _old = folders
    folder = tmp_path / "first-version"
    shutil.copytree(new, folder)
    pipeline_meta = folder / "pipeline" / "meta.json"
    pipeline_meta.write_text(json.dumps(
        {k: v for k, v in json.loads(pipeline_meta.read_text()).items() if k != DOUBLED_META}))
    meta = json.loads((folder / "newsmark-model.json").read_text())
    (folder / "newsmark-model.json").write_text(json.dumps({**meta, "features": ["quotation"]}))
    text = "The show ''Twin Peaks,'' he said, is back."
    first = model_doc(SpanModel.load(folder).nlp, text)
    assert {t.tag_ for t in first} == {OUT}
    assert {t.tag_ for t in model_doc(SpanModel.load(new).nlp, text)} == {OUT, OPEN, IN, CLOSE}
