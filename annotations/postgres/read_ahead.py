"""Reading a PostgreSQL store document after document, as export does, in one stream.

Export asks, for each document in registration order, for its annotation
rows, then its text, then its segmentation: three round trips per
document. A read-only store instead reads ahead through one server-side
(named) cursor, on a connection of its own, that returns each document's
text, segmentation and annotations (as one JSON array) in `seq` order,
`ITERSIZE` documents per fetch. A thread of its own fetches the next batch
while this one formats the last (the driver lets go of the interpreter
while it waits on the server): the server builds batch N+1 as the client
writes batch N, instead of each waiting for the other. At most `DEPTH`
batches wait, so memory stays flat whatever the size of the store. Asked
for a document that is not the next in the stream (an export worker given
another chunk), it opens a new cursor starting there.
"""

from __future__ import annotations

import itertools
import json
import queue
import threading
from collections.abc import Iterator
from typing import Any

ITERSIZE = 32  # documents per fetch: a few MB in memory at most
DEPTH = 2  # batches fetched ahead, at most

_STREAM = """
SELECT d.id, d.text, s.data,
    (SELECT coalesce(json_agg(a.body), '[]')::text FROM annotations a WHERE a.doc_id = d.id)
FROM documents d LEFT JOIN segmentations s ON s.doc_id = d.id
WHERE d.seq >= %s ORDER BY d.seq
"""

_names = itertools.count(1)


class ReadAhead:
    """The documents of a store, streamed in order; `take(doc_id)` the one asked for."""

    def __init__(self, store: Any) -> None:  # a PostgresStore (not imported: no cycle)
        self.store = store
        self._conn: Any = None
        self._cursor: Any = None
        self._fetcher: _Fetcher | None = None
        self._next: tuple[Any, ...] | None = None
        self._rows: Any = iter(())
        # The document taken last: (id, text, segmentation bytes, rows)
        self.current: tuple[str, str, bytes | None, list[dict[str, Any]]] | None = None

    def take(self, doc_id: str) -> tuple[str, str, bytes | None, list[dict[str, Any]]] | None:
        """Document `doc_id`'s (id, text, segmentation, rows); None if there is none."""
        if self.current is not None and self.current[0] == doc_id:
            return self.current
        if self._next is None or self._next[0] != doc_id:
            if not self._restart(doc_id):
                return None
        assert self._next is not None
        found_id, text, seg, rows = self._next
        self.current = (found_id, text, None if seg is None else bytes(seg), json.loads(rows))
        self._next = next(self._rows, None)
        return self.current

    def _restart(self, doc_id: str) -> bool:
        from annotations.postgres.url import connect

        row = self.store._one("SELECT seq FROM documents WHERE id = %s", (doc_id,))
        if row is None:
            return False
        if self._conn is None:
            self._conn = connect(self.store.url)  # not autocommit: a named cursor needs a
            # transaction, and read-only is all this one does
            self._conn.read_only = True
        self._stop_cursor()
        self._cursor = self._conn.cursor(name=f"newsmark_read_ahead_{next(_names)}")
        self._cursor.execute(_STREAM, (row[0],))
        self._fetcher = _Fetcher(self._cursor)
        self._rows = self._fetcher.rows()
        self._next = next(self._rows, None)
        return self._next is not None and self._next[0] == doc_id

    def _stop_cursor(self) -> None:
        if self._fetcher is not None:
            self._fetcher.stop()
            self._fetcher = None
        if self._cursor is not None:
            self._cursor.close()
            self._cursor = None
            self._conn.rollback()

    def close(self) -> None:
        if self._conn is not None:
            try:
                self._stop_cursor()
            finally:
                self._conn.close()
                self._conn = None


class _Fetcher:
    """Fetches a cursor's batches on a thread, `DEPTH` ahead of the reader."""

    def __init__(self, cursor: Any) -> None:
        self._cursor = cursor
        self._batches: queue.Queue[list[Any] | BaseException] = queue.Queue(maxsize=DEPTH)
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="newsmark-read-ahead",
                                        daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                batch: list[Any] | BaseException = self._cursor.fetchmany(ITERSIZE)
            except BaseException as err:  # handed to the reader, raised there
                batch = err
            while not self._stopping.is_set():
                try:
                    self._batches.put(batch, timeout=0.1)
                    break
                except queue.Full:
                    continue
            if not isinstance(batch, list) or not batch:
                return

    def rows(self) -> Iterator[Any]:
        while True:
            batch = self._batches.get()
            if isinstance(batch, BaseException):
                raise batch
            if not batch:
                return
            yield from batch

    def stop(self) -> None:
        """Stop fetching (the reader gave up on this cursor); returns when the thread ended."""
        self._stopping.set()
        while self._thread.is_alive():
            try:
                self._batches.get_nowait()  # make room, should it wait to put
            except queue.Empty:
                pass
            self._thread.join(0.05)
