"""Cross-document links: this claim in one article is that claim in another.

A `Link` joins an annotation of one document to an annotation of another
with a relation: the same claim, the same quote, a paraphrase, or a
contradiction. Links live in their own database of the store folder,
kept by the store (`Store.links`; the local engine's `links.json`), so adding
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
from typing import Any, TextIO

from annotations.model import RELATIONS, Annotation, Link
from annotations.store.protocol import Store

# `Link` and `RELATIONS` live in the model (the store keeps links): named here too.
__all__ = [
    "RELATIONS", "Keep", "Link", "LinkStore", "links_by_document", "links_records",
    "live_links", "write_links_jsonl",
]


class LinkStore:
    """The links of one store, with the questions the app and export ask of them.

    Kept by the store (`Store.links`, `add_link`, ...); every change is
    durable when it returns, and a read-only store refuses changes.
    """

    def __init__(self, store: Store) -> None:
        self.store = store
        store.links()  # a damaged links file fails now, not at the first link

    def all(self) -> list[Link]:
        """Every link, oldest first."""
        return self.store.links()

    def get(self, link_id: str) -> Link | None:
        return next((link for link in self.all() if link.id == link_id), None)

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
        return self.store.add_link(link)

    def restore(self, link: Link) -> bool:
        """Put back a removed link (undo); False if its id is present."""
        return self.store.restore_link(link)

    def remove(self, link_id: str) -> Link | None:
        """Delete one link; returns it, or None if there was none."""
        return self.store.remove_link(link_id)

    def close(self) -> None:
        """Nothing to release: the store owns the links."""

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
