"""The reader's keys after the project's `[keys]` table, checked before the app starts.

    [keys]
    remove = "delete"          # a binding id (README, "Remapping keys") = its keys
    move-left = "left,a"

Applied with Textual's public `App.set_keymap`, by binding id. The keys
taken by the reader are derived from the bindings themselves (after the
remapping), so a label key or a remapped key that would shadow a command
is a clear configuration error (exit 6), never a silently dead key.
"""

from __future__ import annotations

import string
from difflib import get_close_matches

from textual.binding import Binding
from textual.keys import Keys, _character_to_key, key_to_character

from annotations.errors import ConfigError
from annotations.labels import Config
from tui.bindings import APP_BINDINGS, ARTICLE_VIEW_BINDINGS

# Active together while an article has focus (app bindings apply there too),
# so a key may mean only one of them.
READER_BINDINGS: tuple[Binding, ...] = (*ARTICLE_VIEW_BINDINGS, *APP_BINDINGS)
BINDING_IDS = frozenset(b.id for b in READER_BINDINGS if b.id)


def _textual_keys() -> dict[str, str]:
    """Keys Textual itself answers on the reader's screen, by what they do:
    the command palette's, and the screen's and app's bindings that the
    reader's own do not replace (Tab, Shift+Tab, Ctrl+C)."""
    from textual.app import App
    from textual.screen import Screen

    ours = {_same_key(key) for b in READER_BINDINGS for key in b.key.split(",")}
    keys = {_same_key(App.COMMAND_PALETTE_BINDING): "the command palette"}
    for binding in (*Screen.BINDINGS, *App.BINDINGS):  # the screen's answer first
        if isinstance(binding, Binding):
            for key in binding.key.split(","):
                if _same_key(key) not in ours:
                    keys.setdefault(_same_key(key), binding.action.removeprefix("app.")
                                    .removeprefix("screen.").replace("_", " "))
    return keys


def _same_key(key: str) -> str:
    """One spelling per key: "question_mark" and "?" are the same key."""
    key = key.strip()
    if len(key) == 1:
        return key
    return key_to_character(key) or key


MODIFIERS = frozenset({"ctrl", "shift", "alt", "meta", "super", "hyper"})
# Every name Textual gives a key: its special keys, and the names of printable
# characters ("question_mark", "minus"). `_character_to_key` is private; it is
# what Textual itself names a typed character with, so a name it gives is one
# the keymap can match (tests/test_labels.py checks a few).
KEY_NAMES = frozenset(
    {key.value for key in Keys if not key.value.startswith("<")}
    | {_character_to_key(char) for char in string.printable if not char.isspace() or char == " "}
)


def _is_key(key: str) -> bool:
    """A key Textual can report: a character or a key name, with modifiers."""
    *modifiers, base = key.strip().split("+") if len(key.strip()) > 1 else [key.strip()]
    if not base or not all(m in MODIFIERS for m in modifiers):
        return False
    return len(base) == 1 or base in KEY_NAMES or key_to_character(base) is not None


def check_config(config: Config) -> None:
    """Unknown binding ids, a key given to two commands, a label on a command's key."""
    where = str(config.path or "newsmark.toml")
    for binding_id, keys in config.keys:
        if binding_id not in BINDING_IDS:
            close = get_close_matches(binding_id, sorted(BINDING_IDS), n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            raise ConfigError(f"{where}: [keys] has no command {binding_id!r}; {hint}"
                              "README's 'Remapping keys' lists them")
        if not all(key.strip() for key in keys.split(",")):
            raise ConfigError(f"{where}: [keys] {binding_id} = {keys!r} has an empty key")
        for key in keys.split(","):
            if not _is_key(key):
                close = get_close_matches(key.strip(), sorted(KEY_NAMES), n=1)
                hint = f"did you mean {close[0]!r}? " if close else ""
                raise ConfigError(f"{where}: [keys] {binding_id}: {key.strip()!r} is not a key "
                                  f"name; {hint}keys are characters (\"x\") or names "
                                  "such as \"delete\", \"ctrl+d\", \"f5\"")
    remapped = dict(config.keys)
    # Textual's own keys first: a command moved onto ctrl+p hid the command
    # palette, and one moved onto Tab was never reached (Tab moves the focus).
    owner: dict[str, str] = _textual_keys()
    for binding in READER_BINDINGS:
        for key in remapped.get(binding.id or "", binding.key).split(","):
            same = _same_key(key)
            if same in owner and owner[same] != binding.id:
                raise ConfigError(f"{where}: [keys] key {key.strip()!r} is given to both "
                                  f"{owner[same]} and {binding.id}")
            owner[same] = binding.id or ""
    for label in config.labels:
        if label.key in owner:
            raise ConfigError(f"{where}: label {label.name}: key {label.key!r} is already "
                              f"a reader command ({owner[label.key]}); choose another key "
                              "or move the command in [keys]")


def keymap(config: Config) -> dict[str, str]:
    """The `App.set_keymap` argument: binding id -> keys."""
    return dict(config.keys)
