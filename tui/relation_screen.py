"""Choosing a relation's type: one key, and only the types the two labels allow."""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.binding import Binding

from tui.choice_screen import ChoiceScreen, between, numbered

# One digit per type: a project declaring more than nine between two labels
# sees the first nine (the configuration is read in order).
MAX_CHOICES = 9


class RelationTypeScreen(ChoiceScreen[str | None]):
    """Returns the chosen relation type's name, or None when cancelled."""

    WINDOW_TITLE = "Which relation?"

    BINDINGS = [Binding("escape", "choose(None)", "Cancel", id="relation-cancel")]

    def __init__(self, head: str, tail: str, types: list[str]) -> None:
        super().__init__()
        self.head, self.tail = head, tail
        self.types = types[:MAX_CHOICES]

    def on_key(self, event: events.Key) -> None:
        # One digit per type offered, known only when the screen opens: read
        # from the key itself (no binding made at run time).
        number = event.character
        if number is not None and number.isdigit() and 1 <= int(number) <= len(self.types):
            event.stop()
            self.dismiss(self.types[int(number) - 1])

    def offered(self) -> list[str | None]:
        return list(self.types)

    def body(self) -> Text:
        return numbered(between("From", self.head, self.tail),
                        [(str(n), name) for n, name in enumerate(self.types, start=1)],
                        self.highlighted)

    def action_choose(self, name: str | None) -> None:
        self.dismiss(name)
