"""The annotation model: documents and the spans people tag in them.

Every offset in newsmark is a Python string index (a Unicode code point)
into `Document.text`, end exclusive. Other offset systems (UTF-16, UTF-8)
are derived at export time, never stored.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any

# Characters of context kept on each side of a span, so that it can be found
# again if the article's text changes (as a W3C TextQuoteSelector does).
CONTEXT_CHARS = 32

# How much of an untitled, file-less document's text names it.
NAME_CHARS = 40


def text_hash(text: str) -> str:
    """A stable identifier for a cleaned article text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def new_id() -> str:
    return uuid.uuid4().hex[:12]


_READ_KEYS = ("encoding", "repaired", "cleaned")
_OPTIONAL_KEYS = (*_READ_KEYS, "record_id", "raw")  # in `to_dict` only when set
META_KEYS = ("path", "title", "source", "date", *_OPTIONAL_KEYS)


@dataclass(frozen=True, slots=True)
class DocumentMeta:
    """What is known of an article besides its text."""

    path: str | None = None
    title: str | None = None
    source: str | None = None
    date: str | None = None
    # How the file was read, when not as plain UTF-8: the encoding used
    # (`--encoding`, `PATH:ENCODING`, a byte-order mark) and a repair made
    # (`--fix-mojibake`). Never silent: the reader and the export say so.
    encoding: str | None = None
    repaired: str | None = None
    # What cleaning took out of the text ("removed 2 lines of page
    # furniture ('Reuters', 'Comments are closed.')"): the reader says so
    # when the file is opened, and the export keeps it.
    cleaned: str | None = None
    # The id the document's record had in the file it was imported from
    # (doccano's `id`), written back on export so a round trip keeps the
    # link to the project it came from.
    record_id: str | None = None
    # "yes" when the file was read with --raw (not cleaned): its spans are
    # the raw text's own, never carried over to or from the cleaned text's.
    raw: str | None = None

    def to_dict(self) -> dict[str, str | None]:
        data = asdict(self)
        # Only when set: records of plain UTF-8 articles stay as they were.
        for key in _OPTIONAL_KEYS:
            if data[key] is None:
                del data[key]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DocumentMeta:
        return cls(**{k: data.get(k) for k in META_KEYS})


@dataclass(frozen=True, slots=True)
class Document:
    """An article as the reader shows it: cleaned text plus metadata.

    `id` is a hash of `text` (a changed article is a new document); a file
    whose text another file holds already gets an id of its own from
    `annotations.identity` (each file is its own document).
    """

    text: str
    meta: DocumentMeta = field(default_factory=DocumentMeta)
    id: str = ""

    def __post_init__(self) -> None:
        if not self.id:
            object.__setattr__(self, "id", text_hash(self.text))

    @property
    def heading(self) -> str:
        """What a pane and the document list call it: its file, then its title.

        Two copies of one wire story (one title) are told apart by their
        files; a file name alone says less than the title beside it.
        """
        return self.heading_with(self._file_name())

    def heading_with(self, file: str) -> str:
        """`heading`, the file called `file` (`annotations.shown_names`: namesakes told apart)."""
        if self.meta.title and file:
            return f"{file} — {self.meta.title}"
        return self.name_with(file)

    def _file_name(self) -> str:
        return (self.meta.path or "").replace("\\", "/").rsplit("/", 1)[-1]

    @property
    def name(self) -> str:
        """A short human name: the title, else the file name, else the text's first words.

        (An imported record often has neither title nor file; its id says nothing.)
        """
        return self.name_with(self._file_name())

    def name_with(self, file: str) -> str:
        """`name`, the file called `file` (`annotations.shown_names`: namesakes told apart)."""
        if self.meta.title:
            return self.meta.title
        if file:
            return file
        words = " ".join(self.text[:200].split())
        if not words:
            return self.id
        return words if len(words) <= NAME_CHARS else words[: NAME_CHARS - 1].rstrip() + "…"


@dataclass(frozen=True, slots=True)
class Relation:
    """A typed edge from the annotation that holds it (the head) to another one (`tail`).

    Kept on its head, so that saving, undo, re-anchoring and orphans carry
    relations with the spans they start from (`annotations.relations`).
    """

    id: str
    type: str
    tail: str  # id of an annotation of the same document

    def to_dict(self) -> dict[str, str]:
        return {"id": self.id, "type": self.type, "tail": self.tail}

    @classmethod
    def from_dict(cls, data: Any) -> Relation:
        if not isinstance(data, dict) or not all(
            isinstance(data.get(k), str) and data.get(k) for k in ("id", "type", "tail")
        ):
            raise ValueError(f"a relation needs id, type and tail as strings: {data!r}")
        return cls(id=data["id"], type=data["type"], tail=data["tail"])


