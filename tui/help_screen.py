"""The help screen: every key and what it does, from the declared bindings."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from tui.bindings import key_table
from tui.literal import literal


class HelpScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll {
        width: 90; max-width: 100%; height: 90%;
        border: round $accent; background: $surface; padding: 0 1;
    }
    """

    BINDINGS = [
        Binding("escape,question_mark,q", "dismiss", "Close", id="help-close"),
    ]

    def __init__(self, labels: list[tuple[str, str]], keymap: dict[str, str] | None = None) -> None:
        super().__init__()
        self.labels = labels
        self.keymap = keymap or {}

    def compose(self) -> ComposeResult:
        table = Table(box=None, expand=True, show_header=False, padding=(0, 1))
        table.add_column("keys", style="bold", no_wrap=True)
        table.add_column("what")
        section = ""
        for group, keys, what in key_table(self.labels, self.keymap):
            if group != section:
                section = group
                table.add_row(Text(""), Text(""))
                table.add_row(Text(group, style="bold underline"), Text(""))
            # Label names and (remapped) keys come from the configuration.
            table.add_row(literal(keys), literal(what))
        with VerticalScroll() as scroll:
            scroll.border_title = "newsmark keys (Esc closes)"
            yield Static(table)

    def action_dismiss(self) -> None:  # type: ignore[override]
        self.dismiss(None)
