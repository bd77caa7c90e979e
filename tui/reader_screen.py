"""The reader's screen: the panes, the side panel and the label keys.

Label keys come from the project's config, so they are not among the static
bindings. They are the screen's, not the app's: applying `[keys]` drops
every app binding of a remapped command's old key (`remove = "delete"` took
a label bound to x with it).
"""

from __future__ import annotations

from textual import events
from textual.binding import Binding
from textual.geometry import Region, Spacing
from textual.reactive import Reactive
from textual.screen import Screen
from textual.strip import Strip
from textual.widget import Widget

from tui.key_bar import KeyBar


class ReaderScreen(Screen[None]):
    # As Screen's, but without a repaint of the whole screen at each change
    # of focus (Tab): the widgets that gain and lose the focus are restyled
    # and repaint themselves; the rest of the screen looks the same.
    focused: Reactive[Widget | None] = Reactive(None, repaint=False)

    _styled_at_mount = True  # until the first ScreenResume: see below

    def on_screen_resume(self, event: events.ScreenResume) -> None:
        # Textual restyles a screen each time it becomes the active one (a
        # theme may have changed while another was on top), the first time
        # too, though every widget was styled as it was mounted, just
        # before: ~7 ms of the start. This handler runs before Screen's own.
        if self._styled_at_mount:
            self._styled_at_mount = False
            event.refresh_styles = False
        self._show_keys(True)

    def render_lines(self, crop: Region) -> list[Strip]:
        # The title, the row of panes (1fr), the status line and the key bar
        # cover the screen, so its own lines never show; Textual drew them
        # all through the styles cache (~0.9 ms of the first frame and of
        # every whole-screen frame). Blank strips in its colours, as
        # `SidePanel`'s, unless a border or padding (an inline app's) shows.
        if self.app.is_inline or self.styles.gutter != Spacing():
            return super().render_lines(crop)
        blank = Strip.blank(crop.width, self.rich_style)
        return [blank] * crop.height

    def on_screen_suspend(self) -> None:
        self._show_keys(False)  # help or a chooser is over it: its keys do not apply

    def _show_keys(self, shown: bool) -> None:
        for bar in self.query(KeyBar):
            bar.covered = not shown


def reader_screen(label_keys: list[Binding]) -> ReaderScreen:
    """A `ReaderScreen` whose bindings are these label keys (a class of its
    own: Textual reads bindings from the class)."""
    screen_class = type("ReaderScreen", (ReaderScreen,), {"BINDINGS": label_keys})
    return screen_class(id="_default")
