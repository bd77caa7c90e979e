"""The label set of a project, and the `newsmark.toml` that configures it.

    snap = true            # grow tagged spans to whole tokens
    annotator = "ana"      # who annotates (else --annotator, NEWSMARK_ANNOTATOR, login)

    [[labels]]
    name = "claim"
    key = "1"
    color = "#f2a65a"      # optional: without it the colour follows the theme

    [model]                # the span model `newsmark train` makes (docs/model.md)
    path = "model"         # its folder, relative to this file (default: model/ in the store)
    threshold = 0.5        # the least score of a span the model suggests (0-1)

The defaults are claim/quote/terms/opinion on keys 1-4.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from annotations.errors import ConfigError

CONFIG_NAME = "newsmark.toml"
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,31}$")
_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


@dataclass(frozen=True, slots=True)
class Label:
    name: str
    key: str
    color: str | None = None


DEFAULT_LABELS = (
    Label("claim", "1"),
    Label("quote", "2"),
    Label("terms", "3"),
    Label("opinion", "4"),
)


@dataclass(frozen=True, slots=True)
class Config:
    labels: tuple[Label, ...] = DEFAULT_LABELS
    snap: bool = True
    path: Path | None = field(default=None, compare=False)
    # Who annotates, when neither --annotator nor NEWSMARK_ANNOTATOR says.
    annotator: str | None = None
    # [model]: where the span model is (None: model/ in the store) and the
    # least score of a span it suggests.
    model_path: Path | None = None
    model_threshold: float = 0.5
    # [keys]: (binding id, comma-separated keys) pairs; the reader checks
    # and applies them (the ids are its bindings').
    keys: tuple[tuple[str, str], ...] = ()

    def label(self, name: str) -> Label | None:
        return next((label for label in self.labels if label.name == name), None)

    def index(self, name: str) -> int:
        """Position of a label, which picks its theme colour; unknown labels get the last."""
        for i, label in enumerate(self.labels):
            if label.name == name:
                return i
        return len(self.labels)


def load_config(path: Path | None, store_root: Path | None = None) -> Config:
    """Read `path`, else `newsmark.toml` beside the store, else the defaults."""
    if path is None and store_root is not None:
        beside = store_root.parent / CONFIG_NAME
        path = beside if beside.is_file() else None
    if path is None:
        return Config()
    import tomllib  # only when there is a file: most sessions use the defaults

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise ConfigError(f"{path}: cannot read it ({err.strerror})") from err
    except UnicodeDecodeError as err:
        raise ConfigError(f"{path}: is not UTF-8 text") from err
    except tomllib.TOMLDecodeError as err:
        # tomllib's message names the line and column already.
        raise ConfigError(f"{path}: {err}") from err
    return parse_config(data, path)


def parse_config(data: dict, path: Path | None = None) -> Config:
    where = str(path or CONFIG_NAME)
    snap = data.get("snap", True)
    if not isinstance(snap, bool):
        raise ConfigError(f"{where}: 'snap' must be true or false")
    annotator = data.get("annotator")
    if annotator is not None:
        if not isinstance(annotator, str):
            raise ConfigError(f"{where}: 'annotator' must be a name in quotes")
        problem = annotator_problem(annotator)
        if problem:
            raise ConfigError(f"{where}: 'annotator' {problem}")
    keys = _parse_keys(data.get("keys", {}), where)
    model_path, model_threshold = _parse_model(data.get("model", {}), where, path)
    raw_labels = data.get("labels")
    if raw_labels is None:
        return Config(snap=snap, path=path, keys=keys, annotator=annotator,
                      model_path=model_path, model_threshold=model_threshold)
    if not isinstance(raw_labels, list) or not raw_labels:
        raise ConfigError(f"{where}: 'labels' must be a list of [[labels]] tables")
    labels: list[Label] = []
    for number, entry in enumerate(raw_labels, start=1):
        labels.append(_parse_label(entry, f"{where}: label {number}"))
    _check_unique(labels, where)
    return Config(labels=tuple(labels), snap=snap, path=path, keys=keys,
                  annotator=annotator, model_path=model_path,
                  model_threshold=model_threshold)


def _parse_model(entry: object, where: str, path: Path | None) -> tuple[Path | None, float]:
    if not isinstance(entry, dict):
        raise ConfigError(f"{where}: [model] must be a table with path and threshold")
    folder, threshold = entry.get("path"), entry.get("threshold", 0.5)
    if folder is not None and (not isinstance(folder, str) or not folder):
        raise ConfigError(f"{where}: [model] 'path' must be a folder name")
    if isinstance(threshold, bool) or not isinstance(threshold, int | float) \
            or not 0 <= threshold <= 1:
        raise ConfigError(f"{where}: [model] 'threshold' must be a number from 0 to 1")
    model_path = None
    if folder is not None:
        model_path = Path(folder)
        if not model_path.is_absolute() and path is not None:
            model_path = path.parent / model_path
    return model_path, float(threshold)


def _parse_keys(table: object, where: str) -> tuple[tuple[str, str], ...]:
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: 'keys' must be a [keys] table of command = \"keys\"")
    pairs = []
    for binding_id, keys in table.items():
        if not isinstance(keys, str) or not keys.strip() or " " in keys.strip():
            raise ConfigError(f"{where}: [keys] {binding_id} must be a string of keys "
                              "separated by commas, such as \"delete,x\"")
        pairs.append((binding_id, keys.strip()))
    return tuple(pairs)


ANNOTATOR_CHARS = 64


def annotator_problem(name: str) -> str | None:
    """What is wrong with an annotator's name (None: fine).

    A name is shown in the status line and tables and written into every
    span: printable, on one line, not blank, at most 64 characters.
    """
    if not name.strip():
        return "must not be empty"
    if len(name) > ANNOTATOR_CHARS:
        return f"must be at most {ANNOTATOR_CHARS} characters"
    if not name.isprintable():
        return "must be printable characters on one line"
    return None


def _parse_label(entry: object, where: str) -> Label:
    if not isinstance(entry, dict):
        raise ConfigError(f"{where}: must be a table with name and key")
    name, key, color = entry.get("name"), entry.get("key"), entry.get("color")
    if not isinstance(name, str) or not _NAME.match(name):
        raise ConfigError(f"{where}: 'name' must be a word of letters, digits, - or _")
    if not isinstance(key, str) or len(key) != 1 or not key.isprintable() or key == " ":
        raise ConfigError(f"{where} ({name}): 'key' must be one printable character")
    if color is not None and (not isinstance(color, str) or not _COLOUR.match(color)):
        raise ConfigError(f"{where} ({name}): 'color' must look like \"#rrggbb\"")
    return Label(name=name, key=key, color=color)


def _check_unique(labels: list[Label], where: str) -> None:
    for attr in ("name", "key"):
        seen: set[str] = set()
        for label in labels:
            value = getattr(label, attr)
            if value in seen:
                raise ConfigError(f"{where}: two labels share the {attr} {value!r}")
            seen.add(value)
