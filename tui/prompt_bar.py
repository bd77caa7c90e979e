"""A one-line prompt just above the status line, for notes and searches.

Not a pop-up: the article stays in view and the prompt takes one row,
as vim's command line does. It sits in the layout just above the status
line rather than docked: docked at the bottom it lay under the footer, and
the person typed a search or a note without seeing it.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.highlighter import Highlighter
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.widgets import Input
from textual.widgets.input import Selection

from tui.literal import safe

# Called with the prompt's purpose and the answer (None: dismissed).
Answered = Callable[[str, str | None], None]


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


class PromptBar(Input, inherit_css=False):
    # Input's own CSS is not inherited: it styles a three-row bordered box
    # (compact, invalid and ANSI variants, nested), all of which this one-row
    # bar overrode or never used, and Textual parsed and matched it against
    # every widget before the first frame (~4 ms of the start, issue 18).
    # What the bar uses of it is here. (Not inheriting Input's CSS, it would
    # not inherit the component classes that CSS styles either.)
    COMPONENT_CLASSES = Input.COMPONENT_CLASSES
    DEFAULT_CSS = """
    PromptBar {
        height: 1; width: 100%; padding: 0 1; display: none; pointer: text;
        background: $surface; color: $foreground; scrollbar-size-horizontal: 0;
    }
    PromptBar.-open { display: block; }
    PromptBar:focus { background-tint: $foreground 5%; }
    PromptBar > .input--cursor {
        background: $input-cursor-background; color: $input-cursor-foreground;
        text-style: $input-cursor-text-style;
    }
    PromptBar > .input--selection {
        background: $input-selection-background; color: $input-selection-foreground;
    }
    PromptBar > .input--placeholder, PromptBar > .input--suggestion { color: $text-disabled; }
    PromptBar:ansi { background: ansi_default; color: ansi_default; }
    PromptBar:ansi > .input--cursor { background: ansi_white; color: ansi_black; }
    PromptBar:ansi > .input--placeholder { text-style: dim; color: ansi_default; }
    """

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", show=False, id="prompt-cancel"),
        # Enter typed before the reader had the terminal (a burst sent as it
        # starts) arrives as a newline, ctrl+j: it submits, as in readline.
        Binding("ctrl+j", "submit", "Submit", show=False, id="prompt-submit-newline"),
    ]

    def __init__(self, answered: Answered, *, id: str | None = None) -> None:
        super().__init__(id=id, select_on_focus=False, highlighter=Neutralised())
        self.purpose = ""
        # Called at once, in the turn of the key that answers, not by a
        # message: keys typed right after Enter (`/peace` Enter `n`, sent in
        # one burst) went to the prompt, or to a search not made yet, since
        # the message came after them.
        self._answered = answered

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

    def on_key(self, event: events.Key) -> None:
        # Textual runs a widget's key bindings when the key, unhandled here,
        # reaches the app: the keys the terminal sent right after Enter
        # (`/peace` Enter `n` in one burst) were here by then, and `n` was
        # typed into the prompt. Enter and Escape act at once instead, and a
        # key that comes after the prompt closed goes back to the app, to
        # act where the focus is now.
        if not self.has_class("-open"):
            event.stop()
            event.prevent_default()
            if self.screen.focused is not self:
                self.app.post_message(events.Key(event.key, event.character))
            return
        active = self.screen.active_bindings.get(event.key)
        if active is not None and active.node is self and active.binding.action in (
                "submit", "cancel"):
            event.stop()
            event.prevent_default()
            if active.binding.action == "submit":
                self.action_submit()
            else:
                self.action_cancel()

    def action_submit(self) -> None:
        purpose, value = self.purpose, self.value
        self.close()
        self._answered(purpose, value)

    def action_cancel(self) -> None:
        purpose = self.purpose
        self.close()
        self._answered(purpose, None)
