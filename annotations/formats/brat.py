"""brat standoff: a folder with ``NAME.txt`` (the exact text) and ``NAME.ann``.

``NAME`` is the document id. Each span is a text-bound annotation::

    T1<TAB>claim 10 42<TAB>the text of the span
    #1<TAB>AnnotatorNotes T1<TAB>the note

brat counts code points of the ``.txt`` read as UTF-8, as Python does. A
span that crosses a line break (or a tab) is written as brat's discontinuous
span, one fragment per line (``claim 10 20;21 42``), with the fragments' texts
joined by a space, which is what brat itself writes. A span imported as
discontinuous (`Annotation.fragments`) is written as its fragments again.
`annotation.conf`
lists the labels, so the folder opens in brat as it is.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from annotations.formats.records import Counts, RecordView

# Line breaks and tabs: brat keeps a fragment on one line, and its .ann
# lines are tab-separated, so a span is cut there into fragments.
_BREAK = re.compile(r"[\t\n\r\v\f\x1c-\x1e\x85\u2028\u2029]+")


def fragments(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """``[start, end)`` cut at line breaks and tabs (which a brat fragment cannot hold)."""
    out = []
    pos = start
    for m in _BREAK.finditer(text, start, end):
        if m.start() > pos:
            out.append((pos, m.start()))
        pos = m.end()
    if end > pos:
        out.append((pos, end))
    return out


def ann_lines(view: RecordView) -> list[str]:
    lines = []
    note_no = 0
    for i, span in enumerate(view.spans, start=1):
        # A discontinuous span (imported from brat) is written as its own
        # fragments again; each is cut at line breaks as any span is.
        pieces = span.ann.fragments or ((span.ann.start, span.ann.end),)
        shift = span.start - span.ann.start
        frags = [piece for a, b in pieces
                 for piece in fragments(view.text, max(a + shift, span.start),
                                        min(b + shift, span.end))]
        where = ";".join(f"{s} {e}" for s, e in frags)
        shown = " ".join(view.text[s:e] for s, e in frags)
        lines.append(f"T{i}\t{span.label} {where}\t{shown}")
        if span.ann.note:
            note_no += 1
            note = " ".join(span.ann.note.split())
            lines.append(f"#{note_no}\tAnnotatorNotes T{i}\t{note}")
    return lines


def write(views: Iterable[RecordView], folder: Path, counts: Counts) -> None:
    labels: set[str] = set()
    for view in views:
        # newline="" keeps the text byte for byte (no "\n" -> os.linesep).
        with (folder / f"{view.id}.txt").open("w", encoding="utf-8", newline="") as out:
            out.write(view.text)
        with (folder / f"{view.id}.ann").open("w", encoding="utf-8", newline="") as out:
            for line in ann_lines(view):
                out.write(line + "\n")
        labels.update(s.label for s in view.spans)
        counts.records += 1
    conf = ["[entities]", *sorted(labels), "", "[relations]", "", "[events]", "",
            "[attributes]", ""]
    (folder / "annotation.conf").write_text("\n".join(conf), encoding="utf-8")
