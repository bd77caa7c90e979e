"""The PostgreSQL store: the folder store's interface over one shared database.

Every change is one statement (or one transaction) committed before the
call returns, so "saved" means on the server. Nothing is built from strings
but identifiers through `psycopg.sql`; every value is a bound parameter.

Layers: a span's `annotator` is its layer (column `layer`). Two annotators
may tag the same span with the same label, each in their own layer; `add`
refuses a span only when the same layer already holds it. With the team's
row-level security (`schema.setup_team`) the server itself refuses a write
to another role's layer.

Caching: every change stamps its document's layer in `doc_layers` with a
new number, in the same statement; a document's version is the sum of its
layers' stamps. Its annotations are read once and kept; a read compares
the version (one indexed lookup) and reads them again only if someone, here
or elsewhere, changed them. Writers of different layers lock nothing in
common, so their commits share the server's WAL flushes. After each change
`NOTIFY newsmark, '<doc id>'` goes out from a thread of its own
(`notifier`), not in the change's transaction: a NOTIFY serialises the
commits of the transactions that send it.

A tag made through `History` is one round trip and one commit: the
annotation, its layer's stamp, the annotator's status and the undo step,
by the server function `newsmark_add` (`add_with_step`).

Status: each annotator has their own status per document (`statuses`);
`documents()` gives this store's annotator's, `team_statuses()` everyone's.
Session state and journals (the undo history) are per annotator too.

Faults: a change whose connection is lost is retried once on a new
connection; if that fails too it goes to the outbox (`outbox`), fsynced,
and `pending` says how many wait. The reader's own changes (tags, removals,
relabels, relations, attributes, links, notes, statuses, session state,
undo steps) can wait there; imports (`add_many`) need the server. While the server is away a
document read before is served from memory, with the waiting changes in it.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from bisect import bisect_left, insort
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from annotations import segmentation as segmentation_codec
from annotations.errors import StoreError
from annotations.model import Annotation, AnnotationRow, Document, Link
from annotations.postgres import schema
from annotations.postgres.outbox import Outbox, outbox_path
from annotations.postgres.url import connect, driver, redact, scrub
from annotations.segmentation import KeptSegmentation, Segmentation
from annotations.store.protocol import Pane, Step

STATUSES = ("untouched", "in progress", "done")
CHANNEL = "newsmark"
DOC_CACHE_SIZE = 64
# While the server is away, reconnecting is tried at most this often (a
# key press must not wait on a dead host each time).
RECONNECT_EVERY = 1.0


# Session state that is where a reader stands, not work (`pending_edits`).
_PLACE_KEYS = frozenset({"panes", "paths"})


class Disconnected(StoreError):
    """The connection to the server is gone (the server stopped, the network dropped)."""

Warn = Callable[[str], None]


def _sort_key(ann: Annotation) -> tuple[int, int, str, str]:
    return (ann.start, -ann.end, ann.label, ann.created)


def _row_sort_key(row: AnnotationRow) -> tuple[int, int, str, str]:
    return (row.start, -row.end, row.label, row.created)


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _span(row: dict[str, Any]) -> tuple[Any, Any, Any, Any]:
    return (row.get("annotator", ""), row.get("start"), row.get("end"), row.get("label"))


class _DocAnnotations:
    """One document's annotations as read at `version`, carried along our own changes."""

    def __init__(self, version: int, rows: dict[str, dict[str, Any]]) -> None:
        self.version = version
        self.rows = rows
        self.spans = Counter(_span(r) for r in rows.values())
        self.labels = Counter(r.get("label") for r in rows.values())
        self._anns: list[Annotation] | None = None

    @property
    def annotations(self) -> list[Annotation]:
        if self._anns is None:
            self._anns = sorted((Annotation.from_dict(r) for r in self.rows.values()),
                                key=_sort_key)
        return self._anns

    def put(self, ann: Annotation, row: dict[str, Any]) -> None:
        if ann.id in self.rows:
            self.delete(ann.id)
        self.rows[ann.id] = row
        self.spans[_span(row)] += 1
        self.labels[ann.label] += 1
        if self._anns is not None:
            insort(self._anns, ann, key=_sort_key)

    def delete(self, ann_id: str) -> None:
        row = self.rows.pop(ann_id, None)
        if row is None:
            return
        self.spans[_span(row)] -= 1
        if not self.spans[_span(row)]:
            del self.spans[_span(row)]
        self.labels[row.get("label")] -= 1
        if not self.labels[row.get("label")]:
            del self.labels[row.get("label")]
        if self._anns is not None:
            old = Annotation.from_dict(row)
            index = bisect_left(self._anns, _sort_key(old), key=_sort_key)
            while index < len(self._anns) and self._anns[index].id != ann_id:
                index += 1
            if index < len(self._anns):
                del self._anns[index]


# One statement per change: the layer's stamp renewed (which also locks it
# against the same layer's other writers), the annotation written, this
# annotator's status moved from untouched to in progress; all or nothing.
# Each returns the document's version before it (from the statement's
# snapshot), the layer's stamp before and after.
_VERSION_PARTS = """
doc AS (SELECT id FROM documents WHERE id = %(doc)s),
total AS (SELECT coalesce(sum(stamp), 0) AS v FROM doc_layers WHERE doc_id = %(doc)s),
mine AS (SELECT coalesce(max(stamp), 0) AS v FROM doc_layers
         WHERE doc_id = %(doc)s AND layer = %(layer)s)
"""

def _touch_if(changed: str) -> str:
    """The CTE marking the document in progress for its annotator when `changed` has a row.

    `changed` is one of this module's own CTE names, never outside text.
    """
    return """touch AS (
    INSERT INTO statuses (doc_id, annotator, status)
    SELECT %(doc)s, %(me)s, 'in progress' WHERE EXISTS (SELECT 1 FROM """ + changed + """)
    ON CONFLICT (doc_id, annotator) DO UPDATE SET status = 'in progress', changed = now()
    WHERE statuses.status = 'untouched'
)"""


# An insert (with its undo step, if any) is the server function
# `newsmark_add` (schema migration 2): one round trip, one commit.
_INSERT = """SELECT * FROM newsmark_add(%(doc)s, %(id)s, %(layer)s, %(start)s, %(end)s,
    %(label)s, %(created)s, %(body)s, %(check_span)s, %(me)s, %(step)s, %(limit)s)"""

# The layer of a delete is the deleted span's: read first, from the snapshot.
_DELETE = """
WITH target AS (
    SELECT layer FROM annotations WHERE doc_id = %(doc)s AND id = %(id)s
), del AS (
    DELETE FROM annotations WHERE doc_id = %(doc)s AND id = %(id)s RETURNING body::text, layer
), total AS (SELECT coalesce(sum(stamp), 0) AS v FROM doc_layers WHERE doc_id = %(doc)s),
mine AS (SELECT coalesce(max(stamp), 0) AS v FROM doc_layers
         WHERE doc_id = %(doc)s AND layer = (SELECT layer FROM target)),
bump AS (
    INSERT INTO doc_layers (doc_id, layer, stamp)
    SELECT %(doc)s, layer, nextval('change_stamps') FROM del
    ON CONFLICT (doc_id, layer) DO UPDATE SET stamp = EXCLUDED.stamp
    RETURNING stamp
), """ + _touch_if("del") + """
SELECT (SELECT body FROM del), (SELECT v FROM total), (SELECT v FROM mine),
    (SELECT stamp FROM bump)
"""

