"""The label set of a project, and the `newsmark.toml` that configures it.

    snap = true            # grow tagged spans to whole tokens
    annotator = "ana"      # who annotates (else --annotator, NEWSMARK_ANNOTATOR, login)

    [[labels]]
    name = "claim"
    key = "1"
    color = "#f2a65a"      # optional: without it the colour follows the theme

    [labels.attributes]    # optional: closed sets of values a span of this label takes
    checkworthy = ["yes", "no"]

    [[relations]]          # relation types between two spans of a document
    name = "said_by"
    head = ["quote"]       # labels the relation may start from (none listed: any)
    tail = ["speaker"]     # labels it may point at (none listed: any)

    [model]                # the span model `newsmark train` makes (docs/model.md)
    path = "model"         # its folder, relative to this file (default: model/ in the store)
    threshold = 0.5        # the least score of a span the model suggests (0-1)

The defaults are claim/quote/terms/opinion/speaker/source on keys 1-6,
with the attributes and relation types of `DEFAULT_LABELS` and
`DEFAULT_RELATION_TYPES`. A file that declares labels but no relations
keeps those default relation types whose labels it declares.
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
class Attribute:
    """An attribute a span of one label may have, with its closed set of values."""

    name: str
    values: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Label:
    """A label: its name, its key in the reader, its colour and attributes.

    (A docstring of its own: without one, `@dataclass` writes one from the
    class's signature, ~0.15 ms at import.)
    """

    name: str
    key: str
    color: str | None = None
    attributes: tuple[Attribute, ...] = ()

    def attribute(self, name: str) -> Attribute | None:
        return next((a for a in self.attributes if a.name == name), None)


@dataclass(frozen=True, slots=True)
class RelationType:
    """A relation type and the labels of the spans it may join (empty: any label)."""

    name: str
    head: tuple[str, ...] = ()
    tail: tuple[str, ...] = ()

    def allows(self, head_label: str, tail_label: str) -> bool:
        return (not self.head or head_label in self.head) and (
            not self.tail or tail_label in self.tail)


DEFAULT_LABELS = (
    Label("claim", "1", attributes=(Attribute("checkworthy", ("yes", "no")),)),
    Label("quote", "2", attributes=(Attribute("kind", ("direct", "indirect", "partial")),)),
    Label("terms", "3"),
    Label("opinion", "4",
          attributes=(Attribute("polarity", ("positive", "negative", "neutral")),)),
    Label("speaker", "5"),
    Label("source", "6"),
)

# Attribution out of the box: who said a quote, where a claim comes from,
# and the words that attribute either ("said", "according to").
DEFAULT_RELATION_TYPES = (
    RelationType("said_by", ("quote",), ("speaker",)),
    RelationType("source_of", ("claim",), ("source",)),
    RelationType("cue", ("quote", "claim"), ()),
)


@dataclass(frozen=True, slots=True)
class Config:
    """A project's settings (newsmark.toml): labels, relation types, keys, model."""

    labels: tuple[Label, ...] = DEFAULT_LABELS
    snap: bool = True
    path: Path | None = field(default=None, compare=False)
    relation_types: tuple[RelationType, ...] = DEFAULT_RELATION_TYPES
    # Who annotates, when neither --annotator nor NEWSMARK_ANNOTATOR says.
    annotator: str | None = None
    # [model]: where the span model is (None: model/ in the store) and the
    # least score of a span it suggests (None: the model's own, learnt on
    # the documents its training held out; see model_threshold.py).
    model_path: Path | None = None
    model_threshold: float | None = None
    # [keys]: (binding id, comma-separated keys) pairs; the reader checks
    # and applies them (the ids are its bindings').
    keys: tuple[tuple[str, str], ...] = ()

    def label(self, name: str) -> Label | None:
        return next((label for label in self.labels if label.name == name), None)

    def relation_type(self, name: str) -> RelationType | None:
        return next((t for t in self.relation_types if t.name == name), None)

    def types_between(self, head_label: str, tail_label: str) -> list[RelationType]:
        """The relation types a span of `head_label` may have towards one of `tail_label`."""
        return [t for t in self.relation_types if t.allows(head_label, tail_label)]

    def relation_problem(self, type_name: str, head_label: str, tail_label: str) -> str | None:
        """Why a relation of this type cannot join these labels (None: it can)."""
        found = self.relation_type(type_name)
        if found is None:
            declared = ", ".join(t.name for t in self.relation_types) or "none"
            return f"relation type {type_name!r} is not declared (declared: {declared})"
        if not found.allows(head_label, tail_label):
            return (f"a {type_name} relation cannot go from a {head_label} "
                    f"to a {tail_label} ({_ends(found)})")
        return None

    def attribute_problem(self, label: str, name: str, value: str) -> str | None:
        """Why `name = value` is not an attribute a span of `label` can have (None: it is)."""
        found = self.label(label)
        attribute = found.attribute(name) if found is not None else None
        if attribute is None:
            names = ", ".join(a.name for a in found.attributes) if found else ""
            return (f"attribute {name!r} is not declared for label {label!r} "
                    f"(declared: {names or 'none'})")
        if value not in attribute.values:
            return (f"{value!r} is not a value of {label}'s attribute {name!r} "
                    f"(declared: {', '.join(attribute.values)})")
        return None

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
        labels: tuple[Label, ...] = DEFAULT_LABELS
    elif not isinstance(raw_labels, list) or not raw_labels:
        raise ConfigError(f"{where}: 'labels' must be a list of [[labels]] tables")
    else:
        parsed = [_parse_label(entry, f"{where}: label {number}")
                  for number, entry in enumerate(raw_labels, start=1)]
        _check_unique(parsed, where)
        labels = tuple(parsed)
    names = {label.name for label in labels}
    raw_relations = data.get("relations")
    if raw_relations is None:
        # The default types whose labels this project has.
        types = tuple(t for t in DEFAULT_RELATION_TYPES
                      if set(t.head) <= names and set(t.tail) <= names)
    elif not isinstance(raw_relations, list):
        raise ConfigError(f"{where}: 'relations' must be a list of [[relations]] tables")
    else:
        types = tuple(_parse_relation(entry, f"{where}: relation {number}", names)
                      for number, entry in enumerate(raw_relations, start=1))
        seen: set[str] = set()
        for found in types:
            if found.name in seen:
                raise ConfigError(f"{where}: two relation types are named {found.name!r}")
            seen.add(found.name)
    return Config(labels=labels, snap=snap, path=path, relation_types=types,
                  annotator=annotator, keys=keys, model_path=model_path,
                  model_threshold=model_threshold)


def _parse_model(entry: object, where: str, path: Path | None
                 ) -> tuple[Path | None, float | None]:
    if not isinstance(entry, dict):
        raise ConfigError(f"{where}: [model] must be a table with path and threshold")
    folder, threshold = entry.get("path"), entry.get("threshold")
    if folder is not None and (not isinstance(folder, str) or not folder):
        raise ConfigError(f"{where}: [model] 'path' must be a folder name")
    if threshold is not None and (isinstance(threshold, bool)
                                  or not isinstance(threshold, int | float)
                                  or not 0 <= threshold <= 1):
        raise ConfigError(f"{where}: [model] 'threshold' must be a number from 0 to 1")
    model_path = None
    if folder is not None:
        model_path = Path(folder)
        if not model_path.is_absolute() and path is not None:
            model_path = path.parent / model_path
    return model_path, None if threshold is None else float(threshold)


def _ends(found: RelationType) -> str:
    head = " or ".join(found.head) or "any label"
    tail = " or ".join(found.tail) or "any label"
    return f"it goes from {head} to {tail}"


def _parse_relation(entry: object, where: str, labels: set[str]) -> RelationType:
    if not isinstance(entry, dict):
        raise ConfigError(f"{where}: must be a table with a name (and head, tail)")
    name = entry.get("name")
    if not isinstance(name, str) or not _NAME.match(name):
        raise ConfigError(f"{where}: 'name' must be a word of letters, digits, - or _")
    ends: list[tuple[str, ...]] = []
    for side in ("head", "tail"):
        value = entry.get(side, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{where} ({name}): '{side}' must be a list of label names")
        unknown = [v for v in value if v not in labels]
        if unknown:
            raise ConfigError(f"{where} ({name}): '{side}' names {unknown[0]!r}, "
                              "which is not a declared label")
        ends.append(tuple(value))
    return RelationType(name, ends[0], ends[1])


def _parse_attributes(entry: object, where: str) -> tuple[Attribute, ...]:
    if entry is None:
        return ()
    if not isinstance(entry, dict):
        raise ConfigError(f"{where}: 'attributes' must be a table of name = [values]")
    out = []
    for name, values in entry.items():
        if not _NAME.match(name):
            raise ConfigError(f"{where}: attribute {name!r} must be a word of letters, "
                              "digits, - or _")
        if (not isinstance(values, list) or not values
                or not all(isinstance(v, str) and v and v.strip() == v
                           and not any(c.isspace() for c in v) for v in values)):
            raise ConfigError(f"{where}: attribute {name!r} must list its values as words, "
                              'e.g. ["yes", "no"]')
        if len(set(values)) != len(values):
            raise ConfigError(f"{where}: attribute {name!r} lists a value twice")
        out.append(Attribute(name, tuple(values)))
    return tuple(out)


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
    attributes = _parse_attributes(entry.get("attributes"), f"{where} ({name})")
    return Label(name=name, key=key, color=color, attributes=attributes)


def _check_unique(labels: list[Label], where: str) -> None:
    for attr in ("name", "key"):
        seen: set[str] = set()
        for label in labels:
            value = getattr(label, attr)
            if value in seen:
                raise ConfigError(f"{where}: two labels share the {attr} {value!r}")
            seen.add(value)
