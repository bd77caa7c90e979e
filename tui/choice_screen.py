"""A small centred window that asks for one choice: by its key, or ↑ ↓ and Enter.

The link, relation-type and attribute windows differ only in what they
list and what a key returns; the frame, the layout, the literal text of
the spans they name and the highlighted choice are drawn here once.
"""

from __future__ import annotations

from typing import Generic, TypeVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from tui.literal import safe

T = TypeVar("T")


class ChoiceScreen(ModalScreen[T], Generic[T]):
    """Subclasses give `WINDOW_TITLE`, `offered()` and `body()` (drawing
    `highlighted` as such), and dismiss with the choice."""

    # Type selectors match subclasses too: one rule for every choice window.
    DEFAULT_CSS = """
    ChoiceScreen { align: center middle; }
    ChoiceScreen > Vertical {
        width: 64; height: auto; max-width: 100%;
        border: round $accent; background: $surface; padding: 0 1;
    }
    """

    WINDOW_TITLE = ""

    # Arrows and Enter only: letters and digits are the choices' own keys.
    BINDINGS = [
        Binding("down", "move(1)", "Next choice", show=False, id="choice-down"),
        Binding("up", "move(-1)", "Previous choice", show=False, id="choice-up"),
        Binding("enter", "pick", "Choose", show=False, id="choice-enter"),
    ]

    highlighted = 0
    """The choice Enter takes (an index into `offered()`)."""

    def offered(self) -> list[T]:
        """The choices, in the order they are listed."""
        raise NotImplementedError

    def body(self) -> Text:
        raise NotImplementedError

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = self.WINDOW_TITLE
            yield Static(self.body())

    def action_move(self, step: int) -> None:
        if choices := self.offered():
            self.highlighted = (self.highlighted + step) % len(choices)
            self.query_one(Static).update(self.body())

    def action_pick(self) -> None:
        if choices := self.offered():
            self.dismiss(choices[self.highlighted])


def between(verb: str, first: str, second: str) -> Text:
    """'Link / first / to / second': two spans named, their text shown literally."""
    text = Text()
    text.append(f"{verb}\n  ", style="bold")
    text.append(safe(first))
    text.append("\nto\n  ", style="bold")
    text.append(safe(second))
    text.append("\n\n")
    return text


HINT = "key, or ↑ ↓ Enter · Esc cancel"


def numbered(text: Text, keys_and_names: list[tuple[str, str]], highlighted: int) -> Text:
    """The choices, one `key  name` line each (the highlighted one marked), then the keys."""
    for index, (key, name) in enumerate(keys_and_names):
        choice_line(text, key, safe(name), highlighted=index == highlighted)
    text.append(f"\n  {HINT}", style="dim")
    return text


def choice_line(text: Text, key: str, shown: str, *, highlighted: bool) -> None:
    """One `key  name` line; the highlighted one (Enter's) in reverse, with a ▸."""
    start = len(text)
    text.append(f"{'▸' if highlighted else ' '} {key}", style="bold")
    text.append(f"  {shown}\n")
    if highlighted:
        text.stylize("reverse", start, len(text) - 1)
