"""A box that shows it has the focus on its top edge, repainting that row alone.

Gaining or losing the focus repainted a pane or a list whole: Textual asks
for a whole repaint when a widget's styles change (here its border) and
again in its own focus handler, and every row of the box went through
Textual's styles cache and the compositor again (~47 rows of a pane, ~2.5
ms of a Tab's ~11). Only the top edge (the border's top row, with the
title) changes with the focus here, and the rows the widget itself marks
(the cursor's, a list's highlighted row), which it repaints on its own.

`FocusShownOnTopEdge` narrows the repaints asked for while the focus
changes to the top row, after checking that nothing else a row is painted
with changed: if anything else did (a stylesheet that colours the whole
box on focus), the box is repainted whole as before.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Self

from textual.geometry import Region
from textual.widget import Widget


class FocusShownOnTopEdge(Widget):
    """A base for a widget whose `:focus` rules change its top edge only.

    Listed after the widget's main base (`class V(ScrollView-based,
    FocusShownOnTopEdge)`): Textual gathers a class's DEFAULT_CSS along the
    first base of each class only, and listed first this one hid
    ScrollView's (a pane lost its scrollbar).
    """

    _focus_changing = False
    _whole_asked = False

    def _painted_with(self) -> Hashable:
        """What every row's painting depends on, but the top edge."""
        styles = self.styles
        return (self.rich_style, styles.background, styles.border_left, styles.border_right,
                styles.border_bottom, styles.padding, styles.tint, styles.opacity,
                styles.text_opacity, styles.background_tint, styles.outline)

    def watch_has_focus(self, has_focus: bool) -> None:
        before = self._painted_with()
        self._focus_changing, self._whole_asked = True, False
        # Textual's own focus handler asks for a whole repaint right after
        # this watcher, in the same message: the window closes after it.
        self.call_next(self._focus_changed)
        super().watch_has_focus(has_focus)  # the restyle: its repaints narrowed
        if self._whole_asked and self._painted_with() != before:
            self._focus_changing = False
            self.refresh()

    def focus(self, scroll_visible: bool = True) -> Self:
        # Textual's `focus` repaints the widget whole before the focus moves
        # (a click, `]` to the other pane): the top edge is what changes.
        self._focus_changing = True
        try:
            return super().focus(scroll_visible)
        finally:
            self._focus_changing = False

    def _focus_changed(self) -> None:
        self._focus_changing = False

    def refresh(self, *regions: Region, repaint: bool = True, layout: bool = False,
                recompose: bool = False) -> Self:
        # Not before the box was first laid out: that frame draws it whole.
        if (self._focus_changing and not (regions or layout or recompose)
                and self.is_mounted and self.size.area):
            self._whole_asked = True
            # The top edge only; regions are relative to the content, which
            # starts below the border.
            gutter = self.styles.gutter
            regions = (Region(-gutter.left, -gutter.top, self.outer_size.width,
                              max(1, gutter.top)),)
        return super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)
