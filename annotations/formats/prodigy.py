"""Prodigy's task format, as `prodigy db-in` and `ner.manual`/`spans.manual` use it.

One task per document (or sentence)::

    {"text", "meta", "tokens": [{"text", "start", "end", "id", "ws"}],
     "spans": [{"start", "end", "token_start", "token_end", "label", "text", ...}],
     "_input_hash", "_task_hash", "answer": "accept"}

Offsets are code points (Prodigy is Python); `token_end` is inclusive.
Spans also carry `annotator` and `note` when they have one (Prodigy keeps
extra keys in spans as they are).

Hashes: Prodigy's own `set_hashes` uses MurmurHash over the JSON of the
input keys (`_input_hash`) and of the input hash plus the task keys
(`_task_hash`). newsmark computes its own stable 32-bit signed integers
over the same content, so that newsmark does not depend on `murmurhash`:

- `_input_hash` = first 4 bytes (big-endian, signed) of the SHA-256 of
  ``json.dumps({"text": text}, sort_keys=True, ensure_ascii=False)``;
- `_task_hash` = the same over ``json.dumps({"input": _input_hash, "spans":
  [[start, end, label], ...]}, sort_keys=True)``.

Equal texts get equal input hashes and equal annotations equal task hashes,
which is all Prodigy needs them for (deduplication, review grouping).

Relations are written as Prodigy's `rel.manual` writes them::

    "relations": [{"head": 7, "child": 2, "label": "said_by",
                   "head_span": {"start", "end", "token_start", "token_end", "label"},
                   "child_span": {...}}]

`head` and `child` are the index of each span's last token (`token_end`),
which is how spaCy's relation component reads them back. A span's
attribute values are its `attrs` (Prodigy keeps extra keys in spans).
Import finds a relation's spans by `head_span`/`child_span` offsets and
label, else by the last token.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from annotations.formats.common import (
    ParsedRecord,
    ParsedRelation,
    ParsedSpan,
    as_int,
    as_text,
    clean_meta,
)
from annotations.formats.native import parse_attrs, tokens_json
from annotations.formats.records import RecordView, SpanView, relation_views

# Meta keys newsmark reads back on import; other keys Prodigy shows and ignores.
DOC_KEYS = ("title", "source", "date", "path")


def stable_hash(value: Any) -> int:
    data = json.dumps(value, sort_keys=True, ensure_ascii=False).encode("utf-8")
    return int.from_bytes(hashlib.sha256(data).digest()[:4], "big", signed=True)


def input_hash(text: str) -> int:
    return stable_hash({"text": text})


def task_hash(in_hash: int, spans: list[tuple[int, int, str]]) -> int:
    return stable_hash({"input": in_hash, "spans": [list(s) for s in spans]})


def record(view: RecordView) -> dict[str, Any]:
    spans = []
    for span in view.spans:
        item: dict[str, Any] = {
            "start": span.start,
            "end": span.end,
            "token_start": span.token_start,
            "token_end": span.token_end,
            "label": span.label,
            "text": span.text,
        }
        if span.ann.annotator:
            item["annotator"] = span.ann.annotator
        if span.ann.note:
            item["note"] = span.ann.note
        if span.ann.attrs:
            item["attrs"] = dict(span.ann.attrs)
        spans.append(item)
    meta = clean_meta({k: view.meta.get(k) for k in DOC_KEYS})
    meta["doc_id"] = view.doc_id
    if view.sentence is not None:
        meta["sentence"] = view.sentence
        meta["doc_start"] = view.offset
    in_hash = input_hash(view.text)
    task = {
        "text": view.text,
        "meta": meta,
        "tokens": tokens_json(view),
        "spans": spans,
        "_input_hash": in_hash,
        "_task_hash": task_hash(in_hash, [(s.start, s.end, s.label) for s in view.spans]),
        "answer": "accept",
    }
    relations = [
        {"head": view.spans[r.head].token_end, "child": view.spans[r.tail].token_end,
         "head_span": _span_ref(view.spans[r.head]), "child_span": _span_ref(view.spans[r.tail]),
         "label": r.type}
        for r in relation_views(view)
    ]
    if relations:
        task["relations"] = relations
    return task


def _span_ref(span: SpanView) -> dict[str, Any]:
    return {"start": span.start, "end": span.end, "token_start": span.token_start,
            "token_end": span.token_end, "label": span.label}


def parse(obj: Any) -> ParsedRecord:
    if not isinstance(obj, dict):
        raise ValueError("a task must be a JSON object")
    text = as_text(obj.get("text"), "text")
    meta = obj.get("meta") or {}
    if not isinstance(meta, dict):
        raise ValueError("meta is not an object")
    parsed = ParsedRecord(text=text, meta={k: meta[k] for k in DOC_KEYS if k in meta})
    answer = obj.get("answer", "accept")
    if answer != "accept":
        parsed.skip = f"answer is {answer!r}, not 'accept'"
        return parsed
    spans = obj.get("spans") or []
    if not isinstance(spans, list):
        raise ValueError("spans is not a list")
    tokens = obj.get("tokens")
    by_last_token: dict[Any, str] = {}  # a span's last token -> its key (relations' ends)
    for i, span in enumerate(spans):
        try:
            if not isinstance(span, dict):
                raise ValueError("not an object")
            start, end = _offsets(span, tokens)
            parsed.spans.append(
                ParsedSpan(
                    start=start,
                    end=end,
                    label=as_text(span.get("label"), "label"),
                    text=span["text"] if isinstance(span.get("text"), str) else None,
                    annotator=span["annotator"] if isinstance(span.get("annotator"), str) else None,
                    note=span["note"] if isinstance(span.get("note"), str) else "",
                    attrs=parse_attrs(span.get("attrs")),
                    key=f"{start}:{end}:{span.get('label')}",
                )
            )
            by_last_token.setdefault(span.get("token_end"), parsed.spans[-1].key or "")
        except ValueError as err:
            parsed.problems.append(f"span {i + 1}: {err}")
    parsed.relations = _relations(obj.get("relations"), by_last_token, parsed)
    return parsed


def _relations(raw: Any, by_last_token: dict[Any, str],
               parsed: ParsedRecord) -> list[ParsedRelation]:
    """rel.manual relations, their ends named as the spans' keys (offsets and label)."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise ValueError("relations is not a list")
    out = []
    for i, rel in enumerate(raw, start=1):
        if not isinstance(rel, dict) or not isinstance(rel.get("label"), str):
            parsed.problems.append(f"relation {i}: not an object with a label")
            continue
        ends = []
        for side, token in (("head_span", "head"), ("child_span", "child")):
            ref = rel.get(side)
            ends.append(_key_of(ref) if isinstance(ref, dict)
                        else by_last_token.get(rel.get(token)))
        if None in ends:
            parsed.problems.append(f"relation {i} ({rel['label']}): no span of the task "
                                   "ends on its head or child token")
            continue
        out.append(ParsedRelation(type=rel["label"], head=str(ends[0]), tail=str(ends[1])))
    return out


def _key_of(span: dict[str, Any]) -> str | None:
    start, end = span.get("start"), span.get("end")
    if isinstance(start, int) and isinstance(end, int):
        return f"{start}:{end}:{span.get('label')}"
    return None


def _offsets(span: dict[str, Any], tokens: Any) -> tuple[int, int]:
    """Character offsets; from the tokens when a span gives only token indices."""
    if "start" in span or "end" in span:
        return as_int(span.get("start"), "start"), as_int(span.get("end"), "end")
    ts = as_int(span.get("token_start"), "token_start")
    te = as_int(span.get("token_end"), "token_end")
    if not isinstance(tokens, list) or not 0 <= ts <= te < len(tokens):
        raise ValueError(f"tokens {ts}-{te} are not in the task's tokens")
    try:
        return as_int(tokens[ts]["start"], "token start"), as_int(tokens[te]["end"], "token end")
    except (TypeError, KeyError) as err:
        raise ValueError(f"tokens {ts}-{te} have no offsets") from err
