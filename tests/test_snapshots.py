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
