"""TinyDB storage for the small whole databases of a PostgreSQL store (the links).

Each database is one row of table `tables` with a version. A write names
the version it read: if someone else wrote in between, the write is
refused with a message to do it again, so one person's link never silently
replaces another's.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from tinydb.storages import Storage

from annotations.errors import StoreError

if TYPE_CHECKING:
    from annotations.postgres.store import PostgresStore


class PgTableStorage(Storage):
    """A TinyDB `Storage` whose file is a row of the PostgreSQL store."""

    def __init__(self, *, store: PostgresStore, name: str, **_: Any) -> None:
        super().__init__()
        self.store = store
        self.name = name
        self._version: int | None = None
        self._seen: str | None = None  # the last data read, shown while the server is away
        self._read_once = False

    def read(self) -> dict[str, Any] | None:
        from annotations.postgres.store import Disconnected

        try:
            row = self.store._one("SELECT data::text, version FROM tables WHERE name = %s",
                                  (self.name,))
        except Disconnected:
            if not self._read_once:
                raise
            self._version = -1  # no write until read from the server again
            return None if self._seen is None else json.loads(self._seen)
        self._read_once = True
        if row is None:
            self._version = None
            self._seen = None
            return None
        self._version = int(row[1])
        self._seen = row[0]
        return json.loads(row[0])

    def write(self, data: dict[str, Any]) -> None:
        self.store.check_writable()
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        if self._version is None:
            row = self.store._one(
                "INSERT INTO tables (name, data) VALUES (%s, %s) ON CONFLICT (name) DO NOTHING "
                "RETURNING version", (self.name, text))
        else:
            row = self.store._one(
                "UPDATE tables SET data = %s, version = version + 1 "
                "WHERE name = %s AND version = %s RETURNING version",
                (text, self.name, self._version))
        if row is None:
            self._version = None
            raise StoreError(
                f"{self.name} in {self.store.where} was changed by someone else at the same "
                "time; this change was not saved, do it again")
        self._version = int(row[0])

    def invalidate(self) -> None:
        self._version = None

    def close(self) -> None:
        """Nothing held: the store owns the connection."""
