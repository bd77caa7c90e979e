"""A kill at every write of every edit kind, injected, not hoped for.

`test_store_resilience`'s kill test sends SIGKILL at random moments and so
hits a given gap between two writes only by luck. Here each edit (tag,
remove, relabel, undo, redo, a tag that cuts the redo tail, with the logs
folded into snapshots every few lines) is run once per write it makes, and
the process "dies" just before that write, or half way through it: the
store folder is copied as the disk has it at that moment (what a kill
leaves: the page cache survives a killed process) and opened again. It
must hold the state before the edit, or the state after it; and undo and
redo must go on from there without error.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from annotations.history import History
from annotations.model import Annotation, Document, DocumentMeta
from annotations.store import LocalStore, files, journal, journal_storage

TEXT = "The minister said the plan would cost two billion pounds, or more, by 2030."


class Killed(BaseException):
    """The process died here (a BaseException: no `except Exception` survives it)."""


class KillAt:
    """os for the store's writers: the `at`-th write (an appended log line, or a file
    renamed into place) kills the process before it, or after half its bytes.
    Dead, it writes nothing more (should a handler try)."""

    def __init__(self, at: int, half: bool) -> None:
        self.at, self.half, self.count, self.dead = at, half, 0, False

    def _point(self) -> bool:
        if self.dead:
            raise Killed
        self.count += 1
        self.dead = self.count == self.at
        return self.dead

    def write(self, fd: int, data: bytes) -> int:
        if self._point():
            if self.half and len(data) > 1:
                os.write(fd, data[: len(data) // 2])
            raise Killed
        return os.write(fd, data)

    def replace(self, src: Any, dst: Any) -> None:
        if self._point():
            raise Killed
        os.replace(src, dst)

    def __getattr__(self, name: str) -> Any:
        return getattr(os, name)


def state(store: LocalStore, doc_id: str) -> list[tuple[str, str, int, int]]:
    return sorted((a.id, a.label, a.start, a.end) for a in store.annotations(doc_id))


Edit = Callable[[History, str], object]

DOC = Document(TEXT, DocumentMeta(path="a.txt"))
CLAIM = Annotation.tag(DOC, 4, 12, "claim")
QUOTE = Annotation.tag(DOC, 13, 17, "quote")
TERMS = Annotation.tag(DOC, 22, 26, "terms")

# Each edit after the ones before it: every kind, each kind's step shapes.
EDITS: list[tuple[str, Edit]] = [
    ("tag", lambda h, d: h.add(CLAIM)),
    ("tag again", lambda h, d: h.add(QUOTE)),
    ("relabel", lambda h, d: h.update(CLAIM.with_changes(label="opinion"))),
    ("remove", lambda h, d: h.remove(d, QUOTE.id)),
    ("undo the remove", lambda h, d: h.undo()),
    ("undo the relabel", lambda h, d: h.undo()),
    ("redo the relabel", lambda h, d: h.redo()),
    ("tag cutting the redo tail", lambda h, d: h.add(TERMS)),
    ("undo the tag", lambda h, d: h.undo()),
    ("redo the tag", lambda h, d: h.redo()),
]


@pytest.fixture
def no_fsync(monkeypatch):
    # A killed process loses nothing the kernel has (only a power cut does): the
    # syncs change nothing this test can see, and cost most of its time.
    monkeypatch.setattr(os, "fsync", lambda fd: None)
    monkeypatch.setattr(os, "fdatasync", lambda fd: None, raising=False)


@pytest.mark.parametrize("half", [False, True], ids=["before", "half-way"])
@pytest.mark.parametrize("compact_after", [2, 500], ids=["compacting", "appending"])
def test_a_kill_at_any_write_of_any_edit_leaves_before_or_after(
    tmp_path: Path, monkeypatch, no_fsync, half: bool, compact_after: int
) -> None:
    # Logs folded into snapshots every few lines, so that kills land in
    # compactions too; or not for a while, so that later lines follow a cut one.
    monkeypatch.setattr(journal_storage, "COMPACT_AFTER", compact_after)
    base = tmp_path / "base"
    with LocalStore(base) as store:
        store.register(DOC)
    points = 0
    for name, edit in EDITS:
        # The edit run whole, on a copy: the state after it.
        after_dir = tmp_path / "after"
        shutil.rmtree(after_dir, ignore_errors=True)
        shutil.copytree(base, after_dir)
        with LocalStore(after_dir) as store:
            before = state(store, DOC.id)
            edit(History(store), DOC.id)
            after = state(store, DOC.id)
        at = 1
        while True:
            work = tmp_path / "work"
            shutil.rmtree(work, ignore_errors=True)
            shutil.copytree(base, work)
            killer = KillAt(at, half)
            store = LocalStore(work)
            monkeypatch.setattr(journal, "os", killer)
            monkeypatch.setattr(files, "os", killer)
            try:
                edit(History(store), DOC.id)
            except Killed:
                pass
            else:
                break  # no write left to kill it at
            finally:
                monkeypatch.setattr(journal, "os", os)
                monkeypatch.setattr(files, "os", os)
            # Dead: what is on disk now is all there is (the lock is a dead one's).
            dead = tmp_path / "dead"
            shutil.rmtree(dead, ignore_errors=True)
            shutil.copytree(work, dead, ignore=shutil.ignore_patterns("lock"))
            store.close()
            with LocalStore(dead) as reopened:
                found = state(reopened, DOC.id)
                assert found in (before, after), f"{name}: killed at write {at}"
                history = History(reopened)
                while history.undo():  # the history still works from there
                    pass
                while history.redo():
                    pass
                replayed = state(reopened, DOC.id)
            with LocalStore(dead) as again:  # and what that wrote reads back
                assert state(again, DOC.id) == replayed, f"{name}: killed at write {at}"
            points += 1
            at += 1
        shutil.rmtree(base)
        after_dir.rename(base)
    assert points >= 2 * len(EDITS)  # each edit writes its change and its undo step
