"""Untrusted text put on screen exactly as it is: never markup, never escapes.

File names, queries, notes, annotators, titles and article text come from
outside. Textual parses strings as markup in many places (notifications,
border titles, the command palette), where `[/]` raises and
`[@click=app.quit]` becomes an action; and an ESC or C1 character in any
text reaches the terminal, where it can retitle the window or write the
clipboard. Every such text goes through `safe` (or its wrappers below)
before it is shown; the neutralising itself is the core's
(`annotations.cleaning.neutralise`, the same that cleans article text).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from annotations.cleaning import neutralise
from tui.terminal_width import agreed_form

if TYPE_CHECKING:  # the command line uses `safe` for its messages: no Textual there
    from rich.style import Style
    from rich.text import Text
    from textual.content import Content


def safe(text: object, *, one_line: bool = True) -> str:
    """`text` with control characters shown as symbols (on one line, by default),
    and emoji in the form every terminal draws as wide as Rich counts them
    (`terminal_width`: else a list row's border or the status line's end moves)."""
    return agreed_form(neutralise(str(text), one_line=one_line))


def literal(text: object, style: str | Style = "") -> Text:
    """A Rich `Text` that shows `text` literally (for rows and the status line)."""
    from rich.text import Text

    return Text(safe(text), style=style, end="")


def literal_content(text: object) -> Content:
    """A Textual `Content` that shows `text` literally (for border titles)."""
    from textual.content import Content

    return Content(safe(text))


def markup_escaped(text: object) -> str:
    """For the few Textual APIs that always parse markup (the command palette)."""
    from textual.markup import escape

    return escape(safe(text))
