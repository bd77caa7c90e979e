"""The span model in the reader, end to end with real keys: a model trained
by `newsmark train` is found in the store, `S` shows its spans beside the
rules', `a` accepts one (exported as `source: model`), `T` retrains in the
background while keys keep working, `O` orders the documents by the
model's uncertainty."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from annotations.documents import load_documents
from annotations.export import document_records
from annotations.store import open_store
from annotations.workspace import Workspace
from tests.model_fixtures import article, tiny_store
from tests.pilot_wait import until, until_notified
from tui.app import NewsmarkApp
from tui.article_view import ArticleView
from tui.cli import main
from tui.messages import ModelSuggestionsReady
from tui.suggestion_list import SuggestionList

pytest.importorskip("spacy")

SIZE = (140, 36)


@pytest.fixture
def trained_store(tmp_path: Path) -> Path:
    store_dir = tmp_path / "store"
    tiny_store(store_dir)
    result = CliRunner().invoke(main, ["train", "--store", str(store_dir), "--epochs", "15",
                                       "--patience", "15"])
    assert result.exit_code == 0, result.output
    assert (store_dir / "model" / "newsmark-model.json").is_file()  # the default place
    return store_dir


def _workspace(store_dir: Path, tmp_path: Path, articles: tuple[int, ...] = (8,)) -> Workspace:
    paths = []
    for n in articles:
        text, _ = article(n)
        paths.append(tmp_path / f"article-{n}.txt")
        paths[-1].write_text(text, encoding="utf-8")
    docs, errors = load_documents(paths)
    assert not errors
    return Workspace(open_store(store_dir), docs, annotator="tester")


@asynccontextmanager
async def _reader(store_dir: Path, tmp_path: Path, articles: tuple[int, ...] = (8,)
                  ) -> AsyncIterator[tuple[NewsmarkApp, Workspace, Any]]:
    """The reader on `articles` (not in the store), once the store's model is loaded."""
    ws = _workspace(store_dir, tmp_path, articles)
    app = NewsmarkApp(ws)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: ws.span_model is not None)
            yield app, ws, pilot
    finally:
        ws.store.close()


async def test_accept_a_model_suggestion_exports_source_model(trained_store: Path,
                                                              tmp_path: Path) -> None:
    async with _reader(trained_store, tmp_path) as (app, ws, pilot):
        await until_notified(pilot, app, "Model loaded from")
        [loaded] = [str(n.message) for n in app._notifications if "Model loaded" in n.message]
        assert loaded.endswith(". S shows its suggestions beside the rules'")
        assert loaded.count("S shows") == 1  # it was said twice
        view = app.query_one("#pane-0", ArticleView)
        doc = view.document
        await pilot.press("S")
        # The model's join the rules' when its worker is done.
        await until(pilot, lambda: any(s.origin == "model" for s in view.suggestions))
        model = [s for s in view.suggestions if s.origin == "model"]
        assert {(s.start, s.end) for s in model} == set(article(8)[1])
        # The side panel lists them too, as soon as they are drawn.
        listed = app.query_one("#suggestion-list", SuggestionList)
        await pilot.pause()
        assert listed.row_count == len(view.suggestions)
        # And the count said is the count shown (it was the model's spans
        # before those the rules also proposed were made one entry).
        await until_notified(pilot, app, "The model's suggestions joined the rules'")
        assert any(f": {len(view.suggestions)} suggestions here, {len(model)} from the model"
                   in str(n.message) for n in app._notifications)
        # Each row says whose it is, as the status line does: the model's
        # with their score (the rules' have none).
        for row, suggestion in enumerate(view.suggestions):
            shown = listed.render_line(row).text
            head = f"{suggestion.label} {suggestion.start}–{suggestion.end} "
            if suggestion.origin == "model":
                assert shown.startswith(head + f"model {suggestion.score:.2f} "), shown
            else:
                assert shown.startswith(head) and "model" not in shown, shown
        first = model[0]
        view.move_to(first.start)  # the opening mark: the rule starts after it
        await pilot.pause()
        assert f"suggested quote: a accepts, R rejects (model {first.score:.2f})" in str(
            app.query_one("#status").render())
        await pilot.press("a")
        [ann] = ws.store.annotations(doc.id)
        assert (ann.start, ann.end, ann.source) == (first.start, first.end, "model")
        [record] = [r for r in document_records(ws.store) if r["id"] == doc.id]
        assert [s["source"] for s in record["spans"]] == ["model"]
        # Rejecting the other hides it, as a rule's suggestion.
        second = model[1]
        view.move_to(second.start)
        await pilot.press("R")
        assert all((s.start, s.end) != (second.start, second.end)
                   for s in view.suggestions)
        # A model that proposes nothing new here says so, not "0 from the model".
        app.post_message(ModelSuggestionsReady(doc.id, ws.span_model, []))
        await until_notified(pilot, app, "The model proposes nothing here the rules do not")


