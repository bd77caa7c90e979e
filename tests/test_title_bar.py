"""The title line (tui/title_bar.py): Textual's Header's look in one widget."""

from __future__ import annotations

from textual.app import App, ComposeResult

from tui.title_bar import TitleBar


class _Titled(App[None]):
    TITLE = "newsmark"

    def compose(self) -> ComposeResult:
        yield TitleBar("✎")


async def test_it_shows_the_icon_and_the_title_centred_and_follows_it() -> None:
    app = _Titled()
    app.sub_title = "store .newsmark"
    async with app.run_test(size=(60, 5)) as pilot:
        bar = app.query_one(TitleBar)
        line = bar.render_line(0).text
        assert line.startswith(" ✎ ") and len(line) == 60
        title = "newsmark — store .newsmark"
        # Centred between the icon's eight cells and the ten kept on the right.
        assert line.index(title) == 8 + (60 - 18 - len(title)) // 2
        app.sub_title = "store elsewhere"
        await pilot.pause()
        assert "newsmark — store elsewhere" in bar.render_line(0).text


async def test_a_long_title_is_cut_with_an_ellipsis() -> None:
    app = _Titled()
    app.sub_title = "store /a/very/long/path/" + "x" * 80
    async with app.run_test(size=(40, 5)):
        line = app.query_one(TitleBar).render_line(0).text
        assert len(line) == 40 and "…" in line and line.endswith(" " * 10)


async def test_the_icon_opens_the_command_palette() -> None:
    from textual.command import CommandPalette

    app = _Titled()
    async with app.run_test(size=(60, 5)) as pilot:
        await pilot.click(TitleBar, offset=(1, 0))
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
