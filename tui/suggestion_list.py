"""The side panel's list of the suggestions shown (S): each with its label
(and the model's score, for the model's).

Shown only while the focused document's suggestions are. A suggestion's
label was unknown until it was accepted; here each row says it. Enter
moves the cursor to it; a accepts and R rejects the highlighted row (keys
in a list act on its row).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text

from tui.bindings import SUGGESTION_LIST_BINDINGS
from tui.literal import safe
from tui.messages import AnnotationChosen
from tui.virtual_list import VirtualList

if TYPE_CHECKING:
    from annotations.suggest import Suggestion


def describe(suggestion: Suggestion, text: str) -> Text:
    """One row: label and position (as the Annotations list has them: two suggestions
    of one word are told apart), then the text, never markup."""
    row = Text()
    row.append(f"{suggestion.label} ", style="bold italic")
    row.append(f"{suggestion.start}–{suggestion.end} ", style="dim")
    if suggestion.score is not None:
        # Who proposes it, as the status line says: the model's rows apart
        # from the rules' (which have no score), and how sure it is.
        row.append(f"{suggestion.origin} {suggestion.score:.2f} ", style="dim")
    row.append(safe(" ".join(text[suggestion.start:suggestion.end].split())), style="italic")
    return row


class SuggestionList(VirtualList):
    DEFAULT_CSS = """
    SuggestionList { border: round $secondary; display: none; }
    SuggestionList.-some { display: block; }
    """
    BINDINGS = SUGGESTION_LIST_BINDINGS

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(title="Suggested: a accepts, R rejects", id=id)
        self._doc_id, self._text = "", ""
        self._suggestions: list[Suggestion] = []

    def show(self, doc_id: str, text: str, suggestions: list[Suggestion]) -> None:
        self._doc_id, self._text, self._suggestions = doc_id, text, suggestions
        self.show_rows(len(suggestions), lambda i: describe(self._suggestions[i], self._text))
        self.set_class(bool(suggestions), "-some")

    @property
    def highlighted_suggestion(self) -> Suggestion | None:
        if not self._suggestions:
            return None
        return self._suggestions[min(self.highlighted, len(self._suggestions) - 1)]

    def chosen(self, index: int) -> None:
        self.post_message(AnnotationChosen(self._doc_id, self._suggestions[index].start))
