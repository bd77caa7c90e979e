"""`LocalStore`: the embedded engine of the `Store` protocol, a folder of files.

Layout of a store folder (default `.newsmark/`), and the part that keeps each:

- `newsmark.json`  format marker `{"format": 3, "app": "newsmark"}` (`migrations`)
- `documents.json` one row per registered document (path, metadata, and
  the status it was registered with): a TinyDB written whole, atomically
- `status.json` + `status.log` each document's status since (`statuses`),
  so the first tag of an article in a folder of 100,000 appends a line
  instead of rewriting the 25 MB document list
- `docs/<id>.text.json` a document's cleaned text, written once
- `docs/<id>.json` + `docs/<id>.log` a document's annotations, a TinyDB
  whose changes are log lines (`annotation_db`, `journal_storage`)
- `docs/<id>.seg` its sentences, tokens and paragraphs, written once when it
  is first segmented (`annotations.segmentation.encode`): the tokens spans
  were snapped to stay the same in every later session and export. Derived
  data: a missing or damaged one is segmented again.
- `history.json` + `history.log` undo/redo steps (`undo_log`)
- `session.json` + `session.log` typed session state (`session`)
- `links.json` cross-document links (`link_table`)
- `history-<annotator>.json` + `.log` a named annotator's own undo history
- `lock` `{"pid": ..., "host": ...}` of the newsmark writing here (`lock`);
  `lock.<annotator>` instead for a store opened for a named annotator
- `write.lock` taken by every write for its duration (`write_lock`), so that
  several annotators' newsmarks write in turns
- `import.pending` while a batch of imported documents is written (`import_batch`)

Whole files go through `files.write_atomic` (temp file, fsync, rename; the
previous version kept as `.bak`); a log line is appended and fsynced, and
one cut short by a kill belongs to a save that never returned and is
dropped when read (`journal`). This module is the document catalogue
(documents list, texts) and the protocol's methods over the parts.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import re
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar

from tinydb.storages import Storage

from annotations.errors import StoreError
from annotations.model import Annotation, AnnotationRow, Document, Link
from annotations.segmentation import KeptSegmentation, Segmentation
from annotations.store import import_batch, segmentation_files
from annotations.store.annotation_db import TABLE as ANNOTATIONS
from annotations.store.annotation_db import DocumentAnnotations, layer_span, sort_key
from annotations.store.files import (
    damaged,
    dumps,
    write_atomic,
    write_json_atomic,
)
from annotations.store.journal import Journal
from annotations.store.journal_storage import read_tables
from annotations.store.link_table import LINKS, LinkTable
from annotations.store.lock import StoreLock
from annotations.store.lock import file_name as lock_file_name
from annotations.store.migrations import (
    DOCS_DIR,
    DOCUMENTS,
    FORMAT,
    MARKER,
    check_format,
    clean_tmp_files,
    migrate,
    write_marker_if_missing,
)
from annotations.store.protocol import STATUSES, Pane
from annotations.store.session import SessionState
from annotations.store.statuses import Statuses
from annotations.store.tinydb_storage import AtomicJSONStorage, open_db
from annotations.store.undo_log import UndoLog
from annotations.store.write_lock import WriteLock

SESSION = "session"  # session.json + session.log
STATUS = "status"  # status.json + status.log
HISTORY = "history"  # history.json + history.log


# Per-document databases kept open (parsed, in memory) at once.
DOC_CACHE_SIZE = 64

Warn = Callable[[str], None]


_DOC_ID_RE = re.compile(r"^[A-Za-z0-9_-]{1,128}$")


def _called(doc: Document) -> str:
    """What a document is called where it came from: its title, its file, or its first words."""
    name = doc.meta.title or doc.meta.path
    if not name:
        words = " ".join(doc.text.split()[:8])
        name = f"“{words[:60]}…”" if words else doc.id
    return name


def _row_sort_key(row: AnnotationRow) -> tuple[int, int, str, str]:
    return (row.start, -row.end, row.label, row.created)


def _doc_copy(row: dict[str, Any]) -> dict[str, Any]:
    record = dict(row)
    record["meta"] = dict(row.get("meta") or {})
    return record


_P = ParamSpec("_P")
_R = TypeVar("_R")


def _writes(
    method: Callable[Concatenate[LocalStore, _P], _R],
) -> Callable[Concatenate[LocalStore, _P], _R]:
    """A method that writes: run under the store's write lock (`write_lock`)."""

    @functools.wraps(method)
    def under_lock(self: LocalStore, *args: _P.args, **kwargs: _P.kwargs) -> _R:
        with self._writing():
            return method(self, *args, **kwargs)

    return under_lock


