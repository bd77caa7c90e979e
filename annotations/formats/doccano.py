"""doccano's sequence-labelling JSON lines.

One record per document (or sentence)::

    {"text": "...", "label": [[start, end, "LABEL"], ...], "doc_id": ..., "title": ...}

How doccano counts: its annotation screen indexes the text as JavaScript
does, so in a sequence-labelling project without "Count grapheme clusters
as one character" (`grapheme_mode`, off by default) offsets are **UTF-16
code units** (doccano issue #2290: "👨🏻‍🚒 firemen drive firetrucks" has
"firetrucks" at 22-32 in doccano, 19-29 in Python). So newsmark writes and
reads UTF-16 offsets by default; ``--doccano-offsets codepoints`` switches
to Python indices, for scripts that made the file in Python. The two agree
on every text without characters outside the Basic Multilingual Plane
(emoji, some CJK). Grapheme-cluster mode is not supported.

A record with relations is written as doccano's relation-extraction
projects export it: spans as ``entities`` with ids, and ``relations``::

    {"text": "...", "entities": [{"id": 1, "label": "quote", "start_offset": 1,
     "end_offset": 29}, ...], "relations": [{"id": 1, "from_id": 1, "to_id": 2,
     "type": "said_by"}], "doc_id": ...}

(ids count from 1 within the record; offsets as above). Import reads
both shapes. doccano has no attributes on spans: they are not written.

Keys other than `text` and `label` become the document's metadata in
doccano; newsmark writes `doc_id`, `title`, `source`, `date` and `path`
there (when known) and reads them back on import. A record's own `id`
(doccano exports one per example) is kept as the document's `record_id`
and written back as `id` on export. Import also takes
`data` for `text`, `labels`/`entities` for `label`, and spans as objects
(`{"start_offset", "end_offset", "label"}`, as doccano's API gives them).
"""

from __future__ import annotations

from typing import Any

from annotations.formats.common import (
    ParsedRecord,
    ParsedRelation,
    ParsedSpan,
    as_int,
    as_text,
    clean_meta,
)
from annotations.formats.offsets import OffsetTable
from annotations.formats.records import RecordView, relation_views

DOC_KEYS = ("title", "source", "date", "path")


def record(view: RecordView, offsets: str = "utf16") -> dict[str, Any]:
    table = view.offsets
    relations = relation_views(view)
    out: dict[str, Any] = {"text": view.text}
    if relations:
        out["entities"] = [
            {"id": i, "label": s.label, "start_offset": table.convert(s.start, offsets),
             "end_offset": table.convert(s.end, offsets)}
            for i, s in enumerate(view.spans, start=1)
        ]
        out["relations"] = [{"id": i, "from_id": r.head + 1, "to_id": r.tail + 1, "type": r.type}
                            for i, r in enumerate(relations, start=1)]
    else:
        out["label"] = [
            [table.convert(s.start, offsets), table.convert(s.end, offsets), s.label]
            for s in view.spans
        ]
    out["doc_id"] = view.doc_id
    out.update(clean_meta({k: view.meta.get(k) for k in DOC_KEYS}))
    if (record_id := view.meta.get("record_id")) is not None:
        # The record's own id in the doccano project it was imported from.
        out["id"] = int(record_id) if record_id.isdigit() else record_id
    if view.sentence is not None:
        out["sentence"] = view.sentence
        out["doc_start"] = view.offset
    return out


def parse(obj: Any, offsets: str = "utf16") -> ParsedRecord:
    if not isinstance(obj, dict):
        raise ValueError("a record must be a JSON object")
    text = as_text(obj.get("text", obj.get("data")), "text")
    parsed = ParsedRecord(text=text, meta={k: obj[k] for k in DOC_KEYS if k in obj})
    if isinstance(obj.get("id"), (int, str)) and not isinstance(obj["id"], bool):
        parsed.meta["record_id"] = str(obj["id"])  # kept, and written back on export
    raw = next((obj[k] for k in ("label", "labels", "entities") if k in obj), [])
    if not isinstance(raw, list):
        raise ValueError("label is not a list")
    table = OffsetTable(text) if offsets != "codepoints" else None
    for i, item in enumerate(raw):
        try:
            if isinstance(item, list) and len(item) == 3:
                s, e, label = item
            elif isinstance(item, dict):
                s = item.get("start_offset", item.get("start"))
                e = item.get("end_offset", item.get("end"))
                label = item.get("label")
            else:
                raise ValueError("not [start, end, label]")
            key = str(item["id"]) if isinstance(item, dict) and "id" in item else None
            s, e = as_int(s, "start"), as_int(e, "end")
            label = as_text(label, "label")
            if table is not None:
                if not 0 <= s < e <= table.utf16_length:
                    raise ValueError(
                        f"[{s}, {e}) is outside the text (0-{table.utf16_length} UTF-16 units)"
                    )
                cs, ce = table.from_utf16(s), table.from_utf16(e)
                parsed.utf16_shifted |= (cs, ce) != (s, e)
                s, e = cs, ce
            parsed.spans.append(ParsedSpan(start=s, end=e, label=label, key=key))
        except ValueError as err:
            parsed.problems.append(f"label {i + 1}: {err}")
    relations = obj.get("relations") or []
    if not isinstance(relations, list):
        raise ValueError("relations is not a list")
    for i, rel in enumerate(relations, start=1):
        if not (isinstance(rel, dict) and isinstance(rel.get("type"), str)
                and "from_id" in rel and "to_id" in rel):
            parsed.problems.append(f"relation {i}: needs from_id, to_id and type")
            continue
        parsed.relations.append(ParsedRelation(type=rel["type"], head=str(rel["from_id"]),
                                               tail=str(rel["to_id"])))
    return parsed
