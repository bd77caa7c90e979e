"""Every key newsmark answers to, declared once.

The widgets take their BINDINGS from here, and the help screen and the
README's key table are generated from the same lists, so they cannot drift.
Each binding has an `id`, by which a project remaps its keys (`[keys]` in
newsmark.toml, applied with Textual's `App.set_keymap`: `tui/keymap.py`).
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
    Binding("v", "toggle_selecting", "Select", id="select-mode",
            tooltip="Select mode: motions extend the selection"),
    Binding("escape", "clear_selection", "Leave select mode, clear selection and search",
            show=False, id="clear-selection"),
    Binding("s", "select_sentence", "Select the sentence", show=False, id="select-sentence"),
    Binding("quotation_mark", "select_quote", "Select inside the quotation marks (again: with "
            "the marks, then wider)", show=False, id="select-quote"),
    Binding("e", "expand_selection", "Grow selection: word, sentence, paragraph", show=False,
            id="expand-selection"),
]

APP_BINDINGS: list[Binding] = [
    Binding("x", "remove_annotation", "Remove", id="remove",
            tooltip="Remove the annotation under the cursor (the innermost, or the one ; "
            "points at)"),
    Binding("r", "relabel", "Relabel the annotation under the cursor", show=False, id="relabel"),
    # Priority (checked as the key arrives, not after it reached the article):
    # the prompt then has the focus before the next keys of a burst are sent
    # on, else "re:\d+[/-]" typed fast after "/" ran r, e and [ as commands.
    # The app turns them off while a prompt or another screen is up.
    Binding("m", "note", "Note on the annotation under the cursor", show=False, id="note",
            priority=True),
    Binding("c", "relate", "Relate the span under the cursor to another: c, move, c, "
            "type key", show=False, id="relate"),
    Binding("equals_sign", "attribute", "Attribute value of the span under the cursor (claim: "
            "checkworthy, …)", show=False, id="attribute"),
    Binding("semicolon", "point_next", "Of several annotations under the cursor, point at the "
            "next wider one (x, r, m, =, c act on it)", show=False, id="point-next"),
    Binding("u", "undo", "Undo", id="undo",
            tooltip="Undo the last change, even from a past session"),
    Binding("ctrl+r", "redo", "Redo", show=False, id="redo"),
    Binding("n", "next", "Next annotation (or search match)", show=False, id="next"),
    Binding("N", "previous", "Previous annotation (or search match)", show=False,
            id="previous"),
    Binding("slash", "search", "Search", id="search", priority=True,
            tooltip="Search the document (re: for a regular expression); the match is "
            "selected, so a label key tags it"),
    Binding("right_square_bracket", "next_document", "Next document", show=False,
            id="next-document"),
    Binding("left_square_bracket", "previous_document", "Previous document", show=False,
            id="previous-document"),
    Binding("d", "toggle_done", "Mark document done (or not)", show=False, id="done"),
    Binding("p", "toggle_panel", "Side panel", show=False, id="toggle-panel"),
    Binding("f", "toggle_follow", "Follow: the other pane's cursor keeps to this sentence's "
            "counterpart", show=False, id="follow"),
    Binding("L", "link", "Link the annotations under the two cursors (same claim, …)",
            show=False, id="link"),
    Binding("S", "toggle_suggestions", "Suggested spans: all, then quote, claim, opinion, "
            "terms alone, then hidden", show=False, id="suggestions"),
    Binding("a", "accept_suggestion", "Accept the suggestion under the cursor", show=False,
            id="accept"),
    Binding("A", "accept_visible", "Accept every suggestion on screen", show=False,
            id="accept-visible"),
    Binding("R", "reject_suggestion", "Reject the suggestion under the cursor", show=False,
            id="reject"),
    Binding("o", "toggle_others", "Others' layers: show other annotators' spans, dimmed "
            "(never editable), or hide them", show=False, id="others"),
    Binding("t", "take", "Adjudicating: take the annotator's span under the cursor into gold",
            show=False, id="take"),
    Binding("X", "take_none", "Adjudicating: take none of the disagreement's versions",
            show=False, id="take-none"),
    Binding("T", "retrain", "Train the model on your annotations, in the background",
            show=False, id="retrain"),
    Binding("O", "order_by_uncertainty", "Order documents by the model's uncertainty "
            "(most uncertain in all first)", show=False, id="order-by-uncertainty"),
    Binding("question_mark", "help", "Help", id="help", tooltip="This list of keys"),
    Binding("ctrl+q", "quit", "Quit", priority=True, id="quit",
            tooltip="Quit (everything is already saved)"),
]

# The Suggested list (S) acts on its highlighted row with the app's a and R;
# bound again on the list, shown, so its key bar offers them while it has the
# focus (the app's are not shown: in an article they are two of many keys).
# The same ids: a key remapped in [keys] is remapped here too.
# The app's keys the key table gives rows of their own (or the pane's). Tab
# and Shift+Tab as the screen has them, but priority, as / and m are: read in
# one burst ("Tab /", fast typing), the Tab reached the screen after the / had
# opened its prompt, and took the focus from it (a prompt that took no key,
# the reader looking frozen). Esc where a side list has the focus drops a
# pending mode (relate, relabel) as it does in a pane; a pane's own Esc
# (clear_selection) comes first there.
UNLISTED_APP_BINDINGS: list[Binding] = [
    Binding("tab", "focus_next", "Focus the next pane or list", show=False, priority=True),
    Binding("shift+tab", "focus_previous", "Focus the previous pane or list", show=False,
            priority=True),
    Binding("escape", "cancel_pending", "Drop a pending mode", show=False),
]

SUGGESTION_LIST_BINDINGS: list[Binding] = [
    Binding("a", "app.accept_suggestion", "Accept", id="accept",
            tooltip="Accept the highlighted suggestion"),
    Binding("R", "app.reject_suggestion", "Reject", id="reject",
            tooltip="Reject the highlighted suggestion"),
]

_KEY_NAMES = {
    "left": "←", "right": "→", "up": "↑", "down": "↓", "pageup": "PgUp", "pagedown": "PgDn",
    "home": "Home", "end": "End", "space": "Space", "escape": "Esc", "slash": "/",
    "question_mark": "?", "quotation_mark": '"', "left_parenthesis": "(",
    "right_parenthesis": ")", "left_curly_bracket": "{", "right_curly_bracket": "}",
    "left_square_bracket": "[", "right_square_bracket": "]", "tab": "Tab", "equals_sign": "=",
    "semicolon": ";",
}


def key_display(keys: str) -> str:
    """'ctrl+left,b' -> 'Ctrl+← / b'."""
    shown = []
    for key in keys.split(","):
        parts = key.split("+")
        parts[-1] = _KEY_NAMES.get(parts[-1], parts[-1])
        shown.append("+".join(p.capitalize() if p in ("ctrl", "shift") else p for p in parts))
    return " / ".join(shown)


def key_table(
    labels: list[tuple[str, str]], keymap: dict[str, str] | None = None
) -> list[tuple[str, str, str]]:
    """(section, keys, what it does) for every key, labels included.

    `labels` is [(key, label name)] from the project's configuration;
    `keymap` (binding id -> keys) the project's remapped keys.
    """
    keymap = keymap or {}
    rows = [("Tag", key, f"Tag the selection (or the sentence) as {name}")
            for key, name in labels]
    rows += [("Move and select", key_display(keymap.get(b.id or "", b.key)),
              b.tooltip or b.description) for b in ARTICLE_VIEW_BINDINGS]
    rows += [("Annotations and documents", key_display(keymap.get(b.id or "", b.key)),
              b.tooltip or b.description) for b in APP_BINDINGS]
    rows += [("Annotations and documents", "Tab / Shift+Tab",
              "Move focus between the panes and the side panel"),
             ("Annotations and documents", "Ctrl+p", "Command palette: every action by name")]
    return rows


def markdown_key_table(labels: list[tuple[str, str]]) -> str:
    """The key table as Markdown, for the README (a test keeps them equal)."""
    lines = ["| keys | what they do |", "| --- | --- |"]
    section = ""
    for group, keys, what in key_table(labels):
        if group != section:
            section = group
            lines.append(f"| **{group}** | |")
        cell = keys.replace("|", "\\|")
        lines.append(f"| `{cell}` | {what} |")
    return "\n".join(lines)


if __name__ == "__main__":
    from annotations.labels import DEFAULT_LABELS

    print(markdown_key_table([(label.key, label.name) for label in DEFAULT_LABELS]))
