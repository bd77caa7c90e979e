"""Quick selections: the quotation around the cursor, the next larger unit.

Pure functions over a text and its segmentation, so the reader's `"` and
`e` keys behave the same in scripts and tests as on screen.
"""

from __future__ import annotations

import re

from annotations.segmentation import Segmentation

Span = tuple[int, int]

# Opening mark -> the marks that close it. Curly double quotes are
# unambiguous; single quotes double as apostrophes, so they need care.
_CLOSERS = {"“": "”", "„": "“”", "«": "»", "‘": "’", '"': '"', "'": "'"}
_QUOTE_CHARS = re.compile("[“”„«»‘’\"']")


def _is_apostrophe(text: str, index: int) -> bool:
    """A single quote between two letters (Ukraine’s, don't) is not a quote."""
    before = text[index - 1] if index > 0 else " "
    after = text[index + 1] if index + 1 < len(text) else " "
    return before.isalnum() and after.isalnum()


def _opens(text: str, index: int) -> bool:
    """A symmetric mark (" or ') opens when it follows a space or an opening bracket."""
    before = text[index - 1] if index > 0 else " "
    return before.isspace() or before in "([{—–-/“‘\"'"


def quote_pairs(text: str, start: int = 0, end: int | None = None) -> list[Span]:
    """Matched quotation marks in text[start:end] as (open, close) indices."""
    end = len(text) if end is None else end
    stack: list[tuple[str, int]] = []
    pairs: list[Span] = []
    for match in _QUOTE_CHARS.finditer(text, start, end):
        mark, index = match.group(), match.start()
        if mark in "’'" and _is_apostrophe(text, index):
            continue
        closing = next(
            (depth for depth in range(len(stack) - 1, -1, -1)
             if mark in _CLOSERS[stack[depth][0]]),
            None,
        )
        symmetric = mark in "\"'"
        if closing is not None and not (symmetric and _opens(text, index) and
                                         closing != len(stack) - 1):
            pairs.append((stack[closing][1], index))
            del stack[closing:]
        elif mark in _CLOSERS and (not symmetric or _opens(text, index)):
            stack.append((mark, index))
    return sorted(pairs)


def quotation_at(
    text: str, seg: Segmentation, offset: int, current: Span | None = None
) -> Span | None:
    """The text inside the innermost quotation around `offset`.

    If `current` already is that, the same quotation with its marks is
    returned, then the next enclosing one, and so on: pressing the key
    again widens the selection (a quotation's marks are part of what most
    annotation guidelines tag: PolNeAR's Content spans hold them).
    """
    index = seg.paragraph_at(offset)
    lo, hi = seg.paragraphs[index] if index is not None else (0, len(text))
    # Where the selection starts, once there is one: a selection with the
    # marks puts the cursor after the closing one, outside its quotation.
    at = offset if current is None else current[0]
    around = [
        (open_, with_marks, (open_, close + 1) if with_marks else (open_ + 1, close))
        for open_, close in quote_pairs(text, lo, hi)
        if open_ <= at <= close and close > open_ + 1
        for with_marks in (False, True)
    ]
    # Innermost first (the latest opening mark), its text before its marks.
    around.sort(key=lambda item: (-item[0], item[1]))
    for _open, _with_marks, span in around:
        if current is None or (span[0] <= current[0] and current[1] <= span[1]
                               and span != current):
            return span
    return None


def expand(seg: Segmentation, span: Span) -> Span | None:
    """The next larger unit around `span`: word, sentence, paragraph; None past that.

    Not the whole document: a label key pressed after one `e` too many
    tagged the entire article as a claim.
    """
    start, end = span
    candidates: list[Span] = []
    for index in (seg.token_at(start),):
        if index is not None:
            candidates.append(seg.tokens[index])
    for units, lookup in ((seg.sentences, seg.sentence_at), (seg.paragraphs, seg.paragraph_at)):
        index = lookup(start)
        if index is not None:
            candidates.append(units[index])
    for c_start, c_end in candidates:
        if c_start <= start and end <= c_end and (c_start, c_end) != (start, end):
            return (c_start, c_end)
    return None