# An update may move a span to another layer: the stamp renewed is the
# new layer's; the old layer's row keeps its stamp, and the version (their
# sum) changes all the same.
_UPDATE = """
WITH""" + _VERSION_PARTS + """, old AS (
    SELECT body::text AS body FROM annotations WHERE doc_id = %(doc)s AND id = %(id)s
), upd AS (
    UPDATE annotations SET layer = %(layer)s, start = %(start)s, "end" = %(end)s,
        label = %(label)s, created = %(created)s, body = %(body)s
    WHERE doc_id = %(doc)s AND id = %(id)s RETURNING 1
), bump AS (
    INSERT INTO doc_layers (doc_id, layer, stamp)
    SELECT %(doc)s, %(layer)s, nextval('change_stamps') WHERE EXISTS (SELECT 1 FROM upd)
    ON CONFLICT (doc_id, layer) DO UPDATE SET stamp = EXCLUDED.stamp
    RETURNING stamp
), """ + _touch_if("upd") + """
SELECT (SELECT body FROM old), (SELECT v FROM total), (SELECT v FROM mine),
    (SELECT stamp FROM bump), EXISTS (SELECT 1 FROM upd)
"""


# Changes whose call answers False/None when they change nothing.
_REFUSABLE = frozenset({"insert", "delete", "update", "link", "unlink"})


def _params(ann: Annotation, row: dict[str, Any]) -> dict[str, Any]:
    return {"doc": ann.doc_id, "id": ann.id, "layer": ann.annotator, "start": ann.start,
            "end": ann.end, "label": ann.label, "created": ann.created, "body": _dumps(row)}


# Full URLs (passwords and all) of the stores this process opened, by their
# location (the URL without its password): export workers, forked from this
# process, open a store again by its location and find the URL here. The
# password never leaves the process, nor reaches a message.
_URLS: dict[str, str] = {}


def open_postgres(location: str, *, read_only: bool = False) -> PostgresStore:
    """The opener `annotations.store.engines` lists for postgresql:// locations."""
    return PostgresStore(_URLS.get(location, location), read_only=read_only)


