"""Finding text in a document: plain and case-insensitive, or a regex with `re:`."""

from __future__ import annotations

import re
from dataclasses import dataclass

from annotations.errors import NewsmarkError

REGEX_PREFIX = "re:"
# A search that matches everywhere ("e") on a 10 MB article would build
# millions of highlights; past this many, the person should narrow it.
MAX_MATCHES = 10_000


class SearchError(NewsmarkError):
    """A search the person typed cannot run (a bad regular expression)."""


def compile_query(query: str) -> re.Pattern[str]:
    """Plain text matches case-insensitively; `re:PATTERN` is a regex.

    Plain text goes through `re.escape` + IGNORECASE rather than
    `str.casefold`, because casefolding changes lengths ("ß" -> "ss") and
    the offsets would drift from the text.
    """
    if query.startswith(REGEX_PREFIX):
        try:
            return re.compile(query[len(REGEX_PREFIX):], re.IGNORECASE | re.MULTILINE)
        except re.error as err:
            raise SearchError(f"not a valid regular expression: {err}") from err
    return re.compile(re.escape(query), re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Found:
    """What a search found: its non-empty matches, and whether it matched
    only empty text (`re:^`, `re:\\b`: a pattern that matches, with nothing to show)."""

    matches: list[tuple[int, int]]
    only_empty: bool = False


def find(text: str, query: str) -> Found:
    """Every non-empty match of `query` in `text` (at most MAX_MATCHES), and
    whether it matched only empty text (so "not found" would not be true)."""
    if not query or query == REGEX_PREFIX:
        return Found([])
    matches: list[tuple[int, int]] = []
    empty = False
    for match in compile_query(query).finditer(text):
        if match.end() > match.start():
            matches.append(match.span())
            if len(matches) >= MAX_MATCHES:
                break
        else:
            empty = True
    return Found(matches, only_empty=empty and not matches)


def find_all(text: str, query: str) -> list[tuple[int, int]]:
    """Every non-empty match of `query` in `text`, at most MAX_MATCHES."""
    return find(text, query).matches
