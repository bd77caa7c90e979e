"""A vertical scrollbar whose painted rows are kept from one paint to the next.

Textual paints a scrollbar as any widget: every row goes through the
styles cache (borders, padding, opacity, the colour filter) and comes out
as a new `Strip`, ~30 µs a row here. A page down moves the thumb by an
eighth of a cell or so, and the whole bar (~45 rows) was painted again:
1.2-1.5 ms of a 10 ms frame. Yet a bar's rows are few kinds (the track
above the thumb, the thumb, the track below, the thumb's two ends), so
`KeptScrollBar` keeps each painted row by its line and what the bar
draws there, and asks Textual to paint only the rows it has not seen.
What it returns is Textual's own painting of each row: tests compare the
two for every position of the thumb.

Textual creates a widget's scrollbars itself (`Widget.vertical_scrollbar`);
`vertical_scrollbar_of` makes a `KeptScrollBar` instead, as Textual does,
with the private names involved (`_vertical_scrollbar`, `App._start_widget`,
`_size_updated`) used here only. Textual is pinned narrowly in pyproject.toml and
tests/test_scroll_bar.py checks both.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Self

from rich.color import Color
from rich.segment import Segment
from rich.style import Style
from textual.geometry import NULL_SPACING, Region, Size
from textual.scrollbar import ScrollBar, ScrollBarRender
from textual.strip import Strip
from textual.widget import Widget

MAX_KEPT_ROWS = 512  # a few kinds of row (per line, where lines differ)


class KeptScrollBar(ScrollBar):
    """A vertical `ScrollBar` that paints a row only when it looks new."""

    def __init__(self, *, name: str | None = None, thickness: int = 1) -> None:
        super().__init__(vertical=True, name=name, thickness=thickness)
        self._kept: dict[Hashable, Strip] = {}
        self._painted_with: Hashable = None
        self._painted_look: Hashable = None  # `_look()` when last painted

    def _size_updated(
        self, size: Size, virtual_size: Size, container_size: Size, layout: bool = True
    ) -> bool:
        # The layout gives a scrollbar the size of the view it scrolls as its
        # own "virtual size", a value a scrollbar never reads; set as Textual
        # sets it (`layout=True`), a change of the view's width (`p`, the
        # side panel) asked for a second layout of the screen and a second
        # paint (~2.3 ms). Private in Textual, like the names above.
        return super()._size_updated(size, virtual_size, container_size, layout=False)

    def refresh(self, *regions: Region, repaint: bool = True, layout: bool = False,
                recompose: bool = False) -> Self:
        # Its view is being laid out anew and the frame that follows draws
        # the bar whole: a repaint asked for meanwhile would be a second
        # frame (tui/scrolling.py, `PaintedWholeWhenLaidOut`).
        if getattr(self.parent, "being_painted_whole", False) and not (layout or recompose):
            return self
        # Restyling a pane as it gains or loses the focus restyles its bar
        # too, and Textual asks for a repaint though nothing it draws with
        # changed (the rules are set again, equal). The bar's repaint came a
        # message round later than the pane's: a second frame for a Tab
        # (~1.5 ms). Its pane repaints it anyway when the pane's look changes.
        if not (regions or layout or recompose) and self._painted_look == self._look():
            return self
        # Nor does a scrollbar's own layout ever change: its view places it
        # (and asks for a layout when that changes). Restyling a pane as it
        # gains or loses the focus cleared rules on its bars, and Textual
        # asks for a layout of the whole screen for a rule cleared.
        return super().refresh(*regions, repaint=repaint, recompose=recompose)

    def _look(self) -> Hashable:
        """What the bar's painting depends on (`ScrollBar.render`), read, not drawn."""
        parent = self.parent
        if parent is None or not self.is_attached:
            return None
        styles = parent.styles
        return (self.size, self.window_virtual_size, self.window_size, self.position,
                self.thickness, self.grabbed, self.mouse_over,
                styles.scrollbar_color, styles.scrollbar_background,
                styles.scrollbar_color_hover, styles.scrollbar_background_hover,
                styles.scrollbar_color_active, styles.scrollbar_background_active,
                self.screen.styles.scrollbar_color, parent.background_colors,
                self.background_colors, self.opacity)

    def render_lines(self, crop: Region) -> list[Strip]:
        self._painted_look = self._look()
        rows = self._drawn_rows()
        if rows is None:
            return super().render_lines(crop)
        # What every row's painting depends on besides what the bar draws on
        # it: when any of it changes, the kept rows are dropped.
        styles = self.styles
        painted_with = (self.size, crop.column_span, self.background_colors,
                        tuple(self.get_line_filters()), self.opacity, styles.tint,
                        styles.background_tint, styles.text_opacity)
        if painted_with != self._painted_with or len(self._kept) > MAX_KEPT_ROWS:
            self._kept.clear()
            self._painted_with = painted_with
        # Without a border, padding or outline (a scrollbar has none) a row is
        # painted the same on any line: the thumb's ends are kept wherever it is.
        plain = styles.gutter == NULL_SPACING and not any(edge for edge, _ in styles.outline)
        x, width = crop.x, crop.width
        strips: list[Strip] = []
        for y in crop.line_range:
            key = (None if plain else y, rows[y] if y < len(rows) else None)
            strip = self._kept.get(key)
            if strip is None:
                strip = self._kept[key] = super().render_lines(Region(x, y, width, 1))[0]
            strips.append(strip)
        return strips

    def _drawn_rows(self) -> list[Segment] | None:
        """What the bar draws on each row (one segment a row), as `render` asks
        its renderer to draw it; None if the renderer is not Textual's kind."""
        bar = self.render()
        if not isinstance(bar, ScrollBarRender) or not bar.vertical:
            return None
        style = bar.style if isinstance(bar.style, Style) else Style.parse(str(bar.style))
        drawn = bar.render_bar(
            size=self.size.height,
            virtual_size=bar.virtual_size,
            window_size=bar.window_size,
            position=bar.position,
            thickness=self.size.width,
            vertical=True,
            back_color=style.bgcolor or Color.parse("#555555"),
            bar_color=style.color or Color.parse("bright_magenta"),
        )
        rows = [segment for segment in drawn.segments if segment.text != "\n"]
        return rows if len(rows) == self.size.height else None

    # No `notify_style_update` dropping the rows kept: a restyle that changes
    # how they are painted changes `painted_with` or the rows' own styles (the
    # view's scrollbar colours), and each Tab off a pane restyled its bar to
    # equal rules, which painted all its rows again (~0.6 ms).


def vertical_scrollbar_of(widget: Widget) -> ScrollBar:
    """`widget.vertical_scrollbar`, made a `KeptScrollBar` (as Textual makes its own)."""
    bar = widget._vertical_scrollbar
    if bar is None:
        bar = widget._vertical_scrollbar = KeptScrollBar(
            name="vertical", thickness=widget.scrollbar_size_vertical)
        bar.display = False
        widget.app._start_widget(widget, bar)
    return bar
