"""The side panel's list of every article given, with progress.

A folder can hold 100,000 articles: Textual's OptionList takes seconds to
build that many options, so this list draws only the rows on screen
(Line API), asking for each row's text when it is drawn.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.binding import Binding
from textual.events import Click
from textual.geometry import Size
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tui.messages import DocumentChosen

STATUS_MARK = {"untouched": "·", "in progress": "◐", "done": "●", "unreadable": "✗"}


def describe(name: str, status: str, counts: dict[str, int] | None) -> Text:
    """One row: progress mark, name, and the label counts when known."""
    row = Text(no_wrap=True, overflow="ellipsis", end="")
    row.append(STATUS_MARK.get(status, "·") + " ")
    row.append(name)
    if counts:
        summary = ", ".join(f"{label} {n}" for label, n in sorted(counts.items()))
        row.append(f"  {summary}", style="dim")
    return row


class DocumentList(ScrollView, can_focus=True):
    DEFAULT_CSS = """
    DocumentList { height: 1fr; border: round $panel-lighten-2; }
    DocumentList:focus { border: round $accent; }
    DocumentList > .document-list--highlight { background: $accent 40%; }
    DocumentList > .document-list--current { text-style: bold; }
    """

    COMPONENT_CLASSES = {"document-list--highlight", "document-list--current"}

    BINDINGS = [
        Binding("up,k", "move(-1)", "Up", show=False, id="documents-up"),
        Binding("down,j", "move(1)", "Down", show=False, id="documents-down"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="documents-page-up"),
        Binding("pagedown", "page(1)", "Page down", show=False, id="documents-page-down"),
        Binding("home,g", "jump(0)", "First", show=False, id="documents-first"),
        Binding("end,G", "jump(-1)", "Last", show=False, id="documents-last"),
        Binding("enter", "choose", "Open in the pane", show=False, id="documents-open"),
    ]

    highlighted: reactive[int] = reactive(0, init=False)

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._count = 0
        self._row: Callable[[int], Text] = lambda i: Text()
        self._current = -1
        self.border_title = "Documents"

    def show(self, count: int, row: Callable[[int], Text], current: int) -> None:
        """`row(i)` draws entry i; `current` is the entry in the focused pane."""
        self._count, self._row, self._current = count, row, current
        self.highlighted = max(0, min(self.highlighted, count - 1))
        self.border_title = f"Documents ({count:,})"
        self.virtual_size = Size(self.size.width, count)
        self.refresh()

    def render_line(self, y: int) -> Strip:
        index = round(self.scroll_y) + y
        width = self.scrollable_content_region.width
        style = self.rich_style
        if index >= self._count:
            return Strip.blank(width, style)
        row = self._row(index)
        row.stylize(style)
        if index == self._current:
            row.stylize(self.get_component_rich_style("document-list--current", partial=True))
        if index == self.highlighted and self.has_focus:
            row.stylize(self.get_component_rich_style("document-list--highlight"))
        segments = list(row.render(self.app.console))
        return Strip(segments).crop_extend(0, width, style)

    def watch_highlighted(self) -> None:
        self.scroll_to_region_row(self.highlighted)
        self.refresh()

    def scroll_to_region_row(self, index: int) -> None:
        top, height = round(self.scroll_y), self.scrollable_content_region.height
        if index < top:
            self.scroll_to(y=index, animate=False)
        elif height and index >= top + height:
            self.scroll_to(y=index - height + 1, animate=False)

    def action_move(self, step: int) -> None:
        self.highlighted = max(0, min(self.highlighted + step, self._count - 1))

    def action_page(self, pages: int) -> None:
        self.action_move(pages * max(1, self.scrollable_content_region.height - 1))

    def action_jump(self, index: int) -> None:
        self.highlighted = self._count - 1 if index < 0 else index

    def action_choose(self) -> None:
        if self._count:
            self.post_message(DocumentChosen(self.highlighted))

    def on_click(self, event: Click) -> None:
        offset = event.get_content_offset(self)
        if offset is not None and round(self.scroll_y) + offset.y < self._count:
            self.highlighted = round(self.scroll_y) + offset.y
            self.action_choose()

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

