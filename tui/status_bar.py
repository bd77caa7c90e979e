"""The status line: who annotates, counts, position, selection and whether work is saved."""

from __future__ import annotations

from collections import Counter
from typing import Self

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual.geometry import Region
from textual.widgets import Static

from tui.literal import safe
from tui.wording import plural

Cell = tuple[str, Style | None] | None  # a cell's characters and style; None: a wide one's second


class StatusBar(Static):
    DEFAULT_CSS = """
    StatusBar { height: 1; background: $panel; color: $text-muted; padding: 0 1; }
    StatusBar.-error { background: $error 60%; color: $text; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id, markup=False)
        self._counts: list[tuple[str, int]] = []
        self._parts: list[tuple[int, Text]] = []
        self._saved = Text()
        self._shown: Text | None = None  # the line last drawn
        self._shown_cells: list[Cell] | None = None  # and what each of its cells shows
        self._changed: Region | None = None  # what `_draw` repaints (see `refresh`)

    def show(
        self,
        *,
        counts: Counter[str],
        labels: list[str],
        sentence: tuple[int, int] | None,
        selection: int,
        selecting: bool,
        mode: str = "",
        saved: str,
        error: bool = False,
        annotator: str = "",
    ) -> None:
        # Parts in the order shown; when the line is too narrow the least
        # needed go first (the labels counted 0, then the other counts, then
        # the position), then the mode is shortened. Whether the work is saved
        # is never cut. The counts (rank 0) are drawn in `_draw`.
        self._counts = [(name, counts.get(name, 0)) for name in labels]
        parts: list[tuple[int, Text]] = [(0, Text())]
        if sentence is not None:
            parts.append((1, Text(f"sentence {sentence[0] + 1}/{sentence[1]}")))
        if selecting or selection:
            selected = plural(selection, "char")
            parts.append((2, Text(f"{'SELECT ' if selecting else ''}{selected} selected")))
        if mode:
            # The mode names the search query and notes: untrusted, shown literally.
            parts.append((3, Text(safe(mode), style="bold")))
        if annotator:
            # Whose layer the keys tag in. Last before the saved mark: where the
            # line is too long it is cut first, before the mode.
            parts.append((4, Text(safe(annotator), style="bold")))
        self._parts, self._saved = parts, Text(safe(saved), end="")
        self.set_class(error, "-error")
        self._draw()

    def _draw(self) -> None:
        width = self.content_size.width
        counts = list(self._counts)
        saved = self._saved.copy()
        sep = "  │ "

        def with_counts() -> list[tuple[int, Text]]:
            text = Text("  ".join(f"{name} {count}" for name, count in counts))
            return [(rank, text if rank == 0 else t) for rank, t in self._parts]

        def length(kept: list[tuple[int, Text]]) -> int:
            return sum(t.cell_len + len(sep) for _, t in kept) + saved.cell_len

        parts = with_counts()
        if width:
            # The labels counted 0 first, from the last one back: six labels'
            # counts would push the mode (what a key does now) off the line.
            while length(parts) > width and any(count == 0 for _, count in counts[1:]):
                del counts[max(i for i, (_, count) in enumerate(counts) if count == 0 and i)]
                parts = with_counts()
            for dropped in (0, 1):  # the counts, then the sentence position
                if length(parts) <= width:
                    break
                parts = [(rank, t) for rank, t in parts if rank != dropped]
            saved.truncate(width, overflow="ellipsis")
        line = Text(no_wrap=True, overflow="ellipsis", end="")
        for _, text in parts:
            line.append_text(text)
            line.append(sep)
        if width and line.cell_len + saved.cell_len > width:
            # What is left (the mode, a long search) is shortened, not the end.
            line.truncate(max(0, width - saved.cell_len - len(sep)), overflow="ellipsis")
            line.append(sep)
        line.append_text(saved)
        if line == self._shown:
            # Most keys change nothing here (a step within the sentence):
            # repainting the line anyway made the frame reach down to the
            # bottom of the screen, through the side panel and scrollbars.
            return
        cells = self._cells(line)
        old, self._shown, self._shown_cells = self._shown_cells, line, cells
        # Only the columns that changed are repainted: the screen is
        # repainted in one rectangle around all that changed, and a whole
        # status row widened a page down's from its pane to the whole screen.
        self._changed = None if old is None else self._changed_columns(old, cells)
        try:
            # One row high whatever it says: no layout of the screen per key
            # (with layout, each cursor move re-arranged every widget).
            self.update(line, layout=False)
        finally:
            self._changed = None

    def refresh(self, *regions: Region, repaint: bool = True, layout: bool = False,
                recompose: bool = False) -> Self:
        if self._changed is not None and not regions and not layout:
            regions = (self._changed,)  # `update` asks for the whole line
        return super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)

    @staticmethod
    def _changed_columns(before: list[Cell], after: list[Cell]) -> Region:
        """The columns (of the content) drawn differently in `after` than in `before`."""
        size = max(len(before), len(after))
        before = before + [None] * (size - len(before))
        after = after + [None] * (size - len(after))
        differ = [i for i in range(size) if before[i] != after[i]]
        if not differ:
            return Region(0, 0, 0, 0)
        return Region(differ[0], 0, differ[-1] - differ[0] + 1, 1)

    def _cells(self, line: Text) -> list[Cell]:
        """What each cell of `line` shows: its characters and style (None: the
        second cell of a wide character)."""
        cells: list[Cell] = []
        for segment in line.render(self.app.console):
            for char in segment.text:
                width = cell_len(char)
                if width == 0 and cells and cells[-1] is not None:
                    shown, style = cells[-1]
                    cells[-1] = (shown + char, style)  # a combining mark: same cell
                    continue
                cells.append((char, segment.style))
                cells.extend([None] * (width - 1))
        return cells

    def on_resize(self) -> None:
        self._draw()
