"""The reader's span model: loaded at start, retrained on `T`, ranking on `O`.

A mixin of `NewsmarkApp` (kept apart from app.py: this is the one part of
the reader that needs spaCy, and only when a model is used). Loading,
training and ranking run in thread workers that post typed messages
(`tui/messages.py`) and never touch the app's state themselves; a key
never waits for them. The trained model joins the rules' suggestions
through `Workspace.set_model`; see docs/model.md.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from textual import work
from textual.worker import get_current_worker

from tui.cancellable import unless_cancelled
from tui.messages import (
    DocumentsRanked,
    ModelFailed,
    ModelReady,
    ModelSuggestionsReady,
    TrainingProgress,
)
from tui.wording import plural

if TYPE_CHECKING:
    from pathlib import Path

    from annotations.workspace import Workspace

# Where `O` puts a document by its status (yours): not yet begun first, done last.
_BEGUN = {"untouched": 0, "in progress": 1, "done": 2}

# Training in the reader: few epochs are needed for a handful of documents,
# and it must end on its own.
READER_EPOCHS = 30
READER_PATIENCE = 5


class ModelActions:
    """Background model work for the app (which provides `workspace`, `views`,
    `notify`, `post_message` and the refresh methods used here). Handlers
    are named `on_<message>`, which Textual finds on a mixin too."""

    workspace: Workspace
    model_status: str  # the app's `var`: what the model is doing, on the status line
    # (document, model) pairs whose suggestions a worker is making; the app's
    # __init__ gives each app its own set.
    _predicting: set[tuple[str, int]]

    # -- where the model is ------------------------------------------------

    @property
    def model_folder(self) -> Path:
        from annotations.span_model import model_folder

        ws = self.workspace
        return model_folder(ws.location, ws.config.model_path)

    def load_model_if_any(self) -> None:
        """At start: a model folder there means suggest with it (loaded in the background)."""
        from annotations.span_model import has_model

        if has_model(self.model_folder):
            self._load_model(self.model_folder)

    @work(thread=True, exclusive=True, group="model", exit_on_error=False)
    def _load_model(self, folder: Path) -> None:
        from annotations.errors import NewsmarkError
        from annotations.span_model import SpanModel

        try:
            model = SpanModel.load(folder)
        except NewsmarkError as err:
            self.post_message(ModelFailed(f"The model in {folder} is not used: {err}"))
            return
        self.post_message(ModelReady(model, f"Model loaded from {folder}"))

    # -- retraining (T) ------------------------------------------------------

    def action_retrain(self) -> None:
        ws = self.workspace
        if ws.read_only:
            self.notify("The store is open read-only: the model cannot be saved there",
                        severity="warning", timeout=4)
            return
        if self.model_status:
            self.notify("The model is already being trained", timeout=3)
            return
        from annotations.errors import NewsmarkError
        from annotations.span_model import require_spacy

        try:
            require_spacy()
        except NewsmarkError as err:
            self.notify(str(err), severity="error", timeout=8)
            return
        self.model_status = "training the model…"
        self.notify("Training the model in the background; keep annotating. "
                    "Suggestions refresh when it is ready", timeout=4)
        self._train(ws.location, self.model_folder)

    @work(thread=True, exclusive=True, group="model", exit_on_error=False)
    def _train(self, location: str, folder: Path) -> None:
        # The worker reads the store through a store object of its own,
        # read-only (as `newsmark export` does beside the reader): every
        # change the reader made is on disk before its key returned.
        from annotations.errors import NewsmarkError
        from annotations.training import check_model_folder, collect_at, metadata, save, train

        worker = get_current_worker()
        last = [0.0]

        def progress(p: Any) -> None:
            if worker.is_cancelled:  # the app is closing: stop, save nothing
                raise KeyboardInterrupt
            now = time.monotonic()
            if now - last[0] > 0.5:
                last[0] = now
                self.post_message(TrainingProgress(
                    f"training the model: epoch {p.epoch}, {p.step / max(p.total, 1):.0%}"))

        try:
            check_model_folder(folder)  # at once, not after the training
            docs, layers = collect_at(location)
            if not docs:
                raise NewsmarkError("no document has spans yet: tag some, then press T")
            result = train(docs, epochs=READER_EPOCHS, patience=READER_PATIENCE,
                           on_progress=progress)
            if worker.is_cancelled:
                return
            save(result, folder, metadata(result, annotators=layers, seed=0, dev=0.2,
                                          store_root=location))
        except NewsmarkError as err:
            self.post_message(ModelFailed(f"Training stopped: {err}"))
            return
        if result.scores is None:
            scores = "no document held out to score it"
        else:
            scores = (f"held-out F1 {result.scores.micro('overlap').f1:.2f} overlap, "
                      f"{result.scores.micro('exact').f1:.2f} exact")
        self.post_message(ModelReady(result.model, (
            f"Model trained on {plural(len(result.train_docs), 'document')} ({scores}); "
            f"saved in {folder}")))

    # -- messages from the workers --------------------------------------------

    def on_training_progress(self, message: TrainingProgress) -> None:
        if self.model_status:
            self.model_status = message.text

    def on_model_ready(self, message: ModelReady) -> None:
        self.workspace.set_model(message.model)
        self.refresh_suggestions()
        self.model_status = ""
        # Said only where a pane shows suggestions: with none shown there was
        # nothing to refresh, and S shows the new model's.
        shown = any(view.document.id in self._suggesting for view in self.views)
        self.notify(message.summary + (". Suggestions refreshed" if shown
                                       else ". S shows its suggestions beside the rules'"),
                    timeout=6)

    def on_model_failed(self, message: ModelFailed) -> None:
        self.model_status = ""
        self.notify(message.problem, severity="error", timeout=10)

    # -- the model's suggestions, made in a worker ------------------------------

    def request_model_suggestions(self, doc_id: str) -> None:
        """Have the model's suggestions for `doc_id` made, if they are not yet."""
        ws = self.workspace
        if not ws.needs_model_suggestions(doc_id):
            return
        key = (doc_id, id(ws.span_model))
        if key in self._predicting:
            return
        self._predicting.add(key)
        self._predict(ws.model_suggestion_job(doc_id, ws.span_model))

    @work(thread=True, group="predict", exit_on_error=False)
    def _predict(self, job: Any) -> None:  # a ModelSuggestionJob: reads only itself
        if (found := unless_cancelled(job.run)) is not None:
            self.post_message(ModelSuggestionsReady(job.doc_id, job.model, found))

    def on_model_suggestions_ready(self, message: ModelSuggestionsReady) -> None:
        self._predicting.discard((message.doc_id, id(message.model)))
        if not self.workspace.keep_model_suggestions(message.doc_id, message.model,
                                                     message.found):
            return  # a newer model came meanwhile: its own will follow
        if message.doc_id not in self._suggesting:
            return
        shown = self._suggestions_for(message.doc_id)
        views = [view for view in self.views if view.document.id == message.doc_id]
        for view in views:
            view.set_suggestions(shown)
        if views:
            self._refresh_panel(orphans=False)  # the side panel lists them too
            self._refresh_status()
            # Counted as shown: the model's spans already tagged or rejected are
            # not, and one the rules propose too is one entry (the model's).
            from annotations.suggest import MODEL_SOURCE

            by_model = sum(s.origin == MODEL_SOURCE for s in shown)
            self.notify(f"The model's suggestions joined the rules': "
                        f"{plural(len(shown), 'suggestion')} here, {by_model} from the model"
                        if by_model else "The model proposes nothing here the rules do not",
                        timeout=3)

    def refresh_suggestions(self) -> None:
        """Redraw the suggestions of every pane that shows them (a new model's)."""
        for view in self.views:
            if view.document.id in self._suggesting:
                view.set_suggestions(self._suggestions_for(
                    view.document.id))
        self._refresh_panel(orphans=False)

    # -- most uncertain first (O) ---------------------------------------------

    def action_order_by_uncertainty(self) -> None:
        ws = self.workspace
        if ws.span_model is None:
            self.notify("No model yet: one is being trained; O ranks once it is ready"
                        if self.model_status else
                        "No model yet: press T to train one on your annotations", timeout=4)
            return
        texts = [(doc.id, doc.text) for doc in ws.order]
        self.notify(f"Ranking {plural(len(texts), 'document')} by the model's uncertainty…",
                    timeout=3)
        self._rank(ws.span_model, texts)

    @work(thread=True, exclusive=True, group="rank", exit_on_error=False)
    def _rank(self, model: Any, texts: list[tuple[str, str]]) -> None:
        from annotations.span_model import summed_uncertainty  # the model is loaded already

        worker = get_current_worker()
        unsure: dict[str, float] = {}
        for doc_id, text in texts:
            if worker.is_cancelled:
                return
            unsure[doc_id] = summed_uncertainty(text, model.uncertainty(text))
        order = sorted(unsure, key=lambda d: -unsure[d])
        self.post_message(DocumentsRanked(order))

    def on_documents_ranked(self, message: DocumentsRanked) -> None:
        ws = self.workspace
        # A document not yet begun first: one in progress has spans already,
        # and one marked done teaches nothing new. Within each, the one with
        # the most uncertainty in all first (`summed_uncertainty`).
        order = sorted(message.order, key=lambda d: _BEGUN.get(ws.status(d), 1))
        ws.reorder(order)
        self._refresh_documents()
        self.notify("Documents ordered by the model's uncertainty: those not begun "
                    "first, the most uncertain in all on top", timeout=5)