class LocalStore:
    """The annotations and documents of one store folder.

    Every mutating call is durable (fsynced) when it returns. One writable
    Store per annotator may be open on a folder at a time (`lock`, or
    `lock.<annotator>` when opened for a named `annotator`); several
    annotators write in turns under the short `write_lock`, each reading
    again what the others changed first. Each named annotator has an undo
    history of their own (`history-<annotator>`). Others may open the store
    with `read_only=True`, which writes nothing.
    """

    def __init__(self, root: str | Path, *, read_only: bool = False,
                 annotator: str | None = None) -> None:
        self.root = Path(root)
        self.read_only = read_only
        self.annotator = annotator
        self._closed = False
        self._lock = StoreLock(self.root, annotator)
        self._write_lock = WriteLock(self.root)
        # Set when opening upgraded an older store: (its format, the copy kept).
        self.upgraded: tuple[int, str] | None = None
        self._doc_anns: OrderedDict[str, DocumentAnnotations] = OrderedDict()
        self._index_of: Any = None
        self._index: dict[str, tuple[int, dict[str, Any]]] = {}
        # `register_soon`: documents (with their records) and paths that reads
        # already see, written before any other write (`_writing`).
        self._unwritten: dict[str, tuple[Document, dict[str, Any]]] = {}
        self._unwritten_paths: dict[str, str] = {}
        self._marker_unwritten = False  # a new store's, until its first write (`_open_parts`)

        self._prepare_folder()
        found = check_format(self.root)
        if read_only and found < FORMAT:
            raise StoreError(
                f"the store {self.root} was made by an older newsmark (format {found}); "
                "open it once with `newsmark` (not read-only) to upgrade it"
            )
        if not read_only:
            self._lock.take()
        try:
            with self._writing_at_open():
                self._open_parts(found)
        except BaseException:
            self.close()
            raise

    @contextlib.contextmanager
    def _writing_at_open(self) -> Iterator[None]:
        if self.read_only:
            yield
            return
        with self._write_lock.held():  # no other newsmark is half way through a write
            yield

    def _open_parts(self, found: int) -> None:
        """Upgrade, tidy and read the store's parts (writable: under the write lock)."""
        read_only = self.read_only
        if not read_only:
            if found < FORMAT:
                self.upgraded = (found, migrate(self.root, found))
            # A new store's format marker is written by its first write
            # (`_writing`), not here: its two fsyncs (the file's and the
            # folder's, ~7 ms) were the reader's only wait for the disk
            # before its first frame. Until then nothing it guards exists:
            # without documents.json, `check_format` takes a folder for a
            # new store, as it is.
            self._marker_unwritten = not (self.root / MARKER).exists()
            (self.root / DOCS_DIR).mkdir(exist_ok=True)
            clean_tmp_files(self.root)  # under the write lock: nobody's write is half done
            self._adopt_history()
        self._documents_db = open_db(self.root / DOCUMENTS, read_only)
        self._documents = self._documents_db.table("documents")
        self._session = SessionState(self.journal(SESSION), annotator=self.annotator)
        self._links = LinkTable(self.root / LINKS, read_only=read_only)
        self._undo: UndoLog | None = None  # read on first use
        self._doc_index()  # parse documents.json now: a damaged one fails at open
        # (documents stored whole, documents absent) if an import was killed.
        self.interrupted_import: import_batch.InterruptedImport | None = None
        if not read_only:
            self.interrupted_import = import_batch.recover(
                self.root, self.root / DOCS_DIR, set(self._doc_index()))
        self._statuses = Statuses(self.journal(STATUS))

    @property
    def _history_name(self) -> str:
        """The undo history's journal: the store's, or a named annotator's own."""
        if self.annotator is None:
            return HISTORY
        return f"{HISTORY}-{lock_file_name(self.annotator)}"

    def _adopt_history(self) -> None:
        """The first named annotator of a store made before annotators had histories of
        their own takes its history over (a copy: the store's own stays as it was)."""
        name = self._history_name
        if name == HISTORY or any(
                (self.root / f"{name}{ext}").exists() for ext in (".json", ".log")):
            return
        if any(self.root.glob(f"{HISTORY}-*.json")) or any(self.root.glob(f"{HISTORY}-*.log")):
            return  # another annotator's: the store's history is not this one's to take
        for ext in (".json", ".log"):
            old = self.root / f"{HISTORY}{ext}"
            if old.exists():
                write_atomic(self.root / f"{name}{ext}", old.read_bytes(), keep_backup=False)

    # ----------------------------------------------------------- writing, in turns

    @contextlib.contextmanager
    def _writing(self) -> Iterator[None]:
        """Hold the write lock for one write, having read again what others changed."""
        if self.read_only or self._closed:
            yield  # the write itself says why it cannot be made
            return
        with self._write_lock.held() as first:
            if first:
                if self._marker_unwritten:  # before any other file of the store
                    write_marker_if_missing(self.root)
                    self._marker_unwritten = False
                self._read_others_changes()
                if self._unwritten or self._unwritten_paths:
                    # Whatever this write is, what it refers to is on disk first.
                    self._write_unwritten()
            yield

    def _read_others_changes(self) -> None:
        """What another newsmark (another annotator) wrote since: read it again now.

        Per-document annotations are checked as they are used (`_doc_state`);
        the documents list and the links are TinyDBs whose next row id must be
        worked out again; statuses and the session are journals.
        """
        for db, table in ((self._documents_db, self._documents),
                          (self._links.db, self._links.table)):
            storage = db.storage
            if isinstance(storage, AtomicJSONStorage) and storage.changed_on_disk():
                storage.invalidate()
                table.clear_cache()
                table._next_id = None
        self._statuses.refresh()
        self._session.refresh()

    # ----------------------------------------------------------- opening

    def _prepare_folder(self) -> None:
        root = self.root
        if root.exists() and not root.is_dir():
            raise StoreError(f"{root} is a file, not a store folder; choose another with --store")
        if self.read_only:
            if not root.exists():
                raise StoreError(f"there is no newsmark store at {root}")
            return
        try:
            root.mkdir(parents=True, exist_ok=True)
        except PermissionError as err:
            raise StoreError(
                f"cannot write to {root}: permission denied; choose another with --store"
            ) from err
        except OSError as err:
            raise StoreError(
                f"cannot write to {root}: {err.strerror or err}; choose another with --store"
            ) from err
        if not os.access(root, os.W_OK | os.X_OK):
            raise StoreError(
                f"cannot write to {root}: permission denied; choose another with --store"
            )

    def close(self) -> None:
        """Write what `register_soon` took, release the lock. Idempotent."""
        if self._closed:
            return
        try:
            if self._unwritten or self._unwritten_paths:
                self.write_registered()
        finally:
            self._release()

    def _release(self) -> None:
        self._closed = True
        for state in self._doc_anns.values():
            state.close()
        self._doc_anns.clear()
        for name in ("_documents_db", "_session", "_links", "_undo"):
            part = getattr(self, name, None)
            if part is not None:
                part.close()
        statuses = getattr(self, "_statuses", None)
        if statuses is not None:
            statuses.close()
        self._lock.release()
        self._write_lock.close()

    def __enter__(self) -> LocalStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        mode = "read-only" if self.read_only else "writable"
        return f"LocalStore({str(self.root)!r}, {mode})"

    # ----------------------------------------------------------- helpers

    def check_writable(self) -> None:
        if self._closed:
            raise StoreError(f"the store {self.root} is closed")
        if self.read_only:
            raise StoreError(
                f"the store {self.root} is open read-only (another newsmark is using it); "
                "changes cannot be saved"
            )

    @staticmethod
    def _check_doc_id(doc_id: str) -> None:
        if not isinstance(doc_id, str) or not _DOC_ID_RE.match(doc_id):
            raise StoreError(f"bad document id {doc_id!r}")

    def _doc_path(self, doc_id: str) -> Path:
        self._check_doc_id(doc_id)
        return self.root / DOCS_DIR / f"{doc_id}.json"

    def _doc_journal(self, doc_id: str) -> Journal:
        path = self._doc_path(doc_id)
        return Journal(path, path.with_suffix(".log"), read_only=self.read_only)

    def _doc_state(self, doc_id: str) -> DocumentAnnotations:
        """A document's annotations, read once and kept (the last DOC_CACHE_SIZE).

        Read again when its files changed on disk (a read-only viewer sees
        the writer's saves; a failed write is re-read from what is there).
        """
        state = self._doc_anns.get(doc_id)
        if state is not None:
            self._doc_anns.move_to_end(doc_id)
            if state.journal.changed_on_disk():
                state.reload()
            return state
        state = DocumentAnnotations(self._doc_journal(doc_id))
        self._doc_anns[doc_id] = state
        while len(self._doc_anns) > DOC_CACHE_SIZE:
            _old_id, old = self._doc_anns.popitem(last=False)
            old.close()
        return state

    def journal(self, name: str) -> Journal:
        """The journal `<name>.json` + `<name>.log` of this store (e.g. the history)."""
        if not re.match(r"^[A-Za-z0-9_-]+$", name):
            raise ValueError(f"bad journal name {name!r}")
        return Journal(self.root / f"{name}.json", self.root / f"{name}.log",
                       read_only=self.read_only)

    def _doc_index(self) -> dict[str, tuple[int, dict[str, Any]]]:
        """doc_id -> (TinyDB row id, row), rebuilt whenever the table changed."""
        tables = self._documents_db.storage.read() or {}
        table = tables.get("documents", {})
        if table is not self._index_of:
            self._index = {row["id"]: (int(key), row) for key, row in table.items()}
            self._index_of = table
            for doc_id, (_doc, row) in list(self._unwritten.items()):
                self._index.setdefault(doc_id, (0, row))  # 0: no row yet
        return self._index

    def _guarded(self, storage: Storage, table: Any, action: Any) -> Any:
        """Run a TinyDB mutation; on any failure drop its caches (see AtomicJSONStorage)."""
        try:
            return action()
        except BaseException:
            if isinstance(storage, AtomicJSONStorage):
                storage.invalidate()
            table.clear_cache()
            raise

    def _update_document(self, doc_id: str, fields: dict[str, Any]) -> None:
        key, _row = self._doc_index()[doc_id]
        self._guarded(
            self._documents_db.storage,
            self._documents,
            lambda: self._documents.update(fields, doc_ids=[key]),
        )

    def _status_of(self, doc_id: str, row: dict[str, Any], *, check: bool = True) -> str:
        return self._statuses.get(doc_id, check=check) or row.get("status") or "untouched"

    def _record(self, doc_id: str, row: dict[str, Any], *, check: bool = True) -> dict[str, Any]:
        record = _doc_copy(row)
        record["status"] = self._status_of(doc_id, row, check=check)
        return record

    def _save_status(self, doc_id: str, status: str) -> None:
        self._statuses.set(doc_id, status)

    def _touch(self, doc_id: str) -> None:
        entry = self._doc_index().get(doc_id)
        if entry is not None and self._status_of(doc_id, entry[1]) == "untouched":
            self._save_status(doc_id, "in progress")

    def _require_document(self, doc_id: str) -> None:
        self._check_doc_id(doc_id)
        if doc_id not in self._doc_index():
            raise StoreError(f"document {doc_id} is not in the store {self.root}")

    # ----------------------------------------------------------- documents

    @_writes
    def register(self, doc: Document) -> None:
        """Record `doc` (idempotent); update its path/metadata if they changed."""
        self.check_writable()
        self._check_doc_id(doc.id)
        meta = doc.meta.to_dict()
        entry = self._doc_index().get(doc.id)
        if entry is not None:
            row = entry[1]
            if row.get("path") != doc.meta.path or row.get("meta") != meta:
                self._update_document(doc.id, {"path": doc.meta.path, "meta": meta})
            return
        # The text goes first: a record always has its text behind it.
        self._save_text(doc)
        record = {
            "id": doc.id,
            "path": doc.meta.path,
            "meta": meta,
            "status": "untouched",
            "length": len(doc.text),
        }
        self._guarded(
            self._documents_db.storage, self._documents, lambda: self._documents.insert(record)
        )

    @_writes
    def register_many(self, docs: Iterable[Document]) -> int:
        """Register many documents with one write of the document list.

        `register` rewrites the whole list once per document, which is
        quadratic for a folder of thousands; this writes each new
        document's text, then the list once. Returns how many were new;
        known documents get their path/metadata updated as `register` does.
        """
        self.check_writable()
        index = self._doc_index()
        records: list[dict[str, Any]] = []
        seen: set[str] = set()
        for doc in docs:
            self._check_doc_id(doc.id)
            if doc.id in index:
                self.register(doc)
                continue
            if doc.id in seen:
                continue
            seen.add(doc.id)
            self._save_text(doc)
            records.append({
                "id": doc.id,
                "path": doc.meta.path,
                "meta": doc.meta.to_dict(),
                "status": "untouched",
                "length": len(doc.text),
            })
        if records:
            self._guarded(
                self._documents_db.storage,
                self._documents,
                lambda: self._documents.insert_multiple(records),
            )
        return len(records)

    def register_soon(self, docs: Iterable[Document], paths: dict[str, str]) -> None:
        """`register_many` and `remember_paths`, written before any other write.

        Reads see the documents at once (records, texts, paths); the files
        are written by `write_registered` (the reader calls it right
        after its first frame), by the first write of anything else (under
        the same lock, before it), or by `close`. Known documents are
        registered now, as `register` does.
        """
        self.check_writable()
        index = self._doc_index()
        for doc in docs:
            self._check_doc_id(doc.id)
            if doc.id in index and doc.id not in self._unwritten:
                self.register(doc)
                continue
            record = {"id": doc.id, "path": doc.meta.path, "meta": doc.meta.to_dict(),
                      "status": "untouched", "length": len(doc.text)}
            self._unwritten.setdefault(doc.id, (doc, record))
            index.setdefault(doc.id, (0, record))
        self._unwritten_paths.update(paths)

    @_writes
    def write_registered(self) -> None:
        """Write what `register_soon` took (`_writing` did, before this body)."""

    def _write_unwritten(self) -> None:
        """The texts (each fsynced), then their records in one write, then the paths.

        Under the write lock. Each is dropped from the waiting list only once
        on disk: a failure (a full disk) leaves the rest waiting, and the
        write that needed them fails with it, saying what was not saved.
        """
        written = {doc_id for doc_id, (key, _row) in self._doc_index().items() if key}
        records = []
        for doc_id, (doc, record) in list(self._unwritten.items()):
            if doc_id not in written:  # another newsmark may have registered it meanwhile
                self._save_text(doc)
                records.append(record)
        if records:
            self._guarded(self._documents_db.storage, self._documents,
                          lambda: self._documents.insert_multiple(records))
        self._unwritten.clear()
        self._doc_index()  # the rows now have their keys
        if self._unwritten_paths:
            self._session.remember_paths(dict(self._unwritten_paths))
            self._unwritten_paths.clear()

    @_writes
    def add_documents(self, batch: list[tuple[Document, list[Annotation], str]]) -> int:
        """Register new documents with their annotations and status in one batch
        (`store.import_batch`: whole or absent after a crash, a few syncs per batch)."""
        self.check_writable()
        index = self._doc_index()
        new: list[tuple[Document, list[Annotation], str]] = []
        seen: set[str] = set()
        for doc, anns, status in batch:
            self._check_doc_id(doc.id)
            if status not in STATUSES:
                raise ValueError(f"unknown status {status!r}; expected one of {STATUSES}")
            if doc.id in index or doc.id in seen:
                continue
            seen.add(doc.id)
            ids: set[str] = set()
            spans: set[tuple[int, int, str, str]] = set()
            kept: list[Annotation] = []
            for ann in anns:
                span = layer_span(ann)
                if ann.doc_id != doc.id or ann.id in ids or span in spans:
                    continue
                ids.add(ann.id)
                spans.add(span)
                kept.append(ann)
            new.append((doc, kept, status))
        if not new:
            return 0
        docs_dir = self.root / DOCS_DIR
        import_batch.begin(self.root, {doc.id: _called(doc) for doc, _anns, _status in new})
        records = []
        for doc, anns, status in new:
            self._doc_anns.pop(doc.id, None)
            with contextlib.suppress(OSError):  # a log left by an earlier, failed batch
                os.unlink(docs_dir / f"{doc.id}.log")
            import_batch.write_unsynced(
                self._text_path(doc.id), dumps({"text": doc.text}).encode("utf-8"))
            if anns:
                rows = {str(i): ann.to_dict() for i, ann in enumerate(anns, start=1)}
                import_batch.write_unsynced(
                    self._doc_path(doc.id), dumps({ANNOTATIONS: rows}).encode("utf-8"))
            if status == "untouched" and anns:
                status = "in progress"  # as the first saved annotation makes it
            records.append({"id": doc.id, "path": doc.meta.path, "meta": doc.meta.to_dict(),
                            "status": status, "length": len(doc.text)})
        import_batch.sync_all(docs_dir)
        self._guarded(  # the commit: from here the documents exist
            self._documents_db.storage,
            self._documents,
            lambda: self._documents.insert_multiple(records),
        )
        import_batch.finish(self.root)
        return len(new)

    def document_record(self, doc_id: str) -> dict[str, Any] | None:
        entry = self._doc_index().get(doc_id)
        return None if entry is None else self._record(doc_id, entry[1])

    def documents(self) -> list[dict[str, Any]]:
        """Every registered document's record, in registration order."""
        self._status_of("", {})  # the status log checked once, not per document
        return [self._record(doc_id, row, check=False)
                for doc_id, (_key, row) in self._doc_index().items()]

    def _text_path(self, doc_id: str) -> Path:
        self._check_doc_id(doc_id)
        return self.root / DOCS_DIR / f"{doc_id}.text.json"

    def _save_text(self, doc: Document) -> None:
        """Write a document's text once, in a file of its own.

        Not in the annotations' file: that one is rewritten on every save,
        and a 10 MB text in it would make each tag cost the text's length.
        """
        path = self._text_path(doc.id)
        if not path.exists() and self._legacy_text(doc.id) is None:
            write_json_atomic(path, {"text": doc.text})

    def _legacy_text(self, doc_id: str) -> str | None:
        # Stores written before texts had files of their own kept them here.
        if not self._doc_path(doc_id).exists():
            return None
        rows = list((self._doc_state(doc_id).tables.get("text") or {}).values())
        return rows[0]["text"] if rows else None

    def load_text(self, doc_id: str) -> str | None:
        unwritten = self._unwritten.get(doc_id)
        if unwritten is not None:
            return unwritten[0].text
        path = self._text_path(doc_id)
        try:
            with open(path, encoding="utf-8") as handle:
                return json.load(handle)["text"]
        except FileNotFoundError:
            return self._legacy_text(doc_id)
        except (ValueError, KeyError, TypeError) as err:
            raise damaged(path, err) from err

    def load_segmentation(
        self, doc_id: str, text: str, warn: Warn | None = None
    ) -> Segmentation | None:
        self._check_doc_id(doc_id)
        return segmentation_files.load(self.root / DOCS_DIR, doc_id, text, warn)

    def kept_segmentation(self, doc_id: str, warn: Warn | None = None
                          ) -> KeptSegmentation | None:
        self._check_doc_id(doc_id)
        return segmentation_files.read(self.root / DOCS_DIR, doc_id, warn)

    def save_segmentation(
        self, doc_id: str, seg: Segmentation, warn: Warn | None = None
    ) -> bool:
        self._check_doc_id(doc_id)
        if self.read_only or self._closed:
            return False  # a read-only store writes nothing, not even this cache
        try:
            with self._writing():
                return segmentation_files.save(self.root / DOCS_DIR, doc_id, seg, warn)
        except StoreError as err:
            # The write lock, or the texts of `register_soon` that go first,
            # could not be had: this is derived data, made again next time.
            if warn is not None:
                warn(str(err))
            return False

    @_writes
    def set_status(self, doc_id: str, status: str) -> None:
        if status not in STATUSES:
            raise ValueError(f"unknown status {status!r}; expected one of {STATUSES}")
        self.check_writable()
        self._require_document(doc_id)
        if self._status_of(doc_id, self._doc_index()[doc_id][1]) != status:
            self._save_status(doc_id, status)

    # ----------------------------------------------------------- annotations

    def annotations(self, doc_id: str) -> list[Annotation]:
        """The annotations of one document, sorted by (start, -end, label, created).

        Parsed once per document and carried along its changes, so a key
        press costs a list copy, not 10,000 `from_dict`s.
        """
        if doc_id not in self._doc_index() and not self._doc_path(doc_id).exists():
            return []
        return list(self._doc_state(doc_id).annotations)

    def counts(self, doc_id: str) -> Counter[str]:
        """How many annotations of each label `doc_id` has (kept, not counted per call)."""
        if doc_id not in self._doc_index() and not self._doc_path(doc_id).exists():
            return Counter()
        return Counter(self._doc_state(doc_id).labels)

    def annotation_rows(self, doc_id: str) -> list[AnnotationRow]:
        """One document's annotations as stored rows, sorted as `annotations`.

        For reading every annotation once (export): one read of its
        snapshot and log, no `Annotation` built and nothing kept. A row
        that is not a valid annotation is a damaged store file (StoreError
        naming it). The rows are the store's own: read them, never change them.
        """
        state = self._doc_anns.get(doc_id)
        if state is not None and not state.journal.changed_on_disk():
            raw = state.tables.get(ANNOTATIONS, {})  # read already, and current
        else:
            path = self._doc_path(doc_id)
            journal = Journal(path, path.with_suffix(".log"), read_only=True)
            try:
                raw = read_tables(journal)[0].get(ANNOTATIONS, {})
            finally:
                journal.close()
        rows: list[AnnotationRow] = []
        append = rows.append
        of = AnnotationRow.of
        for key, row in raw.items():
            # What `Annotation` requires, and the sort key's types (inline:
            # this runs once per exported span).
            if not (
                type(row) is dict
                and type(start := row.get("start")) is int
                and type(end := row.get("end")) is int
                and type(text := row.get("text")) is str
                and 0 <= start < end
                and len(text) == end - start
                and type(row.get("id")) is str
                and type(row.get("label")) is str
                and type(row.get("created", "")) is str
            ):
                raise damaged(self._doc_path(doc_id), f"annotation {key} is not a valid span")
            append(of(row))
        rows.sort(key=_row_sort_key)
        return rows

    def all_annotations(self) -> Iterator[Annotation]:
        """Every annotation, document by document (one document in memory at a time)."""
        for doc_id in list(self._doc_index()):
            if doc_id in self._doc_anns:
                yield from self.annotations(doc_id)
                continue
            path = self._doc_path(doc_id)
            journal = Journal(path, path.with_suffix(".log"), read_only=True)
            try:
                rows = read_tables(journal)[0].get(ANNOTATIONS, {})
            finally:
                journal.close()
            yield from sorted((Annotation.from_dict(r) for r in rows.values()), key=sort_key)

    def add(self, ann: Annotation) -> bool:
        """Save `ann`; False (nothing written) if its id, or the same span and label in
        the same annotator's layer, exists."""
        return self._insert(ann, check_span=True)

    @_writes
    def add_many(self, anns: Iterable[Annotation]) -> int:
        """Save many annotations, one write per document; returns how many were new.

        Skips what `add` would skip (same id, or same span and label, also
        within the batch). For imports and pre-annotation: 10,000 `add`s on
        one document would log 10,000 lines with an fsync each.
        """
        self.check_writable()
        by_doc: dict[str, list[Annotation]] = {}
        for ann in anns:
            by_doc.setdefault(ann.doc_id, []).append(ann)
        added = 0
        for doc_id, group in by_doc.items():
            self._require_document(doc_id)
            state = self._doc_state(doc_id)
            ids: set[str] = set()
            spans: set[Any] = set()
            new: list[Annotation] = []
            for ann in group:
                span = layer_span(ann)
                if ann.id in state.ids or ann.id in ids or span in state.spans or span in spans:
                    continue
                ids.add(ann.id)
                spans.add(span)
                new.append(ann)
            if not new:
                continue
            state.insert(new)
            self._touch(doc_id)
            added += len(new)
        return added

    @_writes
    def compact(self, doc_id: str) -> None:
        """Fold a document's log into its snapshot now (saves do it when it is long)."""
        self.check_writable()
        self._require_document(doc_id)
        state = self._doc_state(doc_id)
        if state.journal.logged:
            with contextlib.suppress(StoreError):  # the log still holds every change
                state.compact()

    def add_with_step(self, ann: Annotation, step: dict[str, Any], limit: int) -> None:
        """Not one write here: annotations and the undo history are separate files, each
        with its own log. Returns None (nothing written); `History` adds, then records."""
        return None

    def restore(self, ann: Annotation) -> bool:
        """Put back an annotation removed earlier (undo); False if its id is present.

        Unlike `add`, the same span and label elsewhere does not stop it: undo
        must bring back exactly the state there was.
        """
        return self._insert(ann, check_span=False)

    @_writes
    def _insert(self, ann: Annotation, *, check_span: bool) -> bool:
        self.check_writable()
        self._require_document(ann.doc_id)
        state = self._doc_state(ann.doc_id)
        if ann.id in state.ids or (check_span and layer_span(ann) in state.spans):
            return False
        state.insert([ann])
        self._touch(ann.doc_id)
        return True

    @_writes
    def remove(self, doc_id: str, ann_id: str) -> Annotation | None:
        """Delete one annotation; returns it, or None if there was none."""
        self.check_writable()
        self._require_document(doc_id)
        state = self._doc_state(doc_id)
        row = state.row(ann_id)
        if row is None:
            return None
        old = Annotation.from_dict(row)
        state.delete(ann_id)
        self._touch(doc_id)
        return old

    @_writes
    def update(self, ann: Annotation) -> Annotation | None:
        """Replace the annotation with `ann.id`; returns the old one (None if absent)."""
        self.check_writable()
        self._require_document(ann.doc_id)
        state = self._doc_state(ann.doc_id)
        row = state.row(ann.id)
        if row is None:
            return None
        old = Annotation.from_dict(row)
        if old == ann:
            return old
        state.replace(ann)
        self._touch(ann.doc_id)
        return old

    # ----------------------------------------------------------- session state

    @property
    def location(self) -> str:
        return str(self.root)

    def panes(self) -> list[Pane]:
        return self._session.panes()

    @_writes
    def set_panes(self, panes: list[Pane]) -> None:
        self.check_writable()
        self._session.set_panes(panes)

    def paths(self) -> dict[str, str]:
        if self._unwritten_paths:
            return {**self._session.paths(), **self._unwritten_paths}
        return self._session.paths()

    @_writes
    def remember_paths(self, paths: dict[str, str]) -> None:
        self.check_writable()
        self._session.remember_paths(paths)

    def reanchoring(self) -> dict[str, dict[str, Any]]:
        return self._session.reanchoring()

    @_writes
    def record_reanchoring(self, doc_id: str, entry: dict[str, Any]) -> None:
        self.check_writable()
        self._session.record_reanchoring(doc_id, entry)

    def orphans(self, doc_id: str) -> list[Annotation]:
        return self._session.orphans(doc_id)

    @_writes
    def set_orphans(self, doc_id: str, orphans: list[Annotation]) -> None:
        self.check_writable()
        self._session.set_orphans(doc_id, orphans)

    def rejected(self, doc_id: str) -> set[str]:
        return self._session.rejected(doc_id)

    @_writes
    def set_rejected(self, doc_id: str, keys: Iterable[str]) -> None:
        self.check_writable()
        self._session.set_rejected(doc_id, keys)

    def annotator_statuses(self) -> dict[str, dict[str, str]]:
        return self._session.annotator_statuses()

    @_writes
    def set_annotator_status(self, annotator: str, doc_id: str, status: str) -> None:
        self.check_writable()
        self._session.set_annotator_status(annotator, doc_id, status)

    # ----------------------------------------------------------- links

    def links(self) -> list[Link]:
        return self._links.all()

    @_writes
    def add_link(self, link: Link) -> bool:
        self.check_writable()
        return self._links.add(link)

    @_writes
    def restore_link(self, link: Link) -> bool:
        self.check_writable()
        return self._links.restore(link)

    @_writes
    def remove_link(self, link_id: str) -> Link | None:
        self.check_writable()
        return self._links.remove(link_id)

    # ----------------------------------------------------------- undo history

    def _undo_log(self) -> UndoLog:
        if self._undo is None:
            self._undo = UndoLog(self.journal(self._history_name))
        return self._undo

    def history(self) -> tuple[dict[int, dict[str, Any]], int]:
        return self._undo_log().read()

    @_writes
    def record_step(self, step: dict[str, Any], limit: int) -> None:
        self.check_writable()
        self._undo_log().record(step, limit)

    @_writes
    def move_history(self, position: int) -> None:
        self.check_writable()
        self._undo_log().move(position)

    @_writes
    def compact_history(self) -> None:
        """Fold the history's log into history.json now (done when it outgrows the limit)."""
        self.check_writable()
        self._undo_log().compact()

    @property
    def history_log(self) -> Path:
        """The file undo steps are appended to (named when one cannot be written)."""
        return self.root / f"{self._history_name}.log"
