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
