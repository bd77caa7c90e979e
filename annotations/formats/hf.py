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

Spans' `attrs` are typed as a struct of the attribute names a project
declares (default: those of the default labels); pass yours as
`native_features(attributes=[...])`, e.g. every name of your
`newsmark.toml` (`[a.name for label in config.labels for a in label.attributes]`).
Records' `relations` are a list of `{id, type, head, tail}` strings.

`datasets` (through pyarrow) still reads ISO 8601 strings such as
`created` and `date` as timestamps, so they come back as
"2026-12-01 19:06:24": the offsets and texts are untouched. `datasets` is
imported only when this is called.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def native_features(unit: str = "document", attributes: Iterable[str] | None = None) -> Any:
    """Features of `newsmark export --format jsonl` records (`unit`: "document" or "sentence").

    `attributes`: the names spans' `attrs` may hold (default: the default labels' ones).
    """
    from datasets import Features, Value

    try:
        from datasets import List  # datasets 4 and later
    except ImportError:  # older: a list of one feature means a list of them
        def List(feature: Any) -> Any:  # noqa: N802 - stands in for the class
            return [feature]

    if unit not in ("document", "sentence"):
        raise ValueError(f"unknown unit {unit!r}; choose document or sentence")
    string, integer, flag = Value("string"), Value("int64"), Value("bool")
    # The last four are in a record only when set (how a file was read and
    # cleaned, the id its record had where it was imported from): declared
    # here, a record with them loads, and one without has them null.
    meta = {name: string for name in ("path", "title", "source", "date", "encoding",
                                      "repaired", "cleaned", "record_id", "raw")}
    span = {name: integer for name in ("start", "end", "utf16_start", "utf16_end", "utf8_start",
                                       "utf8_end", "token_start", "token_end")}
    span.update({"aligned": flag, "label": string, "text": string, "id": string,
                 "annotator": string, "created": string, "note": string, "source": string,
                 "reanchored": string})
    if attributes is None:
        from annotations.labels import DEFAULT_LABELS

        attributes = [a.name for label in DEFAULT_LABELS for a in label.attributes]
    names = sorted(set(attributes))
    if names:
        span["attrs"] = {name: string for name in names}
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
    record["relations"] = List({name: string for name in ("id", "type", "head", "tail")})
    return Features(record)