@dataclass(frozen=True, slots=True)
class Annotation:
    """One tagged span of one document."""

    doc_id: str
    start: int
    end: int
    label: str
    text: str
    annotator: str = ""
    created: str = field(default_factory=now_iso)
    id: str = field(default_factory=new_id)
    note: str = ""
    source: str = "manual"
    prefix: str = ""
    suffix: str = ""
    # How the span got where it is after its article changed: "" (tagged
    # here), "moved" (same text found elsewhere), "fuzzy" (approximately
    # matching text), "placed" (an orphan a person placed again).
    reanchored: str = ""
    # Attribute values (name -> one of the values its label declares) and
    # relations from this span to others (see `annotations.relations`).
    attrs: dict[str, str] = field(default_factory=dict)
    relations: tuple[Relation, ...] = ()
    # A discontinuous span (brat's `10 20;25 40`): the pieces it covers, in
    # text order, within [start, end), which is their hull. Empty for the
    # usual continuous span.
    fragments: tuple[tuple[int, int], ...] = ()

    def __post_init__(self) -> None:
        if not 0 <= self.start < self.end:
            raise ValueError(f"bad span [{self.start}, {self.end})")
        if len(self.text) != self.end - self.start:
            raise ValueError("span text does not match its offsets")
        if self.fragments:
            object.__setattr__(self, "fragments", check_fragments(
                self.fragments, self.start, self.end))
        elif self.fragments != ():  # [] from a row: the same as none
            object.__setattr__(self, "fragments", ())
        if (self.relations and type(self.relations) is not tuple) or any(
            type(r) is not Relation for r in self.relations
        ):
            # A stored row holds them as a list of dicts.
            object.__setattr__(self, "relations", tuple(
                r if type(r) is Relation else Relation.from_dict(r) for r in self.relations))
        if type(self.attrs) is not dict or not all(
            type(k) is str and type(v) is str for k, v in self.attrs.items()
        ):
            raise ValueError(f"attributes must map names to string values: {self.attrs!r}")

    def __hash__(self) -> int:
        # Written out: the generated hash would fail on the attrs dict.
        return hash((self.doc_id, self.id, self.start, self.end, self.label, self.note,
                     self.created, tuple(self.attrs.items()), self.relations,
                     self.fragments))

    @classmethod
    def tag(
        cls,
        doc: Document,
        start: int,
        end: int,
        label: str,
        *,
        annotator: str = "",
        source: str = "manual",
        note: str = "",
    ) -> Annotation:
        """Make an annotation of `doc.text[start:end]`, with its context."""
        if not 0 <= start < end <= len(doc.text):
            raise ValueError(f"span [{start}, {end}) is outside the text")
        return cls(
            doc_id=doc.id,
            start=start,
            end=end,
            label=label,
            text=doc.text[start:end],
            annotator=annotator,
            source=source,
            note=note,
            prefix=doc.text[max(0, start - CONTEXT_CHARS) : start],
            suffix=doc.text[end : end + CONTEXT_CHARS],
        )

    def with_changes(self, **changes: Any) -> Annotation:
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        # Shallow: the plain fields are str or int, a shallow dict is a whole copy
        # (`asdict` deep-copies each value: two thirds of an import's time).
        # `attrs`, `relations` and `fragments` only when there are some.
        row = {name: getattr(self, name) for name in _ANNOTATION_FIELD_ORDER}
        if self.attrs:
            row["attrs"] = dict(self.attrs)
        else:
            del row["attrs"]
        if self.relations:
            row["relations"] = [r.to_dict() for r in self.relations]
        else:
            del row["relations"]
        if not self.fragments:
            del row["fragments"]  # most spans: no empty list in every stored row
        else:
            row["fragments"] = [list(piece) for piece in self.fragments]
        return row

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Annotation:
        if data.keys() <= _ANNOTATION_FIELDS:
            return cls(**data)
        return cls(**{k: v for k, v in data.items() if k in _ANNOTATION_FIELDS})


def check_fragments(
    fragments: Any, start: int, end: int
) -> tuple[tuple[int, int], ...]:
    """Fragments as sorted pairs, checked to lie within and span [start, end).

    ValueError if one is empty, outside the hull, overlaps another, or the
    first and last do not reach the hull's ends.
    """
    try:
        pieces = sorted((int(a), int(b)) for a, b in fragments)
    except (TypeError, ValueError) as err:
        raise ValueError("fragments must be [start, end] pairs") from err
    previous = start
    for a, b in pieces:
        if not a < b or a < previous or b > end:
            raise ValueError(f"bad fragment [{a}, {b}) of span [{start}, {end})")
        previous = b
    if pieces and (pieces[0][0] != start or pieces[-1][1] != end):
        raise ValueError(f"fragments do not reach the ends of span [{start}, {end})")
    return tuple(pieces)


