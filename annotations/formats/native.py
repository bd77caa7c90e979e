"""newsmark's own JSON lines: everything the store knows, in three offset systems.

One record per document (or per sentence with ``--unit sentence``)::

    {"id", "text", "meta", "status",
     "tokens": [{"text", "start", "end", "id", "ws"}],
     "sentences": [{"start", "end"}],
     "spans": [{"id", "start", "end", "utf16_start", "utf16_end",
                "utf8_start", "utf8_end", "token_start", "token_end", "aligned",
                "label", "text", "annotator", "created", "note", "source"}]}

`start`/`end` are code points (Python ``str`` indices), end exclusive;
`utf16_*` are UTF-16 code units (JavaScript's ``String`` indices) and
`utf8_*` are byte offsets into the UTF-8 encoded text. `token_end` is
inclusive, as in Prodigy. A discontinuous span (imported from brat) adds
`"fragments": [[start, end], ...]`, its pieces in code points, within
`start`/`end`. Sentence records add `"clipped"` per span and
`meta.doc_id`, `meta.sentence`, `meta.doc_start`.
"""

from __future__ import annotations

import json
from json.encoder import encode_basestring
from typing import Any

from annotations.formats.common import ParsedRecord, ParsedSpan, as_int, as_text
from annotations.formats.offsets import OffsetTable
from annotations.formats.records import RecordView
from annotations.segmentation import SpanArray

# `json.dumps(obj, ensure_ascii=False)`, the encoder every JSON-lines format
# writes with.
_encode = json.JSONEncoder(ensure_ascii=False).encode

_JSON_BOOL = ("false", "true")


def tokens_json(view: RecordView) -> list[dict[str, Any]]:
    text = view.text
    n = len(text)
    # `ws`: whitespace follows the token (Prodigy's and spaCy's `ws`), computed
    # inline: a method call per token was a third of this function's time.
    return [
        {"text": text[s:e], "start": s, "end": e, "id": i, "ws": e < n and text[e].isspace()}
        for i, (s, e) in enumerate(view.tokens)
    ]


# `line` writes the JSON itself, without a dict per token and span: tokens
# are half of a record's bytes, and building and encoding a dict for each
# token and span was half of an export. Every string goes through the
# encoder's own string function and every other value through the encoder,
# so the bytes are those of `_encode(record(view))` (tests compare them).


def _tokens_text(view: RecordView) -> str:
    tokens = view.tokens
    if isinstance(tokens, SpanArray):
        starts: Any = tokens.starts
        ends: Any = tokens.ends
    else:
        starts = [s for s, _ in tokens]
        ends = [e for _, e in tokens]
    text = view.text
    after = text + "x"  # a non-space after the text: the last token's `ws`
    enc, json_bool = encode_basestring, _JSON_BOOL
    return "[" + ", ".join([
        f'{{"text": {enc(text[s:e])}, "start": {s}, "end": {e}, "id": {i}, '
        f'"ws": {json_bool[after[e].isspace()]}}}'
        for i, s, e in zip(range(len(starts)), starts, ends)
    ]) + "]"


def _value(value: Any) -> str:
    return encode_basestring(value) if type(value) is str else _encode(value)


def _spans_text(view: RecordView) -> str:
    # id, label, text and created are strings (`Annotation`; `Store.annotation_rows`
    # checks them); the other fields are encoded as whatever they hold.
    table = view.offsets
    enc, json_bool, value = encode_basestring, _JSON_BOOL, _value
    sentence = view.sentence is not None
    items = []
    for span in view.spans:
        ann = span.ann
        start, end = span.start, span.end
        u16s, u16e, u8s, u8e = table.span_offsets(start, end)
        first, last = span.token_start, span.token_end
        tail = f', "reanchored": {value(ann.reanchored)}' if ann.reanchored else ""
        if ann.fragments and (pieces := _fragments(span, view)):
            tail += ', "fragments": ' + _encode(pieces)
        if sentence:
            tail += f', "clipped": {json_bool[span.clipped]}'
        items.append(
            f'{{"id": {enc(ann.id)}, "start": {start}, "end": {end}, '
            f'"utf16_start": {u16s}, "utf16_end": {u16e}, '
            f'"utf8_start": {u8s}, "utf8_end": {u8e}, '
            f'"token_start": {"null" if first is None else first}, '
            f'"token_end": {"null" if last is None else last}, '
            f'"aligned": {json_bool[span.aligned]}, '
            f'"label": {enc(span.label)}, "text": {enc(span.text)}, '
            f'"annotator": {enc(a) if type(a := ann.annotator) is str else value(a)}, '
            f'"created": {enc(ann.created)}, '
            f'"note": {enc(a) if type(a := ann.note) is str else value(a)}, '
            f'"source": {enc(a) if type(a := ann.source) is str else value(a)}{tail}}}'
        )
    return "[" + ", ".join(items) + "]"


def line(view: RecordView, links: list[dict[str, Any]] | None = None) -> str:
    """`record(view)` (plus `links`) as one JSON line: `_encode` of it, byte for byte."""
    parts = [
        _encode(_record_head(view))[:-1],  # '{"id": ..., "status": ...' without its "}"
        ', "tokens": ',
        _tokens_text(view),
        ', "sentences": ',
        _encode(_sentences(view)),
        ', "spans": ',
        _spans_text(view),
    ]
    if links is not None:
        parts += [', "links": ', _encode(links)]
    parts.append("}")
    return "".join(parts)


