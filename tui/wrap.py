"""Where a line of article text breaks into screen rows, keeping every character.

The article view needs the offsets of its rows, with no character dropped
(Textual's `Content.wrap` drops the spaces at a break, so offsets drift) and
without Textual's private `textual._wrap`. A word moves to the next row
whole, with the spaces after it; a word wider than
the row is folded between grapheme clusters, never inside "👨‍👩‍👧" (rows
break where Textual's own wrapping breaks them, but for that). Cells
are counted as the drawing counts them (`terminal_width.agreed_cells`: Rich's
count of the form every terminal agrees on), so a row never spills over the
pane's border. Tabs count one
cell (the view draws them as one space).
"""

from __future__ import annotations

import re

from annotations.graphemes import next_boundary
from tui.terminal_width import agreed_cells

_CHUNK = re.compile(r"\S+\s*|\s+")


def _cells(text: str) -> int:
    if text.isascii() and text.isprintable():
        return len(text)  # most words: a cell a character, without counting each one
    return agreed_cells(text.replace("\t", " ")) if "\t" in text else agreed_cells(text)


def wrap_offsets(text: str, width: int) -> list[int]:
    """Offsets in `text` (one line, no newline) where a new row starts.

    A word and the spaces after it go on a row together if they fit, else
    on the next row; one wider than a row is folded between clusters.
    """
    width = max(1, width)
    if len(text) <= width and text.isascii() and text.isprintable():
        return []  # the common short line: one cell per character
    breaks: list[int] = []
    used = 0  # cells on the current row
    for match in _CHUNK.finditer(text):
        start, end = match.span()
        chunk = match.group()
        cells = _cells(chunk)
        if used + cells <= width:
            used += cells
        elif cells > width:
            # Folded: as many whole clusters per row as fit.
            if start and used:
                breaks.append(start)
            used, offset = 0, start
            while offset < end:
                after = min(end, next_boundary(text, offset))
                width_here = _cells(text[offset:after])
                if used and used + width_here > width:
                    breaks.append(offset)
                    used = 0
                used += width_here
                offset = after
        elif used:
            breaks.append(start)
            used = cells
    return breaks
