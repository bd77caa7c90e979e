"""Choosing an attribute value for the span under the cursor: one key per value."""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.binding import Binding

from annotations.labels import Attribute
from tui.choice_screen import HINT, ChoiceScreen, choice_line
from tui.literal import safe

# Digits then letters that no value screen needs for anything else.
CHOICE_KEYS = "123456789abcdefghijklmnopqrstuvwxyz"

# (attribute name, value or None to unset it)
Choice = tuple[str, str | None]


class AttributeScreen(ChoiceScreen[Choice | None]):
    """Offers every value of the label's attributes; the current value's key unsets it."""

    WINDOW_TITLE = "Attribute value"

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="attribute-cancel")]

    def __init__(self, what: str, attributes: tuple[Attribute, ...],
                 current: dict[str, str]) -> None:
        super().__init__()
        self.what, self.current = what, current
        self.choices: list[tuple[str, Choice]] = []
        for attribute in attributes:
            for value in attribute.values:
                if len(self.choices) == len(CHOICE_KEYS):
                    break
                key = CHOICE_KEYS[len(self.choices)]
                chosen = None if current.get(attribute.name) == value else value
                self.choices.append((key, (attribute.name, chosen)))
        self.attributes = attributes

    def on_key(self, event: events.Key) -> None:
        # The keys offered depend on the label's attributes: read from the
        # key itself (no binding made at run time).
        for key, choice in self.choices:
            if event.character == key:
                event.stop()
                self.dismiss(choice)
                return

    def offered(self) -> list[Choice | None]:
        return [choice for _key, choice in self.choices]

    def body(self) -> Text:
        body = Text()
        body.append(safe(self.what))  # article text: shown literally
        body.append("\n")
        index = 0
        for attribute in self.attributes:
            body.append(f"\n{attribute.name}\n", style="bold")
            for value in attribute.values:
                if index >= len(self.choices):
                    break
                key = self.choices[index][0]
                mark = "● " if self.current.get(attribute.name) == value else "  "
                choice_line(body, key, f"{mark}{safe(value)}",
                            highlighted=index == self.highlighted)
                index += 1
        body.append(f"\n  the ● value clears it · {HINT}", style="dim")
        return body

    def action_cancel(self) -> None:
        self.dismiss(None)
