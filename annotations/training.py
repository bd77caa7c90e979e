"""Training newsmark's span model on the store's annotations.

`collect(store)` gathers the training documents: each document's text and
the spans of the chosen layers (annotators). Without a choice, the `gold`
layer when the store has one, else every annotator's spans together.
`split(docs, dev)` holds out a share of the documents (by document,
seeded), `train(...)` fits `span_model`'s pipeline (a shared encoder, one
`ner` per label) on the rest on CPU,
scores it on the held-out documents after every epoch, keeps the best
epoch and tunes how readily each label opens a span on them
(`model_bias`) and where spans begin and end (`model_boundaries`);
`save(result, folder)` writes the pipeline, its scores and the
store state it was trained on. Nothing is downloaded: the pipeline
starts blank.

With `processes=2` a second pipeline trains at the same time in a
process of its own (another seed; `training_members`), and the two
decide together: on PolNeAR's dev tenth, 900 s of wall clock, the pair
beat the mean of its members on every label and figure (Content exact
F1 +0.014, Source +0.012), where one process per label group (Content
alone, Cue and Source together) lost on every one (docs/model.md,
"Using both cores").
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from annotations.fixed_examples import fixed_example
from annotations.matrix_ops import numpy_blas, one_blas_thread
from annotations.model import now_iso
from annotations.model_bias import learn_opening_shifts
from annotations.model_boundaries import GRID as KNOB_GRID
from annotations.model_boundaries import BoundaryScorer, fit_scorer, knobs_to_json, learn_knobs
from annotations.model_joins import (
    carry,
    cut_quotations,
    join,
    learn_carries,
    learn_cuts,
    learn_joins,
)
from annotations.model_threshold import best_threshold
from annotations.span_model import (
    META_NAME,
    MODEL_FORMAT,
    TOK2VEC,
    EncodedTexts,
    ModelError,
    ModelPlaceError,
    PredictedSpan,
    SpanModel,
    blank_pipeline,
    layer_spans,
    model_doc,
    pieces,
    pipeline_dir,
    quotation_features,
    require_spacy,
    span_pipes,
)
from annotations.span_scoring import SpanScores
from annotations.training_budget import JOIN_SETTINGS, KNOB_SETTINGS, TrainingBudget

GOLD = "gold"
# The most characters of held-out documents whose encodings the opening
# shifts keep (each token's vector, 384 bytes a pipeline: about 80 MB a
# pipeline at this size; PolNeAR's dev tenth is 0.3 M characters).
ENCODED_CHARACTERS = 1_000_000
# Documents (pieces of at most 20,000 characters) per training step. A step
# costs about the same per document whatever the batch, so small batches give
# more updates for the same CPU time: on PolNeAR, 200 CPU s with batches of 2
# reached Content exact/overlap F1 0.41/0.73 on the training documents' dev
# tenth, with batches of 8 0.39/0.72 (batches of 1: 0.39/0.74, Cue worse;
# all with window 2 and opening shifts, model_bias.py).
BATCH_SIZE = 2
# Dropout of every layer while training. On PolNeAR, 900 CPU s in all (the
# bench's headline setting), 0.2 against 0.1 on the training documents' dev
# tenth: Content exact/overlap F1 0.465/0.762 against 0.450/0.755, Cue
# 0.659/0.739 against 0.637/0.730, Source 0.651/0.733 against 0.644/0.717;
# the best epoch was the 10th of 11 (with 0.1 the 5th of 9: it overfitted).
DROPOUT = 0.2
# Training steps after which an epoch is scored and kept as the moving average
# of its weights (`_averaging_optimizer`) rather than the last step's. Early
# on the weights move fast and their average lags: on PolNeAR the first
# epoch's average (about 300 steps) was behind on overlap F1, from the second
# (about 600) ahead on everything; a model of six documents and 18 steps
# averaged ran two quotations into one span.
AVERAGED_FROM_STEP = 600


@dataclass(frozen=True, slots=True)
class TrainingDoc:
    """One document's text and the spans to learn from it."""

    doc_id: str
    text: str
    spans: tuple[tuple[int, int, str], ...]


def collect(store: Any, annotators: Sequence[str] = (), *, done_only: bool = False
            ) -> tuple[list[TrainingDoc], list[str]]:
    """The store's documents with spans of the chosen layers, and the layers chosen.

    A document counts when it has a span in those layers, or when it is
    marked done (a done document without spans teaches that nothing is
    there). With `done_only`, only documents marked done count: the
    untagged text of a document begun teaches the model that nothing is
    there, as a finished one's does. Spans of several annotators are
    pooled, duplicates once.
    """
    chosen = list(annotators)
    if not chosen:
        everyone = {a.annotator for a in store.all_annotations()}
        chosen = [GOLD] if GOLD in everyone else sorted(everyone)
    wanted = set(chosen)
    done = done_documents(store, chosen)
    docs: list[TrainingDoc] = []
    for record in store.documents():
        doc_id = record["id"]
        if done_only and doc_id not in done:
            continue
        spans = {(a.start, a.end, a.label) for a in store.annotations(doc_id)
                 if a.annotator in wanted}
        if not spans and doc_id not in done:
            continue
        text = store.load_text(doc_id)
        if text is None:
            continue
        docs.append(TrainingDoc(doc_id, text, tuple(sorted(spans))))
    return docs, chosen


