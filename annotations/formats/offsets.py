"""Code points, UTF-16 code units and UTF-8 bytes: one text, three offset systems.

newsmark stores code-point offsets (Python ``str`` indices). JavaScript
tools (and doccano's default mode) count UTF-16 code units; byte-oriented
readers count UTF-8 bytes. The systems differ only after a non-ASCII
character, so an `OffsetTable` records just those characters' positions
with cumulative extra widths, and converts any offset with one bisection:
O(log k) per offset for k non-ASCII characters, O(1) for ASCII texts.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right

_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


class OffsetError(ValueError):
    """An offset that does not fall on a character boundary, or is out of bounds."""


class OffsetTable:
    """Offset conversions for one text, built once per document."""

    __slots__ = ("length", "utf16_length", "utf8_length", "_astral", "_astral16",
                 "_wide", "_extra8", "_ends8")

    def __init__(self, text: str) -> None:
        self.length = len(text)
        # Characters outside the BMP: two UTF-16 code units (a surrogate pair).
        self._astral = [m.start() for m in _ASTRAL.finditer(text)]
        self._astral16 = [cp + i for i, cp in enumerate(self._astral)]
        # Non-ASCII characters: 2-4 UTF-8 bytes. _extra8[i] = extra bytes of
        # the first i of them; _ends8[i] = byte offset just after the i-th.
        self._wide: list[int] = []
        self._extra8 = [0]
        self._ends8: list[int] = []
        extra = 0
        for m in _NON_ASCII.finditer(text):
            cp = m.start()
            code = ord(m.group())
            width = 2 if code < 0x800 else 3 if code < 0x10000 else 4
            self._wide.append(cp)
            self._ends8.append(cp + extra + width)
            extra += width - 1
            self._extra8.append(extra)
        self.utf16_length = self.length + len(self._astral)
        self.utf8_length = self.length + extra

    def _check(self, cp: int) -> None:
        if not 0 <= cp <= self.length:
            raise OffsetError(f"offset {cp} is outside the text (0-{self.length})")

    def to_utf16(self, cp: int) -> int:
        self._check(cp)
        return cp + bisect_left(self._astral, cp)

    def to_utf8(self, cp: int) -> int:
        self._check(cp)
        return cp + self._extra8[bisect_left(self._wide, cp)]

    def span_offsets(self, start: int, end: int) -> tuple[int, int, int, int]:
        """(UTF-16 start, UTF-16 end, UTF-8 start, UTF-8 end) of a code-point span.

        One call per span for exports; an ASCII text (most news in English)
        counts the same in all three systems and is returned as it is.
        """
        self._check(start)
        self._check(end)
        if not self._wide:
            return start, end, start, end
        astral, wide, extra8 = self._astral, self._wide, self._extra8
        if astral:
            u16s, u16e = start + bisect_left(astral, start), end + bisect_left(astral, end)
        else:
            u16s, u16e = start, end
        return (u16s, u16e, start + extra8[bisect_left(wide, start)],
                end + extra8[bisect_left(wide, end)])

    def from_utf16(self, unit: int) -> int:
        """The code point at UTF-16 offset `unit`; OffsetError inside a surrogate pair."""
        if not 0 <= unit <= self.utf16_length:
            raise OffsetError(f"UTF-16 offset {unit} is outside the text (0-{self.utf16_length})")
        k = bisect_left(self._astral16, unit)  # astral characters starting before `unit`
        if k and self._astral16[k - 1] + 1 == unit:
            raise OffsetError(f"UTF-16 offset {unit} splits a surrogate pair")
        return unit - k

    def from_utf8(self, byte: int) -> int:
        """The code point at UTF-8 offset `byte`; OffsetError inside a character."""
        if not 0 <= byte <= self.utf8_length:
            raise OffsetError(f"UTF-8 offset {byte} is outside the text (0-{self.utf8_length})")
        k = bisect_right(self._ends8, byte)  # wide characters ending at or before `byte`
        if k < len(self._wide) and self._wide[k] + self._extra8[k] < byte:
            raise OffsetError(f"UTF-8 offset {byte} falls inside a character")
        return byte - self._extra8[k]

    def convert(self, offset: int, system: str) -> int:
        """`offset` (code points) in `system`: "codepoints", "utf16" or "utf8"."""
        if system == "codepoints":
            self._check(offset)
            return offset
        if system == "utf16":
            return self.to_utf16(offset)
        if system == "utf8":
            return self.to_utf8(offset)
        raise ValueError(f"unknown offset system {system!r}")

