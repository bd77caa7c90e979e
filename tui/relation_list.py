"""The side panel's relations of the focused document: head, type, tail.

Enter goes to the relation's head in the article; `x` removes the relation
(undoable with u, as every change).
"""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding

from annotations.relations import Edge
from tui.literal import safe
from tui.messages import RelationChosen, RelationRemoved
from tui.virtual_list import VirtualList

SHOWN_CHARS = 28  # of each end's text
# Double quotation marks only: a single one at an end may be an apostrophe.
QUOTE_MARKS = "\"“”„‟«»"


def short(text: str, limit: int = SHOWN_CHARS) -> str:
    """A span's text on one line, its start cut to '…' at a word when long (the end says most)."""
    words = " ".join(text.split())
    if len(words) <= limit:
        return words
    tail = words[-(limit - 1):]
    if words[-limit] != " " and " " in tail:
        tail = tail.split(" ", 1)[1]  # no half word after the ellipsis
    return "…" + tail


def describe(edge: Edge) -> Text:
    """“…will open in June” said_by Mayor Lindqvist (article text as plain text)."""
    row = Text()
    # A quote tagged with its quotation marks keeps them: none added around
    # them (“…aggression.”” doubled the closing one).
    head = short(edge.head.text.strip().strip(QUOTE_MARKS))
    row.append(f"“{safe(head)}” ")
    row.append(f"{safe(edge.type)} ", style="bold")
    row.append(safe(short(edge.tail.text)))
    return row


class RelationList(VirtualList):
    DEFAULT_CSS = """
    RelationList { height: 1fr; display: none; }
    RelationList.-some { display: block; }
    """

    BINDINGS = [Binding("x", "remove", "Remove the relation", id="relation-remove")]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(title="Relations: Enter goes, x removes", id=id)
        self._doc_id = ""
        self._edges: list[Edge] = []

    def show(self, doc_id: str, edges: list[Edge]) -> None:
        self._doc_id, self._edges = doc_id, edges
        self.show_rows(len(edges), lambda index: describe(self._edges[index]))
        self.set_class(bool(edges), "-some")

    def chosen(self, index: int) -> None:
        self.post_message(RelationChosen(self._doc_id, self._edges[index].head.start))

    def action_remove(self) -> None:
        if self._edges:
            edge = self._edges[min(self.highlighted, len(self._edges) - 1)]
            self.post_message(RelationRemoved(self._doc_id, edge.head.id, edge.relation.id))