class PostgresStore:
    """The documents and annotations of one PostgreSQL database (see the module's notes)."""

    engine = "postgresql"
    # Export reads a read-only store through one server-side cursor (read_ahead):
    # in one process, not in workers that would each restart it.
    streams_export = True

    def __init__(self, url: str, *, read_only: bool = False,
                 annotator: str | None = None, create: bool = True,
                 outbox: Path | None = None) -> None:
        self.url = url
        self.where = redact(url)
        _URLS[self.where] = url
        self.read_only = read_only
        self.upgraded: tuple[int, str] | None = None
        self._closed = False
        self._lock = threading.RLock()
        self._doc_anns: OrderedDict[str, _DocAnnotations] = OrderedDict()
        self._records_seen: dict[str, dict[str, Any]] = {}  # served while disconnected
        self._team_seen: dict[str, dict[str, str]] = {}
        self._state_seen: dict[str, str | None] = {}
        # Whether `_state_seen` began as every key the server held for this
        # annotator (read when the store opened): a key not in it was absent.
        self._state_complete = False
        self._links_seen: list[Link] | None = None
        # ((position, version) on the server, steps, position): this annotator's history.
        self._history: tuple[tuple[int, int], dict[int, Step], int] | None = None
        self._last_attempt = 0.0
        self._read_ahead: Any = None  # read-only: export's stream (read_ahead.ReadAhead)
        self._notifier: Any = None  # the thread NOTIFYs go out from (notifier.Notifier)
        # Changes the server refused when the outbox was finally sent.
        self.warnings: list[str] = []
        self._conn = connect(url, autocommit=True)
        try:
            self._open(create)
            self.role = self._one("SELECT current_user")[0]
            self.annotator = annotator or self.role
            if not read_only and self.annotator != self.role:
                self._check_may_work_as(self.annotator)
            self._outbox = Outbox(outbox or outbox_path(self.where, self.annotator))
            if not read_only and len(self._outbox):
                self._send_outbox()  # left by a session that lost the server, or was killed
            if not read_only:
                self._read_all_state()
        except BaseException:
            self._conn.close()
            raise

    def _check_may_work_as(self, annotator: str) -> None:
        """On a team store, refuse at once a role that may not write `annotator`'s
        layer (its first write would be refused, as some change it never made)."""
        team = self._one("SELECT EXISTS (SELECT 1 FROM pg_policies WHERE schemaname = "
                         "current_schema() AND tablename = 'annotations' AND policyname = "
                         "'annotations_insert')")[0]
        if not team:
            return
        # The owner is not bound by the policies (copies, imports); a curator writes gold.
        owner = self._one("SELECT pg_has_role(current_user, relowner, 'MEMBER') FROM pg_class "
                          "WHERE oid = 'annotations'::regclass")[0]
        curator = annotator == schema.GOLD_LAYER and self._one(
            "SELECT pg_has_role(current_user, %s, 'MEMBER')", (schema.CURATOR_ROLE,))[0]
        if not (owner or curator):
            raise StoreError(
                f"role {self.role} may not work as annotator {annotator} on the team store "
                f"{self.where}: each annotator writes only their own layer"
                + (" (gold: a curator's)" if annotator == schema.GOLD_LAYER else "")
                + f"; connect as {annotator}, or leave --annotator out")

    @property
    def location(self) -> str:
        """The URL without its password: shown, and what `open_store` reopens."""
        return self.where

    @property
    def pending(self) -> int:
        """How many changes wait in the outbox for the server (0: all saved on it)."""
        return len(self._outbox)

    @property
    def pending_edits(self) -> int:
        """Of those, changes to work: `pending` without the reader's place
        (its panes and the files it read), which it saves as it moves."""
        if not len(self._outbox):
            return 0
        return sum(1 for entry in self._outbox.entries()
                   if not (entry.get("op") in ("state", "merge")
                           and entry.get("key") in _PLACE_KEYS))

    @property
    def outbox_file(self) -> Path:
        return self._outbox.path

    def _open(self, create: bool) -> None:
        psycopg = driver()
        version = schema.schema_version(self._conn)
        schema.check_not_newer(version, self.where)
        if version == schema.LATEST:
            return
        if self.read_only or not create:
            if version == 0:
                raise StoreError(f"there is no newsmark store at {self.where}; "
                                 f"make one with `newsmark store init {self.where}`")
            raise StoreError(f"the store {self.where} needs an upgrade (schema {version}); "
                             f"run `newsmark store init {self.where}` as its owner")
        try:
            schema.migrate(self._conn, self.where)
        except psycopg.errors.InsufficientPrivilege as err:
            raise StoreError(
                f"cannot create or upgrade the store {self.where} "
                f"({scrub(str(err), self.url)}); its owner must run "
                f"`newsmark store init {self.where}`") from err
        if version:
            # Migrations only add: the database itself is what it was, plus the new parts.
            self.upgraded = (version, f"{self.where} (migrations only add; nothing to restore)")

    # ----------------------------------------------------------- plumbing

    def _run(self, query: Any, params: Any = None) -> Any:
        """Execute one statement; a server or connection error becomes a StoreError."""
        psycopg = driver()
        with self._lock:
            if self._conn.broken or self._conn.closed:
                self._reconnect()  # the server may be back (tried once a second at most)
            try:
                return self._conn.execute(query, params)
            except psycopg.Error as err:
                raise self._error(err) from err

    def _error(self, err: Exception) -> StoreError:
        """A driver error as the StoreError a person reads (Disconnected if the link is gone)."""
        psycopg = driver()
        reason = scrub(str(err), self.url)
        if isinstance(err, psycopg.OperationalError) and (self._conn.broken or self._conn.closed):
            return Disconnected(f"lost the connection to the store {self.where} ({reason})")
        if isinstance(err, psycopg.errors.InsufficientPrivilege):
            return StoreError(f"the store {self.where} refused this change to role {self.role} "
                              f"({reason}); each annotator writes only their own layer")
        if isinstance(err, psycopg.OperationalError):
            return Disconnected(f"cannot reach the store {self.where} ({reason})")
        return StoreError(f"the store {self.where} refused this change ({reason})")

    def _one(self, query: Any, params: Any = None) -> Any:
        return self._run(query, params).fetchone()

    def _all(self, query: Any, params: Any = None) -> list[Any]:
        return self._run(query, params).fetchall()

    def close(self) -> None:
        """Close the connection. Idempotent."""
        if self._closed:
            return
        self._closed = True
        self._doc_anns.clear()
        if self._read_ahead is not None:
            self._read_ahead.close()
        if self._notifier is not None:
            self._notifier.close()
        self._conn.close()

    def __enter__(self) -> PostgresStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        mode = "read-only" if self.read_only else "writable"
        return f"PostgresStore({self.where!r}, {mode})"

    def check_writable(self) -> None:
        if self._closed:
            raise StoreError(f"the store {self.where} is closed")
        if self.read_only:
            raise StoreError(f"the store {self.where} is open read-only; "
                             "changes cannot be saved")

    @staticmethod
    def _check_doc_id(doc_id: str) -> None:
        import re

        if not isinstance(doc_id, str) or not re.match(r"^[A-Za-z0-9_-]{1,128}$", doc_id):
            raise StoreError(f"bad document id {doc_id!r}")

    def _require_document(self, doc_id: str) -> None:
        self._check_doc_id(doc_id)
        if doc_id in self._doc_anns or doc_id in self._records_seen:
            return
        if self._one("SELECT 1 FROM documents WHERE id = %s", (doc_id,)) is None:
            raise StoreError(f"document {doc_id} is not in the store {self.where}")

    # ----------------------------------------------------------- documents

    def register(self, doc: Document) -> None:
        """Record `doc` (idempotent); update its path/metadata if they changed."""
        self.check_writable()
        self._check_doc_id(doc.id)
        self._run(
            "INSERT INTO documents (id, path, meta, length, text) VALUES (%s, %s, %s, %s, %s) "
            "ON CONFLICT (id) DO UPDATE SET path = EXCLUDED.path, meta = EXCLUDED.meta "
            "WHERE documents.path IS DISTINCT FROM EXCLUDED.path "
            "OR documents.meta::text <> EXCLUDED.meta::text",
            (doc.id, doc.meta.path, _dumps(doc.meta.to_dict()), len(doc.text), doc.text))

    def register_many(self, docs: Iterable[Document]) -> int:
        """Register many documents in one transaction; returns how many were new."""
        self.check_writable()
        unique: dict[str, Document] = {}
        for doc in docs:
            self._check_doc_id(doc.id)
            unique.setdefault(doc.id, doc)
        if not unique:
            return 0
        with self._lock:
            known = {row[0] for row in self._all(
                "SELECT id FROM documents WHERE id = ANY(%s)", (list(unique),))}
            for doc_id in known:
                self.register(unique[doc_id])
            new = [doc for doc_id, doc in unique.items() if doc_id not in known]
            if new:
                self._copy_rows("documents", ("id", "path", "meta", "length", "text"),
                                ((d.id, d.meta.path, _dumps(d.meta.to_dict()), len(d.text),
                                  d.text) for d in new))
        return len(new)

    def register_soon(self, docs: Iterable[Document], paths: dict[str, str]) -> None:
        """Registered now: a server's write is one round trip, not a file's fsyncs."""
        self.register_many(docs)
        if paths:
            self.remember_paths(paths)

    def write_registered(self) -> None:
        """Nothing waits: `register_soon` wrote at once."""

    def add_documents(self, batch: list[tuple[Document, list[Annotation], str]]) -> int:
        """New documents with their annotations and status (import), in one transaction:
        after a crash each is whole or absent. Known documents, and annotations `add_many`
        would skip, are left out; returns how many documents were added."""
        self.check_writable()
        from psycopg import sql

        new: dict[str, tuple[Document, list[Annotation], str]] = {}
        for doc, anns, status in batch:
            self._check_doc_id(doc.id)
            if status not in STATUSES:
                raise ValueError(f"unknown status {status!r}; expected one of {STATUSES}")
            if doc.id in new:
                continue
            ids: set[str] = set()
            spans: set[tuple[Any, ...]] = set()
            kept = []
            for ann in anns:
                span = (ann.annotator, ann.start, ann.end, ann.label)
                if ann.doc_id != doc.id or ann.id in ids or span in spans:
                    continue
                ids.add(ann.id)
                spans.add(span)
                kept.append(ann)
            if status == "untouched" and kept:
                status = "in progress"  # as the first saved annotation makes it
            new[doc.id] = (doc, kept, status)
        if not new:
            return 0
        psycopg = driver()

        def copy(cur: Any, table: str, columns: tuple[str, ...], rows: Iterable[tuple]) -> None:
            statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
                sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns)))
            with cur.copy(statement) as out:
                for row in rows:
                    out.write_row(row)

        with self._lock:
            try:
                with self._conn.transaction(), self._conn.cursor() as cur:
                    known = {doc_id for (doc_id,) in cur.execute(
                        "SELECT id FROM documents WHERE id = ANY(%s)", (list(new),))}
                    added = [entry for doc_id, entry in new.items() if doc_id not in known]
                    copy(cur, "documents", ("id", "path", "meta", "length", "text"),
                         ((d.id, d.meta.path, _dumps(d.meta.to_dict()), len(d.text), d.text)
                          for d, _anns, _status in added))
                    copy(cur, "annotations",
                         ("doc_id", "id", "layer", "start", "end", "label", "created", "body"),
                         ((a.doc_id, a.id, a.annotator, a.start, a.end, a.label, a.created,
                           _dumps(a.to_dict())) for _d, anns, _s in added for a in anns))
                    copy(cur, "doc_layers", ("doc_id", "layer", "stamp"),
                         ((d.id, layer, 0) for d, anns, _s in added
                          for layer in sorted({a.annotator for a in anns})))
                    copy(cur, "statuses", ("doc_id", "annotator", "status"),
                         ((d.id, self.annotator, status) for d, _anns, status in added
                          if status != "untouched"))
            except psycopg.Error as err:
                raise self._error(err) from err
        return len(added)

    def _copy_rows(self, table: str, columns: tuple[str, ...], rows: Iterable[tuple]) -> None:
        """COPY `rows` into `table` in one transaction (the fast path for bulk writes)."""
        from psycopg import sql

        statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns)))
        psycopg = driver()
        with self._lock:
            try:
                with self._conn.transaction(), self._conn.cursor() as cur, \
                        cur.copy(statement) as copy:
                    for row in rows:
                        copy.write_row(row)
            except psycopg.Error as err:
                raise StoreError(f"the store {self.where} refused this change "
                                 f"({scrub(str(err), self.url)})") from err

    def _records(self, where: Any = None, params: Any = ()) -> list[dict[str, Any]]:
        from psycopg import sql

        query = sql.SQL(
            "SELECT d.id, d.path, d.meta::text, d.length, coalesce(s.status, 'untouched') "
            "FROM documents d LEFT JOIN statuses s "
            "ON s.doc_id = d.id AND s.annotator = %s {} ORDER BY d.seq"
        ).format(where or sql.SQL(""))
        try:
            if len(self._outbox) and not self._send_outbox():
                raise Disconnected(f"the store {self.where} is still unreachable")
            found = self._all(query, (self.annotator, *params))
        except Disconnected:
            if where is None and self._records_seen:
                return [dict(r) for r in self._records_seen.values()]
            if where is not None and params and params[0] in self._records_seen:
                return [dict(self._records_seen[params[0]])]
            raise
        records = [{"id": doc_id, "path": path, "meta": json.loads(meta), "status": status,
                    "length": length} for doc_id, path, meta, length, status in found]
        for record in records:  # kept, to be shown while the server is away
            self._records_seen[record["id"]] = dict(record)
        return records

    def document_record(self, doc_id: str) -> dict[str, Any] | None:
        from psycopg import sql

        found = self._records(sql.SQL("WHERE d.id = %s"), (doc_id,))
        return found[0] if found else None

    def documents(self) -> list[dict[str, Any]]:
        """Every registered document's record, in registration order (status: ours)."""
        return self._records()

    def team_statuses(self) -> dict[str, dict[str, str]]:
        """doc id -> {annotator: status} for every annotator who has one."""
        found: dict[str, dict[str, str]] = {}
        try:
            rows = self._all(
                "SELECT doc_id, annotator, status FROM statuses ORDER BY doc_id, annotator")
        except Disconnected:
            return {k: dict(v) for k, v in self._team_seen.items()}
        for doc_id, annotator, status in rows:
            found.setdefault(doc_id, {})[annotator] = status
        self._team_seen = found
        return {k: dict(v) for k, v in found.items()}

    def listen(self) -> Any:
        """A ChangeListener on this store: which documents anyone changed since."""
        from annotations.postgres.listener import ChangeListener

        return ChangeListener(self.url)

    def _streamed(self, doc_id: str) -> Any:
        if not self.read_only:
            return None
        if self._read_ahead is None:
            from annotations.postgres.read_ahead import ReadAhead

            self._read_ahead = ReadAhead(self)
        return self._read_ahead.take(doc_id)

    def _current(self, doc_id: str) -> Any:
        """The document the read-ahead stream holds now, if it is `doc_id`."""
        ahead = self._read_ahead
        if ahead is not None and ahead.current is not None and ahead.current[0] == doc_id:
            return ahead.current
        return None

    def load_text(self, doc_id: str) -> str | None:
        self._check_doc_id(doc_id)
        if (streamed := self._current(doc_id)) is not None:
            return streamed[1]
        row = self._one("SELECT text FROM documents WHERE id = %s", (doc_id,))
        return None if row is None else row[0]

    def set_status(self, doc_id: str, status: str) -> None:
        if status not in STATUSES:
            raise ValueError(f"unknown status {status!r}; expected one of {STATUSES}")
        self.check_writable()
        self._require_document(doc_id)
        self._change({"op": "status", "doc": doc_id, "status": status},
                     lambda: self._seen_status(doc_id, status, only_untouched=False))

    def _seen_status(self, doc_id: str, status: str, *, only_untouched: bool) -> None:
        """Our status as the server will have it once the outbox is sent."""
        record = self._records_seen.get(doc_id)
        if record is not None and (not only_untouched or record["status"] == "untouched"):
            record["status"] = status

    def _send_status(self, entry: dict[str, Any], retry: bool) -> None:
        self._run(
            "INSERT INTO statuses (doc_id, annotator, status) VALUES (%s, %s, %s) "
            "ON CONFLICT (doc_id, annotator) DO UPDATE SET status = EXCLUDED.status, "
            "changed = now() WHERE statuses.status <> EXCLUDED.status",
            (entry["doc"], self.annotator, entry["status"]))
        self._notify(entry["doc"])
        self._seen_status(entry["doc"], entry["status"], only_untouched=False)

    # ----------------------------------------------------------- segmentations

    def load_segmentation(self, doc_id: str, text: str,
                          warn: Warn | None = None) -> Segmentation | None:
        kept = self.kept_segmentation(doc_id, warn)
        return None if kept is None else kept.decode(text, doc_id, warn)

    def kept_segmentation(self, doc_id: str, warn: Warn | None = None
                          ) -> KeptSegmentation | None:
        self._check_doc_id(doc_id)
        try:
            streamed = self._current(doc_id)
            row = (streamed[2],) if streamed is not None and streamed[2] is not None else (
                None if streamed is not None else
                self._one("SELECT data FROM segmentations WHERE doc_id = %s", (doc_id,)))
        except StoreError as err:  # derived data: the caller segments again
            if warn is not None:
                warn(f"cannot read the segmentation of {doc_id} ({err}); segmenting it again")
            return None
        if row is None:
            return None
        return KeptSegmentation(bytes(row[0]), f"the stored segmentation of {doc_id}")

    def save_segmentation(self, doc_id: str, seg: Segmentation,
                          warn: Warn | None = None) -> bool:
        """Keep `seg` as the document's segmentation; False if not written (see Store)."""
        if self.read_only or self._closed:
            return False
        if self.load_segmentation(doc_id, seg.text) is not None:
            return False
        try:
            data = segmentation_codec.encode(seg)
            self._run(
                "INSERT INTO segmentations (doc_id, data) VALUES (%s, %s) "
                "ON CONFLICT (doc_id) DO UPDATE SET data = EXCLUDED.data", (doc_id, data))
        except (StoreError, ValueError) as err:
            if warn is not None:
                warn(f"cannot keep the segmentation of {doc_id} in {self.where} ({err})")
            return False
        return True

    def keep_copied(self, segmentations: dict[str, Segmentation],
                    statuses: dict[str, str]) -> int:
        """For `store copy`: many documents' segmentations and statuses in one transaction
        (one commit, where a `save_segmentation` and a `set_status` each make one per
        document). Returns how many segmentations were kept."""
        self.check_writable()
        psycopg = driver()
        rows = [(doc_id, segmentation_codec.encode(seg)) for doc_id, seg in
                segmentations.items()]
        with self._lock:
            try:
                with self._conn.transaction(), self._conn.cursor() as cur:
                    cur.executemany(
                        "INSERT INTO segmentations (doc_id, data) VALUES (%s, %s) "
                        "ON CONFLICT (doc_id) DO NOTHING", rows)
                    cur.executemany(
                        "INSERT INTO statuses (doc_id, annotator, status) VALUES (%s, %s, %s) "
                        "ON CONFLICT (doc_id, annotator) DO UPDATE SET status = "
                        "EXCLUDED.status, changed = now()",
                        [(doc_id, self.annotator, status) for doc_id, status in
                         statuses.items()])
            except psycopg.Error as err:
                raise self._error(err) from err
        self._records_seen.clear()
        return len(rows)

    # ----------------------------------------------------------- annotations

    def _version(self, doc_id: str) -> int | None:
        """The sum of the document's layer stamps (None: no such document)."""
        row = self._one(
            "SELECT (SELECT coalesce(sum(stamp), 0) FROM doc_layers WHERE doc_id = d.id) "
            "FROM documents d WHERE d.id = %s", (doc_id,))
        return None if row is None else int(row[0])

    def _notify(self, doc_id: str) -> None:
        """Tell listeners `doc_id` changed, after the change's commit (see `notifier`)."""
        if self._notifier is None:
            from annotations.postgres.notifier import Notifier

            self._notifier = Notifier(self.url)
        self._notifier.changed(doc_id)

    def _read_rows(self, doc_id: str) -> dict[str, dict[str, Any]]:
        text = self._one("SELECT coalesce(json_agg(body), '[]')::text FROM annotations "
                         "WHERE doc_id = %s", (doc_id,))[0]
        return {row["id"]: row for row in json.loads(text)}

    def _doc_state(self, doc_id: str) -> _DocAnnotations | None:
        """A document's annotations, current (None: no such document)."""
        with self._lock:
            try:
                if len(self._outbox) and not self._send_outbox():
                    raise Disconnected(f"the store {self.where} is still unreachable")
                version = self._version(doc_id)
            except Disconnected:
                state = self._doc_anns.get(doc_id)
                if state is None:
                    raise
                return state  # read before: shown with the changes waiting in the outbox
            if version is None:
                self._doc_anns.pop(doc_id, None)
                return None
            state = self._doc_anns.get(doc_id)
            if state is not None and state.version == version:
                self._doc_anns.move_to_end(doc_id)
                return state
            # Read rows and version together, so a change between them is not missed.
            psycopg = driver()
            try:
                with self._conn.transaction():
                    self._run("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                    version = self._version(doc_id) or 0
                    rows = self._read_rows(doc_id)
            except psycopg.Error as err:
                raise self._error(err) from err
            state = _DocAnnotations(version, rows)
            self._doc_anns[doc_id] = state
            while len(self._doc_anns) > DOC_CACHE_SIZE:
                self._doc_anns.popitem(last=False)
            return state

    def _after_write(self, doc_id: str, stamps: tuple[Any, Any, Any],
                     change: Callable[[_DocAnnotations], None]) -> None:
        """Carry our change into the cache if nobody else wrote in between; else drop it.

        `stamps`: the document's version before the change (the statement's
        snapshot), our layer's stamp before it and after it.
        """
        self._notify(doc_id)
        state = self._doc_anns.get(doc_id)
        if state is None:
            return
        total, mine, now = stamps
        if now is not None and total is not None and int(total) == state.version:
            change(state)
            state.version = int(total) - int(mine or 0) + int(now)
        else:
            del self._doc_anns[doc_id]

    def annotations(self, doc_id: str) -> list[Annotation]:
        """The annotations of one document (every layer), sorted as the folder store's."""
        state = self._doc_state(doc_id)
        return [] if state is None else list(state.annotations)

    def counts(self, doc_id: str) -> Counter[str]:
        state = self._doc_state(doc_id)
        return Counter() if state is None else Counter(state.labels)

    def annotation_rows(self, doc_id: str) -> list[AnnotationRow]:
        """One document's annotations as rows, sorted as `annotations` (for export).

        A read-only store streams them (with text and segmentation) through a
        server-side cursor (`read_ahead`); a writable one reads them now.
        """
        self._check_doc_id(doc_id)
        of = AnnotationRow.of
        streamed = self._streamed(doc_id)
        raw = streamed[3] if streamed is not None else self._read_rows(doc_id).values()
        rows = [of(row) for row in raw]
        rows.sort(key=_row_sort_key)
        return rows

    def all_annotations(self) -> Iterator[Annotation]:
        """Every annotation, document by document."""
        for (doc_id,) in self._all("SELECT id FROM documents ORDER BY seq"):
            rows = self._read_rows(doc_id)
            yield from sorted((Annotation.from_dict(r) for r in rows.values()), key=_sort_key)

    def add(self, ann: Annotation) -> bool:
        """Save `ann`; False if its id, or the same span and label in its layer, exists."""
        return self._insert(ann, check_span=True)

    def add_with_step(self, ann: Annotation, step: Step, limit: int) -> bool:
        """`add` and its undo step in one transaction (one round trip to the server).

        The step's "seq" is set to one past this annotator's position, on the
        server. Waiting in the outbox, the two are one entry: sent together.
        """
        return self._insert(ann, check_span=True, step=(step, limit))

    def restore(self, ann: Annotation) -> bool:
        """Put back an annotation removed earlier (undo); False if its id is present."""
        return self._insert(ann, check_span=False)

    def _insert(self, ann: Annotation, *, check_span: bool,
                step: tuple[Step, int] | None = None) -> bool:
        self.check_writable()
        self._check_doc_id(ann.doc_id)
        row = ann.to_dict()

        def offline() -> bool:
            state = self._offline_state(ann.doc_id)
            if ann.id in state.rows or (check_span and _span(row) in state.spans):
                return False
            state.put(ann, row)
            self._seen_status(ann.doc_id, "in progress", only_untouched=True)
            if step is not None:
                self._history_changed(json.loads(_dumps(self._next_step(step[0]))), step[1],
                                      None)  # the store's own copy
            return True

        entry: dict[str, Any] = {"op": "insert", "row": row, "check_span": check_span}
        if step is not None:
            entry["step"], entry["limit"] = step
        return bool(self._change(entry, offline))

    def _next_step(self, step: Step) -> Step:
        """`step` numbered one past the position known here (the server renumbers it if
        that guess is stale)."""
        position = self._history[2] if self._history is not None else 0
        return {**step, "seq": position + 1}

    def _send_insert(self, entry: dict[str, Any], retry: bool) -> bool:
        row = entry["row"]
        ann = Annotation.from_dict(row)
        step = entry.get("step")
        # Sent as text (the server keeps it as given); kept, below, as read back from it:
        # the store's own copy, whatever the caller does with its dict.
        step_text = None if step is None else _dumps(self._next_step(step))
        with self._lock:
            before = self._history
            total, mine, now, inserted, at, version = self._one(
                _INSERT, {**_params(ann, row), "check_span": entry["check_span"],
                          "me": self.annotator, "step": step_text,
                          "limit": int(entry.get("limit") or 0)})
            if now is None:
                raise StoreError(f"document {ann.doc_id} is not in the store {self.where}")
            if not inserted:
                self._doc_anns.pop(ann.doc_id, None)  # the version moved: read again
                # Sent again after a lost connection, it may have been committed the
                # first time (its step with it).
                if retry and self._stored_body(ann.doc_id, ann.id) == row:
                    self._history = None
                    return True
                return False
            self._after_write(ann.doc_id, (total, mine, now), lambda s: s.put(ann, row))
            self._seen_status(ann.doc_id, "in progress", only_untouched=True)
            if step_text is not None:
                # In memory too, if memory was current before (else read again next time).
                if before is not None and before[0][1] == int(version) - 1:
                    kept = json.loads(step_text)
                    kept["seq"] = int(at)
                    self._history_changed(kept, int(entry["limit"]), None,
                                          (int(at), int(version)))
                else:
                    self._history = None
            return True

    def _stored_body(self, doc_id: str, ann_id: str) -> dict[str, Any] | None:
        found = self._one("SELECT body::text FROM annotations WHERE doc_id = %s AND id = %s",
                          (doc_id, ann_id))
        return None if found is None else json.loads(found[0])

    def _offline_state(self, doc_id: str) -> _DocAnnotations:
        """The document as read before, to change in memory while the change waits."""
        state = self._doc_anns.get(doc_id)
        if state is None:
            raise Disconnected(f"lost the connection to the store {self.where}, and document "
                               f"{doc_id} was not read before it; this change was NOT saved")
        return state

    def add_many(self, anns: Iterable[Annotation]) -> int:
        """Save many annotations in one transaction; returns how many were new.

        Skips what `add` would skip (same id, or same span and label in the
        same layer, also within the batch). The documents' rows are locked
        first, so concurrent writers cannot slip a duplicate in between.
        """
        self.check_writable()
        by_doc: dict[str, list[Annotation]] = {}
        for ann in anns:
            self._check_doc_id(ann.doc_id)
            by_doc.setdefault(ann.doc_id, []).append(ann)
        if not by_doc:
            return 0
        from psycopg import sql

        psycopg = driver()
        added = 0
        with self._lock:
            try:
                with self._conn.transaction():
                    known = {doc_id for (doc_id,) in self._conn.execute(
                        "SELECT id FROM documents WHERE id = ANY(%s)", (list(by_doc),))}
                    missing = set(by_doc) - known
                    if missing:
                        raise StoreError(f"document {sorted(missing)[0]} is not in the store "
                                         f"{self.where}")
                    # Stamp (and lock) every layer written, before reading what is there.
                    pairs = sorted({(a.doc_id, a.annotator) for group in by_doc.values()
                                    for a in group})
                    self._conn.execute(
                        "INSERT INTO doc_layers (doc_id, layer, stamp) "
                        "SELECT d, l, nextval('change_stamps') "
                        "FROM unnest(%s::text[], %s::text[]) AS p(d, l) "
                        "ON CONFLICT (doc_id, layer) DO UPDATE SET stamp = EXCLUDED.stamp",
                        ([d for d, _ in pairs], [layer for _, layer in pairs]))
                    ids: set[tuple[str, str]] = set()
                    spans: set[tuple[Any, ...]] = set()
                    for doc_id, id_, layer, start, end, label in self._conn.execute(
                            'SELECT doc_id, id, layer, start, "end", label FROM annotations '
                            "WHERE doc_id = ANY(%s)", (list(by_doc),)):
                        ids.add((doc_id, id_))
                        spans.add((doc_id, layer, start, end, label))
                    new: list[Annotation] = []
                    for doc_id, group in by_doc.items():
                        for ann in group:
                            span = (doc_id, ann.annotator, ann.start, ann.end, ann.label)
                            if (doc_id, ann.id) in ids or span in spans:
                                continue
                            ids.add((doc_id, ann.id))
                            spans.add(span)
                            new.append(ann)
                    columns = ("doc_id", "id", "layer", "start", "end", "label", "created",
                               "body")
                    statement = sql.SQL("COPY annotations ({}) FROM STDIN").format(
                        sql.SQL(", ").join(map(sql.Identifier, columns)))
                    with self._conn.cursor() as cur, cur.copy(statement) as copy:
                        for ann in new:
                            copy.write_row((ann.doc_id, ann.id, ann.annotator, ann.start,
                                            ann.end, ann.label, ann.created,
                                            _dumps(ann.to_dict())))
                    touched = sorted({ann.doc_id for ann in new})
                    if touched:
                        self._conn.execute(
                            "INSERT INTO statuses (doc_id, annotator, status) "
                            "SELECT unnest(%s::text[]), %s, 'in progress' "
                            "ON CONFLICT (doc_id, annotator) DO UPDATE SET "
                            "status = 'in progress', changed = now() "
                            "WHERE statuses.status = 'untouched'", (touched, self.annotator))
                    added = len(new)
            except psycopg.errors.InsufficientPrivilege as err:
                raise StoreError(
                    f"the store {self.where} refused these annotations for role {self.role} "
                    f"({scrub(str(err), self.url)}); each annotator writes only their own "
                    "layer") from err
            except psycopg.Error as err:
                raise StoreError(f"the store {self.where} refused these annotations "
                                 f"({scrub(str(err), self.url)}); none was saved") from err
            finally:
                for doc_id in by_doc:
                    self._doc_anns.pop(doc_id, None)
        for doc_id in by_doc:
            self._notify(doc_id)
        return added

    def _refused(self, doc_id: str, ann_id: str) -> None:
        """After a change that touched nothing: if the span exists, it is someone else's."""
        row = self._one("SELECT layer FROM annotations WHERE doc_id = %s AND id = %s",
                        (doc_id, ann_id))
        if row is not None:
            raise StoreError(
                f"this span is in {row[0] or 'the unnamed'} layer: role {self.role} may change "
                f"only its own layer of {self.where}")

    def remove(self, doc_id: str, ann_id: str) -> Annotation | None:
        """Delete one annotation; returns it, or None if there was none."""
        self.check_writable()
        self._require_document(doc_id)

        def offline() -> Annotation | None:
            state = self._offline_state(doc_id)
            row = state.rows.get(ann_id)
            if row is None:
                return None
            state.delete(ann_id)
            self._seen_status(doc_id, "in progress", only_untouched=True)
            return Annotation.from_dict(row)

        return self._change({"op": "delete", "doc": doc_id, "id": ann_id}, offline)

    def _send_delete(self, entry: dict[str, Any], retry: bool) -> Annotation | None:
        doc_id, ann_id = entry["doc"], entry["id"]
        body, total, mine, now = self._one(
            _DELETE, {"doc": doc_id, "id": ann_id, "me": self.annotator})
        if body is None:
            self._refused(doc_id, ann_id)
            if retry:  # deleted by the first try, whose answer was lost: say what it was
                state = self._doc_anns.pop(doc_id, None)
                row = None if state is None else state.rows.get(ann_id)
                return None if row is None else Annotation.from_dict(row)
            return None
        self._after_write(doc_id, (total, mine, now), lambda s: s.delete(ann_id))
        self._seen_status(doc_id, "in progress", only_untouched=True)
        return Annotation.from_dict(json.loads(body))

    def update(self, ann: Annotation) -> Annotation | None:
        """Replace the annotation with `ann.id`; returns the old one (None if absent)."""
        self.check_writable()
        self._require_document(ann.doc_id)
        state = self._doc_state_or_cached(ann.doc_id)
        if state is not None:
            current = state.rows.get(ann.id)
            if current is None:
                return None
            old = Annotation.from_dict(current)
            if old == ann:
                return old
        row = ann.to_dict()

        def offline() -> Annotation | None:
            state = self._offline_state(ann.doc_id)
            before = state.rows.get(ann.id)
            if before is None:
                return None
            state.put(ann, row)
            self._seen_status(ann.doc_id, "in progress", only_untouched=True)
            return Annotation.from_dict(before)

        return self._change({"op": "update", "row": row}, offline)

    def _doc_state_or_cached(self, doc_id: str) -> _DocAnnotations | None:
        try:
            return self._doc_state(doc_id)
        except Disconnected:
            return self._doc_anns.get(doc_id)

    def _send_update(self, entry: dict[str, Any], retry: bool) -> Annotation | None:
        row = entry["row"]
        ann = Annotation.from_dict(row)
        body, total, mine, now, updated = self._one(
            _UPDATE, {**_params(ann, row), "me": self.annotator})
        if not updated:
            self._refused(ann.doc_id, ann.id)
            self._doc_anns.pop(ann.doc_id, None)
            return None
        # An update that moved the span to another layer leaves the old
        # layer's stamp as it was: `mine` is the new layer's, so the sum holds.
        self._after_write(ann.doc_id, (total, mine, now), lambda s: s.put(ann, row))
        self._seen_status(ann.doc_id, "in progress", only_untouched=True)
        old = Annotation.from_dict(json.loads(body))
        # Sent again after a lost connection: the first try may have made it already.
        return old

    # ----------------------------------------------------------- saving, or keeping for later

    def _change(self, entry: dict[str, Any], offline: Callable[[], Any]) -> Any:
        """Commit `entry` on the server; retry once on a new connection; else keep it.

        Kept: `offline()` makes the change in memory (and gives the call's
        result), then the entry is appended to the outbox, fsynced. Changes
        already waiting go first, so the server sees every change in order.
        """
        with self._lock:
            if len(self._outbox) and not self._send_outbox():
                return self._keep(entry, offline)
            try:
                return self._send(entry, retry=False)
            except Disconnected:
                pass
            if self._reconnect(now=True):
                try:
                    return self._send(entry, retry=True)
                except Disconnected:
                    pass
            return self._keep(entry, offline)

    def _send(self, entry: dict[str, Any], retry: bool) -> Any:
        sender = {
            "insert": self._send_insert,
            "delete": self._send_delete,
            "update": self._send_update,
            "status": self._send_status,
            "state": self._send_state,
            "merge": self._send_state,
            "step": self._send_history,
            "move": self._send_history,
            "link": self._send_link,
            "unlink": self._send_unlink,
        }[entry["op"]]
        return sender(entry, retry)

    def _keep(self, entry: dict[str, Any], offline: Callable[[], Any]) -> Any:
        result = offline()
        if entry["op"] in _REFUSABLE and not result:
            return result  # refused here (a twin, nothing to remove): nothing to send either
        try:
            self._outbox.append(entry)
        except StoreError:
            self._doc_anns.clear()  # memory must not claim what was not kept
            raise
        return result

    def _reconnect(self, *, now: bool = False) -> bool:
        """A new connection if the old one is gone; False if the server is still away."""
        if not (self._conn.broken or self._conn.closed):
            return True
        if not now and time.monotonic() - self._last_attempt < RECONNECT_EVERY:
            return False
        self._last_attempt = time.monotonic()
        try:
            conn = connect(self.url, autocommit=True)
        except StoreError:
            return False
        self._conn.close()
        self._conn = conn
        return True

    def _send_outbox(self) -> bool:
        """Send the changes waiting, in order; True when none is left."""
        with self._lock:
            if not self._reconnect():
                return False
            entries = self._outbox.entries()
            for index, entry in enumerate(entries):
                try:
                    self._send(entry, retry=True)
                except Disconnected:
                    self._outbox.keep(entries[index:])
                    return False
                except StoreError as err:
                    where = self._outbox.refuse(entry, str(err))
                    self.warnings.append(f"a change kept while the server was away was "
                                         f"refused ({err}); it is kept in {where}")
            self._outbox.keep([])
            self._doc_anns.clear()  # read again: others wrote meanwhile
            return True

    def flush(self) -> int:
        """Try to send the outbox now; returns how many changes still wait."""
        with self._lock:
            if len(self._outbox):
                self._send_outbox()
            return len(self._outbox)

    def compact(self, doc_id: str) -> None:
        """Nothing to fold: the server keeps no log of ours (checks the document)."""
        self.check_writable()
        self._require_document(doc_id)

    # ----------------------------------------------------------- session state

    def _read_all_state(self) -> None:
        """Every key of this annotator's session state, kept: a reader that
        loses the server can still show a pane it had not looked at yet (its
        orphans, its rejected suggestions) as it was when the store opened."""
        with contextlib.suppress(Disconnected):  # then read key by key, as before
            self._state_seen.update(self._all(
                "SELECT key, value::text FROM session_state WHERE owner = %s",
                (self.annotator,)))
            self._state_complete = True

    def _get_state(self, key: str, default: Any = None) -> Any:
        try:
            if len(self._outbox) and not self._send_outbox():
                raise Disconnected(f"the store {self.where} is still unreachable")
            row = self._one("SELECT value::text FROM session_state WHERE owner = %s AND key = %s",
                            (self.annotator, key))
        except Disconnected:
            if key not in self._state_seen and not self._state_complete:
                raise
            # Read or set before (or absent when all was read): shown while
            # the server is away.
            text = self._state_seen.get(key)
        else:
            text = None if row is None else row[0]
            self._state_seen[key] = text
        return default if text is None else json.loads(text)

    def _set_state(self, key: str, value: Any, *, merge: bool = False) -> None:
        """Set `key` (or, `merge`, add/replace entries of the mapping it holds)."""
        self.check_writable()
        value = json.loads(json.dumps(value))  # a JSON copy; TypeError if not JSON

        def offline() -> None:
            if merge:
                held = self._state_seen.get(key)
                current = json.loads(held) if held else {}
                current.update(value)
                self._state_seen[key] = _dumps(current)
            else:
                self._state_seen[key] = _dumps(value)

        self._change({"op": "merge" if merge else "state", "key": key, "value": value}, offline)

    def _send_state(self, entry: dict[str, Any], retry: bool) -> None:
        if entry["op"] == "merge":
            found = self._one(
                "INSERT INTO session_state (owner, key, value) VALUES (%s, %s, %s) "
                "ON CONFLICT (owner, key) DO UPDATE SET "
                "value = (session_state.value::jsonb || EXCLUDED.value::jsonb)::json "
                "RETURNING value::text", (self.annotator, entry["key"], _dumps(entry["value"])))
            self._state_seen[entry["key"]] = found[0]
            return
        self._state_seen[entry["key"]] = _dumps(entry["value"])
        self._run(
            "INSERT INTO session_state (owner, key, value) VALUES (%s, %s, %s) "
            "ON CONFLICT (owner, key) DO UPDATE SET value = EXCLUDED.value "
            "WHERE session_state.value::text <> EXCLUDED.value::text",
            (self.annotator, entry["key"], _dumps(entry["value"])))

    # Session fields (the protocol's), kept as the local store keys them.

    def panes(self) -> list[Pane]:
        rows = self._get_state("panes", [])
        panes = [Pane.from_dict(row) for row in rows] if isinstance(rows, list) else []
        return [pane for pane in panes if pane is not None]

    def set_panes(self, panes: list[Pane]) -> None:
        self._set_state("panes", [pane.to_dict() for pane in panes])

    def paths(self) -> dict[str, str]:
        value = self._get_state("paths", {})
        return value if isinstance(value, dict) else {}

    def remember_paths(self, paths: dict[str, str]) -> None:
        self._set_state("paths", dict(paths), merge=True)

    def reanchoring(self) -> dict[str, dict[str, Any]]:
        value = self._get_state("reanchoring", {})
        return value if isinstance(value, dict) else {}

    def record_reanchoring(self, doc_id: str, entry: dict[str, Any]) -> None:
        self._set_state("reanchoring", {doc_id: entry}, merge=True)

    def orphans(self, doc_id: str) -> list[Annotation]:
        rows = self._get_state(f"orphans:{doc_id}", [])
        return [Annotation.from_dict(row) for row in rows] if isinstance(rows, list) else []

    def set_orphans(self, doc_id: str, orphans: list[Annotation]) -> None:
        self.check_writable()
        if orphans or self._get_state(f"orphans:{doc_id}") is not None:
            self._set_state(f"orphans:{doc_id}", [a.to_dict() for a in orphans])

    def rejected(self, doc_id: str) -> set[str]:
        value = self._get_state(f"rejected:{doc_id}", [])
        return {str(key) for key in value} if isinstance(value, list) else set()

    def set_rejected(self, doc_id: str, keys: Iterable[str]) -> None:
        self._set_state(f"rejected:{doc_id}", sorted(set(keys)))

    def state_items(self) -> list[tuple[str, Any]]:
        """Every (key, value) of this annotator's session state (for `store copy`)."""
        return [(key, json.loads(value)) for key, value in self._all(
            "SELECT key, value::text FROM session_state WHERE owner = %s ORDER BY key",
            (self.annotator,))]

    # ----------------------------------------------------------- links

    def links(self) -> list[Link]:
        """Every link, oldest first (shared by the team)."""
        with self._lock:
            try:
                if len(self._outbox) and not self._send_outbox():
                    raise Disconnected(f"the store {self.where} is still unreachable")
                rows = self._all("SELECT body::text FROM links ORDER BY seq")
            except Disconnected:
                if self._links_seen is None:
                    raise
                return list(self._links_seen)  # read before, with the links that wait
            self._links_seen = [Link.from_dict(json.loads(body)) for (body,) in rows]
            return list(self._links_seen)

    # Links wait in the outbox as annotations do: made while the server is
    # away, a link is kept in memory (in the links read before) and in the
    # outbox, and sent in order when the server is back.

    def add_link(self, link: Link) -> bool:
        """Save `link`; False if its id, or its two ends with the same relation, exist."""
        self.check_writable()
        return bool(self._change({"op": "link", "link": link.to_dict(), "restore": False},
                                 lambda: self._link_offline(link, restore=False)))

    def restore_link(self, link: Link) -> bool:
        """Put back a removed link (undo); False if its id is present."""
        self.check_writable()
        return bool(self._change({"op": "link", "link": link.to_dict(), "restore": True},
                                 lambda: self._link_offline(link, restore=True)))

    def remove_link(self, link_id: str) -> Link | None:
        self.check_writable()

        def offline() -> Link | None:
            seen = self._seen_links()
            found = next((link for link in seen if link.id == link_id), None)
            if found is not None:
                seen.remove(found)
            return found

        return self._change({"op": "unlink", "id": link_id}, offline)

    def _seen_links(self) -> list[Link]:
        """The links as read before, to change in memory while the change waits."""
        if self._links_seen is None:
            raise Disconnected(f"lost the connection to the store {self.where}, and its links "
                               "were not read before it; this change was NOT saved")
        return self._links_seen

    def _link_offline(self, link: Link, *, restore: bool) -> bool:
        seen = self._seen_links()
        if any(other.id == link.id or (not restore and other.ends == link.ends
                                       and other.relation == link.relation)
               for other in seen):
            return False
        seen.append(link)
        return True

    def _send_link(self, entry: dict[str, Any], retry: bool) -> bool:
        link = Link.from_dict(entry["link"])
        body = _dumps(link.to_dict())
        if entry["restore"] and self._one("SELECT 1 FROM links WHERE id = %s",
                                          (link.id,)) is not None:
            return retry and self._stored_link(link.id) == body
        ends = sorted((f"{link.a_doc}/{link.a_ann}", f"{link.b_doc}/{link.b_ann}"))
        # ON CONFLICT with no target: the id, or the ends with the relation.
        row = self._one(
            "INSERT INTO links (id, end_a, end_b, relation, body) VALUES (%s, %s, %s, %s, %s) "
            "ON CONFLICT DO NOTHING RETURNING 1",
            (link.id, ends[0], ends[1], link.relation, body))
        if row is None:
            # Sent again after a lost connection, the first try may have saved it.
            return retry and self._stored_link(link.id) == body
        seen = self._links_seen  # kept current: shown should the server go away next
        if seen is not None and all(other.id != link.id for other in seen):
            seen.append(link)
        return True

    def _stored_link(self, link_id: str) -> str | None:
        found = self._one("SELECT body::text FROM links WHERE id = %s", (link_id,))
        return None if found is None else _dumps(json.loads(found[0]))

    def _send_unlink(self, entry: dict[str, Any], retry: bool) -> Link | None:
        row = self._one("DELETE FROM links WHERE id = %s RETURNING body::text", (entry["id"],))
        seen = self._links_seen
        known = None if seen is None else next(
            (link for link in seen if link.id == entry["id"]), None)
        if known is not None:
            seen.remove(known)  # type: ignore[union-attr]
        if row is None:
            # Sent again after a lost connection: the first try may have removed it.
            return known if retry else None
        return Link.from_dict(json.loads(row[0]))

    # ----------------------------------------------------------- undo history

    def history(self) -> tuple[dict[int, Step], int]:
        """This annotator's undo steps and position (read again only when they changed)."""
        with self._lock:
            try:
                if len(self._outbox) and not self._send_outbox():
                    raise Disconnected(f"the store {self.where} is still unreachable")
                row = self._one("SELECT position, version FROM history_positions "
                                "WHERE owner = %s", (self.annotator,))
                key = (0, 0) if row is None else (int(row[0]), int(row[1]))
                if self._history is None or self._history[0] != key:
                    steps = {int(seq): json.loads(step) for seq, step in self._all(
                        "SELECT seq, step::text FROM history_steps WHERE owner = %s",
                        (self.annotator,))}
                    self._history = (key, steps, key[0])
            except Disconnected:
                if self._history is None:
                    raise
            _key, steps, position = self._history
            return dict(steps), position

    def record_step(self, step: Step, limit: int) -> None:
        self.check_writable()
        step = json.loads(json.dumps(step))  # the store's own copy
        self._change({"op": "step", "step": step, "limit": limit},
                     lambda: self._history_changed(step, limit, None))

    def move_history(self, position: int) -> None:
        self.check_writable()
        self._change({"op": "move", "position": position},
                     lambda: self._history_changed(None, 0, position))

    def _history_changed(self, step: Step | None, limit: int, position: int | None,
                         key: tuple[int, int] | None = None) -> None:
        """Carry a change into the history kept in memory (`key`: the server's now)."""
        if self._history is None:
            return
        _old, steps, current = self._history
        if step is not None:
            seq = int(step["seq"])
            # The steps are numbered without gaps (the server drops the redo tail and
            # the oldest as here): walk the ends, not all up to `limit` steps per tag.
            gone = seq
            while gone in steps:  # the redo tail
                del steps[gone]
                gone += 1
            gone = seq - limit
            while gone in steps:  # beyond the limit
                del steps[gone]
                gone -= 1
            steps[seq] = step
            current = seq
        if position is not None:
            current = position
        self._history = (key if key is not None else (-1, -1), steps, current)

    def _send_history(self, entry: dict[str, Any], retry: bool) -> None:
        with self._lock:
            before = self._history
            if entry["op"] == "step":
                position = int(entry["step"]["seq"])
                row = self._one("SELECT newsmark_record_step(%s, %s, %s, %s)",
                                (self.annotator, position, _dumps(entry["step"]),
                                 int(entry["limit"])))
            else:
                position = int(entry["position"])
                row = self._one(
                    "INSERT INTO history_positions (owner, position) VALUES (%s, %s) "
                    "ON CONFLICT (owner) DO UPDATE SET position = EXCLUDED.position, "
                    "version = history_positions.version + 1 RETURNING version",
                    (self.annotator, position))
            # In memory too, if memory was current before (else read again next time).
            if before is not None and before[0][1] == int(row[0]) - 1:
                if entry["op"] == "step":
                    self._history_changed(entry["step"], int(entry["limit"]), None,
                                          (position, int(row[0])))
                else:
                    self._history_changed(None, 0, position, (position, int(row[0])))
            else:
                self._history = None

