"""What a key repaints: only what changed (issue 18, full frame per key).

Each test checks both sides: that what did not change is not drawn again,
and that what did change is on the screen afterwards.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import App, ComposeResult
from textual.geometry import Size
from textual.scrollbar import ScrollBar
from textual.widget import Widget

from tests.screen_text import screen
from tui.scrolling import set_virtual_size
from tui.status_bar import StatusBar
from tui.virtual_list import VirtualList


class ListApp(App[None]):
    def compose(self) -> ComposeResult:
        yield VirtualList(title="Rows", id="rows")


def _show(rows: VirtualList, names: list[str]) -> None:
    rows.show_rows(len(names), lambda i: Text(names[i]), key=lambda i: names[i])


def _count_drawn(monkeypatch, cls) -> list[int]:  # type: ignore[no-untyped-def]
    drawn: list[int] = []
    original = cls.render_line

    def render_line(self, y):  # type: ignore[no-untyped-def]
        drawn.append(y)
        return original(self, y)

    monkeypatch.setattr(cls, "render_line", render_line)
    return drawn


async def test_a_list_repaints_only_the_rows_on_screen_that_changed(monkeypatch) -> None:
    app = ListApp()
    async with app.run_test(size=(40, 12)) as pilot:
        rows = app.query_one(VirtualList)
        names = [f"row {i}" for i in range(500)]
        _show(rows, names)
        await pilot.pause()
        drawn = _count_drawn(monkeypatch, VirtualList)
        # A row added far below the screen: the count in the title changes,
        # no row on screen does.
        names.insert(400, "new far below")
        _show(rows, names)
        await pilot.pause()
        assert drawn == []
        assert "Rows (501)" in screen(app)
        # A row added at the top: every row on screen moves down one.
        names.insert(0, "new at the top")
        _show(rows, names)
        await pilot.pause()
        height = rows.scrollable_content_region.height
        assert sorted(set(drawn)) == list(range(height))
        text = screen(app)
        assert "Rows (502)" in text and "new at the top" in text
        assert text.index("new at the top") < text.index("row 0")


async def test_a_list_without_row_keys_repaints_every_row(monkeypatch) -> None:
    app = ListApp()
    async with app.run_test(size=(40, 12)) as pilot:
        rows = app.query_one(VirtualList)
        rows.show_rows(5, lambda i: Text(f"first {i}"))
        await pilot.pause()
        drawn = _count_drawn(monkeypatch, VirtualList)
        rows.show_rows(5, lambda i: Text(f"second {i}"))  # same count, other rows
        await pilot.pause()
        assert drawn
        assert "second 4" in screen(app)


async def test_a_scrollbar_that_looks_the_same_is_not_repainted(monkeypatch) -> None:
    app = ListApp()
    async with app.run_test(size=(40, 12)) as pilot:
        rows = app.query_one(VirtualList)
        rows.show_rows(1000, lambda i: Text(f"row {i}"))
        await pilot.pause()
        bar = rows.vertical_scrollbar
        refreshed: list[ScrollBar] = []
        original = ScrollBar.refresh

        def refresh(self, *regions, **kwargs):  # type: ignore[no-untyped-def]
            refreshed.append(self)
            return original(self, *regions, **kwargs)

        monkeypatch.setattr(ScrollBar, "refresh", refresh)
        set_virtual_size(rows, Size(rows.virtual_size.width, 1001))
        assert bar not in refreshed
        assert bar.window_virtual_size == 1001  # a drag reads it
        set_virtual_size(rows, Size(rows.virtual_size.width, 20))  # thumb five times longer
        assert bar in refreshed
        assert bar.window_virtual_size == 20


class StatusApp(App[None]):
    def compose(self) -> ComposeResult:
        yield StatusBar(id="status")


async def test_the_status_line_is_not_repainted_when_it_says_the_same(monkeypatch) -> None:
    app = StatusApp()
    async with app.run_test(size=(80, 3)) as pilot:
        bar = app.query_one(StatusBar)
        updates: list[object] = []
        original = StatusBar.update

        def update(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            updates.append(args)
            return original(self, *args, **kwargs)

        monkeypatch.setattr(StatusBar, "update", update)

        def show(saved: str) -> None:
            bar.show(counts={"claim": 1}, labels=["claim"], sentence=(0, 3), selection=0,
                     selecting=False, saved=saved)

        show("saved ✓")
        show("saved ✓")
        await pilot.pause()
        assert len(updates) == 1
        show("saved ✓✓")
        await pilot.pause()
        assert len(updates) == 2
        assert "saved ✓✓" in screen(app)
        # Only the columns that changed are repainted (the end of the line).
        regions: list[object] = []
        original_refresh = Widget.refresh

        def refresh(self, *regions_, **kwargs):  # type: ignore[no-untyped-def]
            if self is bar:
                regions.extend(regions_ or ["whole"])
            return original_refresh(self, *regions_, **kwargs)

        monkeypatch.setattr(Widget, "refresh", refresh)
        show("saved ✓✓!")
        await pilot.pause()
        assert regions and "whole" not in regions
        assert all(region.width < 10 for region in regions)  # type: ignore[attr-defined]
        assert "saved ✓✓!" in screen(app)


async def test_the_apps_state_does_not_repaint_the_whole_screen(
    monkeypatch, make_workspace
) -> None:
    from tui.app import NewsmarkApp

    app = NewsmarkApp(make_workspace())
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        screens: list[object] = []
        original = type(app.screen).refresh

        def refresh(self, *regions, **kwargs):  # type: ignore[no-untyped-def]
            if not regions:
                screens.append(self)
            return original(self, *regions, **kwargs)

        monkeypatch.setattr(type(app.screen), "refresh", refresh)
        app.saved = "saved: a test"
        app.follow = True
        await pilot.pause()
        assert screens == []
        text = screen(app)
        assert "saved: a test" in text and "FOLLOW" in text


async def test_a_move_redraws_the_status_line_before_the_frame_is_painted(make_workspace) -> None:
    from tui.app import NewsmarkApp

    app = NewsmarkApp(make_workspace())
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        view = app.active_view
        status = app.query_one(StatusBar)
        sentences = view.segmentation.sentences
        assert len(sentences) > 2
        view.move_to(sentences[2][0])
        # No pause: the app heard of the move as it happened (the pane's
        # `caret`), so the one frame that follows shows both.
        assert f"sentence 3/{len(sentences)}" in str(status.render())
        assert app._panes[view.id or ""].cursor == sentences[2][0]
        view.move_to(sentences[2][0])  # the same place: nothing to say again
        await pilot.pause()
        assert f"sentence 3/{len(sentences)}" in screen(app)


async def test_a_long_list_has_no_sideways_scrollbar() -> None:
    """Rows end in an ellipsis: with its vertical scrollbar shown, a list
    wider than its text area showed a horizontal one too, hiding a row."""
    app = ListApp()
    async with app.run_test(size=(40, 12)) as pilot:
        rows = app.query_one(VirtualList)
        _show(rows, [f"row {i} " + "words " * 20 for i in range(500)])
        await pilot.pause()
        assert rows.show_vertical_scrollbar
        assert not rows.show_horizontal_scrollbar
        assert "row 9" in screen(app)  # the bottom row of the list, not a scrollbar
