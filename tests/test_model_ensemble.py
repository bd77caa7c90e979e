"""An ensemble of span models trained in several processes (training_members.py)
and decided together (span_decoding.decode_together).

Trained on the tiny store for a few epochs: these check the plumbing and
the decisions, not how well an ensemble learns (bench/model_.py does).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from annotations.store import open_store
from tests.model_fixtures import article, tiny_store
from tui.cli import main

pytest.importorskip("spacy")


@pytest.fixture(scope="module")
def docs(tmp_path_factory: pytest.TempPathFactory) -> list[Any]:
    from annotations.training import collect

    root = tmp_path_factory.mktemp("ensemble")
    tiny_store(root / "s")
    with open_store(root / "s", read_only=True) as store:
        return collect(store)[0]


@pytest.fixture(scope="module")
def two_models(docs: list[Any]) -> list[Any]:
    """Two models of the same documents, seeds 0 and 1 (in this process)."""
    from annotations.training import train

    return [train(docs, epochs=8, patience=8, seed=seed, dev=0.0).model for seed in (0, 1)]


def _encoded(nlp: Any, texts: list[str]) -> list[Any]:
    from annotations.span_model import TOK2VEC, model_doc

    docs = [model_doc(nlp, text) for text in texts]
    for doc in docs:
        nlp.get_pipe(TOK2VEC)(doc)
    return docs


TEXTS = [article(9)[0], article(10)[0] + "\n\n" + article(11)[0]]


def test_one_model_twice_decides_as_it_does_alone(two_models: list[Any]) -> None:
    from annotations.span_decoding import decode, decode_together
    from annotations.span_model import span_pipes

    nlp = two_models[0].nlp
    ((_label, ner),) = span_pipes(nlp)
    alone = decode(ner, _encoded(nlp, TEXTS))
    twice = decode_together([(ner, _encoded(nlp, TEXTS)), (ner, _encoded(nlp, TEXTS))])
    assert [s for s, _p in twice] == [s for s, _p in alone] and alone[0][0]
    for (_s, p), (_t, q) in zip(twice, alone):
        assert p == pytest.approx(q, abs=1e-6)


def test_texts_encoded_once_decode_as_predicting_does_after_a_shift(
        two_models: list[Any]) -> None:
    # Training's opening shifts decode the held-out documents encoded once.
    from annotations.model_bias import shift_opening
    from annotations.span_model import SpanModel, span_pipes

    first, second = two_models
    model = SpanModel(first.nlp, first.labels, others=[second.nlp])
    texts = [*TEXTS, "", "No quotation here at all."]
    encoded = model.encode(texts)
    before = model.predict_many(texts)
    assert model.predict_encoded(encoded) == before and before[0][0]
    ners = [ner for member in (first.nlp, second.nlp) for _label, ner in span_pipes(member)]
    bases = [ner.model.get_ref("upper").get_param("b").copy() for ner in ners]
    try:
        for ner, base in zip(ners, bases):
            shift_opening(ner, base, 3.0)
        shifted = model.predict_many(texts)
        assert shifted != before
        assert model.predict_encoded(encoded) == shifted
    finally:
        for ner, base in zip(ners, bases):
            shift_opening(ner, base, 0.0)


def test_two_models_decide_on_their_mean_probability_state_by_state(
        two_models: list[Any], monkeypatch: pytest.MonkeyPatch) -> None:
    """Walking spaCy's own transition system token by token: at each state the
    action taken is the best of the two models' softmaxes (over the valid
    actions) averaged, and its probability is that mean."""
    import numpy as np

    from annotations.span_decoding import decode_together
    from annotations.span_model import span_pipes

    ners = [span_pipes(m.nlp)[0][1] for m in two_models]
    encoded = [_encoded(m.nlp, TEXTS) for m in two_models]
    decoded = decode_together(list(zip(ners, encoded)))
    monkeypatch.setattr("annotations.span_decoding.FOLLOW", 2)  # spans followed further
    again = decode_together(list(zip(ners, encoded)))
    assert [s for s, _p in again] == [s for s, _p in decoded]
    names = [ners[0].moves.get_class_name(i) for i in range(ners[0].moves.n_moves)]
    for n, (spans, probs) in enumerate(decoded):
        docs = [e[n] for e in encoded]
        steps = [ner.model.predict([doc]) for ner, doc in zip(ners, docs)]
        states = [ner.moves.init_batch([doc]) for ner, doc in zip(ners, docs)]
        for t in range(len(docs[0])):
            valid = np.array([ners[0].moves.is_valid(states[0][0], name) for name in names])
            mean = np.zeros(len(names))
            for step, state in zip(steps, states):
                scores = step.predict(state)[0].astype(np.float64)
                e = np.where(valid, np.exp(scores - scores[valid].max()), 0.0)
                mean += e / e.sum() / len(steps)
            taken = names[int(mean.argmax())]
            kind = taken[:1]
            action = ("U" if (t, t + 1) in spans else "B" if any(s == t for s, _e in spans)
                      else "L" if any(e == t + 1 for s, e in spans if s < t) else
                      "I" if any(s < t < e - 1 for s, e in spans) else "O")
            assert kind == action, (n, t)
            assert probs[t] == pytest.approx(mean.max(), abs=1e-4)
            for ner, state in zip(ners, states):
                ner.moves.apply_transition(state[0], taken)
        assert all(state[0].is_final() for state in states)


def test_two_processes_train_an_ensemble_saved_and_loaded_whole(
        docs: list[Any], tmp_path: Path) -> None:
    from annotations.span_model import SpanModel
    from annotations.training import metadata, save, train

    result = train(docs, epochs=6, patience=6, processes=2)
    assert len(result.model.others) == 1 and not result.notes and not result.interrupted
    assert result.scores is not None and result.cpu_seconds > 0
    folder = save(result, tmp_path / "m", metadata(result, annotators=["ana"], seed=0, dev=0.2))
    meta = json.loads((folder / "newsmark-model.json").read_text())
    assert meta["pipelines"] == 2 and (folder / "pipeline-1" / "meta.json").is_file()
    # what both pipelines read (SpanModel.load checks that they agree)
    assert meta["features"] == ["quotation", "doubled-apostrophes"]
    loaded = SpanModel.load(folder)
    assert len(loaded.others) == 1
    text = article(9)[0]
    assert loaded.predict(text) == result.model.predict(text)


def test_ctrl_c_in_the_main_process_keeps_both_members(docs: list[Any]) -> None:
    """The member is told to stop when the main loop stops: the ensemble of both
    best epochs is kept."""
    from annotations.training import train

    def interrupt_in_epoch_3(progress) -> None:  # type: ignore[no-untyped-def]
        if progress.epoch == 3:
            raise KeyboardInterrupt

    result = train(docs, epochs=50, patience=50, processes=2, on_progress=interrupt_in_epoch_3)
    assert result.interrupted and result.epochs_run == 2 and len(result.model.others) == 1
    assert result.scores is not None
    assert isinstance(result.model.predict(article(8)[0]), list)


class _Ended:
    """A member's process that has already ended."""

    def join(self, timeout: float | None = None) -> None:
        pass

    def is_alive(self) -> bool:
        return False


