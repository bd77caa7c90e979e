"""How the main screens look, compared with stored SVG snapshots (pytest-textual-snapshot).

A layout regression (a pane border that moves, a panel that covers the
text, the status line cut off) fails here. Update the pictures after an
intended change with `pytest tests/test_snapshots.py --snapshot-update`
and look at them (`tests/__snapshots__/`). `snap_compare` is synchronous:
these are plain `def` tests.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from annotations.documents import load_documents
from annotations.store import LocalStore
from annotations.workspace import Workspace
from tui.app import NewsmarkApp

pytest.importorskip("pytest_textual_snapshot")


@pytest.fixture
def app(article_paths: list[Path], tmp_path: Path, monkeypatch) -> NewsmarkApp:
    # A store named the same in every run: the header shows its path.
    monkeypatch.chdir(tmp_path)
    docs, errors = load_documents(article_paths)
    assert not errors
    store = LocalStore(Path(".newsmark"))
    yield NewsmarkApp(Workspace(store, docs, annotator="tester"))
    store.close()


async def settle(pilot) -> None:  # type: ignore[no-untyped-def]
    """Sentences found and the two outlets aligned (a worker), then drawn."""
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def test_two_panes_side_by_side(snap_compare, app: NewsmarkApp) -> None:
    async def tag_and_settle(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        await pilot.press(")", ")", "s")  # a sentence selected in the left pane

    assert snap_compare(app, terminal_size=(140, 36), run_before=tag_and_settle)


def test_help_screen(snap_compare, app: NewsmarkApp) -> None:
    async def open_help(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        await pilot.press("question_mark")

    assert snap_compare(app, terminal_size=(140, 36), run_before=open_help)


def test_narrow_terminal_with_the_side_panel(snap_compare, app: NewsmarkApp) -> None:
    async def open_panel(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        await pilot.press("p")

    assert snap_compare(app, terminal_size=(80, 24), run_before=open_panel)


def test_adjudication(snap_compare, tmp_path: Path, monkeypatch) -> None:
    """The curator's view: every annotator's spans, the disagreement under
    the cursor named in the status line, the count left."""
    from annotations.model import Annotation

    monkeypatch.chdir(tmp_path)
    path = tmp_path / "story.txt"
    path.write_text("The mayor said the bridge opens in June. Critics called it late and "
                    "costly, and the council's own engineer agreed.\n", encoding="utf-8")
    [doc], errors = load_documents([path])
    assert not errors
    store = LocalStore(Path(".newsmark"))
    store.register(doc)

    def at(who: str, piece: str, label: str, extra: int = 0) -> Annotation:
        start = doc.text.index(piece)
        return Annotation.tag(doc, start, start + len(piece) + extra, label, annotator=who)

    for ann in (at("ana", "The mayor", "source"), at("ben", "The mayor", "source"),
                at("ana", "the bridge opens", "claim"),
                at("ben", "the bridge opens", "claim", 8), at("ben", "Critics", "source")):
        assert store.add(ann)
    app = NewsmarkApp(Workspace(store, [doc], annotator="gold"), adjudicating=True)

    async def first_disagreement(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        app.query_one("#pane-0").focus()
        await pilot.pause()
        await pilot.press("n")
        app.clear_notifications()  # a toast that times out would make the picture vary
        await pilot.pause()

    try:
        assert snap_compare(app, terminal_size=(140, 24), run_before=first_disagreement)
    finally:
        store.close()
