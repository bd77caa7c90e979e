"""Changing a scroll view's scrollable size, or its size, without a second frame.

Textual's `virtual_size` is a reactive with `layout=True`: each change asks
the screen to arrange every widget again, ~10 ms here with the side panel
open. The article view corrects its estimated height as lines are first
wrapped (most page-downs in a long article) and the side panel's lists
change length on every tag: neither changes the widget's own size, only
its scrollbars. `set_virtual_size` sets the value without that request and
updates the scrollbars as the layout would have.

A scrollbar is repainted only when it would look different: a list of
1,000 annotations that grows by one keeps its thumb to the eighth of a
cell, and repainting its ~30 rows was a third of a tag's frame.

`Widget._scroll_update` is private: this is the one place that calls it
(Textual is pinned narrowly in pyproject.toml, and tests/test_scrolling.py
checks the effect, so a release that changes it fails there).
"""

from __future__ import annotations

from math import ceil
from typing import Self

from rich.segment import Segment
from textual import events, on
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.scrollbar import ScrollBar


def set_virtual_size(view: ScrollView, size: Size, *, repaint: bool = True) -> None:
    """`view.virtual_size = size`, minus the screen's layout pass.

    With `repaint=False` the content is left as drawn: the caller repaints
    what changed (a list whose rows on screen are the same, say).
    """
    if size == view.virtual_size:
        return
    if not view.is_mounted or not view.container_size:
        view.virtual_size = size  # not laid out yet: the first layout is needed anyway
        return
    old = view.virtual_size
    if _same_scrollbar(view, old, size):
        # Shown before and after, thumb drawn the same: update its numbers
        # (a drag reads them) without a repaint, and clamp the scroll as
        # the update would have.
        view.set_reactive(ScrollView.virtual_size, size)
        view.vertical_scrollbar.set_reactive(ScrollBar.window_virtual_size, size.height)
        view.scroll_y = view.validate_scroll_y(view.scroll_y)
    else:
        view.set_reactive(ScrollView.virtual_size, size)
        view._scroll_update(size)  # scrollbars: shown or hidden, thumb size, scroll clamped
    if repaint:
        # The content, not the border: its title and subtitle cost the most
        # to draw of any row and do not change with the length.
        view.refresh(view.size.region)


def _same_scrollbar(view: ScrollView, old: Size, new: Size) -> bool:
    """Whether the vertical scrollbar stays shown and looks the same.

    The width is unchanged, so a horizontal scrollbar stays as it is too.
    """
    if old.width != new.width:
        return False
    if not view.show_vertical_scrollbar or view.styles.overflow_y != "auto":
        return False
    height = view.container_size.height
    if old.height <= height or new.height <= height:
        return False  # shown or hidden by the change: Textual decides
    bar = view.vertical_scrollbar
    return _bar_segments(bar, bar.window_virtual_size) == _bar_segments(bar, new.height)


def _bar_segments(bar: ScrollBar, virtual_height: int) -> list[Segment]:
    # As `ScrollBar.render` asks its renderer to draw (colours aside: they
    # do not depend on the length).
    window = bar.window_size if bar.window_size < virtual_height else 0
    drawn = bar.renderer.render_bar(
        size=bar.size.height, virtual_size=ceil(virtual_height), window_size=ceil(window),
        position=bar.position, thickness=bar.thickness, vertical=True)
    return list(drawn.segments)


class PaintedWholeWhenLaidOut(ScrollView):
    """A scroll view that draws a new size (or shown again) in one frame.

    Textual lays the screen out, calls each widget's `_size_updated`, then
    paints the frame; a repaint a view or its scrollbar asks for meanwhile
    (Textual's own scrollbar update asks for one every time) became a second
    frame after it, ~1.5 ms of `p` (the side panel) with its messages. When
    the view's size changed, or it was hidden since it was last laid out,
    the frame that follows draws it and its scrollbar whole (their regions
    are new to the compositor), so those repaints are dropped.

    `laid_out` runs in that pass, after the sizes are set: the article view
    re-wraps there, so the frame shows the new wrapping (the Resize event
    comes after the frame). `_size_updated` is private in Textual, with no
    public hook before the frame: Textual is pinned to a minor release and
    tests/test_cursor_in_view.py counts the layouts and paints of `p`.
    """

    being_painted_whole = False  # read by the view's scrollbar (tui/scroll_bar.py)
    _hidden_since_laid_out = True  # the first layout draws it whole too

    def _size_updated(
        self, size: Size, virtual_size: Size, container_size: Size, layout: bool = True
    ) -> bool:
        self.being_painted_whole = size != self.size or self._hidden_since_laid_out
        self._hidden_since_laid_out = False
        try:
            resized = super()._size_updated(size, virtual_size, container_size, layout)
            self.laid_out()
        finally:
            self.being_painted_whole = False
        return resized

    def laid_out(self) -> None:
        """Called in the layout pass once the view's size is known."""

    @on(events.Hide)
    def _remember_hidden(self) -> None:
        self._hidden_since_laid_out = True

    def refresh(self, *regions: Region, repaint: bool = True, layout: bool = False,
                recompose: bool = False) -> Self:
        if self.being_painted_whole and not (layout or recompose):
            return self  # the frame that follows draws it whole
        return super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)
