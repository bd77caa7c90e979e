"""Several annotators on one folder store at once: one lock each, writes in turns.

Two real processes write the same documents at the same time; nothing
either saved may be lost. The same annotator twice is still refused.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from annotations.history import History
from annotations.model import Annotation, Document, DocumentMeta
from annotations.store import LocalStore, StoreLocked

REPO = Path(__file__).resolve().parent.parent
TEXTS = [f"Article {i}: the minister said the plan would cost more than promised, "
         f"and critics called it rushed. " * 3 for i in range(2)]
TAGS = 60  # per annotator

# A writer process's start: its own store, the texts registered, "ready" said.
SETUP = """
import sys
from pathlib import Path
from annotations.history import History
from annotations.links import Link
from annotations.model import Annotation, Document, DocumentMeta
from annotations.store import LocalStore

root, name, texts = Path(sys.argv[1]), sys.argv[2], sys.argv[3:]
docs = [Document(text, DocumentMeta(path=f"{i}.txt")) for i, text in enumerate(texts)]
store = LocalStore(root, annotator=name)
store.register_many(docs)
history = History(store)
print("ready", flush=True)
"""

WRITER = SETUP + """
sys.stdin.readline()  # both start together
made = []
for i in range(TAGS):
    doc = docs[i % 2]
    start = i // 2
    ann = Annotation.tag(doc, start, start + 5, "claim", annotator=name)
    assert history.add(ann), i
    made.append(ann)
    if i == TAGS // 2:
        store.set_status(docs[0].id, "done")