def done_documents(store: Any, annotators: Sequence[str]) -> set[str]:
    """The documents one of `annotators` marked done: their own progress where
    the store keeps each annotator's, else the document's."""
    own: dict[str, set[str]] = {}  # doc id -> who marked it done
    team = getattr(store, "team_statuses", None)
    if team is not None:
        for doc_id, each in team().items():
            own[doc_id] = {name for name, status in each.items() if status == "done"}
    else:
        per_annotator = getattr(store, "annotator_statuses", None)
        for name, docs in (per_annotator() if per_annotator is not None else {}).items():
            for doc_id, status in docs.items():
                marked = own.setdefault(doc_id, set())
                if status == "done":
                    marked.add(name)
    wanted = set(annotators)
    return {record["id"] for record in store.documents()
            if (own[record["id"]] & wanted if record["id"] in own
                else record.get("status") == "done")}


def collect_at(location: str, annotators: Sequence[str] = ()
               ) -> tuple[list[TrainingDoc], list[str]]:
    """`collect` from the store at `location`, opened read-only for the purpose.

    For a worker beside the reader (`T`): a store object of its own, as
    `newsmark export`'s workers open one; the location is the store's own
    (`Store.location`), which `open_store` opens again.
    """
    from annotations.store import open_store

    with open_store(location, read_only=True) as store:
        return collect(store, annotators)


def split(docs: Sequence[TrainingDoc], dev: float, seed: int = 0
          ) -> tuple[list[TrainingDoc], list[TrainingDoc]]:
    """Training and held-out documents: a seeded shuffle, `dev` of them held out.

    At least one document is trained on; with two or more documents and
    `dev` > 0, at least one is held out.
    """
    order = sorted(docs, key=lambda d: d.doc_id)
    random.Random(seed).shuffle(order)
    n_dev = round(len(order) * dev) if dev > 0 else 0
    if dev > 0 and len(order) >= 2:
        n_dev = max(1, n_dev)
    n_dev = min(n_dev, len(order) - 1) if order else 0
    return order[n_dev:], order[:n_dev]


def fingerprint(docs: Iterable[TrainingDoc]) -> str:
    """A hash of the documents and spans trained on: tells a stale model."""
    digest = hashlib.sha256()
    for doc in sorted(docs, key=lambda d: d.doc_id):
        digest.update(doc.doc_id.encode())
        for start, end, label in doc.spans:
            digest.update(f"{start}:{end}:{label};".encode())
    return digest.hexdigest()[:16]


@dataclass(slots=True)
class Progress:
    """What the training loop reports after each batch."""

    step: int
    total: int
    epoch: int
    loss: float
    best_f1: float | None


@dataclass(slots=True)
class TrainingResult:
    """The best model found, its scores on the held-out documents, and how training went."""

    model: SpanModel
    labels: list[str]
    train_docs: list[TrainingDoc]
    dev_docs: list[TrainingDoc]
    scores: SpanScores | None
    best_epoch: int
    epochs_run: int
    seconds: float
    interrupted: bool = False
    clipped: int = 0
    notes: list[str] = field(default_factory=list)
    # The least score of a span to suggest, learnt on the held-out documents
    # (model_threshold.py); None with nothing held out.
    threshold: float | None = None
    # Per label, the shift added to its `ner`'s scores for opening a span,
    # learnt on the held-out documents (model_bias.py); empty when none was.
    opening_shifts: dict[str, float] = field(default_factory=dict)
    # Moves the ends of predicted spans, learnt after the shifts
    # (model_boundaries.py); None when nothing was held out or nothing gained.
    boundaries: BoundaryScorer | None = None
    # Per label, the longest attribution across which an interrupted
    # quotation's pieces are joined (model_joins.py); empty when none are.
    joins: dict[str, int] = field(default_factory=dict)
    # The labels whose spans are cut at their quotation's closing mark where
    # they run on over the attribution (model_joins.py); empty when none are.
    cuts: list[str] = field(default_factory=list)
    # Per label, the longest attribution a quotation's first piece is carried
    # across to a second piece the model missed (model_joins.py); empty when
    # none is.
    carries: dict[str, int] = field(default_factory=dict)
    # CPU seconds of every process that trained (this one's since `train`
    # began, and its members'); `seconds` is by the budget's clock.
    cpu_seconds: float = 0.0


def evaluate(model: SpanModel, docs: Sequence[TrainingDoc]) -> SpanScores:
    """Exact and overlap scores of `model` on `docs` (see `span_scoring`)."""
    return _scores(docs, _predictions(model, docs))


