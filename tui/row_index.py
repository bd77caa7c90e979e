"""Screen rows per text line, with O(log n) lookups both ways.

A 10 MB article has hundreds of thousands of lines; wrapping all of them
before the first paint costs seconds. The article view instead starts with
an estimate of each line's rows and wraps a line exactly only when it is
drawn or the cursor reaches it. A Fenwick tree keeps "which line holds
screen row r" and "which row does line i start at" cheap while those
estimates are corrected one line at a time.
"""

from __future__ import annotations

from itertools import accumulate


class RowIndex:
    def __init__(self, counts: list[int]) -> None:
        self._counts = list(counts)
        size = len(counts)
        # Node i holds the counts of lines (i - lowbit(i), i]: a difference
        # of prefix sums (one comprehension; built for every line of an
        # article before its first frame).
        prefix = list(accumulate(self._counts, initial=0))
        self._tree = [0] + [prefix[i] - prefix[i & (i - 1)] for i in range(1, size + 1)]
        self.total = prefix[-1]
        self._top_bit = 1 << max(0, size.bit_length() - 1) if size else 0

    def __len__(self) -> int:
        return len(self._counts)

    def count(self, line: int) -> int:
        return self._counts[line]

    def set(self, line: int, count: int) -> int:
        """Set a line's row count; returns the change."""
        delta = count - self._counts[line]
        if delta:
            self._counts[line] = count
            self.total += delta
            i = line + 1
            while i < len(self._tree):
                self._tree[i] += delta
                i += i & -i
        return delta

    def first_row(self, line: int) -> int:
        """The screen row at which `line` starts."""
        total, i = 0, line
        while i > 0:
            total += self._tree[i]
            i -= i & -i
        return total

    def find(self, row: int) -> tuple[int, int]:
        """(line, row within that line) for a screen row, clamped to the text."""
        if not self._counts:
            return (0, 0)
        row = max(0, min(row, self.total - 1))
        position, remaining, step = 0, row, self._top_bit
        while step:
            nxt = position + step
            if nxt < len(self._tree) and self._tree[nxt] <= remaining:
                position = nxt
                remaining -= self._tree[nxt]
            step >>= 1
        return (min(position, len(self._counts) - 1), remaining)