def test_a_member_that_fails_is_left_out_with_a_note(docs: list[Any],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    import multiprocessing
    import threading

    from annotations.training import train
    from annotations.training_members import Member, MemberOutcome

    def failing(cls: type[Member], target: Any, job: Any) -> Member:
        ours, theirs = multiprocessing.Pipe(duplex=False)
        theirs.send(MemberOutcome(failure="MemoryError: out of memory"))
        theirs.close()
        return cls(_Ended(), ours, threading.Event())

    monkeypatch.setattr(Member, "start", classmethod(failing))
    result = train(docs, epochs=3, patience=3, processes=2)
    assert result.model.others == [] and result.scores is not None
    assert any("process 2 gave no model (MemoryError" in note for note in result.notes)

    def silent(cls: type[Member], target: Any, job: Any) -> Member:
        ours, theirs = multiprocessing.Pipe(duplex=False)
        theirs.close()  # died without a word
        return cls(_Ended(), ours, threading.Event())

    monkeypatch.setattr(Member, "start", classmethod(silent))
    result = train(docs, epochs=2, patience=2, processes=2)
    assert any("ended without a model" in note for note in result.notes)


def test_several_processes_need_the_wall_clock(docs: list[Any]) -> None:
    import time

    from annotations.training import train

    with pytest.raises(ValueError, match="monotonic"):
        train(docs, epochs=1, processes=2, clock=time.process_time)


def test_two_processes_only_with_two_cores_and_text_for_minutes(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from annotations import training_members
    from annotations.training_members import MIN_CHARACTERS, default_processes

    monkeypatch.setattr(training_members, "usable_cores", lambda: 2)
    assert default_processes(MIN_CHARACTERS) == 2
    assert default_processes(MIN_CHARACTERS - 1) == 1  # seconds of training: not worth it
    monkeypatch.setattr(training_members, "usable_cores", lambda: 1)
    assert default_processes(10 * MIN_CHARACTERS) == 1


@pytest.mark.parametrize("asked", [[], ["--processes", "2"]])
def test_cli_trains_end_to_end(tmp_path: Path, asked: list[str]) -> None:
    tiny_store(tmp_path / "s")
    result = CliRunner().invoke(main, ["train", "--store", str(tmp_path / "s"), "--epochs", "3",
                                       "--out", str(tmp_path / "m"), *asked])
    assert result.exit_code == 0, result.output
    meta = json.loads((tmp_path / "m" / "newsmark-model.json").read_text())
    # A tiny store trains in one process unless asked (it trains in seconds).
    assert meta["pipelines"] == (2 if asked else 1)
    assert (tmp_path / "m" / "pipeline-1").exists() == bool(asked)
    assert ("CPU s in 2 processes" in result.output) == bool(asked)
    (tmp_path / "a.txt").write_text(article(7)[0])
    out = CliRunner().invoke(main, ["suggest", str(tmp_path / "a.txt"),
                                    "--model", str(tmp_path / "m")])
    assert out.exit_code == 0, out.output
