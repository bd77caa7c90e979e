"""tui/scroll_bar.py: a kept scrollbar paints exactly what Textual's would."""

from __future__ import annotations

from rich.text import Text
from textual.app import App, ComposeResult
from textual.geometry import Region
from textual.scrollbar import ScrollBar

from tui.scroll_bar import KeptScrollBar
from tui.virtual_list import VirtualList


class ListApp(App[None]):
    def compose(self) -> ComposeResult:
        yield VirtualList(title="rows", id="rows")


def _textuals(bar: ScrollBar, crop: Region) -> list[list[tuple[str, object]]]:
    """Textual's own painting of the bar, every row drawn afresh."""
    bar.refresh()
    return [[(s.text, s.style) for s in strip] for strip in ScrollBar.render_lines(bar, crop)]


def _kept(bar: ScrollBar, crop: Region) -> list[list[tuple[str, object]]]:
    return [[(s.text, s.style) for s in strip] for strip in bar.render_lines(crop)]


async def test_every_thumb_position_is_painted_as_textual_paints_it() -> None:
    app = ListApp()
    async with app.run_test(size=(40, 14)) as pilot:
        rows = app.query_one(VirtualList)
        rows.show_rows(997, lambda i: Text(f"row {i}"))
        await pilot.pause()
        bar = rows.vertical_scrollbar
        assert isinstance(bar, KeptScrollBar) and bar.parent is rows
        crop = Region(0, 0, bar.size.width, bar.size.height)
        seen: set[str] = set()
        # Positions in small steps down the whole list: the thumb's ends
        # take every one of their eight glyphs on every line.
        for y in [*range(0, 40, 1), *range(40, int(rows.max_scroll_y) + 2, 7)]:
            rows.scroll_to(y=y, animate=False, immediate=True)
            kept = _kept(bar, crop)
            assert kept == _textuals(bar, crop), y
            seen.update(text for row in kept for text, _ in row)
        assert len(seen) == 8  # blank track and thumb, and the seven glyphs of its ends
        # Hovered and grabbed bars are drawn in other colours.
        for state in ("mouse_over", "grabbed"):
            setattr(bar, state, True if state == "mouse_over" else rows.scroll_offset)
            rows.scroll_to(y=100, animate=False, immediate=True)
            assert _kept(bar, crop) == _textuals(bar, crop), state
            setattr(bar, state, False if state == "mouse_over" else None)
        # Part of the bar, as the compositor asks for a clipped widget.
        part = Region(0, 3, bar.size.width, 4)
        assert _kept(bar, part) == _textuals(bar, part)


async def test_a_theme_change_repaints_the_kept_rows() -> None:
    app = ListApp()
    async with app.run_test(size=(40, 14)) as pilot:
        rows = app.query_one(VirtualList)
        rows.show_rows(500, lambda i: Text(f"row {i}"))
        await pilot.pause()
        bar = rows.vertical_scrollbar
        crop = Region(0, 0, bar.size.width, bar.size.height)
        before = _kept(bar, crop)
        app.theme = "textual-light" if app.theme != "textual-light" else "nord"
        await pilot.pause()
        after = _kept(bar, crop)
        assert after == _textuals(bar, crop)
        assert after != before


async def test_a_theme_change_repaints_the_rows_with_the_new_colours() -> None:
    """The list keeps its resolved style between rows (tui/virtual_list.py):
    a theme change must drop it, as it drops the kept rows."""
    app = ListApp()
    async with app.run_test(size=(40, 14)) as pilot:
        rows = app.query_one(VirtualList)
        rows.show_rows(500, lambda i: Text(f"row {i}"))
        await pilot.pause()
        before = rows.render_line(3)
        app.theme = "textual-light" if app.theme != "textual-light" else "nord"
        await pilot.pause()
        after = rows.render_line(3)
        assert after.text == before.text
        assert after != before and rows._base_style == rows.rich_style
