"""The line at the top: an icon that opens the command palette, and the app's title.

It draws what Textual's `Header` draws (an icon in the left eight cells,
the title and sub-title centred between them and ten cells kept free on the
right) as one widget: `Header` is four, and mounting them and their styles
cost ~5 ms of every start, before the first frame (bench/NOTES.md, issue 18).
The title is the app's own (`App.format_title`, plain text: the sub-title
names the store, and `NewsmarkApp` makes it literal).
"""

from __future__ import annotations

from textual.content import Content
from textual.events import Click
from textual.widget import Widget

ICON_CELLS = 8  # as Header's icon: one cell of padding, then the icon
RIGHT_CELLS = 10  # as Header's clock space, kept so the title sits where it did


class TitleBar(Widget):
    DEFAULT_CSS = """
    TitleBar {
        dock: top;
        width: 100%;
        height: 1;
        background: $panel;
        color: $foreground;
    }
    """

    def __init__(self, icon: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.icon = icon

    def on_mount(self) -> None:
        # The title follows the app's (and this screen's) title and sub-title.
        for owner in (self.app, self.screen):
            self.watch(owner, "title", self._retitle, init=False)
            self.watch(owner, "sub_title", self._retitle, init=False)

    def _retitle(self) -> None:
        self.refresh()

    def render(self) -> Content:
        width = self.size.width
        screen, app = self.screen, self.app
        title = app.format_title(
            screen.title if screen.title is not None else app.title,
            screen.sub_title if screen.sub_title is not None else app.sub_title,
        )
        room = max(0, width - ICON_CELLS - RIGHT_CELLS)
        if title.cell_length > room:
            title = title.truncate(max(0, room - 1)) + Content("…") if room else Content("")
        left = (room - title.cell_length) // 2
        icon = Content(f" {self.icon}")
        return Content.assemble(
            icon, " " * (ICON_CELLS - icon.cell_length + left), title,
            " " * (room - left - title.cell_length + RIGHT_CELLS),
        )

    async def on_click(self, event: Click) -> None:
        if event.x < ICON_CELLS and self.app.ENABLE_COMMAND_PALETTE:
            event.stop()
            await self.run_action("app.command_palette")