assert history.link(Link.between(made[0], made[1], "paraphrase", annotator=name))
store.close()
print("done", flush=True)
""".replace("TAGS", str(TAGS))


def start_writer(root: Path, name: str) -> subprocess.Popen[str]:
    child = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(WRITER), str(root), name, *TEXTS],
        cwd=REPO, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "ready"
    return child


def test_two_annotators_write_one_folder_at_once_and_lose_nothing(tmp_path: Path) -> None:
    root = tmp_path / "store"
    LocalStore(root).close()
    writers = [start_writer(root, name) for name in ("ana", "bob")]
    try:
        for child in writers:
            assert child.stdin is not None
            child.stdin.write("go\n")
            child.stdin.flush()
        for child in writers:
            assert child.stdout is not None
            assert child.stdout.readline().strip() == "done"
            assert child.wait(60) == 0
    finally:
        for child in writers:
            if child.poll() is None:
                child.kill()
                child.wait(10)
    docs = [Document(text, DocumentMeta(path=f"{i}.txt")) for i, text in enumerate(TEXTS)]
    with LocalStore(root, read_only=True) as store:
        assert len(store.documents()) == 2
        for name in ("ana", "bob"):
            mine = [a for d in docs for a in store.annotations(d.id) if a.annotator == name]
            assert len(mine) == TAGS, name
            assert len({(a.doc_id, a.start) for a in mine}) == TAGS
        assert sorted(link.annotator for link in store.links()) == ["ana", "bob"]
        assert store.document_record(docs[0].id)["status"] == "done"
    # Each annotator's undo history is their own: undo takes back their last change only.
    for name in ("ana", "bob"):
        with LocalStore(root, annotator=name) as store:
            history = History(store)
            steps, position = store.history()
            assert position == TAGS + 1 and len(steps) == TAGS + 1
            assert history.undo().kind == "link"
            undone = history.undo().annotation
            assert undone.annotator == name
            history.redo()
            history.redo()


def test_the_same_annotator_twice_is_refused_and_another_is_not(tmp_path: Path) -> None:
    root = tmp_path / "store"
    with LocalStore(root, annotator="ana"):
        with pytest.raises(StoreLocked, match="annotator 'ana'"):
            LocalStore(root, annotator="ana")
        with LocalStore(root, annotator="bob") as bob:
            doc = Document(TEXTS[0], DocumentMeta(path="a.txt"))
            bob.register(doc)
            assert bob.add(Annotation.tag(doc, 0, 7, "claim", annotator="bob"))
        with LocalStore(root, read_only=True) as viewer:  # a viewer, as before
            assert len(viewer.annotations(doc.id)) == 1


def test_a_second_unnamed_newsmark_is_refused_as_before(tmp_path: Path) -> None:
    root = tmp_path / "store"
    with LocalStore(root), pytest.raises(StoreLocked, match="another newsmark"):
        LocalStore(root)


def test_the_first_named_annotator_takes_over_the_stores_history(tmp_path: Path) -> None:
    root = tmp_path / "store"
    doc = Document(TEXTS[0], DocumentMeta(path="a.txt"))
    with LocalStore(root) as store:  # a store made before annotators had histories
        store.register(doc)
        assert History(store).add(Annotation.tag(doc, 0, 7, "claim"))
    with LocalStore(root, annotator="ana") as store:
        assert History(store).undo().kind == "add"
    with LocalStore(root, annotator="bob") as store:
        assert store.history() == ({}, 0)  # not bob's to undo
    with LocalStore(root) as store:
        assert store.history()[1] == 1  # the store's own history is left as it was


KILLED = SETUP + """
i = 0
while True:  # until killed: each id printed once its tag is saved
    doc = docs[i % 2]
    ann = Annotation.tag(doc, i % 50, i % 50 + 3 + i // 50, "quote", annotator=name)
    if history.add(ann):
        print(ann.id, flush=True)
    i += 1
"""


def test_a_writer_killed_mid_write_costs_the_other_nothing(tmp_path: Path) -> None:
    import os
    import signal

    root = tmp_path / "store"
    LocalStore(root).close()
    victim = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(KILLED), str(root), "ana", *TEXTS],
        cwd=REPO, stdout=subprocess.PIPE, text=True)
    other = start_writer(root, "bob")
    try:
        assert victim.stdout is not None and victim.stdout.readline().strip() == "ready"
        assert other.stdin is not None
        other.stdin.write("go\n")
        other.stdin.flush()
        saved = [victim.stdout.readline().strip() for _ in range(30)]
        os.kill(victim.pid, signal.SIGKILL)  # in the middle of whatever it was doing
        victim.wait(10)
        assert other.stdout is not None and other.stdout.readline().strip() == "done"
        assert other.wait(60) == 0
    finally:
        for child in (victim, other):
            if child.poll() is None:
                child.kill()
                child.wait(10)
    docs = [Document(text, DocumentMeta(path=f"{i}.txt")) for i, text in enumerate(TEXTS)]
    with LocalStore(root, annotator="ana") as store:  # ana's stale lock is taken over
        ids = {a.id for d in docs for a in store.annotations(d.id)}
        assert set(saved) <= ids  # every tag ana was told was saved
        bobs = [a for d in docs for a in store.annotations(d.id) if a.annotator == "bob"]
        assert len(bobs) == TAGS


def test_each_annotator_reopens_their_own_panes(tmp_path: Path) -> None:
    """Before: the panes were the store's, so each annotator reopened where the
    last one to quit had been."""
    from annotations.store.protocol import Pane

    root = tmp_path / "store"
    with LocalStore(root) as store:  # a store from before annotators: its own panes
        store.set_panes([Pane("d0", "0.txt", 5)])
    with LocalStore(root, annotator="ana") as ana, LocalStore(root, annotator="ben") as ben:
        assert ana.panes() == ben.panes() == [Pane("d0", "0.txt", 5)]  # where to start
        ana.set_panes([Pane("d1", "1.txt", 40)])
        ben.set_panes([Pane("d0", "0.txt", 7), Pane("d1", "1.txt", 2)])
        ana.set_panes([Pane("d1", "1.txt", 41)])
    with LocalStore(root, annotator="ana") as ana:
        assert ana.panes() == [Pane("d1", "1.txt", 41)]
    with LocalStore(root, annotator="ben") as ben:
        assert ben.panes() == [Pane("d0", "0.txt", 7), Pane("d1", "1.txt", 2)]
    with LocalStore(root) as store:
        assert store.panes() == [Pane("d0", "0.txt", 5)]
