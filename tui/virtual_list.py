"""A list that draws only the rows on screen, for the side panel's lists.

Textual's OptionList lays out every option when options change: 10,000
annotations cost ~0.4 s per tag and 100,000 documents ~18 s to open. Here
a row is built only when drawn, by a callback, so a list costs what is on
screen whatever its length.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Self

from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.events import Click
from textual.geometry import Region, Size
from textual.reactive import reactive
from textual.scrollbar import ScrollBar
from textual.strip import Strip

from tui.focus_edge import FocusShownOnTopEdge
from tui.scroll_bar import vertical_scrollbar_of
from tui.scrolling import PaintedWholeWhenLaidOut, set_virtual_size

Row = Text | tuple[Text, Text]

MAX_KEPT_ROWS = 1_000  # drawn rows kept by key (a few screens of them)


class VirtualList(PaintedWholeWhenLaidOut, FocusShownOnTopEdge, can_focus=True):
    """Rows from `row(i)`; Enter or a click calls `chosen(i)`.

    A row is a `Text`, or a `(Text, tail)` pair whose tail is kept whole at
    the right edge while the text before it is shortened to fit.
    """

    DEFAULT_CSS = """
    VirtualList {
        height: 1fr;
        border: round $panel-lighten-2;
        overflow-x: hidden;  /* rows end in an ellipsis: nothing to scroll sideways */
    }
    /* The top edge only: see tui/focus_edge.py. */
    VirtualList:focus { border-top: round $accent; border-title-style: bold; }
    VirtualList > .virtual-list--highlight { background: $accent 40%; }
    VirtualList > .virtual-list--current { text-style: bold; }
    """

    COMPONENT_CLASSES = {"virtual-list--highlight", "virtual-list--current"}

    BINDINGS = [
        Binding("up,k", "move(-1)", "Up", show=False, id="list-up"),
        Binding("down,j", "move(1)", "Down", show=False, id="list-down"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="list-page-up"),
        Binding("pagedown", "page(1)", "Page down", show=False, id="list-page-down"),
        Binding("home,g", "jump(0)", "First", show=False, id="list-first"),
        Binding("end,G", "jump(-1)", "Last", show=False, id="list-last"),
        Binding("enter", "choose", "Choose", show=False, id="list-choose"),
    ]

    highlighted: reactive[int] = reactive(0, init=False)

    _title_only = False  # see `_set_title`

    @property
    def vertical_scrollbar(self) -> ScrollBar:
        # Its rows are kept between paints (tui/scroll_bar.py).
        return vertical_scrollbar_of(self)

    def __init__(self, *, title: str = "", id: str | None = None) -> None:
        super().__init__(id=id)
        self.title = title
        self.row_count = 0
        self._row: Callable[[int], Row] = lambda index: Text()
        self._key: Callable[[int], Hashable] | None = None
        self._strips: dict[Hashable, Strip] = {}
        # What each line on screen showed when last drawn (its row's key, or
        # a blank's): `show_rows` repaints only the lines that change.
        self._drawn: dict[int, Hashable] = {}
        self._current = -1
        self._shown_title = title
        self.border_title = title
        self._style: Style | None = None
        self._drawn_with: Style | None = None  # the base style of the rows kept
        self._paint_width: int | None = None  # the rows' width, while painting

    def show_rows(
        self,
        count: int,
        row: Callable[[int], Row],
        current: int = -1,
        key: Callable[[int], Hashable] | None = None,
    ) -> None:
        """`row(i)` draws row i; `current` is marked in bold (-1: none).

        With `key(i)` (what row i shows, hashable), drawn rows are kept by
        key: after an insert the rows below shift by one and are not drawn
        again; and only the lines on screen whose row changed are painted
        (a tag far below the rows shown changes the count in the title and
        nothing else: repainting the whole list was a third of its frame).
        """
        self.row_count, self._row, self._current, self._key = count, row, current, key
        self.highlighted = max(0, min(self.highlighted, count - 1))
        self._set_title(f"{self.title} ({count:,})")
        set_virtual_size(self, Size(self.size.width, count), repaint=False)
        if key is None:
            self.refresh()  # rows without keys: which changed cannot be told
            return
        top = round(self.scroll_y)
        for y in range(self.scrollable_content_region.height):
            shows = self._line_key(top + y)
            if shows is None or self._drawn.get(y) != shows:
                self.refresh_line(top + y)

    def _line_key(self, index: int) -> tuple[Hashable, ...] | None:
        """What row `index` would draw, as a key (None: rows without keys).

        Its row's key and the width, then whether it is the current row and
        the highlighted one (drawn bold, or coloured, and not kept).
        """
        width = self._row_width()
        if index >= self.row_count:
            return ("blank", width)
        if self._key is None:
            return None
        return (self._key(index), width, index == self._current,
                index == self.highlighted and self.has_focus)

    def _set_title(self, title: str) -> None:
        """The border's title, repainting the border's top row only.

        Textual's `border_title` setter repaints the whole widget.
        """
        if title == self._shown_title:
            return
        self._shown_title = title
        self._title_only = True
        try:
            self.border_title = title
        finally:
            self._title_only = False

    def refresh(self, *regions: Region, repaint: bool = True, layout: bool = False,
                recompose: bool = False) -> Self:
        if self._title_only and not regions and self.is_mounted:
            # The title's setter asks for everything; its row is enough.
            # Regions are relative to the content: the border is above it.
            gutter = self.styles.gutter
            regions = (Region(-gutter.left, -gutter.top, self.outer_size.width, gutter.top),)
        return super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)

    def refresh_row(self, index: int) -> None:
        """Redraw row `index` only (its content changed), if it is on screen."""
        if 0 <= index < self.row_count:
            self.refresh_line(index)

    def chosen(self, index: int) -> None:
        """Called with the row the person chose; subclasses post their message."""

    def _row_width(self) -> int:
        if self._paint_width is not None:
            return self._paint_width
        return self.scrollable_content_region.width

    def render_lines(self, crop: Region) -> list[Strip]:
        # Textual computes the content region from the styles at each call:
        # read twice a row, it was 40 % of painting a list whose rows are kept.
        self._paint_width = self.scrollable_content_region.width
        try:
            return super().render_lines(crop)
        finally:
            self._paint_width = None

    def render_line(self, y: int) -> Strip:
        index = round(self.scroll_y) + y
        width = self._row_width()
        style = self._base_style
        shows = self._line_key(index)
        # A row without a key is recorded as itself: unequal to any later key.
        self._drawn[y] = object() if shows is None else shows
        if index >= self.row_count:
            return Strip.blank(width, style)
        # Plain rows (neither current nor highlighted) are kept by key and width.
        key = shows[:2] if shows is not None and not (shows[2] or shows[3]) else None
        if key is not None and (kept := self._strips.get(key)) is not None:
            return kept
        drawn = self._row(index)
        row, tail = drawn if isinstance(drawn, tuple) else (drawn, None)
        row = row.copy()
        row.no_wrap, row.overflow, row.end = True, "ellipsis", ""
        if tail is not None and tail.cell_len:
            # The tail (a document's counts) stays in view at the right: a
            # long name is shortened instead, down to a third of the width.
            tail = tail.copy()
            tail.truncate(max(0, width - max(10, width // 3)), overflow="ellipsis")
            row.truncate(max(1, width - tail.cell_len - 1), overflow="ellipsis", pad=True)
            row.append(" ")
            row.append_text(tail)
        row.truncate(width, overflow="ellipsis")
        row.stylize_before(style)
        if index == self._current:
            row.stylize(self.get_component_rich_style("virtual-list--current", partial=True))
        if index == self.highlighted and self.has_focus:
            row.stylize(self.get_component_rich_style("virtual-list--highlight"))
        strip = Strip(list(row.render(self.app.console))).crop_extend(0, width, style)
        if key is not None:
            if len(self._strips) >= MAX_KEPT_ROWS:
                self._strips.clear()
            self._strips[key] = strip
        return strip

    @property
    def _base_style(self) -> Style:
        # Widget.rich_style walks every ancestor's styles: once a row, it was
        # most of drawing a list (two lists, ~90 rows, in the first frame).
        if self._style is None:
            self._style = self.rich_style
            if self._style != self._drawn_with:
                # Kept rows carry resolved colours: a theme or CSS change
                # that changes them draws them again.
                self._strips.clear()
                self._drawn_with = self._style
        return self._style

    def notify_style_update(self) -> None:
        # Gaining or losing the focus restyles the list for its border
        # alone: its rows keep their colours, and were all drawn again at
        # every Tab (~2 ms of its frame). The style is looked up again, and
        # compared, when next drawn; the highlighted row is never kept.
        super().notify_style_update()
        self._style = None
        self._drawn.clear()

    def watch_highlighted(self) -> None:
        top, height = round(self.scroll_y), self.scrollable_content_region.height
        if self.highlighted < top:
            self.scroll_to(y=self.highlighted, animate=False)
        elif height and self.highlighted >= top + height:
            self.scroll_to(y=self.highlighted - height + 1, animate=False)
        self.refresh()

    def action_move(self, step: int) -> None:
        self.highlighted = max(0, min(self.highlighted + step, self.row_count - 1))

    def action_page(self, pages: int) -> None:
        self.action_move(pages * max(1, self.scrollable_content_region.height - 1))

    def action_jump(self, index: int) -> None:
        self.highlighted = max(0, self.row_count - 1) if index < 0 else index

    def action_choose(self) -> None:
        if self.row_count:
            self.chosen(self.highlighted)

    def on_click(self, event: Click) -> None:
        offset = event.get_content_offset(self)
        if offset is not None and round(self.scroll_y) + offset.y < self.row_count:
            self.highlighted = round(self.scroll_y) + offset.y
            self.action_choose()

    def on_focus(self) -> None:
        self.refresh_row(self.highlighted)  # drawn highlighted only with the focus

    def on_blur(self) -> None:
        self.refresh_row(self.highlighted)
