"""A small centred window that asks for one choice by one key.

The link, relation-type and attribute windows differ only in what they
list and what a key returns; the frame, the layout and the literal text
of the spans they name are drawn here once.
"""

from __future__ import annotations

from typing import Generic, TypeVar

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from tui.literal import safe

T = TypeVar("T")


class ChoiceScreen(ModalScreen[T], Generic[T]):
    """Subclasses give `WINDOW_TITLE` and `body()`, and dismiss with the choice."""

    # Type selectors match subclasses too: one rule for every choice window.
    DEFAULT_CSS = """
    ChoiceScreen { align: center middle; }
    ChoiceScreen > Vertical {
        width: 64; height: auto; max-width: 100%;
        border: round $accent; background: $surface; padding: 0 1;
    }
    """

    WINDOW_TITLE = ""

    def body(self) -> Text:
        raise NotImplementedError

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = self.WINDOW_TITLE
            yield Static(self.body())


def between(verb: str, first: str, second: str) -> Text:
    """'Link / first / to / second': two spans named, their text shown literally."""
    text = Text()
    text.append(f"{verb}\n  ", style="bold")
    text.append(safe(first))
    text.append("\nto\n  ", style="bold")
    text.append(safe(second))
    text.append("\n\n")
    return text


def numbered(text: Text, keys_and_names: list[tuple[str, str]]) -> Text:
    """The choices, one `key  name` line each, then how to cancel."""
    for key, name in keys_and_names:
        text.append(f"  {key}", style="bold")
        text.append(f"  {safe(name)}\n")
    text.append("\n  Esc  cancel", style="dim")
    return text