def _record_head(view: RecordView) -> dict[str, Any]:
    return {"id": view.id, "text": view.text, "meta": view.meta, "status": view.status}


def _sentences(view: RecordView) -> list[dict[str, int]]:
    return [{"start": s, "end": e} for s, e in view.sentences]


def record(view: RecordView) -> dict[str, Any]:
    return {
        **_record_head(view),
        "tokens": tokens_json(view),
        "sentences": _sentences(view),
        "spans": _spans(view),
    }


def _spans(view: RecordView) -> list[dict[str, Any]]:
    table = view.offsets
    spans = []
    for span in view.spans:
        ann = span.ann
        start, end = span.start, span.end
        u16s, u16e, u8s, u8e = table.span_offsets(start, end)
        item: dict[str, Any] = {
            "id": ann.id,
            "start": start,
            "end": end,
            "utf16_start": u16s,
            "utf16_end": u16e,
            "utf8_start": u8s,
            "utf8_end": u8e,
            "token_start": span.token_start,
            "token_end": span.token_end,
            "aligned": span.aligned,
            "label": span.label,
            "text": span.text,
            "annotator": ann.annotator,
            "created": ann.created,
            "note": ann.note,
            "source": ann.source,
        }
        if ann.reanchored:
            # The article changed after tagging and the span was found again.
            item["reanchored"] = ann.reanchored
        if ann.fragments and (pieces := _fragments(span, view)):
            # A discontinuous span (from brat): its pieces, in this record's offsets.
            item["fragments"] = pieces
        if view.sentence is not None:
            item["clipped"] = span.clipped
        spans.append(item)
    return spans


def _fragments(span: Any, view: RecordView) -> list[list[int]]:
    """A discontinuous span's pieces in the record's offsets (cut to a clipped span)."""
    shift = span.start - span.ann.start
    pieces = [[max(a + shift, span.start), min(b + shift, span.end)]
              for a, b in span.ann.fragments]
    pieces = [p for p in pieces if p[0] < p[1]]
    return pieces if len(pieces) > 1 else []


def parse(obj: Any) -> ParsedRecord:
    """A native record back into text, metadata and spans (code points)."""
    if not isinstance(obj, dict):
        raise ValueError("a record must be a JSON object")
    text = as_text(obj.get("text"), "text")
    meta = obj.get("meta") or {}
    if not isinstance(meta, dict):
        raise ValueError("meta is not an object")
    status = obj.get("status")
    parsed = ParsedRecord(text=text, meta=meta, status=status if isinstance(status, str) else None,
                          id=_opt_str(obj.get("id")))
    links = obj.get("links") or []
    if not isinstance(links, list):
        raise ValueError("links is not a list")
    parsed.links = [link for link in links if isinstance(link, dict)]
    if len(parsed.links) != len(links):
        parsed.problems.append("links: an item is not an object; left out")
    spans = obj.get("spans") or []
    if not isinstance(spans, list):
        raise ValueError("spans is not a list")
    table: OffsetTable | None = None
    for i, span in enumerate(spans):
        try:
            if not isinstance(span, dict):
                raise ValueError("not an object")
            item = ParsedSpan(
                start=as_int(span.get("start"), "start"),
                end=as_int(span.get("end"), "end"),
                label=as_text(span.get("label"), "label"),
                text=_opt_str(span.get("text")),
                id=_opt_str(span.get("id")),
                annotator=_opt_str(span.get("annotator")),
                created=_opt_str(span.get("created")),
                note=_opt_str(span.get("note")) or "",
                source=_opt_str(span.get("source")),
                reanchored=_opt_str(span.get("reanchored")) or "",
                fragments=_parse_fragments(span.get("fragments")),
            )
            if 0 <= item.start < item.end <= len(text) and not _OTHER_SYSTEMS.isdisjoint(span):
                # (else the importer reports bounds; a span without other
                # offsets, the usual case, needs no offset table)
                table = table or OffsetTable(text)
                check_other_systems(table, span, item.start, item.end)
        except ValueError as err:
            parsed.problems.append(f"span {i + 1}: {err}")
            continue
        parsed.spans.append(item)
    return parsed


def _parse_fragments(value: Any) -> tuple[tuple[int, int], ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(
            isinstance(p, list) and len(p) == 2 and all(type(x) is int for x in p)
            for p in value):
        raise ValueError("fragments must be a list of [start, end] pairs")
    return tuple((a, b) for a, b in value)


_OTHER_SYSTEMS = frozenset({"utf16_start", "utf16_end", "utf8_start", "utf8_end"})


def _opt_str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def check_other_systems(table: OffsetTable, raw: dict[str, Any], start: int, end: int) -> None:
    """When a span carries UTF-16 or UTF-8 offsets, they must name the same characters."""
    for system in ("utf16", "utf8"):
        s, e = raw.get(f"{system}_start"), raw.get(f"{system}_end")
        if s is None and e is None:
            continue
        s, e = as_int(s, f"{system}_start"), as_int(e, f"{system}_end")
        want = (table.convert(start, system), table.convert(end, system))
        if (s, e) != want:
            raise ValueError(
                f"{system} offsets [{s}, {e}) disagree with code points [{start}, {end}) "
                f"(expected [{want[0]}, {want[1]}))"
            )
