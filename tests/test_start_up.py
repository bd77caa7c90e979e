"""What the reader does before its first frame, and what waits (issue 18: start-up).

Every module imported at start is paid for on every start, before anything
is drawn. Those listed in `NOT_BEFORE_FIRST_FRAME` are needed only later (a
motion over non-ASCII text, a suggestion rejected, a sentence found) and are
imported where used; this keeps a module-level import of one of them from
creeping back. Checked in a fresh interpreter: the test process has them all.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# What the reader's start imports: the command, the session, the app.
START = ("tui.cli", "annotations.workspace", "tui.app")

NOT_BEFORE_FIRST_FRAME = (
    "regex",  # grapheme clusters (annotations/graphemes.py), ~6 ms
    "annotations.suggest",  # undoing a rejection (annotations/history.py), ~3 ms
    "nltk",  # Punkt: segmentation runs after the first frame
    "annotations.alignment",
    "annotations.span_model",
    "annotations.reanchor",  # matching spans on a changed text, ~1.5 ms
    "annotations.search",  # the first search (a dataclass and its module), ~0.6 ms
    "tui.orphan_list",  # the side lists hidden while empty, ~1.1 ms
    "tui.suggestion_list",
    # Commands of their own modules (`DefaultToOpen.add_lazy_command`), ~1.5 ms
    "tui.cli_store",
    "tui.cli_agree",
    "tui.cli_adjudicate",
    "tui.cli_train",
)


def test_the_start_leaves_later_modules_unimported() -> None:
    code = (
        "import sys\n"
        + "".join(f"import {name}\n" for name in START)
        + f"print(' '.join(n for n in {NOT_BEFORE_FIRST_FRAME!r} if n in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, check=True, timeout=60)
    assert result.stdout.split() == []


def test_the_commands_imported_when_asked_for_are_listed_and_run() -> None:
    from click.testing import CliRunner

    from tui.cli import main

    runner = CliRunner()
    listed = runner.invoke(main, ["--help"])
    assert listed.exit_code == 0
    commands = listed.output.split("Commands:")[1].split()
    assert {"store", "agree", "adjudicate", "train", "open", "export"} <= set(commands)
    for name in ("store", "agree", "adjudicate", "train"):
        shown = runner.invoke(main, [name, "--help"])
        assert shown.exit_code == 0 and f"Usage: main {name} " in shown.output
    # --store before a command is handed to it; `store` itself takes none.
    refused = runner.invoke(main, ["--store", "somewhere", "store", "init"])
    assert refused.exit_code != 0 and "works on no store" in refused.output
    # The group's own option, not a file for the reader to open.
    version = runner.invoke(main, ["--version"])
    assert version.exit_code == 0 and "version" in version.output


def test_graphemes_still_find_clusters_once_regex_is_imported_late() -> None:
    from annotations.graphemes import cluster_at, next_boundary

    family = "a👨\u200d👩\u200d👧b"
    assert cluster_at(family, 2) == (1, 6)
    assert next_boundary(family, 1) == 6


def test_a_pane_focused_before_its_first_resize_wraps_nothing() -> None:
    """Focusing a pane (on mount, before Textual gives it a size) asks for the
    cursor's row: at the width-1 estimate every character was a row, and
    wrapping them imported `regex` to find clusters in non-ASCII text."""
    code = (
        "import sys\n"
        "from annotations.model import Document\n"
        "from annotations.segmentation import Segmentation\n"
        "from tui.article_view import ArticleView\n"
        "text = '“Émigré” café, naïve. ' * 200 + '\\n\\n' + 'Second paragraph.'\n"
        "view = ArticleView(Document(text), Segmentation.provisional(text))\n"
        "assert view._rows.total == 3 and view._row_of(len(text) - 1) == 2\n"
        "view._invalidate_range(0, 0)\n"
        "print('regex' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


async def test_a_search_typed_before_the_first_frame_goes_into_the_prompt(
        make_workspace) -> None:
    """Keys sent the moment the reader starts (a terminal's burst) are queued
    before its first frame. With the prompt bar mounted only after that
    frame, "/spending" typed "sp" into it and sent "ending" to the article:
    d marked the document done."""
    from textual import events

    from tui.app import NewsmarkApp
    from tui.prompt_bar import PromptBar

    ws = make_workspace()
    app = NewsmarkApp(ws)
    async with app.run_test(size=(120, 30)) as pilot:
        for char in "/spending":
            app.post_message(events.Key("slash" if char == "/" else char, char))
        await pilot.pause()
        bar = app.query_one(PromptBar)
        assert bar.value == "spending" and app.focused is bar
        assert ws.status(app.active_view.document.id) != "done"
        await pilot.press("enter")
        assert app.search_query == "spending" and app.focused is app.active_view


async def test_a_long_article_gets_its_paragraphs_after_the_first_frame_or_before_a_key(
        tmp_path: Path) -> None:
    """The first frame draws no sentence: a long article is shown with nothing
    found, its paragraphs come right after (Punkt runs in the background), and
    a key that comes before them finds them there."""
    from annotations.segmentation import Segmentation, paragraphs
    from annotations.store import LocalStore
    from annotations.workspace import BACKGROUND_SEGMENTATION_CHARS, Workspace
    from tui.app import NewsmarkApp

    paragraph = "The weir cost the council £3.5 million. Critics said so.\n\n"
    text = paragraph * (BACKGROUND_SEGMENTATION_CHARS // len(paragraph) + 50)
    path = tmp_path / "long.txt"
    path.write_text(text, encoding="utf-8")
    store = LocalStore(tmp_path / "store")
    ws = Workspace(store, [path], annotator="tester")
    (doc,) = ws.order
    app = NewsmarkApp(ws)
    try:
        async with app.run_test(size=(120, 30)) as pilot:
            await pilot.pause()
            view = app.active_view
            assert view.segmentation.paragraphs == paragraphs(doc.text)
            # As if the key came before that: nothing found, paragraphs due.
            view.set_segmentation(Segmentation.unknown(doc.text))
            app._paragraphs_due.add(doc.id)
            await pilot.press("right_curly_bracket")
            assert view.cursor == paragraphs(doc.text)[1][0]
            await app.workers.wait_for_complete()
    finally:
        store.close()


async def test_a_newline_submits_the_prompt_as_enter_does(make_workspace) -> None:
    """Typed before the reader had the terminal, Enter arrives as ctrl+j: the
    search was typed and never ran."""
    from tui.app import NewsmarkApp

    app = NewsmarkApp(make_workspace())
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.press("slash", *"weir", "ctrl+j")
        assert app.search_query == "weir" and app.focused is app.active_view
