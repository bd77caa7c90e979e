"""The column beside the panes that holds the lists (`p` shows and hides it).

Its own lines show only where its lists leave a gap, and they are blank.
Textual's compositor draws every container whole under its children, each
line through the styles cache, and showing the panel (`display`) drops
that cache: ~0.8 ms of `p`'s frame went to 47 blank lines no one sees.
Here they are blank strips in the panel's colours, made at once. The
panel has no border, padding or title (their lines would need the cache).
"""

from __future__ import annotations

from textual.containers import Vertical
from textual.geometry import Region
from textual.strip import Strip


class SidePanel(Vertical):
    def render_lines(self, crop: Region) -> list[Strip]:
        blank = Strip.blank(crop.width, self.rich_style)
        return [blank] * crop.height
