"""The cross-document links of a local store: `links.json`, a TinyDB table.

Written through `AtomicJSONStorage` (temp file, fsync, rename, `.bak`), so
every change is durable when it returns; links are few (people make them
one by one), so a whole-file write per link costs little.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tinydb import Query, TinyDB

from annotations.model import Link
from annotations.store.tinydb_storage import AtomicJSONStorage

LINKS = "links.json"
TABLE = "links"


class LinkTable:
    def __init__(self, path: Path, *, read_only: bool) -> None:
        self._db = TinyDB(path, storage=AtomicJSONStorage, read_only=read_only)
        self._table = self._db.table(TABLE)
        self._rows()  # a damaged links.json fails now, not at the first link

    @property
    def db(self) -> TinyDB:
        return self._db

    @property
    def table(self) -> Any:
        return self._table

    def _rows(self) -> dict[str, dict[str, Any]]:
        return (self._db.storage.read() or {}).get(TABLE, {})

    def all(self) -> list[Link]:
        rows = sorted(self._rows().items(), key=lambda kv: int(kv[0]))
        return [Link.from_dict(row) for _key, row in rows]

    def add(self, link: Link) -> bool:
        for existing in self.all():
            if existing.id == link.id:
                return False
            if existing.ends == link.ends and existing.relation == link.relation:
                return False
        self._guarded(lambda: self._table.insert(link.to_dict()))
        return True

    def restore(self, link: Link) -> bool:
        if any(row.get("id") == link.id for row in self._rows().values()):
            return False
        self._guarded(lambda: self._table.insert(link.to_dict()))
        return True

    def remove(self, link_id: str) -> Link | None:
        row = next((r for r in self._rows().values() if r.get("id") == link_id), None)
        if row is None:
            return None
        old = Link.from_dict(row)
        self._guarded(lambda: self._table.remove(Query().id == link_id))
        return old

    def _guarded(self, action: Any) -> None:
        try:
            action()
        except BaseException:
            # The write failed: what memory holds may not be on disk.
            self._db.storage.invalidate()  # type: ignore[attr-defined]
            self._table.clear_cache()
            raise

    def close(self) -> None:
        self._db.close()
