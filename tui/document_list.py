"""The side panel's list of every article given, with progress and counts."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text

from tui.literal import safe
from tui.messages import DocumentChosen
from tui.virtual_list import Row, VirtualList

STATUS_MARK = {"untouched": "·", "in progress": "◐", "done": "●", "unreadable": "✗"}


def describe(name: str, status: str, counts: dict[str, int] | None,
             team: dict[str, str] | None = None) -> tuple[Text, Text]:
    """One row: progress mark and name, and the label counts at the right.

    The counts are the row's tail, so a long title is shortened rather
    than the counts cut off. `team`: the others' status on a shared store,
    shown after the name as their marks (`ana● bob◐`).
    """
    row = Text()
    row.append(STATUS_MARK.get(status, "·") + " ")
    row.append(safe(name))  # a file name may carry escape sequences
    if team:
        others = " ".join(f"{who}{STATUS_MARK.get(st, '·')}" for who, st in sorted(team.items()))
        row.append(safe(f"  {others}"), style="dim")
    summary = ", ".join(f"{label} {n}" for label, n in sorted((counts or {}).items()) if n)
    if status == "done":
        summary = "done ✓" + (f" · {summary}" if summary else "")
    return row, Text(summary, style="dim")


class DocumentList(VirtualList):
    """A folder can hold 100,000 articles: rows are drawn only when on screen."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(title="Documents", id=id)

    def show(self, count: int, row: Callable[[int], Row], current: int) -> None:
        """`row(i)` draws entry i; `current` is the entry in the focused pane."""
        self.show_rows(count, row, current)

    def chosen(self, index: int) -> None:
        self.post_message(DocumentChosen(index))
