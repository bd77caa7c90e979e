"""Choosing a relation's type: one key, and only the types the two labels allow."""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from tui.literal import safe

# One digit per type: a project declaring more than nine between two labels
# sees the first nine (the configuration is read in order).
MAX_CHOICES = 9


class RelationTypeScreen(ModalScreen[str | None]):
    """Returns the chosen relation type's name, or None when cancelled."""

    DEFAULT_CSS = """
    RelationTypeScreen { align: center middle; }
    RelationTypeScreen > Vertical {
        width: 64; height: auto; max-width: 100%;
        border: round $accent; background: $surface; padding: 0 1;
    }
    """

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

    def compose(self) -> ComposeResult:
        body = Text()
        body.append("From\n  ", style="bold")
        body.append(safe(self.head))  # article text: shown literally
        body.append("\nto\n  ", style="bold")
        body.append(safe(self.tail))
        body.append("\n\n")
        for number, name in enumerate(self.types, start=1):
            body.append(f"  {number}", style="bold")
            body.append(f"  {safe(name)}\n")
        body.append("\n  Esc  cancel", style="dim")
        with Vertical() as box:
            box.border_title = "Which relation?"
            yield Static(body)

    def action_choose(self, name: str | None) -> None:
        self.dismiss(name)
