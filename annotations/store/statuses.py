"""Each document's status (untouched, in progress, done): a TinyDB in `status.json` + `.log`.

Apart from the documents list, so that the first tag of an article in a
folder of 100,000 appends one line instead of rewriting a 25 MB list.
Table `status`, one row per document whose status changed since it was
registered: `{"doc", "status"}` (a document without a row has the status
its documents-list row was registered with).

Format 2 kept the table keyed by document id and logged `{"id", "status"}`
lines; `migrate_format_2` rewrites it as rows (a snapshot of the next
generation, so the old log is known to be folded in: `journal.py`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tinydb.table import Document as Row

from annotations.store.files import damaged, write_json_atomic
from annotations.store.journal import Journal
from annotations.store.journal_storage import JournalDB

TABLE = "status"


class Statuses:
    def __init__(self, journal: Journal) -> None:
        self._journal = journal
        self.db = JournalDB(journal)
        self.table = self.db.table(TABLE)
        self._index()

    def _index(self) -> None:
        rows = self.db.journal_storage.tables.get(TABLE, {})
        self._row_of = {str(row.get("doc")): key for key, row in rows.items()}

    def refresh(self) -> None:
        """Read the files again if they changed (another newsmark wrote them)."""
        if self._journal.changed_on_disk():
            self.db.reload()
            self._index()

    def get(self, doc_id: str, *, check: bool = True) -> str | None:
        """The status set since registration, None if none was."""
        if check:
            self.refresh()
        key = self._row_of.get(doc_id)
        if key is None:
            return None
        status = self.db.journal_storage.tables[TABLE][key].get("status")
        return status if isinstance(status, str) else None

    def set(self, doc_id: str, status: str) -> None:
        key = self._row_of.get(doc_id)
        try:
            if key is None:
                self._row_of[doc_id] = self.table.insert({"doc": doc_id, "status": status})
            else:
                self.table.upsert(Row({"doc": doc_id, "status": status}, doc_id=key))
        except BaseException:
            self._index()  # memory was read again from the disk
            raise

    def close(self) -> None:
        self.db.close()


def migrate_format_2(snapshot: Path, log: Path) -> None:
    """Rewrite a format-2 status journal (table keyed by document id) as rows."""
    journal = Journal(snapshot, log, read_only=True)
    try:
        tables, changes = journal.read()
    finally:
        journal.close()
    table: dict[str, Any] = tables.get(TABLE) or {}
    if all(isinstance(row, dict) and "doc" in row for row in table.values()) and not any(
            "id" in change for change in changes):
        return  # rows already (a migration that was interrupted after this step)
    statuses: dict[str, str] = {}
    for doc_id, row in table.items():
        if isinstance(row, dict) and isinstance(row.get("status"), str):
            statuses[str(doc_id)] = row["status"]
    for change in changes:
        if "id" in change and isinstance(change.get("status"), str):
            statuses[str(change["id"])] = change["status"]
    rows = {str(i): {"doc": doc_id, "status": status}
            for i, (doc_id, status) in enumerate(statuses.items(), start=1)}
    try:
        generation = int(((tables.get("journal") or {}).get("1") or {}).get("generation", 0))
    except (TypeError, ValueError) as err:
        raise damaged(snapshot, "bad journal generation") from err
    # The next generation: the old log (of the old one) is then known to be folded in.
    write_json_atomic(snapshot, {TABLE: rows, "journal": {"1": {"generation": generation + 1}}})
