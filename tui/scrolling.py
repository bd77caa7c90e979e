"""Changing a scroll view's scrollable size without laying out the screen.

Textual's `virtual_size` is a reactive with `layout=True`: each change asks
the screen to arrange every widget again, ~10 ms here with the side panel
open. The article view corrects its estimated height as lines are first
wrapped (most page-downs in a long article) and the side panel's lists
change length on every tag: neither changes the widget's own size, only
its scrollbars. `set_virtual_size` sets the value without that request and
updates the scrollbars as the layout would have.

`Widget._scroll_update` is private: this is the one place that calls it
(Textual is pinned narrowly in pyproject.toml, and tests/test_scrolling.py
checks the effect, so a release that changes it fails there).
"""

from __future__ import annotations

from textual.geometry import Size
from textual.scroll_view import ScrollView


def set_virtual_size(view: ScrollView, size: Size) -> None:
    """`view.virtual_size = size`, minus the screen's layout pass."""
    if size == view.virtual_size:
        return
    if not view.is_mounted or not view.container_size:
        view.virtual_size = size  # not laid out yet: the first layout is needed anyway
        return
    view.set_reactive(ScrollView.virtual_size, size)
    view._scroll_update(size)  # scrollbars: shown or hidden, thumb size, scroll clamped
    view.refresh()