def _predictions(model: SpanModel, docs: Sequence[TrainingDoc]) -> list[list[PredictedSpan]]:
    return [found for found, _unsure in model.predict_many(d.text for d in docs)]


def _encoded(model: SpanModel, docs: Sequence[TrainingDoc]) -> EncodedTexts:
    """`docs` made and encoded by every pipeline of `model`, for `_decoded`."""
    return model.encode(d.text for d in docs)


def _decoded(model: SpanModel, encoded: EncodedTexts) -> list[list[PredictedSpan]]:
    """`_predictions` of the documents `encoded` holds, as `model`'s `ner`s decide now."""
    return [found for found, _unsure in model.predict_encoded(encoded)]


def _scores(docs: Sequence[TrainingDoc], predictions: Sequence[Sequence[PredictedSpan]]
            ) -> SpanScores:
    scores = SpanScores()
    for doc, found in zip(docs, predictions):
        scores.add(doc.spans, [(s.start, s.end, s.label) for s in found])
    return scores


@dataclass(slots=True)
class _Piece:
    """One piece of a training text: its doc and, per label's pipe, its Example.

    Every label's Example shares the one predicted doc, so the shared encoder
    runs once per batch and each `ner` learns only its own label's layer.
    """

    examples: dict[str, Any]


def _examples(nlp: Any, docs: Sequence[TrainingDoc]) -> tuple[list[_Piece], int]:
    pipes = [(label, pipe.name) for label, pipe in span_pipes(nlp)]
    out: list[_Piece] = []
    clipped = 0
    for doc in docs:
        for offset, piece in pieces(doc.text):
            spans = _piece_spans(doc, offset, piece)
            predicted = model_doc(nlp, piece)
            if not len(predicted):
                continue
            examples = {}
            for label, name in pipes:
                reference = predicted.copy()
                layer, lost = layer_spans(reference, spans, label)
                clipped += lost
                reference.ents = layer
                examples[name] = fixed_example(predicted, reference)
            out.append(_Piece(examples))
    return out, clipped


def _unlabelled(piece: _Piece) -> Any:
    from spacy.training import Example

    predicted = next(iter(piece.examples.values())).predicted
    return Example(predicted, predicted.copy())


def _update(nlp: Any, batch: Sequence[_Piece], optimizer: Any, dropout: float,
            losses: dict[str, float]) -> None:
    """One step: the encoder once, every label's `ner` on its own layer, then
    every weight updated (what `nlp.update` does, with an Example per pipe)."""
    first = next(iter(batch[0].examples))
    for name, pipe in nlp.pipeline:
        wanted = first if name == TOK2VEC else name
        pipe.update([p.examples[wanted] for p in batch], drop=dropout, losses=losses)
    for _name, pipe in nlp.pipeline:
        pipe.finish_update(optimizer)


@dataclass(slots=True)
class _Loop:
    """How one pipeline's training loop went: its best epoch and what it scored."""

    best_bytes: bytes
    best_scores: SpanScores | None
    best_predictions: list[list[PredictedSpan]]
    best_epoch: int
    epochs_run: int
    interrupted: bool


@dataclass(frozen=True, slots=True)
class _MemberJob:
    """What a member process needs to train its pipeline (training_members.py)."""

    train_docs: list[TrainingDoc]
    held_out: list[TrainingDoc]
    labels: list[str]
    seed: int
    members: int
    epochs: int
    patience: int
    max_seconds: float | None
    started: float
    batch_size: int
    dropout: float


