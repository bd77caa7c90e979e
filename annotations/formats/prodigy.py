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
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from annotations.formats.common import ParsedRecord, ParsedSpan, as_int, as_text, clean_meta
from annotations.formats.native import tokens_json
from annotations.formats.records import RecordView

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
        spans.append(item)
    meta = clean_meta({k: view.meta.get(k) for k in DOC_KEYS})
    meta["doc_id"] = view.doc_id
    if view.sentence is not None:
        meta["sentence"] = view.sentence
        meta["doc_start"] = view.offset
    in_hash = input_hash(view.text)
    return {
        "text": view.text,
        "meta": meta,
        "tokens": tokens_json(view),
        "spans": spans,
        "_input_hash": in_hash,
        "_task_hash": task_hash(in_hash, [(s.start, s.end, s.label) for s in view.spans]),
        "answer": "accept",
    }


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
                )
            )
        except ValueError as err:
            parsed.problems.append(f"span {i + 1}: {err}")
    return parsed


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
