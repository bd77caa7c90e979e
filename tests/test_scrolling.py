"""tui/scrolling.py: a scroll view's length changes without a screen layout,
and its scrollbars and scroll position follow as a layout would have made them."""

from __future__ import annotations

from rich.text import Text
from textual.app import App, ComposeResult
from textual.geometry import Size

from tui.scrolling import set_virtual_size
from tui.virtual_list import VirtualList


class ListApp(App[None]):
    def compose(self) -> ComposeResult:
        yield VirtualList(title="rows", id="rows")


def _show(rows: VirtualList, count: int) -> None:
    rows.show_rows(count, lambda i: Text(f"row {i}"))


async def test_growing_and_shrinking_a_list_keeps_scrollbar_and_scroll_right() -> None:
    app = ListApp()
    async with app.run_test(size=(40, 12)) as pilot:
        rows = app.query_one("#rows", VirtualList)
        _show(rows, 3)
        await pilot.pause()
        assert not rows.show_vertical_scrollbar
        _show(rows, 500)  # longer than the screen: a scrollbar appears
        await pilot.pause()
        assert rows.virtual_size.height == 500
        assert rows.show_vertical_scrollbar
        assert rows.vertical_scrollbar.window_virtual_size == 500
        rows.scroll_end(animate=False, immediate=True)
        await pilot.pause()
        assert rows.scroll_y == rows.max_scroll_y > 400
        _show(rows, 20)  # shorter: the scroll position is clamped at once
        await pilot.pause()
        assert rows.scroll_y == rows.max_scroll_y < 20
        shown = [rows.render_line(y).text for y in range(rows.scrollable_content_region.height)]
        assert "row 19" in shown[-1], shown


async def test_no_screen_layout_is_asked_for(monkeypatch) -> None:
    app = ListApp()
    async with app.run_test(size=(40, 12)) as pilot:
        rows = app.query_one("#rows", VirtualList)
        _show(rows, 500)
        await pilot.pause()
        asked: list[bool] = []
        original = type(rows).refresh

        def refresh(self, *regions, layout=False, **kwargs):  # type: ignore[no-untyped-def]
            asked.append(layout)
            return original(self, *regions, layout=layout, **kwargs)

        monkeypatch.setattr(type(rows), "refresh", refresh)
        set_virtual_size(rows, Size(rows.size.width, 800))
        assert rows.virtual_size.height == 800
        assert asked and not any(asked)


async def test_before_mounting_it_is_a_plain_assignment() -> None:
    rows = VirtualList(title="rows")
    set_virtual_size(rows, Size(10, 7))
    assert rows.virtual_size == Size(10, 7)
