"""The span model: training data from the store, training, saving, suggesting.

Training here is on a tiny store for a few epochs (about a second): these
tests check the pipeline, not how well it learns (bench/model_.py does).
"""

from __future__ import annotations

import builtins
import json
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from annotations.labels import ConfigError, parse_config
from annotations.model import Annotation, Document
from annotations.span_model import ModelError, require_spacy
from annotations.store import open_store
from annotations.training import GOLD, TrainingDoc, collect, split
from tests.model_fixtures import article, tiny_store
from tui.cli import main


def test_split_is_by_document_and_seeded() -> None:
    docs = [TrainingDoc(f"d{i}", "x", ()) for i in range(10)]
    train, dev = split(docs, 0.2, seed=1)
    assert len(dev) == 2 and len(train) == 8
    assert {d.doc_id for d in train}.isdisjoint({d.doc_id for d in dev})
    assert split(docs, 0.2, seed=1) == (train, dev)
    assert split(docs, 0.2, seed=2)[1] != dev or split(docs, 0.2, seed=3)[1] != dev
    assert split(docs[:1], 0.2) == (docs[:1], [])  # one document: all trained on
    assert len(split(docs[:2], 0.2)[1]) == 1


def test_collect_prefers_the_gold_layer(tmp_path: Path) -> None:
    with open_store(tmp_path / "s") as store:
        doc = Document("Ana said the bridge is safe. Tom disagreed.")
        store.register(doc)
        store.add(Annotation.tag(doc, 0, 28, "claim", annotator="ana"))
        store.add(Annotation.tag(doc, 29, 43, "claim", annotator=GOLD))
        other = Document("Nothing tagged here.")
        store.register(other)
        docs, layers = collect(store)
        assert layers == [GOLD] and [d.spans for d in docs] == [((29, 43, "claim"),)]
        docs, layers = collect(store, ["ana"])
        assert [d.spans for d in docs] == [((0, 28, "claim"),)]
        docs, _ = collect(store, ["ana", GOLD])
        assert len(docs[0].spans) == 2
        store.set_status(other.id, "done")  # done without spans: a negative example
        assert len(collect(store)[0]) == 2


def test_done_only_learns_from_the_documents_the_chosen_annotators_finished(
        tmp_path: Path) -> None:
    # Found by a new user: one suggestion accepted in a document just opened
    # made it a training document, its untagged text learnt as nothing to tag.
    with open_store(tmp_path / "s") as store:
        begun = Document("Ana said the bridge is safe. Tom disagreed.")
        finished = Document("Tom said the dam will go. Nobody else spoke.")
        for doc in (begun, finished):
            store.register(doc)
            store.add(Annotation.tag(doc, 0, 20, "claim", annotator="ana"))
        assert {d.doc_id for d in collect(store, ["ana"])[0]} == {begun.id, finished.id}
        assert collect(store, ["ana"], done_only=True)[0] == []
        store.set_annotator_status("ana", finished.id, "done")
        assert [d.doc_id for d in collect(store, ["ana"], done_only=True)[0]] == [finished.id]
        # Another annotator's "done" is not ana's.
        store.set_annotator_status("ben", begun.id, "done")
        assert [d.doc_id for d in collect(store, ["ana"], done_only=True)[0]] == [finished.id]


