"""A store made by the newsmark before the store rebuild (format 2) opens whole.

`tests/data/format2/store` was written by that code (`make_store.py` beside
it says how): two outlets tagged, a note, a relabel, a link, a removal, a
status, a rejected suggestion undone, panes, an article that changed (one
span moved, one orphan), an imported record, and a copy of an article that
that code merged with its original. Opening it upgrades it, with a copy
of it as it was, and loses nothing.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from annotations.documents import load_documents
from annotations.history import History
from annotations.store import FORMAT, LocalStore, Pane
from annotations.workspace import Workspace

DATA = Path(__file__).parent / "data" / "format2"
A, B = "c96c3a26114473d0", "dbe2708979c51882"  # outlet-a (and its copy), outlet-b
OLD, NEW = "3d59332738eff45c", "66a44b07c13af4ee"  # changes.txt before and after
IMPORTED = "08e99d13111a6ed6"


@pytest.fixture
def old_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(DATA, tmp_path / "format2")
    monkeypatch.chdir(tmp_path / "format2")  # its paths are relative to here
    return Path("store")


def spans(store: LocalStore, doc_id: str) -> list[tuple[str, str, str]]:
    return [(a.label, a.text, a.note) for a in store.annotations(doc_id)]


def test_it_opens_upgraded_with_a_backup_and_everything_in_it(old_store: Path) -> None:
    before = {p.relative_to(old_store): p.read_bytes() for p in old_store.rglob("*")
              if p.is_file()}
    with LocalStore(old_store) as store:
        assert store.upgraded is not None and store.upgraded[0] == 2
        backup = Path(store.upgraded[1])
        assert [r["id"] for r in store.documents()] == [A, B, OLD, NEW, IMPORTED]
        assert spans(store, A) == [
            ("claim", "The council voted on Tuesday to fund the weir.", "check the minutes"),
            ("quote", "We will not wait", ""),
            ("claim", "said the mayor", ""),
        ]
        assert spans(store, B) == [("quote", "We will not wait", ""),
                                   ("claim", "A spokesman declined to comment.", "")]
        assert spans(store, OLD) == [("terms", "Old text of a story.", ""),
                                     ("claim", "It says one thing here.", "")]
        assert [(a.label, a.text, a.reanchored) for a in store.annotations(NEW)] == [
            ("claim", "It says one thing here.", "moved")]
        assert spans(store, IMPORTED) == [("terms", "imported", "")]
        statuses = {r["id"]: r["status"] for r in store.documents()}
        assert statuses == {A: "done", B: "in progress", OLD: "in progress",
                            NEW: "in progress", IMPORTED: "in progress"}
        [link] = store.links()
        assert (link.relation, {link.a_doc, link.b_doc}) == ("same-quote", {A, B})
        steps, position = store.history()
        assert position == 12 and sorted(steps) == list(range(1, 13))
        assert [steps[s]["kind"] for s in sorted(steps)] == [
            "add", "add", "add", "add", "update", "update", "link", "add", "remove",
            "add", "add", "add"]
        assert [o.text for o in store.orphans(NEW)] == ["Old text of a story."]
        assert store.reanchoring() == {NEW: {"from": OLD, "kept": 0, "moved": 1, "fuzzy": 0,
                                             "orphaned": 1}}
        assert store.panes() == [Pane(A, "articles/outlet-a.txt", 5),
                                 Pane(B, "articles/outlet-b.txt", 0)]
        assert store.rejected(A) == set()
        assert store.load_text(IMPORTED) == "An imported text about the weir."
    marker = json.loads((old_store / "newsmark.json").read_text())
    assert marker["format"] == FORMAT
    # Session state is typed tables now, not format 2's key/value rows.
    session = json.loads((old_store / "session.json").read_text())
    assert "state" not in session and len(session["paths"]) == 3
    assert [row["owner"] for row in session["orphans"].values()] == [NEW]
    copied = {p.relative_to(backup): p.read_bytes() for p in backup.rglob("*") if p.is_file()}
    assert copied == before  # the old store, byte for byte


def test_its_undo_steps_work_after_the_upgrade(old_store: Path) -> None:
    with LocalStore(old_store) as store:
        history = History(store)
        assert history.undo().kind == "add"  # "said the mayor"
        assert [a.text for a in store.annotations(A)][-1] == "We will not wait"
        assert history.undo().kind == "add"  # the terms span on the old text
        assert history.redo().kind == "add"
        assert history.redo().kind == "add"
        assert len(store.annotations(A)) == 3
    with LocalStore(old_store) as store:  # and the steps were saved
        assert store.history()[1] == 12
        assert store.upgraded is None  # upgraded once


def test_the_copy_that_format_2_merged_becomes_its_own_document(old_store: Path) -> None:
    docs, errors = load_documents([Path("articles/outlet-a.txt"),
                                   Path("articles/wire-copy.txt")])
    assert not errors
    with LocalStore(old_store) as store:
        ws = Workspace(store, docs)
        original, copy = ws.order
        assert original.id == A and copy.id != A
        assert len(ws.annotations(A)) == 3  # nothing lost, nothing merged
        ws.tag(copy.id, copy.text.index("Critics"), None, "opinion")
        assert len(ws.annotations(A)) == 3
        assert [a.label for a in ws.annotations(copy.id)][-1] == "opinion"
