"""The key bar: the keys the focus answers, on one line, drawn by one widget."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.binding import Binding

from tests.screen_text import screen
from tui.app import NewsmarkApp
from tui.help_screen import HelpScreen
from tui.key_bar import KeyBar


def bottom_line(app: App) -> str:
    return screen(app).splitlines()[-1]


async def test_the_key_bar_follows_the_focus(make_workspace) -> None:
    app = NewsmarkApp(make_workspace())
    async with app.run_test(size=(140, 36)) as pilot:
        await pilot.pause()
        line = bottom_line(app)
        # The label keys first (the reader's screen), then the others.
        assert line.index("1 claim") < line.index("? Help") < line.index("^p palette")
        await pilot.press("slash")  # the prompt has the focus: the article's keys go
        await pilot.pause()
        assert "1 claim" not in bottom_line(app) and "^q Quit" in bottom_line(app)
        await pilot.press("escape")
        await pilot.pause()
        assert "1 claim" in bottom_line(app)


async def test_a_narrow_key_bar_shows_whole_keys_a_mark_and_help(make_workspace) -> None:
    app = NewsmarkApp(make_workspace())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        line = bottom_line(app).rstrip()
        bar = app.query_one(KeyBar)
        assert bar.compact and "palette" not in line
        # Every label key shows; what does not fit is marked as left out, and
        # the help key, which lists every key, ends the line (it was cut off).
        for label in ("1 claim", "6 source"):
            assert label in line
        assert line.endswith("… ? Help")
        drawn = [key for _start, _end, key in bar._hit_ranges]
        assert drawn[-1].description == "Help" and len(drawn) < len(bar.keys)
        before_mark = line[:line.index(" … ")]
        assert before_mark.endswith(f"{drawn[-2].display} {drawn[-2].description}")


async def test_a_click_on_a_key_presses_it(make_workspace) -> None:
    app = NewsmarkApp(make_workspace())
    async with app.run_test(size=(140, 36)) as pilot:
        await pilot.pause()
        bar = app.query_one(KeyBar)
        x = next(start for start, _end, key in bar._hit_ranges if key.description == "Help")
        assert bar.key_at(x + 1) is not None and bar.key_at(x + 1).description == "Help"
        await pilot.click(KeyBar, offset=(x + 1, 0))
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)


class Hostile(App[None]):
    BINDINGS = [Binding("f1", "bell", "[b]loud[/b] \x1b]0;pwned\x07")]

    def compose(self) -> ComposeResult:
        yield KeyBar()


async def test_descriptions_are_drawn_literally() -> None:
    app = Hostile()
    async with app.run_test(size=(80, 5)) as pilot:
        await pilot.pause()
        line = bottom_line(app)
        assert "[b]loud[/b]" in line
        assert "\x1b" not in line and "\x07" not in line


async def test_the_key_bar_shows_keys_as_remapped(make_workspace) -> None:
    import tomllib

    from annotations.labels import parse_config

    config = parse_config(tomllib.loads(
        '[keys]\nremove = "delete"\n[[labels]]\nname = "claim"\nkey = "x"\n'))
    app = NewsmarkApp(make_workspace(config=config))
    async with app.run_test(size=(140, 36)) as pilot:
        await pilot.pause()
        line = bottom_line(app)
        assert "x claim" in line and "x Remove" not in line
        remove = next(key for key in app.query_one(KeyBar).keys if key.description == "Remove")
        assert remove.key == "delete" and f"{remove.display} Remove" in line


async def test_no_reader_keys_are_offered_under_help(make_workspace) -> None:
    app = NewsmarkApp(make_workspace())
    async with app.run_test(size=(140, 36)) as pilot:
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        assert "1 claim" not in bottom_line(app)
        await pilot.press("escape")
        await pilot.pause()
        assert "1 claim" in bottom_line(app)


async def test_the_key_bar_offers_remove_only_where_it_acts(make_workspace) -> None:
    """From the document list it offered x Remove, which said only that it
    acts on the article or the Annotations list."""
    from tui.annotation_list import AnnotationList
    from tui.document_list import DocumentList

    app = NewsmarkApp(make_workspace())
    async with app.run_test(size=(140, 36)) as pilot:
        await pilot.pause()
        assert "x Remove" in bottom_line(app)
        app.query_one(DocumentList).focus()
        await pilot.pause()
        assert "x Remove" not in bottom_line(app)
        app.query_one(AnnotationList).focus()
        await pilot.pause()
        assert "x Remove" in bottom_line(app)


async def test_the_suggested_list_offers_accept_and_reject_in_the_key_bar(make_workspace) -> None:
    """Its a and R act on its highlighted row, but only its title said so."""
    from tui.article_view import ArticleView
    from tui.suggestion_list import SuggestionList

    ws = make_workspace()
    app = NewsmarkApp(ws)
    async with app.run_test(size=(160, 36)) as pilot:
        await pilot.press("S")
        await pilot.pause()
        view = app.query_one("#pane-0", ArticleView)
        assert view.suggestions
        assert "a Accept" not in bottom_line(app)  # in an article: two of many keys
        listed = app.query_one(SuggestionList)
        for _ in range(4):  # back round the lists to it (Tab goes to the other pane first)
            if listed.has_focus:
                break
            await pilot.press("shift+tab")
            await pilot.pause()
        assert listed.has_focus
        line = bottom_line(app)
        assert "a Accept" in line and "R Reject" in line, line
        first = listed.highlighted_suggestion
        assert first is not None
        await pilot.press("a")  # the key offered does what it says
        await pilot.pause()
        assert any((a.start, a.end, a.label) == (first.start, first.end, first.label)
                   for a in ws.annotations(view.document.id))
