"""spaCy's binary training format: a ``.spacy`` DocBin.

Each document becomes a `Doc` whose text is exactly the document's text,
with spans in ``doc.spans["sc"]`` (claims overlap, so not ``doc.ents``;
``sc`` is the key spaCy's span categorizer reads) and sentence starts set
from newsmark's sentences. Tokens are newsmark's, split further wherever a
span starts or ends inside one, so every span is found by
``doc.char_span(start, end, alignment_mode="strict")``; whitespace other
than one space after a token becomes a whitespace token, as spaCy's own
tokenizer does. ``doc.user_data`` holds `doc_id`, `title`, `source`,
`date` and `path`.

Relations and attributes (a DocBin keeps user data, not span extensions):

- ``doc.user_data["newsmark_relations"]``: ``[{"id", "type", "head": [start,
  end, label], "tail": [start, end, label]}]``, character offsets of the
  two spans (``doc.char_span(start, end)`` gives each back);
- ``doc.user_data["newsmark_attrs"]``: ``[{"start", "end", "label",
  "attrs": {name: value}}]`` for the spans that have attribute values;
- ``doc.spans["NAME=VALUE"]``: the spans whose attribute NAME is VALUE
  (e.g. ``doc.spans["checkworthy=yes"]``), one group per value.

spaCy is an optional extra: ``pip install 'newsmark[spacy]'``.
"""

from __future__ import annotations

import shlex
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from annotations.formats import FormatError
from annotations.formats.records import Counts, RecordView, relation_views

SPAN_KEY = "sc"
RELATIONS_KEY = "newsmark_relations"
ATTRS_KEY = "newsmark_attrs"
INSTALL_HINT = "pip install 'newsmark[spacy]'"


def require_spacy() -> Any:
    try:
        import spacy
    except ImportError as err:
        # Into the Python that runs newsmark (a clone's .venv, say): a bare
        # `pip` may be another one's.
        here = shlex.quote(sys.executable)
        raise FormatError(
            "the spacy format needs spaCy, which is not installed; install it with "
            f"{INSTALL_HINT} (into this newsmark's Python: {here} -m pip install 'spacy>=3.7', "
            "or in a clone: .venv/bin/pip install -e '.[spacy]')"
        ) from err
    return spacy


def words_and_spaces(view: RecordView) -> tuple[list[str], list[bool], list[int]]:
    """spaCy words, their trailing-space flags and start offsets, rebuilding the text exactly."""
    text = view.text
    cuts: set[int] = set()
    for s, e in view.tokens:
        cuts.update((s, e))
    span_starts = {span.start for span in view.spans}
    span_ends = {span.end for span in view.spans}
    cuts |= span_starts | span_ends
    # Pieces of non-whitespace between cuts; whitespace between pieces as spaces/tokens.
    bounds = sorted(c for c in cuts if 0 < c < len(text))
    words: list[str] = []
    spaces: list[bool] = []
    starts: list[int] = []

    def add_gap(gap: str, at: int) -> None:
        # Whitespace after a word: one " " becomes its flag, the rest a token;
        # unless a span starts on that space or ends right after it, which
        # then needs a token of its own.
        if (words and not spaces[-1] and gap.startswith(" ")
                and at not in span_starts and at + 1 not in span_ends):
            spaces[-1] = True
            gap, at = gap[1:], at + 1
        if gap:
            words.append(gap)
            spaces.append(False)
            starts.append(at)

    prev = 0
    for cut in [*bounds, len(text)]:
        piece = text[prev:cut]
        # A piece may hold whitespace (between tokens): split it off.
        i = prev
        for part in _split_ws(piece):
            if part.isspace():
                add_gap(part, i)
            else:
                words.append(part)
                spaces.append(False)
                starts.append(i)
            i += len(part)
        prev = cut
    return words, spaces, starts


def _split_ws(piece: str) -> list[str]:
    parts: list[str] = []
    for ch in piece:
        if parts and parts[-1][-1].isspace() == ch.isspace():
            parts[-1] += ch
        else:
            parts.append(ch)
    return parts


def make_doc(nlp: Any, view: RecordView) -> Any:
    from spacy.tokens import Doc

    words, spaces, starts = words_and_spaces(view)
    sentence_starts = {s for s, _ in view.sentences}
    sent_starts = [i == 0 or start in sentence_starts for i, start in enumerate(starts)]
    doc = Doc(nlp.vocab, words=words, spaces=spaces, sent_starts=sent_starts)
    if doc.text != view.text:  # cannot happen: words and spaces rebuild the text
        raise FormatError(f"{view.id}: spaCy's Doc does not reproduce the text")
    spans = []
    for span in view.spans:
        found = doc.char_span(span.start, span.end, label=span.label, alignment_mode="strict")
        if found is None:
            raise FormatError(f"{view.id}: span [{span.start}, {span.end}) is not on token bounds")
        spans.append(found)
    doc.spans[SPAN_KEY] = spans
    groups: dict[str, list[Any]] = {}
    attrs = []
    for span, found in zip(view.spans, spans, strict=True):
        if span.ann.attrs:
            attrs.append({"start": span.start, "end": span.end, "label": span.label,
                          "attrs": dict(span.ann.attrs)})
            for name, value in sorted(span.ann.attrs.items()):
                groups.setdefault(f"{name}={value}", []).append(found)
    for key, group in groups.items():
        doc.spans[key] = group
    relations = [
        {"id": r.id, "type": r.type,
         "head": [view.spans[r.head].start, view.spans[r.head].end, view.spans[r.head].label],
         "tail": [view.spans[r.tail].start, view.spans[r.tail].end, view.spans[r.tail].label]}
        for r in relation_views(view)
    ]
    if relations:
        doc.user_data[RELATIONS_KEY] = relations
    if attrs:
        doc.user_data[ATTRS_KEY] = attrs
    doc.user_data["doc_id"] = view.doc_id
    for key in ("title", "source", "date", "path"):
        if view.meta.get(key) is not None:
            doc.user_data[key] = view.meta[key]
    return doc


def write(views: Iterable[RecordView], path: Path, counts: Counts) -> None:
    spacy = require_spacy()
    from spacy.tokens import DocBin

    nlp = spacy.blank("en")
    docbin = DocBin(store_user_data=True)
    for view in views:
        docbin.add(make_doc(nlp, view))
        counts.records += 1
    path.write_bytes(docbin.to_bytes())
