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

from difflib import get_close_matches

from textual.binding import Binding
from textual.keys import key_to_character

from annotations.errors import ConfigError
from annotations.labels import Config
from tui.bindings import APP_BINDINGS, ARTICLE_VIEW_BINDINGS

# Active together while an article has focus (app bindings apply there too),
# so a key may mean only one of them.
READER_BINDINGS: tuple[Binding, ...] = (*ARTICLE_VIEW_BINDINGS, *APP_BINDINGS)
BINDING_IDS = frozenset(b.id for b in READER_BINDINGS if b.id)


def _same_key(key: str) -> str:
    """One spelling per key: "question_mark" and "?" are the same key."""
    key = key.strip()
    if len(key) == 1:
        return key
    return key_to_character(key) or key


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
    remapped = dict(config.keys)
    owner: dict[str, str] = {}
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
