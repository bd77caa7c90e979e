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
        self._annotator = ""
        self._counts: list[tuple[str, int]] = []
        self._sentence = ""
        self._rest, self._saved = Text(), Text()

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
        self._annotator = annotator
        self._counts = [(name, counts.get(name, 0)) for name in labels]
        self._sentence = "" if sentence is None else f"  │ sentence {sentence[0] + 1}/{sentence[1]}"
        rest = Text(end="")
        if selecting or selection:
            rest.append(f"  │ {'SELECT ' if selecting else ''}{selection} chars selected")
        if mode:
            # The mode names the search query: untrusted, shown literally.
            rest.append(f"  │ {safe(mode)}", style="bold")
        self._rest, self._saved = rest, Text(safe(saved), end="")
        self.set_class(error, "-error")
        self._draw()

    def _built(self, counts: list[tuple[str, int]], sentence: bool = True) -> Text:
        line = Text(no_wrap=True, overflow="ellipsis", end="")
        if self._annotator:  # whose layer the keys tag in
            line.append(safe(self._annotator), style="bold")
            line.append("  │ ")
        line.append("  ".join(f"{name} {count}" for name, count in counts))
        if sentence:
            line.append(self._sentence)
        line.append_text(self._rest)
        return line

    def _draw(self) -> None:
        # Whether the work is saved is the line's end, and is never cut off:
        # what comes before it is shortened instead. First the labels counted
        # 0, from the last one back (six labels' counts would push the mode,
        # what a key does now, off the line), then the sentence number, then
        # the end of the line.
        width = self.content_size.width
        saved, counts = self._saved.copy(), list(self._counts)
        line = self._built(counts)
        while width and line.cell_len + 3 + saved.cell_len > width and any(
                count == 0 for _name, count in counts[1:]):
            last_zero = max(i for i, (_name, count) in enumerate(counts) if count == 0 and i)
            del counts[last_zero]
            line = self._built(counts)
        if width and line.cell_len + 3 + saved.cell_len > width and self._sentence:
            line = self._built(counts, sentence=False)
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
