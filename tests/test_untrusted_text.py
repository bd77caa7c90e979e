"""Text from outside (queries, file names, notes, article text) shown literally.

Never parsed as markup (which raised on `[/]`, dropped `[Reuters]` and
turned `[@click=app.quit]` into an action), and never able to send an
escape sequence to the terminal. Each test reads the whole screen as the
terminal would get it (from Textual's own screenshot), not a widget's state.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from screen_text import screen

from annotations.cleaning import neutralise
from tui.app import NewsmarkApp
from tui.article_view import ArticleView
from tui.link_screen import LinkScreen
from tui.literal import literal, markup_escaped, safe

SIZE = (150, 40)
ESCAPES = "\x1b]0;pwned\x07\x1b[5m"
MARKUP_NAME = "[@click=app.quit]x.txt"
EVIL_NAME = f"evil{ESCAPES}X.txt"
ARTICLE = (
    "Prices rose [bold]sharply[/bold] in May, the [Reuters] report said.\n\n"
    "See [/] here and [@click=app.quit]there[/].\n"
)
# Control characters a terminal would obey: C0 (but newline), DEL, C1.
CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f]")


@pytest.fixture
def hostile_paths(tmp_path: Path) -> list[Path]:
    paths = [tmp_path / MARKUP_NAME, tmp_path / EVIL_NAME]
    for path in paths:
        path.write_text(ARTICLE, encoding="utf-8")
    # Distinct texts: two files of one text would be one document.
    paths[1].write_text(ARTICLE + "\nA second outlet's copy.\n", encoding="utf-8")
    return paths


def test_safe_reuses_the_cores_neutralising_and_keeps_one_line() -> None:
    assert safe(EVIL_NAME) == neutralise(EVIL_NAME, one_line=True)
    assert safe("a\nb\tc") == "a\u240ab\u2409c"
    assert CONTROL.search(safe(EVIL_NAME)) is None
    assert literal("[b]x[/b]").plain == "[b]x[/b]"
    # Escaped for the palette, which always parses markup: reads back literally.
    from textual.content import Content

    assert Content.from_markup(markup_escaped("see [/] here")).plain == "see [/] here"


@pytest.mark.parametrize(("query", "said"), [
    *((query, f"Not found: {query}")
      for query in (r"re:\d+[/-]\d+", "see [/] there", "[Reuters] said no")),
    # Zero-width: the pattern matches, but said "Not found: re:^".
    *((query, f"{query} matches only empty text: nothing to show")
      for query in ("re:^", r"re:\b", "re:(?=[Reuters])")),
])
async def test_a_search_with_nothing_to_show_says_why_literally(
    make_workspace, hostile_paths, query: str, said: str
) -> None:
    app = NewsmarkApp(make_workspace(hostile_paths))
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("slash", *query, "enter")
        await pilot.pause()
        assert app.is_running
        shown = screen(app)
        assert said in shown, shown
        # The status line names the search as typed (no doubled backslashes).
        assert f"search “{query}”" in shown
        assert app.search_matches == []


async def test_a_found_markup_query_is_named_literally_in_the_status_line(
    make_workspace, hostile_paths
) -> None:
    app = NewsmarkApp(make_workspace(hostile_paths))
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("slash", *"[Reuters]", "enter")
        await pilot.pause()
        assert "search “[Reuters]”" in screen(app)


async def test_file_names_with_markup_and_escapes_are_shown_literally(
    make_workspace, hostile_paths
) -> None:
    app = NewsmarkApp(make_workspace(hostile_paths))
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        shown = screen(app)
        # Pane titles and document list rows.
        assert shown.count(MARKUP_NAME) >= 2
        assert shown.count(safe(EVIL_NAME)) >= 2
        assert CONTROL.search(shown) is None
        # What the terminal would get: no escape sequence anywhere.
        assert "\x1b]0;" not in app.export_screenshot()
        # The would-be action in the title is not clickable.
        await pilot.click(ArticleView, offset=(4, -1))
        assert app.is_running


async def test_article_text_and_notes_in_lists_prompt_and_link_screen(
    make_workspace, hostile_paths
) -> None:
    ws = make_workspace(hostile_paths)
    app = NewsmarkApp(ws)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        a, b = app.query_one("#pane-0", ArticleView), app.query_one("#pane-1", ArticleView)
        # A sentence with markup in it, tagged in each pane.
        for view in (a, b):
            view.move_to(view.text.index("See [/]"))
            view.focus()
            await pilot.press("2")
        [ann] = ws.annotations(a.document.id)
        # A note as an imported file could carry it: markup and escapes.
        ws.update(ann.with_changes(note=f"[red]check[/] {ESCAPES}"))
        a.focus()
        await pilot.press("u", "ctrl+r")  # redrawn from the store
        await pilot.pause()
        shown = screen(app)
        assert "See [/] here and [@click=app.quit]there[/]." in shown  # the list row
        assert CONTROL.search(shown) is None
        # The note in the prompt bar: literal, its escapes as symbols.
        a.move_to(ann.start)
        await pilot.press("m")
        await pilot.pause()
        shown = screen(app)
        # (Rich's Text drops a BEL outright; the ESCs show as symbols.)
        assert "[red]check[/] \u241b]0;pwned" in shown
        assert CONTROL.search(shown) is None
        await pilot.press("escape")
        # The link screen quotes both annotations literally.
        a.focus()
        a.move_to(ann.start)
        b.move_to(b.text.index("See [/]"))
        await pilot.press("L")
        await pilot.pause()
        assert isinstance(app.screen, LinkScreen)
        assert "See [/] here and [@click=app.quit]there[/]." in screen(app)
        await pilot.press("escape")


async def test_the_command_palette_and_help_show_keys_literally(make_workspace) -> None:
    app = NewsmarkApp(make_workspace())
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("ctrl+p", *"previous", "space", *"document")
        await pilot.pause(0.3)
        shown = screen(app)
        assert "Previous document" in shown and "Key [" in shown
        await pilot.press("escape", "question_mark", "end")
        await pilot.pause()
        assert re.search(r"│\s+\[\s+Previous document", screen(app))


def test_the_command_line_names_a_hostile_file_without_its_escapes(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from tui.cli import main

    missing = tmp_path / EVIL_NAME
    result = CliRunner().invoke(main, [str(missing), "--store", str(tmp_path / "s")])
    assert result.exit_code == 3
    assert safe(EVIL_NAME) in result.output and "\x1b" not in result.output


async def test_keys_typed_in_a_burst_after_slash_go_to_the_prompt(
    make_workspace, hostile_paths
) -> None:
    from textual import events

    app = NewsmarkApp(make_workspace(hostile_paths))
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        view = app.query_one("#pane-0", ArticleView)
        shown = view.document.id
        query = r"re:\d+[/-]\d+"
        # As a terminal sends them: all queued before the first is handled.
        names = {"/": "slash", ":": "colon", "\\": "backslash", "+": "plus",
                 "[": "left_square_bracket", "]": "right_square_bracket", "-": "minus"}
        for char in "/" + query:
            app.post_message(events.Key(names.get(char, char), char))
        await pilot.pause()
        assert app.query_one("#prompt").value == query
        assert view.document.id == shown  # "[" did not switch documents
