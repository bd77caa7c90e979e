"""The undo history of a local store: `history.json` + `history.log`.

A journal (`annotations.store.journal`). The snapshot, in TinyDB's layout,
holds the last `limit` steps as table `entries` (row id = sequence number,
each row a step as `annotations.history` made it) and table `state` with
one row `{"position": seq}`: the last step applied (0 when none). Each
change since is one line of the log: `{"record": step}` (a new step: the
redo tail is dropped, the oldest beyond the limit too) or `{"position": n}`
(an undo or redo). So undo and redo carry on across restarts, and a step
costs one appended line, not a rewrite of 1,000 entries.
"""

from __future__ import annotations

import contextlib
import json
from typing import Any

from annotations.errors import StoreError
from annotations.store.files import dumps
from annotations.store.journal import Journal

Step = dict[str, Any]

# Steps kept when a log line does not say (lines written before they did).
DEFAULT_LIMIT = 1000


class UndoLog:
    """The steps and position, read once and kept equal to the journal."""

    def __init__(self, journal: Journal) -> None:
        self._journal = journal
        self._entries: dict[int, Step] = {}
        self._position = 0
        # The limit of the last step recorded: the log is folded in past it.
        self._limit = DEFAULT_LIMIT
        self._read()  # a damaged history fails now, not at the first undo

    def _read(self) -> None:
        data, changes = self._journal.read()
        entries = {int(k): row for k, row in data.get("entries", {}).items()}
        state = data.get("state", {}).get("1", {})
        position = int(state.get("position", max(entries, default=0)))
        for change in changes:
            if "record" in change:
                entries, position = _recorded(
                    entries, change["record"], int(change.get("limit", DEFAULT_LIMIT)))
            elif "position" in change:
                position = int(change["position"])
        self._entries, self._position = entries, position

    def read(self) -> tuple[dict[int, Step], int]:
        # Read again only if the files changed (a read-only viewer beside a
        # writer, or a write that failed half way).
        if self._journal.changed_on_disk():
            self._read()
        return dict(self._entries), self._position

    def record(self, step: Step, limit: int) -> None:
        step = json.loads(dumps(step))  # kept: the caller's dict may change later
        entries, _position = self.read()
        entries, position = _recorded(entries, step, limit)
        self._save({"record": step, "limit": limit}, entries, position, limit)

    def move(self, position: int) -> None:
        entries, _old = self.read()
        self._save({"position": position}, entries, position, self._limit)

    def _save(self, line: Step, entries: dict[int, Step], position: int, limit: int) -> None:
        self._journal.append(line)
        self._entries, self._position = entries, position
        self._limit = limit
        if self._journal.logged > limit:
            self.compact()

    def compact(self) -> None:
        """Fold the log into history.json (done when the log outgrows the limit)."""
        entries, position = self.read()
        with contextlib.suppress(StoreError):  # the log still holds it all
            self._journal.compact({
                "entries": {str(seq): entries[seq] for seq in sorted(entries)},
                "state": {"1": {"position": position}},
            })

    @property
    def log(self) -> Any:
        return self._journal.log

    def close(self) -> None:
        self._journal.close()


def _recorded(entries: dict[int, Step], row: Step, limit: int) -> tuple[dict[int, Step], int]:
    """`entries` with a new step `row` (its seq follows the position)."""
    seq = int(row["seq"])
    kept = {s: r for s, r in entries.items() if s < seq}
    kept[seq] = row
    for old in sorted(kept)[: max(0, len(kept) - limit)]:
        del kept[old]
    return kept, seq
