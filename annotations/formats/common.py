"""Pieces the JSON-lines formats share: parsed records and span checks."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from annotations.formats import FormatError


@dataclass(slots=True)
class ParsedSpan:
    """A span read from a file, offsets already in code points."""

    start: int
    end: int
    label: str
    text: str | None = None  # the span's text, when the record states it
    id: str | None = None
    annotator: str | None = None
    created: str | None = None
    note: str = ""
    source: str | None = None
    reanchored: str = ""  # "moved" / "fuzzy" / "placed": the article changed under it
    fragments: tuple[tuple[int, int], ...] = ()  # a discontinuous span's pieces


@dataclass(slots=True)
class ParsedRecord:
    """One record read from a file: its text, metadata and spans."""

    text: str
    meta: dict[str, Any] = field(default_factory=dict)
    status: str | None = None
    spans: list[ParsedSpan] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # spans skipped, and why
    skip: str | None = None  # why the whole record is left out (e.g. a rejected task)
    id: str | None = None  # the document id the record states (native records)
    links: list[dict[str, Any]] = field(default_factory=list)  # native `links`, as written
    # Spans past a character outside the BMP, read as UTF-16 (doccano): their
    # code points differ from the numbers in the file.
    utf16_shifted: bool = False


def write_json_lines(records: Iterable[dict[str, Any]], out: TextIO) -> int:
    count = 0
    for record in records:
        out.write(json.dumps(record, ensure_ascii=False))
        out.write("\n")
        count += 1
    return count


def read_json_lines(path: Path) -> Iterator[tuple[int, Any]]:
    """(line number, parsed object) per non-blank line; FormatError on bad JSON."""
    try:
        # newline="\n": lines end at "\n" only; a lone "\r" is not a line end.
        handle = path.open(encoding="utf-8-sig", newline="\n")
    except OSError as err:
        raise FormatError(f"{path}: cannot read it ({err.strerror or err})") from err
    with handle:
        try:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    yield number, json.loads(line)
                except ValueError as err:
                    raise FormatError(f"{path}, line {number}: not JSON ({err})") from err
        except UnicodeDecodeError as err:
            raise FormatError(f"{path}: not UTF-8 text ({err.reason})") from err


def as_int(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{what} is not an integer: {value!r}")
    return value


def as_text(value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{what} is not a string: {value!r}")
    return value


def clean_meta(meta: dict[str, Any]) -> dict[str, Any]:
    """Metadata without empty values, so records stay short and round trips exact."""
    return {k: v for k, v in meta.items() if v is not None}