# Built once: from_dict runs for every stored annotation a document has.
_ANNOTATION_FIELDS = frozenset(Annotation.__dataclass_fields__)
_ANNOTATION_FIELD_ORDER = tuple(Annotation.__dataclass_fields__)  # as asdict orders them


class AnnotationRow:
    """An annotation as the store holds it: the stored row, read by attribute.

    Export reads every annotation of the store once; building an
    `Annotation` (a frozen, validated dataclass) costs ~10 µs each, a third
    of exporting a span. This is the parsed row itself (no copy) with
    `Annotation`'s attribute names; fields an older row lacks read as
    `Annotation`'s defaults. `Store.annotation_rows` checks the offsets and
    text (as `Annotation` does) before handing one out. Read-only: nothing
    writes through it, and `to_annotation` gives the full object.
    """

    doc_id: str = ""
    id: str = ""
    start: int
    end: int
    label: str
    text: str
    annotator: str = ""
    created: str = ""
    note: str = ""
    source: str = "manual"
    prefix: str = ""
    suffix: str = ""
    reanchored: str = ""
    attrs: Mapping[str, str] = MappingProxyType({})
    relations: Sequence[dict[str, Any]] = ()  # as stored: [{"id", "type", "tail"}]
    fragments: list[list[int]] | tuple[()] = ()

    @classmethod
    def of(cls, row: dict[str, Any]) -> AnnotationRow:
        view = cls.__new__(cls)
        view.__dict__ = row
        return view

    def to_annotation(self) -> Annotation:
        return Annotation.from_dict(self.__dict__)


# Relation name -> what the side panel calls it.
RELATIONS: dict[str, str] = {
    "same-claim": "same claim",
    "same-quote": "same quote",
    "paraphrase": "paraphrase",
    "contradicts": "contradicts",
}


@dataclass(frozen=True, slots=True)
class Link:
    """Annotation `a_ann` of document `a_doc` relates to `b_ann` of `b_doc`.

    Every relation is symmetric: (a, b) and (b, a) are the same link.
    """

    a_doc: str
    a_ann: str
    b_doc: str
    b_ann: str
    relation: str
    annotator: str = ""
    created: str = field(default_factory=now_iso)
    id: str = field(default_factory=new_id)

    def __post_init__(self) -> None:
        if self.relation not in RELATIONS:
            raise ValueError(
                f"unknown relation {self.relation!r}; expected one of {', '.join(RELATIONS)}"
            )
        if (self.a_doc, self.a_ann) == (self.b_doc, self.b_ann):
            raise ValueError("a link needs two different annotations")

    @classmethod
    def between(cls, a: Annotation, b: Annotation, relation: str, *, annotator: str = "") -> Link:
        """A new link from annotation `a` to annotation `b`."""
        return cls(a.doc_id, a.id, b.doc_id, b.id, relation, annotator=annotator)

    @property
    def ends(self) -> frozenset[tuple[str, str]]:
        """The two (doc_id, ann_id) it joins, without order."""
        return frozenset({(self.a_doc, self.a_ann), (self.b_doc, self.b_ann)})

    def involves(self, doc_id: str, ann_id: str | None = None) -> bool:
        """Whether the link touches document `doc_id` (and annotation `ann_id`)."""
        if ann_id is None:
            return doc_id in (self.a_doc, self.b_doc)
        return (doc_id, ann_id) in self.ends

    def other_end(self, doc_id: str, ann_id: str) -> tuple[str, str]:
        """The (doc_id, ann_id) at the other end from the given one."""
        if (self.a_doc, self.a_ann) == (doc_id, ann_id):
            return (self.b_doc, self.b_ann)
        if (self.b_doc, self.b_ann) == (doc_id, ann_id):
            return (self.a_doc, self.a_ann)
        raise ValueError(f"link {self.id} does not involve {doc_id}/{ann_id}")

    @property
    def label(self) -> str:
        return RELATIONS[self.relation]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Link:
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in data.items() if k in known})

    def record(self) -> dict[str, Any]:
        """The exported form (see the module's notes)."""
        return {
            "id": self.id,
            "relation": self.relation,
            "a_doc": self.a_doc,
            "a_span": self.a_ann,
            "b_doc": self.b_doc,
            "b_span": self.b_ann,
            "annotator": self.annotator,
            "created": self.created,
        }
