"""Gold sentences keyed by their text, never by offsets alone.

A gold pair names its two sentences by code-point spans into the cleaned
articles. Spans are fragile: a change to the cleaning (a boilerplate line
dropped, whitespace normalised) shifts every offset after it while the
corpus file, and so its checksum, stays the same, and the gold would then
score the aligner against the wrong sentences without a word. So each
sentence is also keyed by its text: the length and a SHA-256 prefix of the
text with its whitespace collapsed (`sentence_key`). The text itself is
never stored (the articles are not ours); the key only checks and finds.

`locate` finds a keyed sentence again: at its span when the text there
still has the key, else anywhere in the text (from any word start), so a
gold sentence survives offset shifts and new sentence boundaries alike
(the scorer matches gold and proposed sentences by overlap, not index).
"""

from __future__ import annotations

import hashlib
import re

_SPACE = re.compile(r"\s+")
_WORD_START = re.compile(r"(?<!\S)\S")


def _normal(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def sentence_key(text: str) -> str:
    """`LENGTH:HASH` of a sentence's text, whitespace collapsed."""
    normal = _normal(text)
    digest = hashlib.sha256(normal.encode("utf-8")).hexdigest()[:16]
    return f"{len(normal)}:{digest}"


def locate(text: str, key: str, span: tuple[int, int]) -> tuple[int, int] | None:
    """The span of `text` whose sentence has `key`: `span` itself when it
    still does, else the occurrence nearest `span`'s start; None when the
    text no longer holds that sentence."""
    if sentence_key(text[span[0]:span[1]]) == key:
        return span
    length_text, _, _ = key.partition(":")
    if not length_text.isdigit():
        raise ValueError(f"not a sentence key: {key!r}")
    length = int(length_text)
    found: list[tuple[int, int]] = []
    for m in _WORD_START.finditer(text):
        start = m.start()
        end = _end_of(text, start, length)
        if end is not None and sentence_key(text[start:end]) == key:
            found.append((start, end))
    if not found:
        return None
    return min(found, key=lambda s: abs(s[0] - span[0]))


def _end_of(text: str, start: int, length: int) -> int | None:
    """The end of the shortest text from `start` whose collapsed form has
    `length` characters (None when the text is too short)."""
    count = 0
    k = start
    in_space = False
    while k < len(text) and count < length:
        if text[k].isspace():
            if not in_space:
                count += 1
                in_space = True
        else:
            count += 1
            in_space = False
        k += 1
    if count < length or in_space:
        return None
    return k
