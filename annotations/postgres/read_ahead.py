"""Reading a PostgreSQL store document after document, as export does, in one stream.

Export asks, for each document in registration order, for its annotation
rows, then its text, then its segmentation: three round trips per
document. A read-only store instead reads ahead through one server-side
(named) cursor, on a connection of its own, that returns each document's
text, segmentation and annotations (as one JSON array) in `seq` order,
`ITERSIZE` documents per fetch: memory holds one batch, whatever the size
of the store. Asked for a document that is not the next in the stream (an
export worker given another chunk), it opens a new cursor starting there.
"""

from __future__ import annotations

import itertools
import json
from typing import Any

ITERSIZE = 32  # documents per fetch: a few MB in memory at most
# A thread fetching the next batch while this one formats the last was
# tried (02a6087): 15-20% faster, but the export's peak memory grew with
# the number of documents (12 MB for 100,000 spans against 3.6 MB for
# 10,000, where it is 7 against 4.8 without it): not flat, so not kept.

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
        if self._cursor is not None:
            self._cursor.close()
            self._conn.rollback()
        self._cursor = self._conn.cursor(name=f"newsmark_read_ahead_{next(_names)}")
        self._cursor.itersize = ITERSIZE  # iterating fetches ITERSIZE rows at a time
        self._cursor.execute(_STREAM, (row[0],))
        self._rows = iter(self._cursor)
        self._next = next(self._rows, None)
        return self._next is not None and self._next[0] == doc_id

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
