"""Where each token stands in a quotation: outside, an opening mark, inside, a closing mark.

The span model's encoder sees a word, its affixes and shape, and eight
tokens either side (its CNN's reach); a Content span is often a quotation
of 12 tokens or more (1 in 10 longer than 40) whose marks lie beyond that
reach. So every token is told, as one more feature of its embedding,
whether it is inside a quotation, found by walking the whole text.

Marks: double quotes only. Curly ones say which way they go (“ „ « open,
” » close); a straight `"` opens after whitespace, an opening bracket or
at the start, closes before whitespace, punctuation or the end, and
otherwise flips the state. Single quotes (' ‘ ’) are not marks: most
are apostrophes (`children’s`), and a quotation nested in a quotation
stays inside the outer one. A line break closes whatever is open: a news
quotation that goes on in the next paragraph opens again there with its
own mark, and an unbalanced mark must not spread over the rest of the
article (on PolNeAR 92 of 14,339 training Content spans cross a line
break; the boundary scorers of `model_boundaries` reset there too). An
opening mark inside a quotation is an opening mark (the quotation goes
on); a closing mark outside one is a closing mark (nothing was open).

Doubled apostrophes: some papers write a double quote as two apostrophes
at both ends (`''Twin Peaks,'' he said`: 116 of PolNeAR's 840 training
articles, 4 of them with a `"` or a curly mark too), and PTB-style text
opens with two backticks. Read as marks (`doubled=True`), `''` is a
straight quote (its neighbours say which way) and ``` `` ``` opens. A
model folder trained before they were read has no `DOUBLED_META` in its
pipelines' meta and is annotated as it was trained, without them.

`annotate(doc)` writes the states into each token's TAG (see
`QUOTATION_ATTR`); `span_model.model_doc` is the one place the model's
docs are made and annotated.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.tokens import Doc

# The token attribute the states are kept in, and the encoder reads. TAG:
# the model's pipelines have no tagger and nothing else in newsmark sets
# or reads a model doc's tags, while `Doc.to_array` (what spaCy's
# MultiHashEmbed reads columns with) gives it like NORM or SHAPE.
QUOTATION_ATTR = "TAG"
# The feature's name in a model folder's newsmark-model.json ("features"),
# and the second one, for pipelines that read doubled apostrophes as marks.
FEATURE = "quotation"
DOUBLED_FEATURE = "doubled-apostrophes"
# The key of a pipeline's `nlp.meta` (kept in its meta.json) that says it
# was trained reading doubled apostrophes as marks.
DOUBLED_META = "newsmark_doubled_apostrophes"

OUTSIDE = "QUOTE_OUT"
OPENING = "QUOTE_OPEN"
INSIDE = "QUOTE_IN"
CLOSING = "QUOTE_CLOSE"
STATES = (OUTSIDE, OPENING, INSIDE, CLOSING)

_OPENERS = frozenset("“„«")
_CLOSERS = frozenset("”»")
_EVENTS = re.compile(r'["“„«”»]|\n')
_EVENTS_DOUBLED = re.compile(r'``|\'\'|["“„«”»]|\n')
# Before a straight quote, what makes it an opening one.
_OPENS_AFTER = frozenset(" \t\r\n\u00a0([{—–-/")


def _marks(text: str, doubled: bool) -> tuple[list[tuple[int, str]], list[tuple[int, bool]]]:
    """Each mark's offset and role (OPENING or CLOSING), and each change of
    state: (offset, inside from just after it on)."""
    marks: list[tuple[int, str]] = []
    changes: list[tuple[int, bool]] = []
    inside = False
    for found in (_EVENTS_DOUBLED if doubled else _EVENTS).finditer(text):
        at, end = found.span()
        char = text[at]
        if char == "\n":
            if inside:
                changes.append((at, False))
                inside = False
            continue
        if char in _OPENERS or char == "`":
            opens = True
        elif char in _CLOSERS:
            opens = False
        else:  # a straight quote: its neighbours say which, else it flips
            before = text[at - 1] if at else " "
            after = text[end] if end < len(text) else " "
            if before in _OPENS_AFTER:
                opens = True
            elif after.isspace() or not after.isalnum():
                opens = False
            else:
                opens = not inside
        marks.append((at, OPENING if opens else CLOSING))
        if opens != inside:
            changes.append((at, opens))
            inside = opens
    return marks, changes


def quotation_states(text: str, tokens: Sequence[tuple[int, int]],
                     doubled: bool = False) -> list[str]:
    """The state of each token of `text`, given as (start, end) character
    offsets in order: OPENING or CLOSING where the token holds a mark (its
    first), else INSIDE or OUTSIDE as the text is at the token's start.
    `doubled`: `''` and ``` `` ``` are marks too."""
    marks, changes = _marks(text, doubled)
    out: list[str] = []
    m = c = 0
    inside = False
    for start, end in tokens:
        while m < len(marks) and marks[m][0] < start:
            m += 1
        while c < len(changes) and changes[c][0] < start:
            inside = changes[c][1]
            c += 1
        if m < len(marks) and marks[m][0] < end:
            out.append(marks[m][1])
        else:
            out.append(INSIDE if inside else OUTSIDE)
    return out


def annotate(doc: Doc, doubled: bool = False) -> Doc:
    """Write every token's quotation state into its TAG (`QUOTATION_ATTR`),
    reading doubled apostrophes as marks if `doubled`; returns `doc`."""
    import numpy as np
    from spacy.attrs import IDX, LENGTH, TAG

    starts, lengths = doc.to_array([IDX, LENGTH]).T.tolist() if len(doc) else ([], [])
    states = quotation_states(doc.text, list(zip(starts, [s + n for s, n in zip(starts, lengths)])),
                              doubled)
    if states:
        ids = {s: doc.vocab.strings.add(s) for s in STATES}
        doc.from_array([TAG], np.array([ids[s] for s in states], dtype=np.uint64)[:, None])
    return doc
