"""The focus shown on a box's top edge repaints that row, not the box
(tui/focus_edge.py), unless the focus changes more than the top edge."""

from __future__ import annotations

from rich.text import Text
from textual.app import App, ComposeResult
from textual.geometry import Region
from textual.strip import Strip

from tests.test_cursor_in_view import calls_to
from tui.focus_edge import FocusShownOnTopEdge
from tui.virtual_list import VirtualList


class Rows(FocusShownOnTopEdge, can_focus=True):
    DEFAULT_CSS = """
    Rows { border: round gray; height: 10; }
    Rows:focus { border-top: round red; }
    Rows.whole:focus { background: darkblue; }
    """

    def render_line(self, y: int) -> Strip:
        return Strip.blank(self.size.width, self.rich_style)


class TwoBoxes(App[None]):
    def compose(self) -> ComposeResult:
        yield Rows(id="one")
        yield Rows(id="two")


def _top_row(box: Rows) -> Strip:
    """The box's top row as the compositor gets it (border and all)."""
    return box.render_lines(Region(0, 0, box.outer_size.width, 1))[0]


async def test_a_focus_change_repaints_the_top_edge_only(monkeypatch) -> None:
    app = TwoBoxes()
    async with app.run_test(size=(40, 24)) as pilot:
        one, two = app.query_one("#one", Rows), app.query_one("#two", Rows)
        one.focus()
        await pilot.pause()
        rows = calls_to(monkeypatch, Rows, "render_line")
        lit, unlit = _top_row(one), _top_row(two)
        assert lit != unlit
        two.focus()
        await pilot.pause()
        assert rows == []  # no content row painted again, in either box
        assert (_top_row(one), _top_row(two)) == (unlit, lit)
        await pilot.press("tab")  # Textual's focus_next, not `focus()`
        await pilot.pause()
        assert app.focused is one and rows == []
        assert (_top_row(one), _top_row(two)) == (lit, unlit)


async def test_a_focus_that_changes_the_whole_box_repaints_it_whole(monkeypatch) -> None:
    app = TwoBoxes()
    async with app.run_test(size=(40, 24)) as pilot:
        one, two = app.query_one("#one", Rows), app.query_one("#two", Rows)
        two.add_class("whole")
        one.focus()
        await pilot.pause()
        rows = calls_to(monkeypatch, Rows, "render_line")
        two.focus()
        await pilot.pause()
        assert len(rows) >= two.size.height  # every row of `two`, in its new background
        assert two.rich_style.bgcolor is not None


async def test_a_list_repaints_its_highlighted_row_and_top_edge_on_focus(monkeypatch) -> None:
    class ListApp(App[None]):
        def compose(self) -> ComposeResult:
            yield VirtualList(title="Rows", id="rows")
            yield Rows(id="other")

    app = ListApp()
    async with app.run_test(size=(40, 24)) as pilot:
        rows = app.query_one(VirtualList)
        names = [f"row {i}" for i in range(30)]
        drawn_rows: list[int] = []

        def row(index: int) -> Text:
            drawn_rows.append(index)
            return Text(names[index])

        rows.show_rows(len(names), row, key=lambda i: names[i])
        app.query_one("#other").focus()
        await pilot.pause()
        lines = calls_to(monkeypatch, VirtualList, "render_line")
        drawn_rows.clear()
        rows.focus()
        await pilot.pause()
        assert drawn_rows == [rows.highlighted]
        assert len(lines) == 1
