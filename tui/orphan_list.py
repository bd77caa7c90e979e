"""Annotations whose text could not be found after the article changed.

Shown only while the focused document has some. Enter picks one to place
again (select its text, press a label key); `x` drops it from the list
(it stays in the old version's record: nothing is deleted).
"""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding

from annotations.model import Annotation
from tui.literal import safe
from tui.messages import OrphanChosen, OrphanDropped
from tui.virtual_list import VirtualList


def describe(orphan: Annotation) -> Text:
    row = Text()
    row.append(f"{orphan.label} ", style="bold")
    row.append(f"was at {orphan.start}–{orphan.end} ", style="dim")
    row.append(safe(" ".join(orphan.text.split())))
    return row


class OrphanList(VirtualList):
    DEFAULT_CSS = """
    /* Its border, not its title, in the warning colour: a coloured title
       looked like the focus's mark (tui/focus_edge.py). */
    OrphanList { border: round $warning 60%; display: none; }
    OrphanList.-some { display: block; }
    """

    BINDINGS = [Binding("x", "drop", "Drop the orphan", id="orphan-drop")]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(title="Orphans: Enter places, x drops", id=id)
        self._doc_id = ""
        self._orphans: list[Annotation] = []

    def show(self, doc_id: str, orphans: list[Annotation]) -> None:
        self._doc_id, self._orphans = doc_id, orphans
        self.show_rows(len(orphans), lambda index: describe(self._orphans[index]))
        self.set_class(bool(orphans), "-some")

    def chosen(self, index: int) -> None:
        self.post_message(OrphanChosen(self._doc_id, self._orphans[index].id))

    def action_drop(self) -> None:
        if self._orphans:
            orphan = self._orphans[self.highlighted]
            self.post_message(OrphanDropped(self._doc_id, orphan.id))
