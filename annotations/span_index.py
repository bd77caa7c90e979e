"""Which spans overlap a range, found by bisection: one index for every kind of span.

Spans (annotations, suggestions, search matches, counterpart sentences,
margin marks) are kept sorted by start, with the length of the longest.
A span overlapping [start, end) must start before `end` and no earlier
than `start - longest`, so a lookup bisects to that window and looks only
at the spans in it: drawing a row of a 10 MB article with 10,000
annotations looks at the few near the row, not all of them.

After a removal the longest length may stay too long: still correct, the
window is only wider than it need be.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Iterator
from operator import attrgetter
from typing import Generic, TypeVar

T = TypeVar("T")


def _tuple_span(item: tuple[int, int]) -> tuple[int, int]:
    return item


_start_end = attrgetter("start", "end")


class SpanIndex(Generic[T]):
    """Items with a (start, end) span, end exclusive, sorted by start.

    `span(item)` gives an item's span; by default its `start` and `end`
    attributes. `SpanIndex.of_ranges` holds plain (start, end) tuples.
    """

    def __init__(self, items: Iterable[T] = (),
                 span: Callable[[T], tuple[int, int]] = _start_end) -> None:
        self._span = span
        spans = [(span(item), item) for item in items]
        # Sorted by start only (a C-level key): 10,000 annotations arrive
        # sorted already, and the order among equal starts does not matter.
        spans.sort(key=lambda pair: pair[0][0])
        self.items: list[T] = [item for _, item in spans]
        self._starts = [s for (s, _e), _ in spans]
        self._ends = [e for (_s, e), _ in spans]
        self._longest = max((e - s for (s, e), _ in spans), default=0)

    @classmethod
    def of_ranges(cls, ranges: Iterable[tuple[int, int]]) -> SpanIndex[tuple[int, int]]:
        return SpanIndex(ranges, span=_tuple_span)

    @property
    def starts(self) -> list[int]:
        """The items' starts, ascending (do not change the list)."""
        return self._starts

    def __len__(self) -> int:
        return len(self.items)

    def __bool__(self) -> bool:
        return bool(self.items)

    def __iter__(self) -> Iterator[T]:
        return iter(self.items)

    def _window(self, start: int, end: int) -> range:
        return range(bisect_left(self._starts, start - self._longest),
                     bisect_left(self._starts, end))

    def overlapping(self, start: int, end: int) -> list[T]:
        """Items whose span overlaps [start, end), in order of start."""
        ends, items = self._ends, self.items
        return [items[i] for i in self._window(start, end) if ends[i] > start]

    def touches(self, start: int, end: int) -> bool:
        """Does any span overlap the row [start, end)? An empty row counts as
        the one character at `start` (a blank line inside a span)."""
        ends = self._ends
        return any(ends[i] > start for i in self._window(start, max(end, start + 1)))

    def clipped(self, start: int, end: int) -> list[tuple[int, int]]:
        """The overlapping spans cut to [start, end)."""
        starts, ends = self._starts, self._ends
        return [(max(starts[i], start), min(ends[i], end))
                for i in self._window(start, end) if ends[i] > start]

    def insert(self, item: T) -> None:
        """Add `item` in order of start, and among equal starts the longer
        first, as a store lists them (a span put back by an undo went after
        the others of its start, and the Annotations list swapped two rows)."""
        start, end = self._span(item)
        starts, ends = self._starts, self._ends
        index = bisect_left(starts, start)
        while index < len(starts) and starts[index] == start and ends[index] >= end:
            index += 1
        self.items.insert(index, item)
        self._starts.insert(index, start)
        self._ends.insert(index, end)
        self._longest = max(self._longest, end - start)

    def replace_where(self, item: T, matches: Callable[[T], bool]) -> T | None:
        """Put `item` in the place of the first item of the same span that
        `matches`, keeping its order among equal starts; the one replaced,
        or None (nothing changed)."""
        start, end = self._span(item)
        index = bisect_left(self._starts, start)
        while index < len(self._starts) and self._starts[index] == start:
            if self._ends[index] == end and matches(self.items[index]):
                old, self.items[index] = self.items[index], item
                return old
            index += 1
        return None

    def pop_where(self, start: int, matches: Callable[[T], bool]) -> T | None:
        """Remove and return the first item starting at `start` that `matches`."""
        index = bisect_left(self._starts, start)
        while index < len(self._starts) and self._starts[index] == start:
            if matches(self.items[index]):
                del self._starts[index], self._ends[index]
                return self.items.pop(index)
            index += 1
        return None


def step_from(starts: list[int], offset: int, *, forward: bool) -> tuple[int | None, bool]:
    """The next start after `offset` (or the last before it), and whether the
    step wrapped round to the other end; (None, True) when there is none.

    `starts` ascending: `n` among 10,000 annotations bisects rather than scans.
    """
    if not starts:
        return None, True
    if forward:
        index = bisect_right(starts, offset)
        return (starts[index], False) if index < len(starts) else (starts[0], True)
    index = bisect_left(starts, offset) - 1
    return (starts[index], False) if index >= 0 else (starts[-1], True)