def test_train_names_the_documents_not_done_and_done_only_needs_one(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("spacy")
    from annotations import training

    tiny_store(tmp_path / "s", documents=3)

    def no_training(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("stopped here")

    monkeypatch.setattr(training, "train", no_training)
    result = CliRunner().invoke(main, ["train", "--store", str(tmp_path / "s")])
    assert "note: 3 documents of 3 not marked done (d)" in result.output
    assert "--done-only leaves them out" in result.output
    result = CliRunner().invoke(main, ["train", "--store", str(tmp_path / "s"), "--done-only"])
    assert result.exit_code == 5
    assert "is marked done (d) by ana; mark the finished ones done first" in result.output


def test_model_config_is_checked(tmp_path: Path) -> None:
    config = parse_config({"model": {"path": "m", "threshold": 0.7}}, tmp_path / "newsmark.toml")
    assert config.model_path == tmp_path / "m" and config.model_threshold == 0.7
    assert parse_config({}).model_threshold is None  # the model's own
    with pytest.raises(ConfigError, match="threshold"):
        parse_config({"model": {"threshold": 2}})
    with pytest.raises(ConfigError, match="model"):
        parse_config({"model": "m"})


def test_missing_spacy_names_the_extra(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    real_import = builtins.__import__

    def no_spacy(name, *args, **kwargs):  # type: ignore[no-untyped-def]
        if name == "spacy" or name.startswith("spacy."):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.delitem(sys.modules, "spacy", raising=False)
    monkeypatch.setattr(builtins, "__import__", no_spacy)
    with pytest.raises(ModelError, match=r"newsmark\[model\]"):
        require_spacy()
    tiny_store(tmp_path / "s", documents=2)
    result = CliRunner().invoke(main, ["train", "--store", str(tmp_path / "s")])
    assert result.exit_code == 5
    assert result.output.count("\n") == 1 and "newsmark[model]" in result.output


def test_train_with_no_store_or_no_spans(tmp_path: Path) -> None:
    pytest.importorskip("spacy")
    result = CliRunner().invoke(main, ["train", "--store", str(tmp_path / "none")])
    assert result.exit_code == 4 and "no store" in result.output
    with open_store(tmp_path / "s") as store:
        store.register(Document("Untagged."))
    result = CliRunner().invoke(main, ["train", "--store", str(tmp_path / "s")])
    assert result.exit_code == 5 and "tag some first" in result.output


def test_train_on_one_document_says_at_once_that_none_is_held_out(tmp_path: Path) -> None:
    # Found by a new user: "1 document …, 20% held out", then "no document held out".
    pytest.importorskip("spacy")
    tiny_store(tmp_path / "s", documents=1)
    result = CliRunner().invoke(main, ["train", "--store", str(tmp_path / "s"), "--epochs", "1",
                                       "--out", str(tmp_path / "m")])
    assert result.exit_code == 0, result.output
    assert "1 document of" in result.output
    assert "none held out (one document: no scores)" in result.output
    assert "20% held out" not in result.output


@pytest.mark.parametrize("where", ["a file", "under a file", "a folder of other files"])
def test_train_to_an_unusable_out_says_so_before_training(tmp_path: Path, where: str,
                                                           monkeypatch: pytest.MonkeyPatch
                                                           ) -> None:
    # `--out` naming a file crashed with a NotADirectoryError traceback, and
    # only after the whole training (found trying issue 17 in a terminal).
    pytest.importorskip("spacy")
    from annotations import training

    tiny_store(tmp_path / "store")
    (tmp_path / "afile").write_text("mine\n", encoding="utf-8")
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "keep.txt").write_text("mine\n", encoding="utf-8")
    out = {"a file": tmp_path / "afile", "under a file": tmp_path / "afile" / "model",
           "a folder of other files": tmp_path / "notes"}[where]

    def no_training(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("trained although the model could not be saved")

    monkeypatch.setattr(training, "train", no_training)
    result = CliRunner().invoke(main, ["train", "--store", str(tmp_path / "store"),
                                       "--out", str(out)])
    assert result.exit_code == 4, result.output  # as for an export's --out
    assert result.exception is None or isinstance(result.exception, SystemExit)
    [line] = result.output.strip().splitlines()
    assert line.startswith(f"newsmark: {out}: ") and "choose another place" in line
    assert [p.name for p in (tmp_path / "notes").iterdir()] == ["keep.txt"]
    assert (tmp_path / "afile").read_text(encoding="utf-8") == "mine\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile", "notes", "store"]


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A tiny store and the model `newsmark train` made of it."""
    pytest.importorskip("spacy")
    root = tmp_path_factory.mktemp("trained")
    tiny_store(root / "store")
    result = CliRunner().invoke(main, ["train", "--store", str(root / "store"), "--epochs", "15",
                                       "--patience", "15", "--out", str(root / "model")])
    assert result.exit_code == 0, result.output
    (root / "printed.txt").write_text(result.output, encoding="utf-8")
    return root / "store", root / "model"


def test_train_writes_scores_and_store_state(trained: tuple[Path, Path]) -> None:
    store_dir, model_dir = trained
    printed = (model_dir.parent / "printed.txt").read_text(encoding="utf-8")
    # The held-out document chose the epoch and settings: its scores are said
    # to flatter the model (a new user read them as a fair test).
    assert "scores on 1 held-out document" in printed
    assert "so the scores flatter the model, the more so with so few)" in printed
    meta = json.loads((model_dir / "newsmark-model.json").read_text())
    assert meta["labels"] == ["quote"]
    assert set(meta["scores"]["quote"]) == {"exact", "overlap"}
    assert meta["store"]["annotators"] == ["ana"]
    assert len(meta["store"]["train_documents"]) == 5 and len(meta["store"]["dev_documents"]) == 1
    assert meta["store"]["spans_per_label"] == {"quote": 10}
    assert meta["features"] == ["quotation", "doubled-apostrophes"]  # each token's quotation state
    # Learnt on the held-out document: a point of the grid that lets its
    # quotes through (the model finds them; see the suggest test below).
    from annotations.model_threshold import GRID

    assert meta["threshold"] in GRID
    assert (model_dir / "pipeline" / "meta.json").is_file()
    size = sum(p.stat().st_size for p in model_dir.rglob("*") if p.is_file())
    assert size < 50e6


@pytest.mark.parametrize(("key", "cases", "absent"), [
    ("joins", (({"quote": 80}, True), ({"quote": "far"}, False), ([80], False)), {}),
    ("cuts", ((["quote"], True), ("quote", False), ([3], False)), []),
    ("carries", (({"quote": 40}, True), ({"quote": -1}, False), ("quote", False)), {}),
])
def test_a_model_folder_keeps_its_joins_cuts_and_carries(trained: tuple[Path, Path], tmp_path: Path,
                                                 key: str, cases: tuple, absent: object) -> None:
    import shutil

    from annotations.span_model import SpanModel

    meta = json.loads((trained[1] / "newsmark-model.json").read_text())
    assert isinstance(meta[key], type(absent))  # what training learnt (none, or some)
    folder = tmp_path / "model"
    shutil.copytree(trained[1], folder)
    for value, ok in cases:
        (folder / "newsmark-model.json").write_text(json.dumps({**meta, key: value}))
        if ok:
            assert getattr(SpanModel.load(folder), key) == value
        else:
            with pytest.raises(ModelError, match=f"'{key}'"):
                SpanModel.load(folder)
    del meta[key]  # a folder saved before it existed
    (folder / "newsmark-model.json").write_text(json.dumps(meta))
    assert getattr(SpanModel.load(folder), key) == absent


def _model_finding(span: Any, folder: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The trained folder's model, its parse made to find `span` alone in any
    text, with no span-end move, join, cut or carry of its own."""
    import annotations.span_model as span_model
    from annotations.span_model import SpanModel

    monkeypatch.setattr(span_model, "decode_docs",
                        lambda nlp, docs, copies, others=(): [([span], 0.1) for _ in docs])
    model = SpanModel.load(folder)
    model.boundaries, model.joins, model.cuts, model.carries = None, {}, [], {}
    return model


def test_predicting_joins_then_cuts_the_labels_a_folder_names(
        trained: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    from annotations.span_model import PredictedSpan

    text = "“We will win,” a voice-over says as the podium stands empty."
    runs_on = PredictedSpan(0, text.index(" empty") + 6, "quote", 0.8)
    model = _model_finding(runs_on, trained[1], monkeypatch)
    assert [(s.start, s.end) for s in model.predict(text)] == [(runs_on.start, runs_on.end)]
    model.cuts = ["quote"]
    assert [(s.start, s.end) for s in model.predict(text)] == [(0, text.index("”") + 1)]
    model.cuts = ["claim"]  # another label's spans are left as they are
    assert [(s.start, s.end) for s in model.predict(text)] == [(runs_on.start, runs_on.end)]


def test_predicting_carries_a_first_piece_on_where_a_folder_says(
        trained: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    from annotations.span_model import PredictedSpan

    text = "“It is late,” she said on Monday. “We go home.”"
    first = PredictedSpan(0, text.index("”") + 1, "quote", 0.8)
    model = _model_finding(first, trained[1], monkeypatch)
    assert [(s.start, s.end) for s in model.predict(text)] == [(0, first.end)]
    model.carries = {"quote": 40}
    assert [(s.start, s.end) for s in model.predict(text)] == [(0, len(text))]


def test_retraining_replaces_the_model_whole(trained: tuple[Path, Path], tmp_path: Path) -> None:
    from annotations.span_model import SpanModel
    from annotations.training import collect, metadata, save, train

    store_dir, _ = trained
    with open_store(store_dir, read_only=True) as store:
        docs, layers = collect(store)
    result = train(docs, epochs=1)
    out = tmp_path / "m"
    save(result, out, metadata(result, annotators=layers, seed=0, dev=0.2))
    save(result, out, metadata(result, annotators=layers, seed=0, dev=0.2))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m"]  # no temporary left
    assert SpanModel.load(out).labels == ["quote"]
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "keep.txt").write_text("mine")
    with pytest.raises(ModelError, match="not a newsmark model folder"):
        save(result, tmp_path / "other", {})
    assert (tmp_path / "other" / "keep.txt").read_text() == "mine"


def test_suggest_shows_model_spans_beside_the_rules(trained: tuple[Path, Path],
                                                    tmp_path: Path) -> None:
    _, model_dir = trained
    text, quotes = article(8)  # not in the store
    path = tmp_path / "new.txt"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["suggest", str(path), "--model", str(model_dir),
                                       "--store", str(tmp_path / "s")])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines()]
    model = [r for r in lines if r["source"] == "model"]
    assert {r["source"] for r in lines} == {"rule", "model"}
    threshold = json.loads((model_dir / "newsmark-model.json").read_text())["threshold"]
    assert all(threshold <= r["score"] <= 1 for r in model)
    assert {(r["start"], r["end"]) for r in model} == set(quotes)
    assert all(r["score"] is None for r in lines if r["source"] == "rule")


def test_suggest_threshold_from_config(trained: tuple[Path, Path], tmp_path: Path) -> None:
    _, model_dir = trained
    path = tmp_path / "new.txt"
    path.write_text(article(8)[0], encoding="utf-8")
    (tmp_path / "newsmark.toml").write_text("[model]\nthreshold = 1.0\n")
    result = CliRunner().invoke(main, ["suggest", str(path), "--model", str(model_dir),
                                       "--store", str(tmp_path / ".newsmark")])
    assert result.exit_code == 0, result.output
    assert all(json.loads(line)["source"] == "rule" for line in result.output.splitlines())


def test_suggest_with_a_folder_that_is_no_model(tmp_path: Path) -> None:
    pytest.importorskip("spacy")
    path = tmp_path / "a.txt"
    path.write_text("Text.", encoding="utf-8")
    result = CliRunner().invoke(main, ["suggest", str(path), "--model", str(tmp_path)])
    assert result.exit_code == 5 and "not a newsmark model folder" in result.output


def test_one_layer_per_label_keeps_the_longer_of_overlapping_spans() -> None:
    pytest.importorskip("spacy")
    from annotations.span_model import blank_pipeline, layer_spans

    nlp = blank_pipeline(["Content", "Source"])
    doc = nlp.make_doc("Ana Berg said the bridge will open in May, and Tom agreed.")
    spans = [(0, 8, "Source"), (14, 41, "Content"), (18, 24, "Content"), (0, 41, "claim")]
    content, dropped = layer_spans(doc, spans, "Content")
    assert [(s.start_char, s.end_char) for s in content] == [(14, 41)] and dropped == 1
    source, dropped = layer_spans(doc, spans, "Source")
    assert [(s.start_char, s.end_char, s.label_) for s in source] == [(0, 8, "Source")]
    assert dropped == 0


def test_numpy_parse_is_the_one_spacy_walks(trained: tuple[Path, Path],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """`span_decoding.decode` finds the spans spaCy's own parser finds, and the
    probabilities are a softmax of spaCy's own scores over the actions spaCy
    calls valid in each state it goes through, token by token."""
    import numpy as np

    from annotations.span_decoding import decode
    from annotations.span_model import TOK2VEC, SpanModel, model_doc, span_pipes

    model = SpanModel.load(trained[1])
    ((_label, ner),) = span_pipes(model.nlp)
    texts = [article(9)[0], article(10)[0] + "\n\n" + article(11)[0]]
    docs = [model_doc(model.nlp, text) for text in texts]
    model.nlp.get_pipe(TOK2VEC)(docs[0])
    model.nlp.get_pipe(TOK2VEC)(docs[1])
    decoded = decode(ner, docs)
    # Spans longer than the first batch of tokens followed are followed further.
    monkeypatch.setattr("annotations.span_decoding.FOLLOW", 2)
    again = decode(ner, docs)
    assert [s for s, _p in again] == [s for s, _p in decoded]
    # Equal to rounding: a batch of another shape may be multiplied in another
    # order by the BLAS kernels (bitwise equal on one machine, not on another).
    assert all(np.allclose(p, q, rtol=0, atol=1e-6) for (_s, p), (_t, q) in zip(again, decoded))
    names = [ner.moves.get_class_name(i) for i in range(ner.moves.n_moves)]
    for doc, (spans, probs) in zip(docs, decoded):
        doc.ents = []
        ner(doc)
        assert spans == [(e.start, e.end) for e in doc.ents] and spans  # the quotes
        doc.ents = []
        first = {t: s for s, e in spans for t in range(s + 1, e)}  # the open span's start
        step_model = ner.model.predict([doc])
        states = ner.moves.init_batch([doc])
        for t in range(len(doc)):
            ids = [t, first[t], t - 1] if t in first else [t, -1, -1]
            assert step_model.get_token_ids(states).tolist() == [ids]
            scores = step_model.predict(states)[0]
            valid = np.array([ner.moves.is_valid(states[0], n) for n in names], dtype=bool)
            action = ("U" if (t, t + 1) in spans else "B" if any(s == t for s, _e in spans)
                      else "L" if any(e == t + 1 for _s, e in spans) else "I" if t in first
                      else "O")
            taken = [n for n in names if n[:1] == action and (n == "O" or n[2:])]
            assert len(taken) == 1 and ner.moves.is_valid(states[0], taken[0])
            expected = np.exp(scores[valid] - scores[valid].max())
            expected = expected[[n for n, v in zip(names, valid) if v].index(taken[0])] \
                / expected.sum()
            assert probs[t] == pytest.approx(expected, abs=1e-4)
            ner.moves.apply_transition(states[0], taken[0])
        assert states[0].is_final()


def test_ctrl_c_keeps_the_best_model_so_far(tmp_path: Path) -> None:
    pytest.importorskip("spacy")
    from annotations.training import train

    tiny_store(tmp_path / "s")
    with open_store(tmp_path / "s", read_only=True) as store:
        docs, _ = collect(store)

    def interrupt_in_epoch_4(progress) -> None:  # type: ignore[no-untyped-def]
        if progress.epoch == 4:
            raise KeyboardInterrupt  # as Ctrl+C arrives in the training loop

    result = train(docs, epochs=50, patience=50, on_progress=interrupt_in_epoch_4)
    assert result.interrupted and result.epochs_run == 3 and 1 <= result.best_epoch <= 3
    assert result.scores is not None  # the kept epoch's held-out scores
    assert result.model.predict(article(8)[0]) is not None


def test_train_stopped_by_ctrl_c_saves_and_exits_130(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    # It saved the best model so far and exited 0, as if the training asked
    # for had run (found trying issue 17 in a terminal; README: 130).
    pytest.importorskip("spacy")
    from annotations import training

    tiny_store(tmp_path / "s")
    real_train = training.train

    def ctrl_c_in_epoch_3(*args, **kwargs):  # type: ignore[no-untyped-def]
        shown = kwargs["on_progress"]

        def progress(p) -> None:  # type: ignore[no-untyped-def]
            if p.epoch == 3:
                raise KeyboardInterrupt  # as Ctrl+C arrives in the training loop
            shown(p)

        return real_train(*args, **{**kwargs, "on_progress": progress})

    monkeypatch.setattr(training, "train", ctrl_c_in_epoch_3)
    result = CliRunner().invoke(main, ["train", "--store", str(tmp_path / "s"), "--processes",
                                       "1", "--out", str(tmp_path / "m")])
    assert result.exit_code == 130, result.output
    assert "stopped by Ctrl+C after 2 epochs" in result.output
    meta = json.loads((tmp_path / "m" / "newsmark-model.json").read_text(encoding="utf-8"))
    assert meta["labels"] == ["quote"]


def test_train_stopped_by_patience_says_so(tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    # The progress bar counts to --epochs; stopping early by --patience left
    # it at 42/60 with nothing said (found trying issue 17 in a terminal).
    # The tiny store's held-out score never falls, so the loop's own outcome
    # is set here: 12 epochs run, the best the 4th.
    pytest.importorskip("spacy")
    import dataclasses

    from annotations import training

    tiny_store(tmp_path / "s")
    real_train = training.train

    def early_stop(*args, **kwargs):  # type: ignore[no-untyped-def]
        return dataclasses.replace(real_train(*args, **kwargs), epochs_run=12, best_epoch=4)

    monkeypatch.setattr(training, "train", early_stop)
    args = ["train", "--store", str(tmp_path / "s"), "--processes", "1", "--epochs", "30",
            "--out", str(tmp_path / "m")]
    result = CliRunner().invoke(main, [*args, "--patience", "8"])
    assert result.exit_code == 0, result.output
    assert ("stopped after epoch 12 of up to 30: no better held-out score in 8 epochs "
            "(--patience)") in result.output
    # Not said when the best epoch was recent enough.
    result = CliRunner().invoke(main, [*args, "--patience", "9"])
    assert result.exit_code == 0 and "--patience" not in result.output


@pytest.mark.parametrize("averaged_from", [0, 10_000])
def test_an_epoch_is_kept_as_its_averaged_weights_after_enough_steps(
        averaged_from: int, monkeypatch: pytest.MonkeyPatch) -> None:
    # Training goes on from the last step's weights, but what an epoch is
    # scored and kept as is the optimizer's moving average of them, once
    # there are steps enough to average (before, the last step's own).
    pytest.importorskip("spacy")
    import random
    import time

    from annotations import training
    from annotations.span_model import SpanModel
    from annotations.training_budget import TrainingBudget

    monkeypatch.setattr(training, "AVERAGED_FROM_STEP", averaged_from)
    docs = [TrainingDoc(f"d{n}", text, tuple((s, e, "quote") for s, e in spans))
            for n, (text, spans) in ((n, article(n)) for n in range(4))]
    nlp, examples, optimizer, batch_size, _clipped = training._setup(["quote"], docs, 0, 2)
    loop = training._loop(nlp, SpanModel(nlp, ["quote"]), examples, optimizer, [],
                          TrainingBudget(None, time.monotonic, time.monotonic()), epochs=2,
                          patience=5, batch_size=batch_size, dropout=0.2,
                          rng=random.Random(0))
    last_step = nlp.to_bytes()
    with nlp.use_params(optimizer.averages):
        averaged = nlp.to_bytes()
    assert loop.best_epoch == 2 and optimizer.averages and averaged != last_step
    assert loop.best_bytes == (averaged if averaged_from == 0 else last_step)
