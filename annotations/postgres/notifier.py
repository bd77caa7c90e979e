"""Telling listeners which documents changed, off the path of the key press.

Every committed change to a document's annotations or status is followed
by `NOTIFY newsmark, '<doc id>'` (heard by `listener.ChangeListener`). It is
not sent in the change's own transaction: PostgreSQL takes one lock for
every transaction that notifies, held through its commit, so notifying
writers would flush their commits one after another instead of sharing the
WAL flushes (group commit). It goes out afterwards, from a thread of its
own, on a connection of its own whose commits are not flushed to disk
(synchronous_commit off: a notice is not data, and listeners lose it on a
restart anyway).

The key press does not wait for it: `changed(doc_id)` puts the id in a set
and returns. The thread gathers for `GATHER` seconds, then sends every id
waiting in one statement: a busy writer sends a batch per `GATHER`, not a
transaction per change. A notice is best-effort: if the server is away it is
dropped (the change itself is saved or in the outbox), and listeners catch
up at the next change they hear of.
"""

from __future__ import annotations

import threading
from typing import Any

from annotations.errors import StoreError

CHANNEL = "newsmark"
# After the first change of a quiet spell the thread waits this long for
# more before sending: a reader hears of a change within about this much
# more, and a busy writer sends one batch per GATHER, not one per change.
GATHER = 0.05
_SEND = "SELECT pg_notify(%s, d) FROM unnest(%s::text[]) AS d"


class Notifier:
    """A thread that sends the notices of documents `changed` here."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._waiting: dict[str, None] = {}  # ids in the order they changed
        self._wake = threading.Condition()
        self._busy = False
        self._idle = False  # the thread waits for a first id (not gathering, not sending)
        self._stopping = False
        self._thread: threading.Thread | None = None
        self._conn: Any = None
        self.batches = 0  # statements sent (for the bench: notices cost per change)

    def changed(self, doc_id: str) -> None:
        """Queue a notice for `doc_id` (returns at once)."""
        with self._wake:
            if self._stopping:
                return
            self._waiting[doc_id] = None
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="newsmark-notify",
                                                daemon=True)
                self._thread.start()
            elif self._idle:
                self._wake.notify()  # only then: a wake-up per change would cost a switch

    def drain(self, timeout: float = 5.0) -> bool:
        """Wait until every queued notice is sent (or dropped); False on timeout."""
        with self._wake:
            return self._wake.wait_for(lambda: not self._waiting and not self._busy, timeout)

    def close(self, timeout: float = 2.0) -> None:
        """Send what waits (for up to `timeout` s), then stop the thread and the connection."""
        with self._wake:
            self._stopping = True
            self._wake.notify_all()  # ends a gathering wait too
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        while True:
            with self._wake:
                self._idle = True
                self._wake.wait_for(lambda: self._waiting or self._stopping)
                self._idle = False
                if not self._stopping:
                    self._wake.wait_for(lambda: self._stopping, GATHER)
                if not self._waiting:  # stopping, nothing left
                    self._close_conn()
                    return
                ids = list(self._waiting)
                self._waiting.clear()
                self._busy = True
            try:
                self._send(ids)
            finally:
                with self._wake:
                    self._busy = False
                    self._wake.notify_all()

    def _send(self, ids: list[str]) -> None:
        from annotations.postgres.url import connect, driver

        psycopg = driver()
        try:
            if self._conn is None or self._conn.closed or self._conn.broken:
                self._conn = connect(self.url, autocommit=True)
                self._conn.execute("SET synchronous_commit TO OFF")
            self._conn.execute(_SEND, (CHANNEL, ids))
            self.batches += 1
        except (psycopg.Error, StoreError):
            # The changes are saved; listeners catch up at the next notice they hear.
            self._close_conn()

    def _close_conn(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            finally:
                self._conn = None
