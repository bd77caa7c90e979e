"""Annotations whose text could not be found after the article changed.

Shown only while the focused document has some. Enter picks one to place
again (select its text, press a label key); `x` drops it from the list
(it stays in the old version's record: nothing is deleted).
"""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from annotations.model import Annotation
from tui.annotation_list import PREVIEW_CHARS
from tui.messages import OrphanChosen, OrphanDropped


def describe(orphan: Annotation) -> Text:
    preview = " ".join(orphan.text.split())
    if len(preview) > PREVIEW_CHARS:
        preview = preview[: PREVIEW_CHARS - 1] + "…"
    row = Text()
    row.append(f"{orphan.label} ", style="bold")
    row.append(f"was at {orphan.start}–{orphan.end}", style="dim")
    row.append("\n")
    row.append(preview)
    return row


class OrphanList(OptionList):
    DEFAULT_CSS = """
    OrphanList { height: 1fr; border: round $warning; display: none; }
    OrphanList.-some { display: block; }
    OrphanList:focus { border: round $accent; }
    """

    BINDINGS = [
        Binding("x", "drop", "Drop the orphan", id="orphan-drop"),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.border_title = "Orphans"
        self._doc_id = ""
        self._orphans: list[Annotation] = []

    def show(self, doc_id: str, orphans: list[Annotation]) -> None:
        self._doc_id, self._orphans = doc_id, list(orphans)
        self.clear_options()
        self.add_options(Option(describe(o), id=o.id) for o in self._orphans)
        self.border_title = f"Orphans ({len(orphans)}): Enter to place, x to drop"
        self.set_class(bool(orphans), "-some")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.post_message(OrphanChosen(self._doc_id, self._orphans[event.option_index].id))

    def action_drop(self) -> None:
        if self.highlighted is not None and self._orphans:
            orphan = self._orphans[self.highlighted]
            self.post_message(OrphanDropped(self._doc_id, orphan.id))
