"""Grapheme clusters: what a reader sees as one character.

"👨‍👩‍👧" is five code points (three people joined by zero-width joiners),
"👍🏽" two (a thumb and a skin tone), "é" may be two (e and a combining
accent), "🇬🇧" two regional indicators. A cursor or a span end inside one
splits what the reader sees as one character: the cursor sits on an
invisible joiner, a tag cuts a skin tone off its hand. Motions, selection
ends and spans move by whole clusters, as the `regex` module's `\\X`
(Unicode's extended grapheme clusters, UAX #29) finds them.

Offsets stay code points: only where they may fall changes. The cost is
paid only near non-ASCII text: between two ASCII characters (other than
CR LF, which the reader never shows) there is always a boundary.
"""

from __future__ import annotations

from typing import Any

# `regex` is imported and `\X` compiled on first use (~6 ms): the reader's
# first frame needs neither, and ASCII text never does.
_cluster: Any = None


def _cluster_pattern() -> Any:
    global _cluster
    if _cluster is None:
        import regex

        _cluster = regex.compile(r"\X")
    return _cluster

# How far to look for a boundary known without matching (two ASCII
# characters side by side), and how long a cluster may be. Beyond these
# (a page of text with no ASCII, or "Zalgo" text stacking hundreds of
# marks) the answer is still a boundary, found from a nearer start.
_LOOK_BACK = 512
_LONGEST = 512


def _ascii_boundary(text: str, offset: int) -> bool:
    """Is there certainly a cluster boundary before `text[offset]`?"""
    if offset <= 0 or offset >= len(text):
        return True
    return text[offset - 1] < "\x80" and text[offset] < "\x80" and (
        text[offset - 1] != "\r" or text[offset] != "\n")


def cluster_at(text: str, offset: int) -> tuple[int, int]:
    """Start and end of the cluster holding `text[offset]` (offset clamped).

    At the end of the text, `(len(text), len(text))`.
    """
    n = len(text)
    offset = max(0, min(offset, n))
    if offset == n:
        return (n, n)
    if _ascii_boundary(text, offset) and _ascii_boundary(text, offset + 1):
        return (offset, offset + 1)
    start = offset
    floor = max(0, offset - _LOOK_BACK)
    while start > floor and not _ascii_boundary(text, start):
        start -= 1
    for match in _cluster_pattern().finditer(text, start, min(n, offset + _LONGEST)):
        if match.end() > offset:
            return (match.start(), match.end())
    return (offset, offset + 1)


def cluster_start(text: str, offset: int) -> int:
    """`offset` moved back to the start of its cluster (a boundary stays)."""
    return cluster_at(text, offset)[0]


def next_boundary(text: str, offset: int) -> int:
    """The boundary after the cluster at `offset` (one step right)."""
    return cluster_at(text, offset)[1] if offset < len(text) else len(text)


def previous_boundary(text: str, offset: int) -> int:
    """The start of the cluster before `offset` (one step left)."""
    return cluster_at(text, offset - 1)[0] if offset > 0 else 0


def snap(text: str, start: int, end: int) -> tuple[int, int]:
    """`[start, end)` grown outward to whole clusters."""
    if start >= end:
        return (start, end)
    return cluster_start(text, start), cluster_at(text, end - 1)[1]
