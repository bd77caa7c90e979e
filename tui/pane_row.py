"""The row between the title and the status line: the panes and the side panel (#main).

Its own lines never show: its children cover it, side by side, whatever
the width (the panes share what the panel leaves). Textual's compositor
still draws every container whole under its children, each line through
the styles cache: ~1 ms of the first frame (160x47) and of every frame
that draws the screen whole (p, a resize) went to lines no one sees.
Here they are blank strips in the row's colours, made at once, as
`SidePanel`'s. The row has no border, padding or title (their lines
would need the cache).
"""

from __future__ import annotations

from textual.containers import Horizontal
from textual.geometry import Region
from textual.strip import Strip


class PaneRow(Horizontal):
    def render_lines(self, crop: Region) -> list[Strip]:
        blank = Strip.blank(crop.width, self.rich_style)
        return [blank] * crop.height
