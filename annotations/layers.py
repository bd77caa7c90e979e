"""Annotators' layers: each annotator's spans of a document, read from the store.

A layer is the annotations of one document that carry one `annotator`
name; the store keeps them side by side (two annotators' identical spans
are two annotations). The curator's adjudicated layer is named `gold`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, Protocol

from annotations.agreement import DocumentLayers, Span
from annotations.attribute_agreement import AttributeItems
from annotations.errors import EXIT_USAGE, NewsmarkError

GOLD = "gold"


class LayerStore(Protocol):
    """What reading layers needs of a store (the folder store has it)."""

    def documents(self) -> list[dict[str, Any]]: ...

    def annotation_rows(self, doc_id: str) -> list[Any]: ...

    def load_text(self, doc_id: str) -> str | None: ...


class UnknownDocuments(NewsmarkError):
    """`--documents` named an id (or prefix) that is not in the store."""

    exit_code = EXIT_USAGE


def initials(names: Iterable[str]) -> dict[str, str]:
    """One distinct character per annotator, to mark their spans: ana -> A, alex -> L.

    The first letter of the name not taken yet (upper case), else a digit.
    """
    taken: dict[str, str] = {}
    used: set[str] = set()
    for name in sorted(set(names)):
        # ASCII only: a mark is one cell of the margin.
        candidates = [c.upper() for c in name if c.isascii() and c.isalnum()] + list("123456789")
        mark = next((c for c in candidates if c not in used), "?")
        used.add(mark)
        taken[name] = mark
    return taken


def record_name(record: dict[str, Any]) -> str:
    """A document's short name from its stored record: title, else file name, else id."""
    meta = record.get("meta") or {}
    if meta.get("title"):
        return str(meta["title"])
    path = record.get("path") or meta.get("path")
    if path:
        return str(path).replace("\\", "/").rsplit("/", 1)[-1]
    return str(record.get("id", ""))


def select_documents(records: list[dict[str, Any]], wanted: Iterable[str]) -> list[dict[str, Any]]:
    """The records whose id is one of `wanted` or starts with it (a unique prefix).

    UnknownDocuments names every entry that matches no document or several.
    """
    chosen: dict[str, dict[str, Any]] = {}
    problems = []
    for entry in wanted:
        matches = [r for r in records if r["id"] == entry] or [
            r for r in records if r["id"].startswith(entry)]
        if len(matches) == 1:
            chosen[matches[0]["id"]] = matches[0]
        elif not matches:
            problems.append(f"{entry!r} is no document of the store")
        else:
            problems.append(f"{entry!r} is the start of {len(matches)} documents' ids")
    if problems:
        raise UnknownDocuments("; ".join(problems) + " (newsmark stats lists the ids)")
    return [r for r in records if r["id"] in chosen]


def document_layers(
    store: LayerStore,
    records: Iterable[dict[str, Any]] | None = None,
    *,
    leave_out: frozenset[str] = frozenset(),
) -> Iterator[DocumentLayers]:
    """Each document's layers (but those named in `leave_out`), one document at a time.

    An annotator coded a document when their layer of it holds a span
    (nothing else says that someone read a document and found nothing).
    """
    for record in store.documents() if records is None else records:
        doc_id = record["id"]
        layers: dict[str, list[Span]] = {}
        valued: dict[tuple[str, int, int, str], AttributeItems] = {}
        for row in store.annotation_rows(doc_id):
            fragments = row.fragments
            # Plain tuples in Span's order: 300,000 named ones cost a third of a second.
            span = (row.start, row.end, row.label,
                    tuple((a, b) for a, b in fragments) if fragments else ())
            layer = layers.get(row.annotator)
            if layer is None:
                layers[row.annotator] = [span]  # type: ignore[list-item]
            else:
                layer.append(span)  # type: ignore[arg-type]
            if row.attrs:
                valued[row.annotator, row.start, row.end, row.label] = tuple(
                    sorted(row.attrs.items()))
        for name in leave_out:
            layers.pop(name, None)
        if not layers:
            continue
        length = record.get("length")
        if not isinstance(length, int):  # a record from before lengths were kept
            length = len(store.load_text(doc_id) or "")
        # Where a span has attribute values, every span's (a span marked
        # without one is unset where another coder's has a value); none else.
        attributes = {coder: {(s[0], s[1], s[2]): valued.get((coder, s[0], s[1], s[2]), ())
                              for s in layer}
                      for coder, layer in layers.items()} if valued else {}
        yield DocumentLayers(doc_id, length, layers, record_name(record), attributes)


def layer_counts(store: LayerStore, skip: Iterable[str] = ()) -> dict[str, tuple[int, int]]:
    """Per annotator: (documents with a span in their layer, spans); `skip`: document ids."""
    counts: dict[str, list[int]] = {}
    left_out = set(skip)
    for record in store.documents():
        if record["id"] in left_out:
            continue
        seen: set[str] = set()
        for row in store.annotation_rows(record["id"]):
            entry = counts.setdefault(row.annotator, [0, 0])
            entry[1] += 1
            if row.annotator not in seen:
                seen.add(row.annotator)
                entry[0] += 1
    return {name: (docs, spans) for name, (docs, spans) in sorted(counts.items())}
