"""Choosing how two annotations relate: one key, no typing."""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding

from annotations.links import RELATIONS
from tui.choice_screen import ChoiceScreen, between, numbered


class LinkScreen(ChoiceScreen[str | None]):
    """Returns the chosen relation's name, or None when cancelled."""

    WINDOW_TITLE = "How are they related?"

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

    def offered(self) -> list[str | None]:
        return list(RELATIONS)

    def body(self) -> Text:
        return numbered(between("Link", self.left, self.right),
                        [(str(n), text) for n, text in enumerate(RELATIONS.values(), start=1)],
                        self.highlighted)

    def action_choose(self, relation: str | None) -> None:
        self.dismiss(relation)
