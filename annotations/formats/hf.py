"""The `datasets.Features` of newsmark's native JSON lines, for Hugging Face `datasets`.

`load_dataset("json", data_files=...)` infers the schema from the file's
first block (about 10 MB) and casts every later block to it. A native
export is not uniform that early: `links` appear only on linked documents,
`reanchored` only on spans whose article changed, a `date` may be null in
every early record and set in a later one. So a big export can fail to
load with "Couldn't cast" or "column names don't match". Passing these
features makes every block load the same way::

    from annotations.formats.hf import native_features
    ds = load_dataset("json", data_files="train.jsonl", features=native_features())

`datasets` (through pyarrow) still reads ISO 8601 strings such as
`created` and `date` as timestamps, so they come back as
"2026-12-01 19:06:24": the offsets and texts are untouched. `datasets` is
imported only when this is called.
"""

from __future__ import annotations

from typing import Any


def native_features(unit: str = "document") -> Any:
    """Features of `newsmark export --format jsonl` records (`unit`: "document" or "sentence")."""
    from datasets import Features, Value

    try:
        from datasets import List  # datasets 4 and later
    except ImportError:  # older: a list of one feature means a list of them
        def List(feature: Any) -> Any:  # noqa: N802 - stands in for the class
            return [feature]

    if unit not in ("document", "sentence"):
        raise ValueError(f"unknown unit {unit!r}; choose document or sentence")
    string, integer, flag = Value("string"), Value("int64"), Value("bool")
    meta = {"path": string, "title": string, "source": string, "date": string}
    span = {name: integer for name in ("start", "end", "utf16_start", "utf16_end", "utf8_start",
                                       "utf8_end", "token_start", "token_end")}
    span.update({"aligned": flag, "label": string, "text": string, "id": string,
                 "annotator": string, "created": string, "note": string, "source": string,
                 "reanchored": string})
    record: dict[str, Any] = {
        "id": string,
        "text": string,
        "status": string,
        "tokens": List({"text": string, "start": integer, "end": integer, "id": integer,
                        "ws": flag}),
        "sentences": List({"start": integer, "end": integer}),
    }
    if unit == "sentence":
        meta.update({"doc_id": string, "sentence": integer, "doc_start": integer})
        span["clipped"] = flag
    else:
        record["links"] = List({name: string for name in (
            "id", "relation", "a_doc", "a_span", "b_doc", "b_span", "annotator", "created")})
    record["meta"] = meta
    record["spans"] = List(span)
    return Features(record)
