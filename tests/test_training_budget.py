"""A training's time budget covers the loop and every step after it
(annotations/training_budget.py).

Not timed: a fake clock advances only when a step of training works (a
batch, a scoring pass per document, a span moved by the knob search, the
boundary scorers' fit), so what is checked is the accounting itself.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from annotations.store import open_store
from annotations.training_budget import (
    DECODINGS_AFTER_LOOP,
    JOIN_SETTINGS,
    KNOB_SETTINGS,
    TrainingBudget,
)
from tests.model_fixtures import tiny_store

pytest.importorskip("spacy")

BATCH = 1.0  # fake seconds a training step costs
PER_DOC = 0.5  # fake seconds a document's scoring costs
DECODING = 0.25  # the share of it that decoding costs (the rest: making, encoding)
PER_MOVE = 0.01  # fake seconds the knob search spends per span moved
FIT = 5.0  # fake seconds the boundary scorers' fit costs


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_reserve_counts_every_step_after_the_loop() -> None:
    clock = FakeClock()
    budget = TrainingBudget(60.0, clock, started=clock.now, scoring=2.0, knob_setting=0.1,
                            step=1.0, decoding_share=DECODING)
    # The loop's last epoch, the documents encoded once and decoded per shift
    # and for the shifts chosen, the moved spans; the knob and join settings.
    passes = 1 + (1 - DECODING) + DECODINGS_AFTER_LOOP * DECODING + 1
    assert budget.reserve() == pytest.approx(
        passes * 2.0 + (KNOB_SETTINGS + JOIN_SETTINGS) * 0.1)
    assert budget.decoding() == pytest.approx(DECODING * 2.0)
    # One more step must fit before the reserve.
    clock.now += 60.0 - budget.reserve() - 1.5
    assert budget.loop_may_go_on()
    clock.now += 1.0
    assert not budget.loop_may_go_on()
    budget.after_loop = False  # nothing held out: nothing after the loop
    assert budget.reserve() == 0 and budget.loop_may_go_on()
    assert TrainingBudget(None, clock, clock.now).loop_may_go_on()


@pytest.fixture
def docs(tmp_path: Path) -> list[Any]:
    from annotations.training import collect

    tiny_store(tmp_path / "s", documents=8)
    with open_store(tmp_path / "s", read_only=True) as store:
        return collect(store)[0]


def fake_costs(monkeypatch: pytest.MonkeyPatch, clock: FakeClock,
               scoring_after_loop: float = PER_DOC) -> dict[str, int]:
    """Make each step of training advance `clock`; count the scoring passes
    and decodings after the loop (`scoring_after_loop` a document there)."""
    from annotations import model_boundaries, training

    calls = {"after": 0, "decodings after": 0}
    in_loop = [True]
    update, predictions, fit = training._update, training._predictions, training.fit_scorer
    encoded, decoded = training._encoded, training._decoded
    moved = model_boundaries._DocScores.moved

    def per_doc() -> float:
        return PER_DOC if in_loop[0] else scoring_after_loop

    def timed_update(*args: Any, **kwargs: Any) -> None:
        clock.now += BATCH
        update(*args, **kwargs)

    def timed_predictions(model: Any, docs: Any) -> Any:
        clock.now += per_doc() * len(docs)
        if not in_loop[0]:
            calls["after"] += 1
        return predictions(model, docs)

    def timed_encoded(model: Any, docs: Any) -> Any:
        clock.now += (1 - DECODING) * per_doc() * len(docs)
        return encoded(model, docs)

    def timed_decoded(model: Any, texts: Any) -> Any:
        clock.now += DECODING * per_doc() * len(texts.lengths)
        if not in_loop[0]:
            calls["after"] += 1
            calls["decodings after"] += 1
        return decoded(model, texts)

    def timed_fit(*args: Any, **kwargs: Any) -> Any:
        clock.now += FIT
        return fit(*args, **kwargs)

    def timed_moved(self: Any, label: str, spans: Any, knobs: Any) -> Any:
        clock.now += PER_MOVE * len(spans)
        return moved(self, label, spans, knobs)

    learn_shifts = training.learn_opening_shifts

    def after_loop(*args: Any, **kwargs: Any) -> Any:
        in_loop[0] = False
        return learn_shifts(*args, **kwargs)

    monkeypatch.setattr(training, "_update", timed_update)
    monkeypatch.setattr(training, "_predictions", timed_predictions)
    monkeypatch.setattr(training, "_encoded", timed_encoded)
    monkeypatch.setattr(training, "_decoded", timed_decoded)
    monkeypatch.setattr(training, "fit_scorer", timed_fit)
    monkeypatch.setattr(model_boundaries._DocScores, "moved", timed_moved)
    knobs = training.learn_knobs

    def counted_knobs(*args: Any, **kwargs: Any) -> Any:
        if in_loop[0]:
            return knobs(*args, **kwargs)
        done = kwargs["on_step"]

        def step() -> None:
            calls["knob settings"] += 1
            done()

        return knobs(*args, **{**kwargs, "on_step": step})

    calls["knob settings"] = 0
    monkeypatch.setattr(training, "learn_opening_shifts", after_loop)
    monkeypatch.setattr(training, "learn_knobs", counted_knobs)
    return calls


@pytest.mark.parametrize("kept", [True, False], ids=["encodings kept", "too long to keep"])
def test_the_whole_training_fits_its_budget(monkeypatch: pytest.MonkeyPatch,
                                            docs: list[Any], kept: bool) -> None:
    from annotations import training
    from annotations.model_bias import GRID as SHIFTS
    from annotations.training import train

    if not kept:  # held-out documents too long for their encodings to be kept
        monkeypatch.setattr(training, "ENCODED_CHARACTERS", 0)
    clock = FakeClock()
    calls = fake_costs(monkeypatch, clock)
    result = train(docs, dev=0.25, epochs=1000, patience=1000, max_seconds=60.0, clock=clock)
    assert not result.interrupted and len(result.dev_docs) == 2
    # The loop stopped early enough for everything after it …
    assert result.seconds <= 60.0
    # … every shift and every knob setting was tried (each step found the
    # time it needed) …
    assert calls["after"] >= len(SHIFTS)
    assert calls["knob settings"] == KNOB_SETTINGS
    assert (calls["decodings after"] >= len(SHIFTS)) == kept
    # … and little of the budget is left unused: a training step, the
    # decoding and the scoring pass kept for a shifted model and moved spans
    # (neither was needed here), what the knob search was expected to cost
    # beyond its due.
    decoding = DECODING if kept else 1.0
    assert result.seconds >= 60.0 - BATCH - (1 + decoding) * (PER_DOC * 2) - 1.0


def test_steps_after_the_loop_give_way_when_they_cost_more_than_measured(
        monkeypatch: pytest.MonkeyPatch, docs: list[Any]) -> None:
    from annotations.model_bias import GRID as SHIFTS
    from annotations.training import train

    clock = FakeClock()
    # After the loop each scoring pass costs four times what the loop measured.
    calls = fake_costs(monkeypatch, clock, scoring_after_loop=4 * PER_DOC)
    result = train(docs, dev=0.25, epochs=1000, patience=1000, max_seconds=60.0, clock=clock)
    # The shift search stopped early (fewer passes than shifts); the overrun
    # is at most the one pass that showed the cost had grown.
    assert calls["after"] < len(SHIFTS)
    assert result.seconds <= 60.0 + 4 * PER_DOC * 2
