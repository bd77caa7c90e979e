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
