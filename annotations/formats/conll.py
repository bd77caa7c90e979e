"""CoNLL-style BIO: one token per line, ``token<TAB>tag``, a blank line between sentences.

BIO cannot express overlapping spans, and claims overlap. newsmark's rule:
**the outer span wins**. Spans are taken longest first (then leftmost); a
span that shares a token with a span already taken is left out, and the
file's last comment line says how many were. To get one label's spans
(and so one file per label), export with ``--label NAME``.

A span that does not fall on token bounds tags every token it touches; a span
that crosses a sentence end starts again with ``B-`` in the next sentence.
Comment lines start with ``#``: a header, then ``# doc_id = ...`` before
each document's first sentence.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TextIO

from annotations.formats.records import Counts, RecordView

HEADER = (
    "# newsmark CoNLL export: token<TAB>BIO tag, blank line between sentences.\n"
    "# Overlapping spans: the outer (longest) span wins; spans sharing a token with it\n"
    "# are left out (counted at the end). For one label only, export with --label.\n"
)


def tags(view: RecordView, counts: Counts) -> list[str]:
    """One BIO tag per token of `view`; overlapping spans are dropped and counted."""
    out = ["O"] * len(view.tokens)
    taken = [False] * len(view.tokens)
    order = sorted(
        (s for s in view.spans if s.token_start is not None and s.token_end is not None),
        key=lambda s: (-(s.end - s.start), s.start, s.label),
    )
    for span in order:
        ts, te = span.token_start, span.token_end
        assert ts is not None and te is not None
        if any(taken[ts : te + 1]):
            counts.dropped += 1
            continue
        for i in range(ts, te + 1):
            taken[i] = True
            out[i] = ("B-" if i == ts else "I-") + span.label
    return out


def write(views: Iterable[RecordView], out: TextIO, counts: Counts) -> None:
    out.write(HEADER)
    for view in views:
        labels = tags(view, counts)
        out.write(f"# doc_id = {view.doc_id}\n")
        token_i = 0
        for _s, e in view.sentences:
            first = True
            while token_i < len(view.tokens) and view.tokens[token_i][0] < e:
                ts, te = view.tokens[token_i]
                token = "".join("_" if c.isspace() else c for c in view.text[ts:te])
                tag = labels[token_i]
                if first and tag.startswith("I-"):
                    tag = "B-" + tag[2:]  # each sentence is a sequence of its own
                out.write(f"{token}\t{tag}\n")
                token_i += 1
                first = False
            if not first:
                out.write("\n")
        counts.records += 1
    out.write(f"# spans left out because they overlap a longer span: {counts.dropped}\n")
