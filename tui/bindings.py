"""Every key newsmark answers to, declared once.

The widgets take their BINDINGS from here, and the help screen and the
README's key table are generated from the same lists, so they cannot drift.
Each binding has an `id`, so users can remap it with Textual's keymap.
Label keys are not here: they come from the project's label set
(`annotations.labels`) and are bound when the app starts.
"""

from __future__ import annotations

from textual.binding import Binding


def _has_shift_variant(key: str) -> bool:
    # Letters and punctuation are already what shift makes; only named keys
    # (arrows, home, page keys) have a shifted form terminals can send.
    return len(key) > 1 and "_" not in key and key != "space"


def _shifted(key: str) -> str:
    return key.replace("ctrl+", "ctrl+shift+") if key.startswith("ctrl+") else f"shift+{key}"


def _motion(keys: str, motion: str, description: str, *, show: bool = False) -> list[Binding]:
    """A motion and its selection-extending twin on the shifted keys."""
    plain = Binding(keys, f"move('{motion}')", description, show=show, id=f"move-{motion}")
    shifted = ",".join(_shifted(k) for k in keys.split(",") if _has_shift_variant(k))
    if not shifted:
        return [plain]
    extend = Binding(
        shifted,
        f"move('{motion}', True)",
        f"Extend selection: {description.lower()}",
        show=False,
        id=f"extend-{motion}",
    )
    return [plain, extend]


ARTICLE_VIEW_BINDINGS: list[Binding] = [
    *_motion("left,h", "left", "Character left"),
    *_motion("right,l", "right", "Character right"),
    *_motion("up,k", "up", "Line up"),
    *_motion("down,j", "down", "Line down"),
    *_motion("ctrl+right,w", "word_next", "Next word"),
    *_motion("ctrl+left,b", "word_prev", "Previous word"),
    *_motion("right_parenthesis", "sentence_next", "Next sentence"),
    *_motion("left_parenthesis", "sentence_prev", "Previous sentence"),
    *_motion("right_curly_bracket", "paragraph_next", "Next paragraph"),
    *_motion("left_curly_bracket", "paragraph_prev", "Previous paragraph"),
    *_motion("home", "line_start", "Start of line"),
    *_motion("end", "line_end", "End of line"),
    *_motion("pageup", "page_up", "Page up"),
    *_motion("pagedown,space", "page_down", "Page down"),
    *_motion("g,ctrl+home", "top", "Top of document"),
    *_motion("G,ctrl+end", "bottom", "Bottom of document"),
    Binding("v", "toggle_selecting", "Select mode", id="select-mode"),
    Binding("escape", "clear_selection", "Clear selection", show=False, id="clear-selection"),
    Binding("s", "select_sentence", "Select sentence", show=False, id="select-sentence"),
    Binding("quotation_mark", "select_quote", "Select quotation", show=False, id="select-quote"),
    Binding("e", "expand_selection", "Grow selection", show=False, id="expand-selection"),
]

APP_BINDINGS: list[Binding] = [
    Binding("x", "remove_annotation", "Remove", id="remove"),
    Binding("u", "undo", "Undo", id="undo"),
    Binding("ctrl+r", "redo", "Redo", show=False, id="redo"),
    Binding("n", "next_annotation", "Next annotation", show=False, id="next-annotation"),
    Binding("N", "previous_annotation", "Previous annotation", show=False, id="prev-annotation"),
    Binding("p", "toggle_panel", "Panel", id="toggle-panel"),
    Binding("question_mark", "help", "Help", id="help"),
    Binding("ctrl+q", "quit", "Quit", priority=True, id="quit"),
]
