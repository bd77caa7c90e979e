"""Choosing how two annotations relate: one key, no typing."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from annotations.links import RELATIONS
from tui.literal import safe


class LinkScreen(ModalScreen[str | None]):
    """Returns the chosen relation's name, or None when cancelled."""

    DEFAULT_CSS = """
    LinkScreen { align: center middle; }
    LinkScreen > Vertical {
        width: 64; height: auto; max-width: 100%;
        border: round $accent; background: $surface; padding: 0 1;
    }
    """

    BINDINGS = [
        Binding("escape", "choose(None)", "Cancel", id="link-cancel"),
        *[
            Binding(str(number), f"choose('{name}')", text, id=f"link-{name}")
            for number, (name, text) in enumerate(RELATIONS.items(), start=1)
        ],
    ]

    def __init__(self, left: str, right: str) -> None:
        super().__init__()
        self.left, self.right = left, right

    def compose(self) -> ComposeResult:
        body = Text()
        body.append("Link\n  ", style="bold")
        body.append(safe(self.left))
        body.append("\nto\n  ", style="bold")
        body.append(safe(self.right))
        body.append("\n\n")
        for number, text in enumerate(RELATIONS.values(), start=1):
            body.append(f"  {number}", style="bold")
            body.append(f"  {text}\n")
        body.append("\n  Esc  cancel", style="dim")
        with Vertical() as box:
            box.border_title = "How are they related?"
            yield Static(body)

    def action_choose(self, relation: str | None) -> None:
        self.dismiss(relation)
