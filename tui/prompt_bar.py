"""A one-line prompt just above the status line, for notes and searches.

Not a pop-up: the article stays in view and the prompt takes one row,
as vim's command line does. It sits in the layout just above the status
line rather than docked: docked at the bottom it lay under the footer, and
the person typed a search or a note without seeing it.
"""

from __future__ import annotations

from rich.highlighter import Highlighter
from rich.text import Text
from textual.binding import Binding
from textual.widgets import Input
from textual.widgets.input import Selection

from tui.literal import safe
from tui.messages import PromptCancelled, PromptSubmitted


class Neutralised(Highlighter):
    """Shows control characters in the value as symbols, one for one.

    A note being edited may be an imported one carrying escape sequences:
    the value keeps them (nothing saved changes unless the person edits
    it), but the terminal gets only their visible symbols. One character
    for one keeps the Input's cursor and selection offsets right.
    """

    def highlight(self, text: Text) -> None:
        shown = safe(text.plain)
        if shown != text.plain:
            text.plain = shown


class PromptBar(Input):
    DEFAULT_CSS = """
    PromptBar { height: 1; border: none; padding: 0 1; display: none; }
    PromptBar.-open { display: block; }
    PromptBar:focus { border: none; }
    """

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", show=False, id="prompt-cancel"),
        # Enter typed before the reader had the terminal (a burst sent as it
        # starts) arrives as a newline, ctrl+j: it submits, as in readline.
        Binding("ctrl+j", "submit", "Submit", show=False, id="prompt-submit-newline"),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, select_on_focus=False, highlighter=Neutralised())
        self.purpose = ""

    def ask(
        self, purpose: str, placeholder: str, value: str = "", *, replace: bool = False
    ) -> None:
        """Open the prompt holding `value`, the cursor after it.

        With `replace`, `value` is selected: typing replaces it, a motion
        keeps it to edit (the last search, offered again).
        """
        self.purpose = purpose
        self.placeholder = safe(placeholder)
        self.value = value
        self.selection = Selection(0, len(value)) if replace else Selection.cursor(len(value))
        self.add_class("-open")
        # At once, not after the queued events (as focus() does): keys typed
        # right after / (a burst from the terminal, a paste) belong here,
        # and went to the article as commands ("[" opened another document).
        self.screen.set_focus(self)

    def close(self) -> None:
        self.remove_class("-open")
        self.purpose = ""

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        purpose = self.purpose
        self.close()
        self.post_message(PromptSubmitted(purpose, event.value))

    def action_cancel(self) -> None:
        purpose = self.purpose
        self.close()
        self.post_message(PromptCancelled(purpose))
