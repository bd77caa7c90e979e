"""Finding text in a document: plain and case-insensitive, or a regex with `re:`.

Patterns are compiled with the `regex` module (Python's `re` syntax), not
`re`: a pattern that backtracks without end held the reader for good (`re`
cannot be stopped, and it holds the interpreter while it runs), where
`regex` stops a search after `SEARCH_SECONDS` and says so.
"""

from __future__ import annotations

from dataclasses import dataclass

import regex

from annotations.errors import NewsmarkError

REGEX_PREFIX = "re:"
# A search that matches everywhere ("e") on a 10 MB article would build
# millions of highlights; past this many, the person should narrow it.
MAX_MATCHES = 10_000
# The longest a search may take: a plain search of a 10 MB article takes
# a few milliseconds, so only a pattern that backtracks gets near it.
SEARCH_SECONDS = 2.0


class SearchError(NewsmarkError):
    """A search the person typed cannot run (a bad regular expression)."""


def compile_query(query: str) -> regex.Pattern[str]:
    """Plain text matches case-insensitively; `re:PATTERN` is a regex.

    Plain text goes through `regex.escape` + IGNORECASE (simple case
    folding) rather than `str.casefold`, because casefolding changes
    lengths ("ß" -> "ss") and the offsets would drift from the text.
    """
    if query.startswith(REGEX_PREFIX):
        try:
            return regex.compile(query[len(REGEX_PREFIX):], regex.IGNORECASE | regex.MULTILINE)
        except regex.error as err:
            raise SearchError(f"not a valid regular expression: {err}") from err
        except (RecursionError, OverflowError, ValueError) as err:
            # A thousand nested groups, a repeat count past any length: the
            # compiler gives up in its own way, which was an internal error.
            raise SearchError(f"not a regular expression newsmark can run: "
                              f"{type(err).__name__}: {err}") from err
    return regex.compile(regex.escape(query), regex.IGNORECASE)


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
    try:
        for match in compile_query(query).finditer(text, timeout=SEARCH_SECONDS):
            if match.end() > match.start():
                matches.append(match.span())
                if len(matches) >= MAX_MATCHES:
                    break
            else:
                empty = True
    except TimeoutError as err:
        raise SearchError(f"the search took more than {SEARCH_SECONDS:g} s and was stopped: "
                          "the pattern backtracks too much; make it more specific") from err
    return Found(matches, only_empty=empty and not matches)


def find_all(text: str, query: str) -> list[tuple[int, int]]:
    """Every non-empty match of `query` in `text`, at most MAX_MATCHES."""
    return find(text, query).matches
