"""Hearing other people's changes to a PostgreSQL store (LISTEN/NOTIFY).

Every change to a document's annotations or status sends
`NOTIFY newsmark, '<doc id>'` in its own transaction. A `ChangeListener`
has a connection of its own that listens; `changed()` says which documents
changed since it was last asked, so a reader can refresh just those (their
annotations and the team's statuses) instead of polling the whole store.
"""

from __future__ import annotations

from typing import Any

from annotations.postgres.url import connect

CHANNEL = "newsmark"


class ChangeListener:
    """The ids of documents changed by anyone since the last call of `changed`."""

    def __init__(self, url: str) -> None:
        self._conn = connect(url, autocommit=True)
        self._conn.execute("LISTEN newsmark")

    def changed(self, timeout: float = 0.0) -> set[str]:
        """Documents changed since the last call; waits up to `timeout` s for the first."""
        found: set[str] = set()
        for note in self._conn.notifies(timeout=timeout, stop_after=1):
            if note.channel == CHANNEL:
                found.add(note.payload)
        # Whatever else has arrived meanwhile, without waiting.
        for note in self._conn.notifies(timeout=0):
            if note.channel == CHANNEL:
                found.add(note.payload)
        return found

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> ChangeListener:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
