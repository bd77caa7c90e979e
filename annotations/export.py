"""Exporting the store as training data, streamed one document at a time.

`export` writes any format of `annotations.formats` (see docs/formats.md)
to a file, a folder (brat) or a stream, through a temporary file renamed
into place, so a failed export never leaves half a file where a good one
was. `document_records` yields the native JSON-lines records.

Offsets are code points into `text`, end exclusive, and
`text[start:end] == span["text"]` holds for every span: a span whose
stored text no longer matches the document is an error, never exported.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import chain, islice
from pathlib import Path
from typing import Any, TextIO

from annotations import export_folder, export_workers
from annotations.errors import StoreError
from annotations.export_lines import (
    ExportOptions,
    document_lines,
    document_units,
    json_record,
)
from annotations.formats import (
    JSON_LINES_FORMATS,
    FormatError,
    brat,
    conll,
    spacy_docbin,
)
from annotations.formats.common import write_json_lines
from annotations.formats.records import (
    Counts,
    RecordView,
    exported_records,
    iter_documents,
    status_reader,
)
from annotations.model import Annotation, Document
from annotations.store import Store

__all__ = [
    "ExportOptions", "Stats", "check_target", "collect_stats", "document_lines",
    "document_records", "export", "json_lines", "json_records", "span_record", "views",
    "write_jsonl",
]

SPAN_FIELDS = ("id", "start", "end", "label", "text", "annotator", "created")


def span_record(ann: Annotation) -> dict[str, Any]:
    """The stored fields of one span (what the first export slice wrote)."""
    record = {name: getattr(ann, name) for name in SPAN_FIELDS}
    if ann.note:
        record["note"] = ann.note
    if ann.source != "manual":
        record["source"] = ann.source
    if ann.reanchored:  # "moved", "fuzzy" or "placed" after its article changed
        record["reanchored"] = ann.reanchored
    return record


def views(
    store: Store,
    options: ExportOptions,
    counts: Counts,
    progress: Callable[[], None] | None = None,
) -> Iterator[RecordView]:
    """The record views an export writes, counting as they go."""
    docs = iter_documents(store, options.filters, progress=progress, warn=counts.warnings.append)
    for doc, _seg in docs:
        yield from document_units(doc, options, counts)


def _links(
    store: Store, options: ExportOptions, counts: Counts
) -> dict[str, list[dict[str, Any]]]:
    # Cross-document links ride on native document records; other formats
    # (and sentence records) get a links.jsonl of their own (`export`).
    links: dict[str, list[dict[str, Any]]] = {}
    if carries_links(options):
        from annotations.links import links_by_document

        links = links_by_document(store, link_filter(store, options))
        counts.links = len({r["id"] for records in links.values() for r in records})
    return links


def json_lines(
    store: Store,
    options: ExportOptions,
    counts: Counts,
    progress: Callable[[], None] | None = None,
) -> Iterator[str]:
    """The lines of a JSON-lines format, each `json.dumps` of its `json_records` record.

    Native lines are written by `native.line` without building the record
    (the same bytes, in half the time: tokens are most of a record). A
    store of many documents is formatted by worker processes on a machine
    with more than one core (`annotations.export_workers`), in the same order.
    """
    if options.format not in JSON_LINES_FORMATS:
        raise FormatError(f"{options.format} is not a JSON-lines format")
    links = _links(store, options, counts)
    records = exported_records(store, options.filters, progress)
    first = list(islice(records, export_workers.MIN_DOCUMENTS))
    # A store that streams its documents from a server (PostgreSQL) is read
    # fastest by one process: workers would each restart the stream per chunk.
    streams = getattr(store, "streams_export", False)
    jobs = export_workers.jobs_for(
        options.jobs, many=len(first) == export_workers.MIN_DOCUMENTS and not streams)
    if jobs > 1:
        yield from export_workers.lines(store, options, chain(first, records), links, counts, jobs)
        return
    for record in chain(first, records):
        yield from document_lines(store, record, options, links, counts)


def json_records(
    store: Store,
    options: ExportOptions,
    counts: Counts,
    progress: Callable[[], None] | None = None,
) -> Iterator[dict[str, Any]]:
    """Records of a JSON-lines format (jsonl, prodigy, doccano)."""
    links = _links(store, options, counts)
    for view in views(store, options, counts, progress):
        counts.records += 1
        yield json_record(view, options, links)


LINKS_FILE = "links.jsonl"


def carries_links(options: ExportOptions) -> bool:
    """Whether the records themselves hold the links (native, per document)."""
    return options.format == "jsonl" and options.unit == "document"


def link_filter(store: Store, options: ExportOptions) -> Callable[[str, Annotation], bool]:
    """Which annotations the export keeps, for links: both ends must be exported."""
    filters = options.filters
    done: dict[str, bool] = {}
    status = status_reader(store, filters)

    def keep(doc_id: str, ann: Annotation) -> bool:
        if filters.done_only:
            if doc_id not in done:
                record = store.document_record(doc_id) or {"id": doc_id}
                done[doc_id] = status(record) == "done"
            if not done[doc_id]:
                return False
        return filters.keep(ann)

    return keep


def links_beside(out_path: Path, fmt: str = "") -> Path:
    """Where an export to `out_path` writes the links its format cannot hold.

    Beside a file; inside a brat folder (it is the export's own folder).
    """
    if fmt == "brat":
        return out_path / LINKS_FILE
    return export_folder.absolute(out_path).parent / LINKS_FILE


def document_records(store: Store) -> Iterator[dict[str, Any]]:
    """Yield one native record per document that has annotations."""
    yield from json_records(store, ExportOptions(), Counts())


def write_jsonl(records: Iterator[dict[str, Any]], out: TextIO) -> int:
    """Write records one per line; returns how many were written."""
    return write_json_lines(records, out)


def _write_stream(
    store: Store, options: ExportOptions, out: TextIO, counts: Counts,
    progress: Callable[[], None] | None,
) -> None:
    if options.format == "conll":
        conll.write(views(store, options, counts, progress), out, counts)
    else:
        for line in json_lines(store, options, counts, progress):
            out.write(line)
            out.write("\n")


def check_target(out_path: Path, fmt: str, force: bool, store_root: Path | None = None) -> None:
    """Refuse, before any work, a target the export may not write.

    Never inside the store; a brat folder only if new, empty, or an earlier
    brat export and nothing else (`annotations.export_folder`); a file never
    over a folder, and over a file only with `force`.
    """
    export_folder.check_not_in_store(out_path, store_root)
    if fmt == "brat":
        export_folder.check_folder(out_path, force)
    elif out_path.is_dir():
        raise StoreError(f"{out_path} is a folder; give a file name")
    elif out_path.exists() and not force:
        raise StoreError(f"{out_path} exists; add --force to overwrite it")
    if fmt == "spacy":
        spacy_docbin.require_spacy()


def export(
    store: Store,
    options: ExportOptions,
    *,
    out_path: Path | None = None,
    stream: TextIO | None = None,
    force: bool = False,
    progress: Callable[[], None] | None = None,
) -> Counts:
    """Write the store in `options.format` to `out_path` (or `stream`); returns the counts.

    A file is written beside `out_path` under a temporary name and renamed
    into place; an existing one is replaced only with `force`. A brat folder
    is written as `annotations.export_folder` says: never over anything
    an export did not write.
    When no record passes the filters no file is put at `out_path` (an empty
    one there would only need --force to be replaced by the next export).
    """
    options.check(out_path)
    counts = Counts()
    # None: the store has no links, so no links.jsonl; [] when the filters
    # leave none, still written, so no links.jsonl of an earlier export stays
    # beside this one as if it were its own.
    link_records: list[dict[str, Any]] | None = None
    if not carries_links(options):
        from annotations.links import LinkStore, links_records

        with LinkStore(store) as link_store:
            stored = bool(link_store.all())
        if stored:
            link_records = list(links_records(store, link_filter(store, options)))
            counts.links = len(link_records)
    if out_path is None:
        if stream is None:
            raise ValueError("export needs out_path or stream")
        _write_stream(store, options, stream, counts, progress)
        return counts  # links not written: the caller says how to get them
    from annotations.engines import folder_of

    check_target(out_path, options.format, force, folder_of(store))  # None for PostgreSQL
    links_path = links_beside(out_path, options.format)
    if options.format == "brat":
        _write_brat(store, options, out_path, counts, link_records, progress)
        return counts
    if link_records is not None:
        if out_path.resolve() == links_path.resolve():
            raise StoreError(
                f"{LINKS_FILE} is where the links between documents go; "
                "give the export another name"
            )
        # Exporting one store in several formats into one folder writes the
        # same links each time: that is no overwrite, and needs no --force.
        if links_path.exists() and not force and not _holds(links_path, store, link_records):
            raise StoreError(
                f"{links_path} exists and holds other links (an export with other filters?); "
                "add --force to overwrite it, or export into another folder"
            )
    tmp = out_path.with_name(f".{out_path.name}.{os.getpid()}.tmp")
    try:
        if options.format == "spacy":
            spacy_docbin.require_spacy()
            spacy_docbin.write(views(store, options, counts, progress), tmp, counts)
        else:
            with tmp.open("w", encoding="utf-8", newline="") as out:
                _write_stream(store, options, out, counts, progress)
        if not counts.records:
            return counts  # the temporary is removed below; links need spans too
        os.replace(tmp, out_path)
    except OSError as err:
        raise StoreError(f"cannot write {out_path}: {err.strerror or err}") from err
    finally:
        tmp.unlink(missing_ok=True)
    if link_records is not None:
        _write_links(store, link_records, links_path)
        counts.links_path = str(links_path)
    return counts


def _holds(path: Path, store: Store, records: list[dict[str, Any]]) -> bool:
    """Whether `path` is already exactly the links.jsonl these records make."""
    import io

    from annotations.links import write_links_jsonl

    wanted = io.StringIO()
    write_links_jsonl(store, wanted, records)
    try:
        return path.read_text(encoding="utf-8") == wanted.getvalue()
    except (OSError, UnicodeDecodeError):
        return False


def _write_links(store: Store, records: list[dict[str, Any]], path: Path) -> None:
    """links.jsonl beside the export, through a temporary file like the export."""
    from annotations.links import write_links_jsonl

    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with tmp.open("w", encoding="utf-8", newline="") as out:
            write_links_jsonl(store, out, records)
        os.replace(tmp, path)
    except OSError as err:
        raise StoreError(f"cannot write {path}: {err.strerror or err}") from err
    finally:
        tmp.unlink(missing_ok=True)


def _write_brat(
    store: Store, options: ExportOptions, out_path: Path, counts: Counts,
    link_records: list[dict[str, Any]] | None, progress: Callable[[], None] | None,
) -> None:
    """A brat folder, with its links.jsonl inside it (`annotations.export_folder`)."""

    def fill(folder: Path) -> bool:
        brat.write(views(store, options, counts, progress), folder, counts)
        if counts.records and link_records is not None:
            _write_links(store, link_records, folder / LINKS_FILE)
        return counts.records > 0  # no folder for no record, as no file for the others

    try:
        export_folder.write_folder(out_path, fill)
    except OSError as err:
        raise StoreError(f"cannot write {out_path}: {err.strerror or err}") from err
    if counts.records and link_records is not None:
        counts.links_path = str(links_beside(out_path, "brat"))


@dataclass
class Stats:
    documents: int = 0
    annotated: int = 0
    per_label: Counter[str] = field(default_factory=Counter)
    per_document: list[tuple[str, str, Counter[str]]] = field(default_factory=list)
    # kept/moved/fuzzy/orphaned over every changed article, and "unplaced":
    # orphans still waiting for a person (see `annotations.anchoring`).
    reanchoring: dict[str, int] = field(default_factory=dict)


def collect_stats(store: Store) -> Stats:
    from annotations.anchoring import reanchoring_counts, superseded_documents

    stats = Stats(reanchoring=reanchoring_counts(store))
    # Older versions of changed articles: their annotations live on in the
    # current version, so counting them too would count them twice.
    superseded = superseded_documents(store)
    for doc in store.documents():
        if doc["id"] in superseded:
            continue
        stats.documents += 1
        counts = Counter(ann.label for ann in store.annotations(doc["id"]))
        if counts:
            stats.annotated += 1
            stats.per_label.update(counts)
        name = (doc.get("meta") or {}).get("title") or doc.get("path")
        if not name:  # an imported record: named by its first words, as the reader does
            name = Document(text=store.load_text(doc["id"]) or "", id=doc["id"]).name
        stats.per_document.append((doc["id"], name, counts))
    return stats
