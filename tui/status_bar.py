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
        line = Text(no_wrap=True, overflow="ellipsis")
        line.append("  ".join(f"{name} {counts.get(name, 0)}" for name in labels))
        if sentence is not None:
            line.append(f"  │ sentence {sentence[0] + 1}/{sentence[1]}")
        if selecting or selection:
            line.append(f"  │ {'SELECT ' if selecting else ''}{selection} chars selected")
        if mode:
            # The mode names the search query: untrusted, shown literally.
            line.append(f"  │ {safe(mode)}", style="bold")
        line.append(f"  │ {safe(saved)}")
        if annotator:  # whose layer the keys tag in (last: the rest is read more often)
            line.append("  │ ")
            line.append(safe(annotator), style="bold")
        self.set_class(error, "-error")
        # One row high whatever it says: no layout of the screen per key
        # (with layout, each cursor move re-arranged every widget).
        self.update(line, layout=False)
