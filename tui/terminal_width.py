"""Emoji drawn in the form every terminal gives the same width.

Terminals disagree on how wide some emoji are, and a row drawn wider or
narrower than Rich counted it pushes the pane's right border. Measured in
tmux 3.3a against Rich's count:

    "👍🏽" (thumb + skin tone)       tmux 4 cells, Rich 2
    "👩🏽‍💻" (skin tone inside ZWJ)  tmux 4, Rich 2
    "✔️" "❤️" (+ emoji selector)      tmux 1, Rich 2
    "🏳️‍🌈" (selector inside ZWJ)    tmux 1, Rich 2

while kitty, WezTerm and iTerm2 draw the first two as 2. Without the skin
tone modifiers (U+1F3FB..U+1F3FF) and the emoji presentation selector
(U+FE0F) every one of them is the same width in tmux, in those terminals
and in Rich ("👍" 2, "✔" 1, "👩‍💻" 2). So the article view, and every
other text put on screen (`literal.safe`: lists, the status line, titles),
draws them without those code points. Only the drawing changes: the text, its
offsets, what is stored and exported keep every code point, and a cursor
or span still covers the whole cluster.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from rich.cells import cell_len

if TYPE_CHECKING:  # `agreed_form` serves the command line too: no rich.text there
    from rich.text import Text

_DISPUTED = re.compile("[\U0001f3fb-\U0001f3ff\ufe0f]")


def agreed_form(text: str) -> str:
    """`text` without the code points terminals measure differently."""
    if text.isascii() or _DISPUTED.search(text) is None:
        return text
    return _DISPUTED.sub("", text)


def agreed_cells(text: str) -> int:
    """The cells `text` takes when drawn in its agreed form."""
    return cell_len(agreed_form(text))


def agreed_text(line: Text) -> Text:
    """A styled row without the disputed code points, its styles kept in place.

    Styles were applied at offsets into the full row; cutting the row at
    each disputed code point and joining the pieces keeps every style on
    the characters it was given to.
    """
    from rich.text import Text

    plain = line.plain
    if plain.isascii():
        return line
    cuts = [match.start() for match in _DISPUTED.finditer(plain)]
    if not cuts:
        return line
    edges = sorted({edge for cut in cuts for edge in (cut, cut + 1)})
    pieces = line.divide(edges)
    # Pieces alternate between kept text and a single disputed code point;
    # a piece is dropped exactly when it is one of those code points.
    kept = [piece for piece in pieces if not (len(piece) == 1 and _DISPUTED.match(piece.plain))]
    joined = Text("", end=line.end, no_wrap=line.no_wrap).join(kept)
    joined.style = line.style
    return joined