def _setup(labels: Sequence[str], train_docs: Sequence[TrainingDoc], seed: int,
           batch_size: int) -> tuple[Any, list[_Piece], Any, int, int]:
    """A blank pipeline seeded `seed`, its training examples, its optimizer, the
    batch size for that many examples, and how many spans were left out."""
    spacy = require_spacy()
    spacy.util.fix_random_seed(seed)
    nlp = blank_pipeline(labels)
    examples, clipped = _examples(nlp, train_docs)
    # Initialised on the texts alone: from reference spans, `nlp.initialize`
    # would give every `ner` every label; each has its own from `blank_pipeline`.
    optimizer = nlp.initialize(lambda: [_unlabelled(p) for p in examples[:100]],
                               sgd=_averaging_optimizer(nlp))
    numpy_blas(nlp)
    # A few documents make few batches: smaller ones give the model steps to
    # learn from (five documents: 15 epochs of 2 documents a batch suffice).
    return nlp, examples, optimizer, min(batch_size, max(2, len(examples) // 4)), clipped


def _averaging_optimizer(nlp: Any) -> Any:
    """spaCy's default optimizer (Adam, as `nlp`'s config sets it) keeping a
    moving average of every weight, which `_loop` scores and keeps.

    The average of the last steps' weights smooths the noise of single
    updates (Polyak averaging; spaCy v2's parser always used it, v3's config
    leaves it off). On PolNeAR, one training per seed (two seeds) scored
    every epoch both ways: from the 4th epoch on the averaged weights were
    ahead on Content exact F1 at every epoch, by 0.01 to 0.04 on the dev
    tenth and on the held-out articles (docs/model.md, "Eleventh round").
    """
    from spacy.util import registry

    settings = dict(nlp.config["training"]["optimizer"])
    settings["use_averages"] = True
    return registry.resolve({"optimizer": settings})["optimizer"]


def _loop(nlp: Any, model: SpanModel, examples: list[_Piece], optimizer: Any,
          held_out: Sequence[TrainingDoc], budget: TrainingBudget, *, epochs: int,
          patience: int, batch_size: int, dropout: float, rng: random.Random,
          on_progress: Callable[[Progress], None] | None = None,
          told_to_stop: Callable[[], bool] = lambda: False) -> _Loop:
    """Train `nlp` epoch by epoch, scoring each on `held_out`, until `epochs`,
    `patience`, the budget, `told_to_stop()` or Ctrl+C; `nlp` is left as the
    last epoch, the best one's bytes are returned."""
    from spacy.util import minibatch

    clock = budget.clock
    total = epochs * max(1, -(-len(examples) // batch_size))
    best_bytes: bytes | None = None
    best_key = -1.0
    best_scores: SpanScores | None = None
    best_predictions: list[list[PredictedSpan]] = []
    best_epoch = epochs_run = step = 0
    interrupted = out_of_time = False
    try:
        for epoch in range(1, epochs + 1):
            rng.shuffle(examples)
            losses: dict[str, float] = {}
            steps_this_epoch = 0
            for batch in minibatch(examples, size=batch_size):
                # Asked before each step: an epoch's scoring may have used
                # some of the time since the last one.
                if not budget.loop_may_go_on() or told_to_stop():
                    out_of_time = True
                    break
                step_began = clock()
                _update(nlp, batch, optimizer, dropout, losses)
                budget.step = clock() - step_began
                step += 1
                steps_this_epoch += 1
                if on_progress is not None:
                    loss = sum(v for k, v in losses.items() if k != TOK2VEC)
                    on_progress(Progress(step, total, epoch, loss,
                                         None if best_scores is None else best_key))
            if out_of_time and not steps_this_epoch:
                break  # nothing learnt since the last epoch was scored
            epochs_run = epoch
            predictions: list[list[PredictedSpan]] = []
            # An epoch is scored, and kept, as its averaged weights once there
            # are steps enough to average; training goes on from the last
            # step's own.
            averaged = optimizer.averages if step >= AVERAGED_FROM_STEP else {}
            with nlp.use_params(averaged):
                if held_out:  # the pass timed for the budget
                    began = clock()
                    predictions = _predictions(model, held_out)
                    budget.scoring = clock() - began
                scores = _scores(held_out, predictions) if held_out else None
                key = ((scores.micro("exact").f1 + scores.micro("overlap").f1) / 2
                       if scores else epoch)
                if key >= best_key:  # a tie goes to the later, more trained epoch
                    best_key, best_scores, best_epoch = key, scores, epoch
                    best_predictions = predictions
                    best_bytes = nlp.to_bytes()
            if out_of_time or epoch - best_epoch >= patience:
                break
    except KeyboardInterrupt:
        interrupted = True
    if best_bytes is None:  # stopped within the first epoch: keep what there is
        best_bytes = nlp.to_bytes()
        best_predictions = _predictions(model, held_out) if held_out else []
        best_scores = _scores(held_out, best_predictions) if held_out else None
        best_epoch = epochs_run
    return _Loop(best_bytes, best_scores, best_predictions, best_epoch, epochs_run, interrupted)


def _like(labels: Sequence[str], examples: Sequence[_Piece]) -> Any:
    """A pipeline of `labels` initialised as `_setup` initialises one on
    `examples`, to take another member's weights: a blank one has no output
    layer of the right size yet."""
    from spacy.training import Example

    other = blank_pipeline(labels)
    texts = [next(iter(p.examples.values())).predicted.text for p in examples[:100]]

    def unlabelled() -> list[Any]:
        docs = [model_doc(other, text) for text in texts]
        return [Example(doc, doc.copy()) for doc in docs]

    other.initialize(unlabelled)
    return other


def _member_main(connection: Any, job: _MemberJob, stop_event: Any) -> None:
    """A member's process (training_members.py): train a pipeline of `job`'s
    labels with its own seed until told to stop, then send its best epoch."""
    import signal

    with one_blas_thread():  # a core per process (matrix_ops.py)
        outcome = _member_outcome(job, stop_event)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl+C must not cut the send
    try:
        connection.send(outcome)
    except (BrokenPipeError, OSError):
        pass  # the main process is gone: nobody to tell
    finally:
        connection.close()


def _member_outcome(job: _MemberJob, stop_event: Any) -> Any:
    """A member's training and what it sends back: its best epoch, or why none
    (with the CPU seconds of the whole process: its start and spaCy's import too)."""
    from annotations.training_members import MemberOutcome

    try:
        nlp, examples, optimizer, batch_size, _clipped = _setup(
            job.labels, job.train_docs, job.seed, job.batch_size)
        budget = TrainingBudget(job.max_seconds, time.monotonic, job.started,
                                members=job.members, after_loop=bool(job.held_out))
        model = SpanModel(nlp, job.labels)
        if job.held_out:
            budget.scoring, budget.decoding_share = _sampled_scoring_cost(
                model, job.held_out, time.monotonic)
        loop = _loop(nlp, model, examples, optimizer, job.held_out, budget,
                     epochs=job.epochs, patience=job.patience, batch_size=batch_size,
                     dropout=job.dropout, rng=random.Random(job.seed),
                     told_to_stop=stop_event.is_set)
        return MemberOutcome(loop.best_bytes, loop.best_epoch, loop.epochs_run,
                             loop.interrupted, time.process_time())
    except KeyboardInterrupt:  # Ctrl+C before its loop: nothing to keep
        return MemberOutcome(failure="stopped before it trained",
                             cpu_seconds=time.process_time())
    except Exception as err:  # any failure: the main process goes on without it
        return MemberOutcome(failure=f"{type(err).__name__}: {err}",
                             cpu_seconds=time.process_time())


def train(
    docs: Sequence[TrainingDoc],
    *,
    dev: float = 0.2,
    seed: int = 0,
    epochs: int = 30,
    patience: int = 5,
    max_seconds: float | None = None,
    batch_size: int = BATCH_SIZE,
    dropout: float = DROPOUT,
    on_progress: Callable[[Progress], None] | None = None,
    dev_docs: Sequence[TrainingDoc] | None = None,
    clock: Callable[[], float] = time.monotonic,
    started: float | None = None,
    processes: int = 1,
) -> TrainingResult:
    """Train on `docs` (minus the held-out share) and return the best epoch's model.

    The best epoch is the one with the highest mean of exact and overlap
    F1 (all labels together) on the held-out documents, the later on a tie;
    with none held out, the last one. Training stops after `epochs`, after `patience`
    epochs without a better score, after `max_seconds`, or on Ctrl+C
    (KeyboardInterrupt): the best model so far is kept in every case.
    `dev_docs` given means `docs` are all trained on and those are held out.
    `clock` measures `max_seconds` (the benchmark gives CPU time, so that
    two trainings get the same work on a busy machine) from `started` (a
    reading of `clock`; default: now). `max_seconds` is for the whole
    training: the loop stops early enough for the steps after it
    (`training_budget`).

    `processes` > 1 trains that many pipelines at once, each in a process
    of its own but this one's, with seeds `seed`, `seed` + 1, …: an
    ensemble that decides together (training_members.py). Their budget is
    wall-clock time (`clock` must be `time.monotonic`, which every process
    reads alike); the shifts, span ends and joins are then chosen for the
    ensemble.
    """
    budget = TrainingBudget(max_seconds, clock, clock() if started is None else started)
    require_spacy()
    if processes > 1 and clock is not time.monotonic:
        raise ValueError("several training processes share a wall clock: time.monotonic")

    if dev_docs is None:
        train_docs, held_out = split(docs, dev, seed)
    else:
        train_docs, held_out = list(docs), list(dev_docs)
    labels = sorted({label for d in train_docs for _s, _e, label in d.spans})
    if not labels:
        raise ModelError("no span to learn from: tag some documents first "
                         "(or choose annotators with --annotator)")
    budget.after_loop = bool(held_out)
    budget.members = max(1, processes)
    cpu_began = time.process_time()
    from annotations.training_members import Member

    # Started first: a member spends its first seconds importing spaCy.
    members = [Member.start(_member_main, _MemberJob(
        list(train_docs), list(held_out), labels, seed + k, processes, epochs, patience,
        max_seconds, budget.started, batch_size, dropout)) for k in range(1, processes)]
    try:
        with one_blas_thread():  # a core per process (matrix_ops.py)
            return _train_with_members(train_docs, held_out, labels, members, budget,
                                       seed=seed, epochs=epochs, patience=patience,
                                       batch_size=batch_size, dropout=dropout,
                                       on_progress=on_progress, cpu_began=cpu_began)
    finally:
        for member in members:
            member.close()


def _train_with_members(train_docs: list[TrainingDoc], held_out: list[TrainingDoc],
                        labels: list[str], members: list[Any], budget: TrainingBudget, *,
                        seed: int, epochs: int, patience: int, batch_size: int,
                        dropout: float, on_progress: Callable[[Progress], None] | None,
                        cpu_began: float) -> TrainingResult:
    """`train`'s work in this process: its own pipeline's loop, the members'
    pipelines taken back, then the steps after the loop for them all."""
    clock = budget.clock
    nlp, examples, optimizer, batch_size, clipped = _setup(labels, train_docs, seed, batch_size)
    model = SpanModel(nlp, labels)
    scorer: BoundaryScorer | None = None
    encodings_kept = sum(len(d.text) for d in held_out) <= ENCODED_CHARACTERS
    if held_out:
        # Before the loop, inside the budget: the boundary scorers learn from
        # the training documents' gold alone (model_boundaries.py), and a
        # scoring pass over a sample of the held-out documents tells what the
        # steps after the loop will cost.
        scorer = fit_boundary_scorer(nlp, train_docs, labels)
        budget.scoring, budget.decoding_share = _sampled_scoring_cost(model, held_out, clock)
        if not encodings_kept:  # every pass after the loop made and encoded afresh
            budget.decoding_share = 1.0
        budget.knob_setting = _knob_setting_cost(scorer, nlp, held_out, clock)
    loop = _loop(nlp, model, examples, optimizer, held_out, budget, epochs=epochs,
                 patience=patience, batch_size=batch_size, dropout=dropout,
                 rng=random.Random(seed), on_progress=on_progress)
    nlp.from_bytes(loop.best_bytes)
    best_scores, best_predictions = loop.best_scores, loop.best_predictions
    interrupted = loop.interrupted
    notes: list[str] = []
    for member in members:
        member.stop()
    member_cpu = 0.0
    for k, member in enumerate(members, start=1):
        outcome = member.result()
        member_cpu += outcome.cpu_seconds
        interrupted = interrupted or outcome.interrupted
        if outcome.pipeline is None:
            notes.append(f"training process {k + 1} gave no model ({outcome.failure}): "
                         "the others' are kept")
            continue
        model.others.append(numpy_blas(_like(labels, examples).from_bytes(outcome.pipeline)))
    if model.others and held_out and interrupted:
        # The ensemble's own spans (no step after the loop on Ctrl+C).
        best_predictions = _predictions(model, held_out)
        best_scores = _scores(held_out, best_predictions)
    # A pass after the loop runs every member: until one is timed, the
    # loop's pass times their number.
    budget.scoring *= 1 + len(model.others)
    budget.members = 1

    shifts: dict[str, float] = {}
    if held_out and not interrupted:
        # Each step asks whether it still fits, with what comes after it
        # (the reserve the loop kept: training_budget.py).
        knob_search = (KNOB_SETTINGS + JOIN_SETTINGS) * budget.knob_setting
        # A shift changes the `ner`s' output bias alone: the held-out
        # documents are made and encoded once, and decoded per shift (unless
        # their encodings would take too much memory: a pass each then).
        encoded = _encoded(model, held_out) if encodings_kept else None

        def shifted_predictions() -> list[list[PredictedSpan]]:
            # The held-out documents' spans, the decoding timed for the budget.
            began = clock()
            if encoded is None:
                found = _predictions(model, held_out)
                budget.scoring = clock() - began
                return found
            found = _decoded(model, encoded)
            budget.decoding_share = min(1.0, (clock() - began) / max(budget.scoring, 1e-9))
            return found

        # How readily each label opens a span, chosen on the held-out
        # documents (model_bias.py) for every member's `ner` of the label
        # alike; the scores reported are the shifted model's.
        shifts = learn_opening_shifts(
            [pipe for member in [nlp, *model.others] for pipe in span_pipes(member)],
            shifted_predictions, [d.spans for d in held_out],
            may_try=lambda: budget.affords(budget.decoding(),
                                           budget.decoding() + budget.scoring + knob_search))
        if any(shifts.values()) or model.others:  # the members' own spans, else
            best_predictions = shifted_predictions()
            best_scores = _scores(held_out, best_predictions)
        del encoded  # the documents' encodings: not needed again
        # Where spans begin and end: the scorers fitted before the loop, their
        # knobs set on the held-out documents (model_boundaries.py).
        if scorer is not None and scorer.weights:
            last_step = [clock()]

            def knob_setting_done() -> None:  # the estimate replaced by what it took
                now = clock()
                budget.knob_setting, last_step[0] = now - last_step[0], now

            learn_knobs(scorer, [model_doc(nlp, d.text) for d in held_out],
                        [d.spans for d in held_out], best_predictions,
                        on_step=knob_setting_done,
                        may_try=lambda: budget.affords(
                            budget.knob_setting,
                            budget.scoring + JOIN_SETTINGS * budget.knob_setting))
            if scorer.active():
                model.boundaries = scorer
                best_predictions = _predictions(model, held_out)
                best_scores = _scores(held_out, best_predictions)
        # Quotations split at their attribution, joined where the held-out
        # documents' gold joins them (model_joins.py): on the spans as they
        # are, no new pass (a pass joins after moving the ends, as here).
        if budget.affords(JOIN_SETTINGS * budget.knob_setting):
            model.joins, joined = _gaps_chosen(held_out, best_predictions, learn_joins, join)
            if joined is not None:
                best_predictions, best_scores = joined, _scores(held_out, joined)
        # And quotations run on over their attribution, cut where that gains
        # (model_joins.py), after the joins as predicting does.
        cuts = learn_cuts([d.text for d in held_out], [d.spans for d in held_out],
                          best_predictions) if budget.affords(budget.knob_setting) else []
        if cuts:
            model.cuts = cuts
            best_predictions = [cut_quotations(d.text, found, model.cuts)
                                for d, found in zip(held_out, best_predictions)]
            best_scores = _scores(held_out, best_predictions)
        # Then a first piece whose second the model missed is carried on to
        # it where that gains (model_joins.py), last as predicting does.
        if budget.affords(JOIN_SETTINGS * budget.knob_setting):
            model.carries, carried = _gaps_chosen(held_out, best_predictions, learn_carries,
                                                  carry)
            if carried is not None:
                best_predictions, best_scores = carried, _scores(held_out, carried)
    if clipped:
        notes.insert(0, f"{clipped} span overlaps a longer one of its label and was left out "
                     "of training (one layer per label)" if clipped == 1 else
                     f"{clipped:,} spans overlap a longer one of their label and were left "
                     "out of training (one layer per label)")
    return TrainingResult(model=model, labels=labels, train_docs=list(train_docs),
                          dev_docs=list(held_out), scores=best_scores,
                          best_epoch=loop.best_epoch, epochs_run=loop.epochs_run,
                          seconds=budget.elapsed(), interrupted=interrupted, clipped=clipped,
                          notes=notes,
                          threshold=best_threshold(
                              [(d.spans, found) for d, found in zip(held_out, best_predictions)]),
                          opening_shifts=shifts, boundaries=model.boundaries,
                          joins=model.joins, cuts=model.cuts, carries=model.carries,
                          cpu_seconds=time.process_time() - cpu_began + member_cpu)


def _gaps_chosen(held_out: Sequence[TrainingDoc], predictions: list[list[PredictedSpan]],
                 learn: Callable[..., dict[str, int]],
                 apply: Callable[[str, list[PredictedSpan], dict[str, int]],
                                 list[PredictedSpan]]
                 ) -> tuple[dict[str, int], list[list[PredictedSpan]] | None]:
    """Per label, the gap `learn` chooses on the held-out documents (labels
    for which none gains left out), and the predictions with it applied
    (None when no label gains: the predictions stay as they are)."""
    learnt = learn([d.text for d in held_out], [d.spans for d in held_out], predictions)
    gaps = {label: gap for label, gap in learnt.items() if gap}
    if not gaps:
        return {}, None
    return gaps, [apply(d.text, found, gaps) for d, found in zip(held_out, predictions)]


def fit_boundary_scorer(nlp: Any, train_docs: Sequence[TrainingDoc], labels: Sequence[str]
                        ) -> BoundaryScorer:
    """The boundary scorers fitted on `train_docs`' gold (model_boundaries.py)."""
    return fit_scorer(((model_doc(nlp, piece), _piece_spans(d, offset, piece))
                       for d in train_docs for offset, piece in pieces(d.text)), labels)


def _sample(held_out: Sequence[TrainingDoc]) -> list[TrainingDoc]:
    """The first held-out documents, a tenth of their characters (one at least)."""
    wanted = sum(len(d.text) for d in held_out) / 10
    out: list[TrainingDoc] = []
    for doc in held_out:
        if out and sum(len(d.text) for d in out) >= wanted:
            break
        out.append(doc)
    return out


def _sampled_scoring_cost(model: SpanModel, held_out: Sequence[TrainingDoc],
                          clock: Callable[[], float]) -> tuple[float, float]:
    """What one scoring pass over `held_out` costs, from a sample scaled by
    characters, and the share of it that decoding takes (`_decoded`).

    (The untrained model parses as fast as a trained one: one action a token.)
    """
    sample = _sample(held_out)
    began = clock()
    encoded = _encoded(model, sample)
    decoding_began = clock()
    _decoded(model, encoded)
    ended = clock()
    share = (ended - decoding_began) / (ended - began) if ended > began else 1.0
    return (ended - began) * sum(len(d.text) for d in held_out) / max(
        1, sum(len(d.text) for d in sample)), share


def _knob_setting_cost(scorer: BoundaryScorer, nlp: Any, held_out: Sequence[TrainingDoc],
                       clock: Callable[[], float]) -> float:
    """What one knob setting of `learn_knobs` costs over `held_out`: the model's
    own spans and the widest setting tried on a sample, scaled by characters.

    The sample's gold spans stand for the predictions (which do not exist
    yet): the cost goes with the number of spans, and a trained model
    proposes about as many as there are. Leaves `scorer`'s knobs as they were.
    """
    sample = _sample(held_out)
    kept = dict(scorer.knobs)
    began = clock()
    learn_knobs(scorer, [model_doc(nlp, d.text) for d in sample], [d.spans for d in sample],
                [[PredictedSpan(s, e, label, 1.0) for s, e, label in d.spans] for d in sample],
                grid=(max(KNOB_GRID),))
    seconds = (clock() - began) / 2
    scorer.knobs = kept
    return seconds * sum(len(d.text) for d in held_out) / max(
        1, sum(len(d.text) for d in sample))


def _piece_spans(doc: TrainingDoc, offset: int, piece: str) -> list[tuple[int, int, str]]:
    end = offset + len(piece)
    return [(max(s, offset) - offset, min(e, end) - offset, label)
            for s, e, label in doc.spans if s < end and e > offset]


def metadata(result: TrainingResult, *, annotators: Sequence[str], seed: int,
             dev: float, store_root: str | None = None) -> dict[str, Any]:
    """What a model folder says about itself (`newsmark-model.json`)."""
    spacy = require_spacy()
    counts: Counter[str] = Counter(
        label for d in result.train_docs for _s, _e, label in d.spans)
    return {
        "format": MODEL_FORMAT,
        "architecture": "spaCy tok2vec shared by one ner per label (annotations/span_model.py)",
        "labels": result.labels,
        "trained": now_iso(),
        "spacy": spacy.__version__,
        "seconds": round(result.seconds, 1),
        "cpu_seconds": round(result.cpu_seconds, 1),
        "pipelines": 1 + len(result.model.others),
        # What each token's embedding reads beyond its word (span_model.model_doc).
        "features": list(quotation_features(result.model.nlp)),
        "epochs": result.epochs_run,
        "best_epoch": result.best_epoch,
        "interrupted": result.interrupted,
        "seed": seed,
        "dev": dev,
        "scores": None if result.scores is None else result.scores.to_dict(),
        "threshold": result.threshold,
        "opening_shifts": result.opening_shifts,
        "boundaries": (None if result.boundaries is None
                       else knobs_to_json(result.boundaries.knobs)),
        "joins": dict(sorted(result.joins.items())),
        "cuts": sorted(result.cuts),
        "carries": dict(sorted(result.carries.items())),
        "store": {
            "path": store_root,
            "annotators": list(annotators),
            "fingerprint": fingerprint(result.train_docs + result.dev_docs),
            "train_documents": sorted(d.doc_id for d in result.train_docs),
            "dev_documents": sorted(d.doc_id for d in result.dev_docs),
            "spans_per_label": dict(sorted(counts.items())),
        },
    }


def check_model_folder(folder: str | Path) -> None:
    """Raise ModelPlaceError unless a model can be saved as `folder`.

    Asked before training as well as when saving, so that a file or an
    unwritable place named by `--out` (or `[model] path`) is said at once,
    not after minutes of training (and never as a traceback). The check
    makes and removes a probe folder beside `folder`, and any parent folders
    it had to make for it.
    """
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise ModelPlaceError(f"{folder}: is a file, not a model folder; choose another "
                              "place for the model")
    if folder.is_dir() and not (folder / META_NAME).is_file() and any(folder.iterdir()):
        raise ModelPlaceError(f"{folder}: exists and is not a newsmark model folder "
                              "(nothing in it was touched); choose another place for the model")
    probe = folder.with_name(f".{folder.name}.{os.getpid()}.probe")
    made = [p for p in [probe.parent, *probe.parent.parents] if not p.exists()]
    try:
        probe.mkdir(parents=True)
        probe.rmdir()
    except OSError as err:
        raise ModelPlaceError(f"{folder}: cannot write the model ({err.strerror or err}); "
                              "choose another place for the model") from err
    finally:
        for parent in made:  # deepest first: each is empty once its child is gone
            try:
                parent.rmdir()
            except OSError:
                break


def save(result: TrainingResult, folder: str | Path, meta: dict[str, Any]) -> Path:
    """Write the model into `folder`, replacing a model there only once the new one is whole.

    The pipeline and `newsmark-model.json` go into a temporary sibling
    folder first; the old folder is moved aside, the new one renamed into
    place, and only then is the old one removed.
    """
    folder = Path(folder)
    check_model_folder(folder)
    tmp = folder.with_name(f".{folder.name}.{os.getpid()}.tmp")
    old = folder.with_name(f".{folder.name}.{os.getpid()}.old")
    try:
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        for member, nlp in enumerate([result.model.nlp, *result.model.others]):
            nlp.to_disk(tmp / pipeline_dir(member))
        if result.boundaries is not None:
            result.boundaries.save(tmp)
        (tmp / META_NAME).write_text(json.dumps(meta, indent=1, ensure_ascii=False) + "\n",
                                     encoding="utf-8")
        if folder.exists():
            folder.rename(old)
        tmp.rename(folder)
    except OSError as err:
        raise ModelError(f"{folder}: cannot write the model ({err.strerror or err})") from err
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.rmtree(old, ignore_errors=True)
    return folder


def folder_size(folder: str | Path) -> int:
    """Bytes in every file under `folder`."""
    return sum(p.stat().st_size for p in Path(folder).rglob("*") if p.is_file())
