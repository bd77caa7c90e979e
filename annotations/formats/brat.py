"""brat standoff: a folder with ``NAME.txt`` (the exact text) and ``NAME.ann``.

``NAME`` is the document id. Each span is a text-bound annotation::

    T1<TAB>claim 10 42<TAB>the text of the span
    #1<TAB>AnnotatorNotes T1<TAB>the note

brat counts code points of the ``.txt`` read as UTF-8, as Python does. A
span that crosses a line break (or a tab) is written as brat's discontinuous
span, one fragment per line (``claim 10 20;21 42``), with the fragments' texts
joined by a space, which is what brat itself writes. A span imported as
discontinuous (`Annotation.fragments`) is written as its fragments again.
Relations and attribute values follow the spans (`brat_relations` has the
mapping, events included)::

    R1<TAB>said_by Arg1:T1 Arg2:T2
    E1<TAB>Attribution:T4 Source:T1 Cue:T2 Content:T3
    A1<TAB>checkworthy T3 yes

`annotation.conf` lists the labels, relation types (with the labels seen at
their ends) and attributes (with the values seen), so the folder opens in
brat as it is.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from annotations.formats.brat_relations import (
    attribute_lines,
    is_event_argument,
    relation_lines,
)
from annotations.formats.records import Counts, RecordView, relation_views

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
    rels = [(r.id, r.type, r.head, r.tail) for r in relation_views(view)]
    lines += relation_lines(rels, [span.label for span in view.spans])
    lines += attribute_lines([dict(span.ann.attrs) for span in view.spans])
    return lines


def write(views: Iterable[RecordView], folder: Path, counts: Counts) -> None:
    labels: set[str] = set()
    # What annotation.conf declares: each relation type with the labels seen
    # at its ends, each attribute with the labels and values seen.
    relation_ends: dict[str, tuple[set[str], set[str]]] = {}
    events: dict[str, dict[str, set[str]]] = {}  # trigger label -> role -> argument labels
    attributes: dict[str, tuple[set[str], set[str]]] = {}
    for view in views:
        for rel in relation_views(view):
            head, tail = view.spans[rel.head].label, view.spans[rel.tail].label
            if is_event_argument(rel.id):
                events.setdefault(head, {}).setdefault(rel.type, set()).add(tail)
                continue
            heads, tails = relation_ends.setdefault(rel.type, (set(), set()))
            heads.add(head)
            tails.add(tail)
        for span in view.spans:
            for name, value in span.ann.attrs.items():
                on, values = attributes.setdefault(name, (set(), set()))
                on.add(span.label)
                values.add(value)
        # newline="" keeps the text byte for byte (no "\n" -> os.linesep).
        with (folder / f"{view.id}.txt").open("w", encoding="utf-8", newline="") as out:
            out.write(view.text)
        with (folder / f"{view.id}.ann").open("w", encoding="utf-8", newline="") as out:
            for line in ann_lines(view):
                out.write(line + "\n")
        labels.update(s.label for s in view.spans)
        counts.records += 1
    conf = ["[entities]", *sorted(labels - set(events)), "", "[relations]",
            *(f"{name}\tArg1:{'|'.join(sorted(h))}, Arg2:{'|'.join(sorted(t))}"
              for name, (h, t) in sorted(relation_ends.items())),
            "", "[events]",
            *(f"{trigger}\t" + ", ".join(f"{role}:{'|'.join(sorted(on))}"
                                         for role, on in sorted(roles.items()))
              for trigger, roles in sorted(events.items())),
            "", "[attributes]",
            *(f"{name}\tArg:{'|'.join(sorted(on))}, Value:{'|'.join(sorted(values))}"
              for name, (on, values) in sorted(attributes.items())), ""]
    (folder / "annotation.conf").write_text("\n".join(conf), encoding="utf-8")
