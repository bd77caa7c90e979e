"""The side panel's list of every opened document, with progress."""

from __future__ import annotations

from collections import Counter

from rich.text import Text
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from annotations.model import Document
from tui.messages import DocumentChosen

STATUS_MARK = {"untouched": "·", "in progress": "◐", "done": "●"}


def describe(doc: Document, status: str, counts: Counter[str]) -> Text:
    row = Text()
    row.append(STATUS_MARK.get(status, "·") + " ")
    row.append(doc.name)
    summary = ", ".join(f"{label} {n}" for label, n in sorted(counts.items()))
    row.append(f"\n{status}" + (f": {summary}" if summary else ""), style="dim")
    return row


class DocumentList(OptionList):
    DEFAULT_CSS = """
    DocumentList { height: 1fr; border: round $panel-lighten-2; }
    DocumentList:focus { border: round $accent; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.border_title = "Documents"

    def show(self, rows: list[tuple[Document, str, Counter[str]]]) -> None:
        highlighted = self.highlighted
        self.clear_options()
        self.add_options(Option(describe(*row), id=row[0].id) for row in rows)
        self.border_title = f"Documents ({len(rows)})"
        if rows and highlighted is not None:
            self.highlighted = min(highlighted, len(rows) - 1)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id is not None:
            self.post_message(DocumentChosen(event.option.id))
