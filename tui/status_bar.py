"""The status line: who annotates, counts, position, selection and whether work is saved."""

from __future__ import annotations

from collections import Counter

from rich.text import Text
from textual.widgets import Static

from tui.literal import safe


class StatusBar(Static):
    DEFAULT_CSS = """
    StatusBar { height: 1; background: $panel; color: $text-muted; padding: 0 1; }
    StatusBar.-error { background: $error 60%; color: $text; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id, markup=False)
        self._line, self._saved = Text(), Text()

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
        line = Text(no_wrap=True, overflow="ellipsis", end="")
        line.append("  ".join(f"{name} {counts.get(name, 0)}" for name in labels))
        if sentence is not None:
            line.append(f"  │ sentence {sentence[0] + 1}/{sentence[1]}")
        if selecting or selection:
            line.append(f"  │ {'SELECT ' if selecting else ''}{selection} chars selected")
        if mode:
            # The mode names the search query: untrusted, shown literally.
            line.append(f"  │ {safe(mode)}", style="bold")
        if annotator:
            # Whose layer the keys tag in. Last before the saved mark: where the
            # line is too long it is cut first, before the mode or the counts.
            line.append("  │ ")
            line.append(safe(annotator), style="bold")
        self._line, self._saved = line, Text(safe(saved), end="")
        self.set_class(error, "-error")
        self._draw()

    def _draw(self) -> None:
        # Whether the work is saved is the line's end, and is never cut off:
        # what comes before it is shortened instead.
        width = self.content_size.width
        saved, line = self._saved.copy(), self._line.copy()
        if width and line.cell_len + 3 + saved.cell_len > width:
            saved.truncate(width, overflow="ellipsis")
            line.truncate(max(0, width - saved.cell_len - 3), overflow="ellipsis")
        line.append("  │ " if line.cell_len + 4 + saved.cell_len <= width or not width
                    else " │ ")
        line.append_text(saved)
        # One row high whatever it says: no layout of the screen per key
        # (with layout, each cursor move re-arranged every widget).
        self.update(line, layout=False)

    def on_resize(self) -> None:
        self._draw()