async def test_retrain_in_the_background_then_order_by_uncertainty(
        trained_store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from annotations import training

    # Training this store takes a second; held at its start until the keys
    # below were pressed, so they are pressed while it runs.
    gate = threading.Event()
    real_train = training.train

    def held_train(*args, **kwargs):  # type: ignore[no-untyped-def]
        assert gate.wait(30)
        return real_train(*args, **kwargs)

    monkeypatch.setattr(training, "train", held_train)
    async with _reader(trained_store, tmp_path, articles=(8, 9, 10, 11)) as (app, ws, pilot):
        done_id = ws.order[0].id
        ws.store.set_status(done_id, "done")
        loaded = ws.span_model
        view = app.query_one("#pane-0", ArticleView)
        await pilot.press("S", "T")
        assert "training the model" in str(app.query_one("#status").render())
        before = view.cursor
        await pilot.press("w")  # keys act while it trains
        assert view.cursor > before
        assert "training the model" in str(app.query_one("#status").render())
        gate.set()
        await until(pilot, lambda: ws.span_model is not loaded)
        assert "training" not in str(app.query_one("#status").render())
        [done] = [n.message for n in app._notifications if "Model trained" in n.message]
        assert done.endswith("Suggestions refreshed")  # S showed them
        # The open document's suggestions are made again, by the new model
        # (set_model empties them; only the refresh asks for them again).
        await until(pilot, lambda: view.document.id in ws._model_suggestions)
        assert view.suggestions == app._suggestions_for(view.document.id)
        # Most useful next: the read documents by uncertainty, those not yet
        # begun first, those in progress after them, done ones last.
        for index in range(len(ws.entries)):
            ws.load(index)
        begun = next(e.document.id for e in ws.entries if e.document.id != done_id)
        ws.store.set_status(begun, "in progress")
        # Ranked by the model's uncertainty summed over each document (its
        # mean times its length), most first: here sums that grow a little
        # with the length, so the longest is first, where its mean, the
        # least, would put it last.
        model = ws.span_model
        by_length = sorted({doc.text for doc in ws.order}, key=len)
        assert len({len(t) for t in by_length}) == len(by_length)
        total_of = {text: 10 + 0.01 * n for n, text in enumerate(by_length)}
        monkeypatch.setattr(model, "uncertainty", lambda text: total_of[text] / len(text))
        await pilot.press("O")
        await until_notified(pilot, app, "ordered by the model")
        ranked = [e.document.id for e in ws.entries]
        assert ranked[-2:] == [begun, done_id]
        open_ids = [d for d in ranked if ws.status(d) == "untouched"]
        assert open_ids == ranked[:-2]
        unsure = [total_of[ws.documents[d].text] for d in open_ids]
        assert unsure == sorted(unsure, reverse=True) and len(set(unsure)) == len(unsure)


async def test_retraining_into_a_file_says_so_and_clears_the_status(tmp_path: Path) -> None:
    # `[model] path` naming a file: T ended in "A background job failed
    # (NotADirectoryError)" with the status line stuck at "training the
    # model: epoch 13, 41%" (found trying issue 17 in a terminal).
    import dataclasses

    store_dir = tmp_path / "store"
    tiny_store(store_dir)
    (tmp_path / "afile").write_text("mine\n", encoding="utf-8")
    ws = _workspace(store_dir, tmp_path)
    ws.config = dataclasses.replace(ws.config, model_path=tmp_path / "afile")
    app = NewsmarkApp(ws)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("T")
            await until(pilot, lambda: not app.model_status)
            await pilot.pause()
            [note] = [n for n in app._notifications if "Training stopped" in n.message]
            assert "afile: is a file, not a model folder" in note.message
            assert "training" not in str(app.query_one("#status").render())
            assert not any("background job failed" in n.message
                           for n in app._notifications)
            assert (tmp_path / "afile").read_text(encoding="utf-8") == "mine\n"
    finally:
        ws.store.close()


async def test_retraining_with_no_suggestions_shown_says_s_shows_them(trained_store: Path,
                                                                      tmp_path: Path) -> None:
    # The message said "Suggestions refreshed" with none on screen (found
    # trying T in a terminal before pressing S).
    async with _reader(trained_store, tmp_path) as (app, ws, pilot):
        loaded = ws.span_model
        await pilot.press("T")
        await until(pilot, lambda: ws.span_model is not loaded)
        [done] = [n.message for n in app._notifications if "Model trained" in n.message]
        assert "refreshed" not in done
        assert done.endswith("S shows its suggestions beside the rules'")


async def test_o_without_a_model_says_whether_one_is_training(tmp_path: Path) -> None:
    # O while the first T trained said "No model yet: press T".
    ws = _workspace(tmp_path / "store", tmp_path)
    app = NewsmarkApp(ws)
    try:
        async with app.run_test(size=SIZE) as pilot:
            app.query_one("#pane-0", ArticleView).focus()
            await pilot.press("O")
            await until_notified(pilot, app, "press T to train one")
            app.model_status = "training the model: epoch 1, 5%"
            await pilot.press("O")
            await until_notified(pilot, app, "one is being trained; O ranks once it is ready")
    finally:
        ws.store.close()
