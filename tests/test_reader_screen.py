"""The reader's screen is styled once at the start, not twice."""

from __future__ import annotations

from textual import events
from textual.screen import Screen

from tui.app import NewsmarkApp
from tui.reader_screen import ReaderScreen


async def test_the_start_does_not_restyle_what_was_just_styled(make_workspace, monkeypatch) -> None:
    restyled: list[Screen] = []
    original = Screen.update_node_styles

    def counted(self, animate: bool = True) -> None:  # type: ignore[no-untyped-def]
        restyled.append(self)
        original(self, animate)

    monkeypatch.setattr(Screen, "update_node_styles", counted)
    app = NewsmarkApp(make_workspace())
    async with app.run_test(size=(140, 36)) as pilot:
        await pilot.pause()
        reader = app.screen
        assert isinstance(reader, ReaderScreen)
        assert reader not in restyled  # Textual's first resume restyled the whole screen
        # Made active again later (Textual asks for a restyle when a screen
        # that may have changed the look was on top), it is restyled as before.
        reader.post_message(events.ScreenResume())
        await pilot.pause()
        assert reader in restyled


async def test_tab_between_panes_repaints_them_not_the_screen(
    make_workspace, monkeypatch, tmp_path
) -> None:
    """Textual's Screen repainted the whole screen at each change of focus,
    and restyling a pane cleared rules on its scrollbars, which asked for a
    layout of the screen: Tab cost ~35 ms a press."""
    from textual._compositor import Compositor

    from tests.test_cursor_in_view import calls_to, long_article
    from tui.article_view import ArticleView

    # Articles longer than their panes: each pane has a scrollbar.
    paths = [tmp_path / "one.txt", tmp_path / "two.txt"]
    for path in paths:
        path.write_text(long_article(), encoding="utf-8")
    app = NewsmarkApp(make_workspace(paths))
    async with app.run_test(size=(140, 36)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        first, second = app.query(ArticleView)
        assert app.focused is first and first.show_vertical_scrollbar
        layouts = calls_to(monkeypatch, Screen, "_refresh_layout")
        whole = calls_to(monkeypatch, Compositor, "render_full_update")
        await pilot.press("tab")
        await pilot.pause()
        assert app.focused is second
        assert layouts == [] and whole == []
        # Both borders show the change: the focused pane's is drawn in the accent.
        assert first.styles.border.top[1] != second.styles.border.top[1]


async def test_tab_round_the_reader_is_one_frame_and_keeps_what_it_drew(
    make_workspace, monkeypatch, tmp_path
) -> None:
    """Tab moves the focus round the pane and the lists. Each move painted two
    frames (the pane's scrollbar, restyled to equal rules, asked for its own a
    message round later), drew every row of both lists again (the border's
    restyle dropped the rows kept) and drew the key bar anew, ~14 ms a press."""
    from textual.scrollbar import ScrollBar

    from tests.test_cursor_in_view import calls_to, long_article
    from tui.annotation_list import AnnotationList
    from tui.article_view import ArticleView
    from tui.key_bar import KeyBar

    path = tmp_path / "one.txt"
    path.write_text(long_article(), encoding="utf-8")
    app = NewsmarkApp(make_workspace([path]))
    async with app.run_test(size=(140, 36)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        view = app.active_view
        for _ in range(3):  # tag a few sentences: the list has rows to keep
            await pilot.press("s", "1", "escape", ")")
        await pilot.pause()
        for _ in range(3):  # once round: every look has been drawn
            await pilot.press("tab")
            await pilot.pause()
        assert app.focused is view
        assert view.show_vertical_scrollbar
        frames = calls_to(monkeypatch, Screen, "_compositor_refresh")
        bars = calls_to(monkeypatch, KeyBar, "_line")
        # KeptScrollBar asks Textual's ScrollBar to paint only rows it has not kept.
        bar_rows = calls_to(monkeypatch, ScrollBar, "render_lines")
        annotations = app.query_one(AnnotationList)
        drawn_rows: list[int] = []
        row = annotations._row

        def counted_row(index: int):  # type: ignore[no-untyped-def]
            drawn_rows.append(index)
            return row(index)

        annotations._row = counted_row
        pane_rows = calls_to(monkeypatch, ArticleView, "render_line")
        for step in range(3):
            frames.clear()
            await pilot.press("tab")
            await pilot.pause()
            assert len(frames) == 1, (step, app.focused)
        assert app.focused is view
        assert bars == []  # the bar's lines were drawn on the first round
        assert bar_rows == []  # the pane's scrollbar looks as it did
        # The pane's top edge and its cursor's row change, not its other rows
        # (tui/focus_edge.py): the cursor's row once as it loses the focus,
        # once as it gains it.
        assert len(pane_rows) <= 2, pane_rows
        # Only the highlighted row is drawn again as the list gains and loses
        # the focus; the others are kept.
        assert set(drawn_rows) <= {annotations.highlighted}, drawn_rows
        assert annotations.row_count >= 3
