"""The screen's own lines and those of the row of panes are never seen.

Both are drawn as blank strips made at once (`ReaderScreen.render_lines`,
tui/pane_row.py), not through Textual's styles cache: right only while their
children cover them whole. Drawn here as a mark instead, no mark may reach
the screen, whatever shows: both panes or one, the side panel or not, the
prompt, a narrow or a tiny terminal.
"""

from __future__ import annotations

from rich.segment import Segment
from textual.geometry import Region
from textual.strip import Strip

from tests.screen_text import screen
from tui.app import NewsmarkApp
from tui.pane_row import PaneRow
from tui.reader_screen import ReaderScreen

MARK = "☃"


def _marked(self: object, crop: Region) -> list[Strip]:
    return [Strip([Segment(MARK * crop.width)])] * crop.height


async def test_no_line_of_the_screen_or_the_row_of_panes_shows(make_workspace, monkeypatch) -> None:
    monkeypatch.setattr(PaneRow, "render_lines", _marked)
    monkeypatch.setattr(ReaderScreen, "render_lines", _marked)
    app = NewsmarkApp(make_workspace())
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        assert MARK not in screen(app)
        for keys, size in [(["p"], None), (["p"], None), (["slash"], None), (["escape"], None),
                           ([], (80, 24)), (["p"], None), ([], (140, 36)), ([], (30, 8))]:
            if size is not None:
                await pilot.resize_terminal(*size)
            if keys:
                await pilot.press(*keys)
            await pilot.pause()
            assert MARK not in screen(app), (keys, size)
