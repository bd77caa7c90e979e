"""Cross-document links: this claim in one article is that claim in another.

A `Link` joins an annotation of one document to an annotation of another
with a relation: the same claim, the same quote, a paraphrase, or a
contradiction. Links live in their own database of the store folder,
`links.json` (TinyDB, written atomically like every store file), so adding
one never rewrites a document's file.

Removing an annotation leaves its links in place: undoing the removal
brings the annotation back with its id, and its links with it. Exports
carry only links whose two annotations both exist (`links_records`).

Native JSONL records of linked documents carry `links`; formats that cannot
hold them get a separate `links.jsonl` (`write_links_jsonl`), one link per
line::

    {"id", "relation", "a_doc", "a_span", "b_doc", "b_span", "annotator", "created"}

`a_span`/`b_span` are span ids, as in the `spans` of each document's record.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from typing import Any, TextIO

from annotations.model import Annotation, new_id, now_iso
from annotations.store import Store

LINKS = "links.json"
TABLE = "links"

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


class LinkStore:
    """The links of one store, in `links.json` beside its other files.

    Every change is durable (atomic write, fsynced) when it returns. A
    read-only store gives a read-only LinkStore: changes raise StoreError.
    """

    def __init__(self, store: Store) -> None:
        self.store = store
        self._db = store.database(LINKS)
        self._table = self._db.table(TABLE)
        self._rows()  # a damaged links.json fails now, not at the first link

    def _rows(self) -> dict[str, dict[str, Any]]:
        return (self._db.storage.read() or {}).get(TABLE, {})

    def all(self) -> list[Link]:
        """Every link, oldest first."""
        rows = sorted(self._rows().items(), key=lambda kv: int(kv[0]))
        return [Link.from_dict(row) for _key, row in rows]

    def get(self, link_id: str) -> Link | None:
        for row in self._rows().values():
            if row.get("id") == link_id:
                return Link.from_dict(row)
        return None

    def for_annotation(self, doc_id: str, ann_id: str) -> list[Link]:
        """Links touching annotation `ann_id` of `doc_id`."""
        return [link for link in self.all() if link.involves(doc_id, ann_id)]

    def for_document(self, doc_id: str) -> list[Link]:
        """Links touching any annotation of `doc_id`."""
        return [link for link in self.all() if link.involves(doc_id)]

    def between(self, a_doc: str, b_doc: str) -> list[Link]:
        """Links joining documents `a_doc` and `b_doc` (either way round)."""
        docs = {a_doc, b_doc}
        return [link for link in self.all() if {link.a_doc, link.b_doc} == docs]

    def find(self, a: tuple[str, str], b: tuple[str, str]) -> Link | None:
        """The link joining annotations `a` and `b` ((doc_id, ann_id) each), if any."""
        ends = frozenset({a, b})
        return next((link for link in self.all() if link.ends == ends), None)

    def add(self, link: Link) -> bool:
        """Save `link`; False (nothing written) if its id, or its two ends with
        the same relation, are already linked."""
        self.store.check_writable()
        for existing in self.all():
            if existing.id == link.id:
                return False
            if existing.ends == link.ends and existing.relation == link.relation:
                return False
        self._guarded(lambda: self._table.insert(link.to_dict()))
        return True

    def restore(self, link: Link) -> bool:
        """Put back a removed link (undo); False if its id is present."""
        self.store.check_writable()
        if self.get(link.id) is not None:
            return False
        self._guarded(lambda: self._table.insert(link.to_dict()))
        return True

    def remove(self, link_id: str) -> Link | None:
        """Delete one link; returns it, or None if there was none."""
        self.store.check_writable()
        found = next(
            ((int(key), row) for key, row in self._rows().items() if row.get("id") == link_id),
            None,
        )
        if found is None:
            return None
        row_id, row = found
        old = Link.from_dict(row)
        self._guarded(lambda: self._table.remove(doc_ids=[row_id]))
        return old

    def _guarded(self, action: Any) -> None:
        try:
            action()
        except BaseException:
            invalidate = getattr(self._db.storage, "invalidate", None)
            if invalidate is not None:
                invalidate()
            self._table.clear_cache()
            raise

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> LinkStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# ------------------------------------------------------------------ export


# Which annotations an export keeps: (doc_id, annotation) -> bool.
Keep = Callable[[str, Annotation], bool]


def live_links(
    store: Store, links: Iterable[Link] | None = None, keep: Keep | None = None
) -> Iterator[Link]:
    """The links whose two annotations both exist in `store` (and pass `keep`,
    when an export filters spans: a link to a span left out would dangle)."""
    if links is None:
        with LinkStore(store) as link_store:
            links = link_store.all()
    ids: dict[str, set[str]] = {}

    def exists(doc_id: str, ann_id: str) -> bool:
        if doc_id not in ids:
            ids[doc_id] = {
                ann.id
                for ann in store.annotations(doc_id)
                if keep is None or keep(doc_id, ann)
            }
        return ann_id in ids[doc_id]

    for link in links:
        if exists(link.a_doc, link.a_ann) and exists(link.b_doc, link.b_ann):
            yield link


def links_records(store: Store, keep: Keep | None = None) -> Iterator[dict[str, Any]]:
    """Export records of every live link (see the module's notes)."""
    for link in live_links(store, keep=keep):
        yield link.record()


def links_by_document(store: Store, keep: Keep | None = None) -> dict[str, list[dict[str, Any]]]:
    """doc_id -> export records of the live links touching it.

    For a native record's `links`: a link appears in both documents' records.
    """
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for record in links_records(store, keep):
        out[record["a_doc"]].append(record)
        if record["b_doc"] != record["a_doc"]:
            out[record["b_doc"]].append(record)
    return dict(out)


def write_links_jsonl(
    store: Store, out: TextIO, records: Iterable[dict[str, Any]] | None = None
) -> int:
    """Write `links.jsonl` (one live link per line); returns how many."""
    count = 0
    for record in links_records(store) if records is None else records:
        out.write(json.dumps(record, ensure_ascii=False))
        out.write("\n")
        count += 1
    return count
