from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from annotations.errors import StoreError
from annotations.model import Annotation, Document, DocumentMeta
from annotations.store import FORMAT, LocalStore, Pane, StoreLocked, journal_storage
from annotations.store import local as store_module
from annotations.store.journal import Journal
from annotations.store.tinydb_storage import AtomicJSONStorage

REPO = Path(__file__).resolve().parents[1]

TEXT = (
    "Ministers met on Tuesday. The plan, officials said, would cost £2bn — "
    "or more. «Nobody knows», said Dr. Ahn. Emoji 🙂 stay one code point."
)


def make_doc(text: str = TEXT, path: str = "a.txt", title: str | None = None) -> Document:
    return Document(text, DocumentMeta(path=path, title=title))


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return tmp_path / "store"


def test_round_trip_across_reopen(root: Path) -> None:
    doc = make_doc()
    other = make_doc("Another article entirely.", path="b.txt")
    a = Annotation.tag(doc, 0, 9, "claim", annotator="kim")
    b = Annotation.tag(doc, TEXT.index("🙂"), TEXT.index("🙂") + 1, "terms")
    with LocalStore(root) as store:
        store.register(doc)
        store.register(other)
        assert store.add(b)
        assert store.add(a)
    assert json.loads((root / "newsmark.json").read_text()) == {"format": FORMAT, "app": "newsmark"}
    assert not (root / "lock").exists()
    with LocalStore(root) as store:
        assert [r["id"] for r in store.documents()] == [doc.id, other.id]
        record = store.document_record(doc.id)
        assert record == {
            "id": doc.id,
            "path": "a.txt",
            "meta": doc.meta.to_dict(),
            "status": "in progress",
            "length": len(TEXT),
        }
        assert store.document_record("0" * 16) is None
        assert store.load_text(doc.id) == TEXT
        assert store.load_text("0" * 16) is None
        assert store.annotations(doc.id) == [a, b]  # sorted by start
        assert store.annotations(other.id) == []
        assert list(store.all_annotations()) == [a, b]
    # each save is one line of the document's log (no snapshot yet); the
    # text has a file of its own, written once, so a save never
    # re-serialises a long article
    assert not (root / "docs" / f"{doc.id}.json").exists()
    header, *lines = (root / "docs" / f"{doc.id}.log").read_text(encoding="utf-8").splitlines()
    assert json.loads(header) == {"journal": 0}
    # one TinyDB insert each: {"table": "annotations", "put": {row id: row}}
    changes = [json.loads(line) for line in lines]
    assert [c["table"] for c in changes] == ["annotations", "annotations"]
    assert [row["id"] for c in changes for row in c["put"].values()] == [b.id, a.id]
    text_file = root / "docs" / f"{doc.id}.text.json"
    assert json.loads(text_file.read_text(encoding="utf-8")) == {"text": TEXT}


def test_texts_kept_in_the_annotations_file_by_older_stores_still_load(root: Path) -> None:
    doc = make_doc()
    with LocalStore(root) as store:
        store.register(doc)
    (root / "docs" / f"{doc.id}.text.json").unlink()
    legacy = {"text": {"1": {"text": TEXT}}, "annotations": {}}
    (root / "docs" / f"{doc.id}.json").write_text(json.dumps(legacy), encoding="utf-8")
    with LocalStore(root) as store:
        assert store.load_text(doc.id) == TEXT


def test_sort_order(root: Path) -> None:
    doc = make_doc()
    anns = [
        Annotation.tag(doc, 5, 9, "b"),
        Annotation.tag(doc, 5, 20, "b"),
        Annotation.tag(doc, 5, 9, "a"),
        Annotation.tag(doc, 0, 3, "z"),
    ]
    with LocalStore(root) as store:
        store.register(doc)
        for ann in anns:
            assert store.add(ann)
        got = [(x.start, x.end, x.label) for x in store.annotations(doc.id)]
    assert got == [(0, 3, "z"), (5, 20, "b"), (5, 9, "a"), (5, 9, "b")]


def test_register_is_idempotent_and_updates_meta(root: Path) -> None:
    doc = make_doc()
    with LocalStore(root) as store:
        store.register(doc)
        before = (root / "documents.json").stat().st_ino
        store.register(doc)  # unchanged: nothing written
        assert (root / "documents.json").stat().st_ino == before
        moved = make_doc(path="moved/a.txt", title="Ministers meet")
        store.register(moved)
        assert len(store.documents()) == 1
        record = store.document_record(doc.id)
        assert record["path"] == "moved/a.txt"
        assert record["meta"]["title"] == "Ministers meet"
        # returned records are copies
        record["meta"]["title"] = "changed"
        assert store.document_record(doc.id)["meta"]["title"] == "Ministers meet"


def test_duplicates_are_refused(root: Path) -> None:
    doc = make_doc()
    a = Annotation.tag(doc, 0, 9, "claim")
    with LocalStore(root) as store:
        store.register(doc)
        assert store.add(a)
        path = root / "docs" / f"{doc.id}.log"
        size = path.stat().st_size
        assert not store.add(Annotation.tag(doc, 0, 9, "claim"))  # same layer
        assert not store.add(a)  # same id
        assert path.stat().st_size == size  # nothing written
        assert store.add(Annotation.tag(doc, 0, 9, "quote"))  # other label: fine
        # another annotator's layer: theirs, not a twin
        assert store.add(Annotation.tag(doc, 0, 9, "claim", annotator="other"))
        assert len(store.annotations(doc.id)) == 3


def test_add_to_unregistered_document_is_an_error(root: Path) -> None:
    doc = make_doc()
    with LocalStore(root) as store, pytest.raises(StoreError, match="not in the store"):
        store.add(Annotation.tag(doc, 0, 3, "claim"))


def test_update_and_remove(root: Path) -> None:
    doc = make_doc()
    a = Annotation.tag(doc, 0, 9, "claim")
    with LocalStore(root) as store:
        store.register(doc)
        store.add(a)
        changed = a.with_changes(label="quote", note="checked")
        assert store.update(changed) == a
        assert store.annotations(doc.id) == [changed]
        ghost = Annotation.tag(doc, 1, 2, "claim")
        assert store.update(ghost) is None
        assert store.remove(doc.id, ghost.id) is None
        assert store.remove(doc.id, a.id) == changed
        assert store.annotations(doc.id) == []
    with LocalStore(root) as store:
        assert store.annotations(doc.id) == []


def test_status_transitions(root: Path) -> None:
    doc = make_doc()
    with LocalStore(root) as store:
        store.register(doc)
        assert store.document_record(doc.id)["status"] == "untouched"
        a = Annotation.tag(doc, 0, 9, "claim")
        store.add(a)
        assert store.document_record(doc.id)["status"] == "in progress"
        store.set_status(doc.id, "done")
        # further edits do not reopen a finished document
        store.remove(doc.id, a.id)
        assert store.document_record(doc.id)["status"] == "done"
        with pytest.raises(ValueError):
            store.set_status(doc.id, "finished")
        with pytest.raises(StoreError):
            store.set_status("0" * 16, "done")
        store.register(doc)  # re-registering keeps the status
    with LocalStore(root) as store:
        assert store.document_record(doc.id)["status"] == "done"
    # each mutation of an untouched document marks it in progress
    for mutate in ("update", "remove"):
        other = make_doc(f"Text for {mutate}.", path=f"{mutate}.txt")
        with LocalStore(root) as store:
            store.register(other)
            ann = Annotation.tag(other, 0, 4, "claim")
            store.add(ann)
            store.set_status(other.id, "untouched")
            if mutate == "update":
                store.update(ann.with_changes(label="quote"))
            else:
                store.remove(other.id, ann.id)
            assert store.document_record(other.id)["status"] == "in progress"


def test_session_state_is_typed_and_kept(root: Path) -> None:
    doc = make_doc("a text")
    with LocalStore(root) as store:
        assert (store.panes(), store.paths(), store.reanchoring()) == ([], {}, {})
        assert (store.orphans("x"), store.rejected("x")) == ([], set())
        store.set_panes([Pane("x", "a.txt", 3), Pane("y")])
        store.remember_paths({"/a": "x"})
        store.remember_paths({"/b": "y"})
        store.record_reanchoring("y", {"from": "x", "kept": 1})
        orphan = Annotation.tag(doc, 0, 1, "claim")
        store.set_orphans("y", [orphan])
        store.set_rejected("y", ["0:1:claim"])
        got = store.paths()
        got["/c"] = "z"  # a copy
        assert store.paths() == {"/a": "x", "/b": "y"}
    # Each change was one TinyDB operation logged as one line of session.log.
    lines = (root / "session.log").read_text(encoding="utf-8").splitlines()[1:]
    assert {json.loads(line)["table"] for line in lines} == {
        "panes", "paths", "reanchoring", "orphans", "rejected"}
    with LocalStore(root) as store:
        assert store.panes() == [Pane("x", "a.txt", 3), Pane("y")]
        assert store.paths() == {"/a": "x", "/b": "y"}
        assert store.reanchoring() == {"y": {"from": "x", "kept": 1}}
        assert store.orphans("y") == [orphan]
        assert store.rejected("y") == {"0:1:claim"}


def test_stale_tmp_files_are_cleaned(root: Path) -> None:
    doc = make_doc()
    with LocalStore(root) as store:
        store.register(doc)
    stale = [root / "documents.json.99999.tmp", root / "docs" / f"{doc.id}.json.4242.tmp"]
    for path in stale:
        path.write_text('{"half": ')
    keep = root / "notes.tmp.txt"
    keep.write_text("mine")
    with LocalStore(root, read_only=True):
        assert all(p.exists() for p in stale)  # read-only writes (and deletes) nothing
    with LocalStore(root) as store:
        assert not any(p.exists() for p in stale)
        assert keep.exists()
        assert store.load_text(doc.id) == TEXT


def test_damaged_documents_file(root: Path) -> None:
    with LocalStore(root) as store:
        store.register(make_doc())
        store.register(make_doc("A second text."))  # a second write: .bak holds the first
    path = root / "documents.json"
    damaged = path.read_bytes()[:-7]
    path.write_bytes(damaged)
    with pytest.raises(StoreError) as info:
        LocalStore(root)
    message = str(info.value)
    assert str(path) in message and "damaged" in message
    assert message.endswith(f"Restore it from {path}.bak or move it away.")
    assert path.read_bytes() == damaged
    assert not (root / "lock").exists()  # the failed open released its lock
    # Without a .bak there is nothing to restore from: the message does not invent
    # one, and says how to rebuild the list (what it says works: below).
    os.unlink(f"{path}.bak")
    with pytest.raises(StoreError) as info:
        LocalStore(root)
    message = str(info.value)
    assert ".bak" in message and "Restore" not in message
    assert f"mv {path} {path}.damaged" in message and "open your articles again" in message
    assert str(root / "docs") in message


def test_documents_list_rebuilt_as_the_damage_message_says(root: Path) -> None:
    doc = make_doc()
    with LocalStore(root) as store:
        store.register(doc)
        assert store.add(Annotation.tag(doc, 0, 9, "claim"))
    path = root / "documents.json"
    path.write_text("{damaged", encoding="utf-8")
    with pytest.raises(StoreError, match="open your articles again"):
        LocalStore(root)
    path.rename(f"{path}.damaged")
    with LocalStore(root) as store:
        store.register(make_doc())
        assert [a.label for a in store.annotations(doc.id)] == ["claim"]


def test_damaged_document_file_is_never_overwritten(root: Path) -> None:
    doc = make_doc()
    with LocalStore(root) as store:
        store.register(doc)
        first = Annotation.tag(doc, 0, 9, "claim")
        store.add(first)
        store.compact(doc.id)
        store.add(Annotation.tag(doc, 12, 15, "claim"))
        store.compact(doc.id)  # the first snapshot is now the .bak
    path = root / "docs" / f"{doc.id}.json"
    path.write_text('{"annotations": {"1": ', encoding="utf-8")
    with LocalStore(root) as store:
        with pytest.raises(StoreError, match="damaged") as info:
            store.annotations(doc.id)
        assert str(path) in str(info.value)
        with pytest.raises(StoreError, match="damaged"):
            store.add(Annotation.tag(doc, 10, 12, "claim"))
        assert path.read_text(encoding="utf-8") == '{"annotations": {"1": '
    # restoring the .bak the message names brings the data back
    os.replace(f"{path}.bak", path)
    with LocalStore(root) as store:
        assert store.annotations(doc.id) == [first]
        assert store.load_text(doc.id) == TEXT


def test_damaged_log_line_is_named_and_never_overwritten(root: Path) -> None:
    doc = make_doc()
    anns = [Annotation.tag(doc, i, i + 3, "claim") for i in (0, 10, 20)]
    with LocalStore(root) as store:
        store.register(doc)
        for ann in anns:
            store.add(ann)
    log = root / "docs" / f"{doc.id}.log"
    lines = log.read_text(encoding="utf-8").split("\n")
    lines[2] = lines[2][:25]  # the second annotation's line, spoiled
    log.write_text("\n".join(lines), encoding="utf-8")
    damaged = log.read_bytes()
    with LocalStore(root) as store:
        with pytest.raises(StoreError, match=r"damaged \(line 3") as info:
            store.annotations(doc.id)
        assert str(log) in str(info.value) and "Move it away" in str(info.value)
        with pytest.raises(StoreError, match="damaged"):
            store.add(Annotation.tag(doc, 30, 33, "claim"))
    assert log.read_bytes() == damaged


def test_a_line_cut_short_by_a_kill_is_dropped_and_cut_off(root: Path) -> None:
    doc = make_doc()
    a, b, c = (Annotation.tag(doc, i, i + 3, "claim") for i in (0, 10, 20))
    with LocalStore(root) as store:
        store.register(doc)
        store.add(a)
        store.add(b)
    log = root / "docs" / f"{doc.id}.log"
    with log.open("a", encoding="utf-8") as handle:
        handle.write('{"put":{"id":"half')  # an append killed half way
    with LocalStore(root) as store:
        assert store.annotations(doc.id) == [a, b]
        assert store.add(c)
    with LocalStore(root) as store:
        assert store.annotations(doc.id) == [a, b, c]
    assert all(json.loads(line) for line in log.read_text(encoding="utf-8").splitlines())


def test_compaction_folds_the_log_into_the_snapshot(root: Path, monkeypatch) -> None:
    monkeypatch.setattr(journal_storage, "COMPACT_AFTER", 4)
    doc = make_doc()
    anns = [Annotation.tag(doc, i, i + 3, "claim") for i in range(0, 60, 6)]
    log = root / "docs" / f"{doc.id}.log"
    snapshot = root / "docs" / f"{doc.id}.json"
    with LocalStore(root) as store:
        store.register(doc)
        for ann in anns[:5]:
            store.add(ann)  # the fifth passes 4 lines: folded in
        assert json.loads(snapshot.read_text())["journal"] == {"1": {"generation": 1}}
        assert len(json.loads(snapshot.read_text())["annotations"]) == 5
        assert log.read_text().splitlines() == ['{"journal":1}']
        store.remove(doc.id, anns[0].id)
        for ann in anns[5:]:
            store.add(ann)
        assert len(log.read_text().splitlines()) - 1 <= 5  # never longer than the snapshot
        expected = store.annotations(doc.id)
    assert len(expected) == 9
    with LocalStore(root) as store:
        assert store.annotations(doc.id) == expected
        assert store.counts(doc.id) == {"claim": 9}


def test_killed_between_snapshot_and_fresh_log(root: Path) -> None:
    doc = make_doc()
    a, b, c = (Annotation.tag(doc, i, i + 3, "claim") for i in (0, 10, 20))
    log = root / "docs" / f"{doc.id}.log"
    with LocalStore(root) as store:
        store.register(doc)
        store.add(a)
        store.remove(doc.id, a.id)
        store.add(b)
        old_log = log.read_bytes()
        store.compact(doc.id)
    log.write_bytes(old_log)  # as if killed before the new log replaced it
    with LocalStore(root) as store:
        assert store.annotations(doc.id) == [b]  # the old log is not replayed again
        store.add(c)
    with LocalStore(root) as store:
        assert store.annotations(doc.id) == [b, c]


def test_a_reader_sees_the_writers_saves(root: Path) -> None:
    doc = make_doc()
    a, b = Annotation.tag(doc, 0, 3, "claim"), Annotation.tag(doc, 10, 13, "quote")
    with LocalStore(root) as writer:
        writer.register(doc)
        writer.add(a)
        with LocalStore(root, read_only=True) as reader:
            assert reader.annotations(doc.id) == [a]
            writer.add(b)
            assert reader.annotations(doc.id) == [a, b]
            writer.compact(doc.id)
            writer.remove(doc.id, a.id)
            assert reader.annotations(doc.id) == [b]
            assert reader.counts(doc.id) == {"quote": 1}



def test_storage_read_is_cached_and_safe(tmp_path: Path) -> None:
    path = tmp_path / "db.json"
    storage = AtomicJSONStorage(path)
    assert storage.read() is None
    assert not path.exists()  # reading creates nothing
    storage.write({"t": {"1": {"x": 1}}})
    assert storage.read() == {"t": {"1": {"x": 1}}}
    assert storage.read() is storage.read()  # parsed once
    # another writer replacing the file is noticed
    other = AtomicJSONStorage(path)
    other.write({"t": {"1": {"x": 2}}})
    assert storage.read() == {"t": {"1": {"x": 2}}}
    # a failed write leaves memory agreeing with the disk
    data = storage.read()
    data["t"]["1"]["x"] = 3
    with pytest.raises(TypeError):
        storage.write({"t": {"1": {"x": object()}}})
    assert storage.read() == {"t": {"1": {"x": 2}}}
    assert json.loads((tmp_path / "db.json.bak").read_text()) == {"t": {"1": {"x": 1}}}
    assert not list(tmp_path.glob("*.tmp"))


def test_newer_format_is_refused(root: Path) -> None:
    root.mkdir()
    newer = FORMAT + 1
    (root / "newsmark.json").write_text(f'{{"format": {newer}, "app": "newsmark"}}')
    for read_only in (False, True):
        with pytest.raises(StoreError, match=rf"newer newsmark \(format {newer}\); upgrade"):
            LocalStore(root, read_only=read_only)
    assert sorted(p.name for p in root.iterdir()) == ["newsmark.json"]


def test_unusable_roots(tmp_path: Path) -> None:
    file = tmp_path / "file"
    file.write_text("x")
    with pytest.raises(StoreError, match="is a file"):
        LocalStore(file)
    with pytest.raises(StoreError, match="no newsmark store"):
        LocalStore(tmp_path / "missing", read_only=True)
    assert not (tmp_path / "missing").exists()
    if os.geteuid() != 0:  # root ignores permissions
        locked = tmp_path / "ro"
        locked.mkdir(mode=0o500)
        with pytest.raises(StoreError, match="cannot write to .*--store"):
            LocalStore(locked / "store")


@pytest.fixture
def live_pid():
    proc = subprocess.Popen(["sleep", "30"])
    try:
        yield proc.pid
    finally:
        proc.kill()
        proc.wait()


def write_lock(root: Path, pid: int, host: str | None = None) -> None:
    import socket

    root.mkdir(parents=True, exist_ok=True)
    (root / "lock").write_text(json.dumps({"pid": pid, "host": host or socket.gethostname()}))


def test_lock_held_by_live_process(root: Path, live_pid: int) -> None:
    doc = make_doc()
    with LocalStore(root) as store:
        store.register(doc)
        store.add(Annotation.tag(doc, 0, 9, "claim"))
    write_lock(root, live_pid)
    with pytest.raises(StoreLocked) as info:
        LocalStore(root)
    assert info.value.pid == live_pid
    assert str(live_pid) in str(info.value)
    before = {p: p.stat().st_mtime_ns for p in root.rglob("*")}
    with LocalStore(root, read_only=True) as viewer:
        assert viewer.read_only
        assert len(viewer.annotations(doc.id)) == 1
        assert viewer.load_text(doc.id) == TEXT
        with pytest.raises(StoreError, match="read-only"):
            viewer.add(Annotation.tag(doc, 10, 12, "claim"))
        with pytest.raises(StoreError, match="read-only"):
            viewer.register(make_doc("new text"))
        with pytest.raises(StoreError, match="read-only"):
            viewer.set_rejected("k", ["1"])
        with pytest.raises(StoreError, match="read-only"):
            viewer.set_status(doc.id, "done")
    assert {p: p.stat().st_mtime_ns for p in root.rglob("*")} == before
    assert json.loads((root / "lock").read_text())["pid"] == live_pid


def test_lock_held_in_this_process(root: Path) -> None:
    with LocalStore(root) as store:
        with pytest.raises(StoreLocked) as info:
            LocalStore(root)
        assert info.value.pid == os.getpid()
        store.set_rejected("still", ["mine"])
    with LocalStore(root) as store:  # released on close
        assert store.rejected("still") == {"mine"}


def test_lock_of_dead_process_is_taken_over(root: Path) -> None:
    proc = subprocess.Popen(["true"])
    proc.wait()
    write_lock(root, proc.pid)
    with LocalStore(root) as store:
        assert json.loads((root / "lock").read_text())["pid"] == os.getpid()
        store.set_rejected("k", ["1"])
    assert not (root / "lock").exists()
    # a lock left by an earlier process that had our pid is stale too
    write_lock(root, os.getpid())
    with LocalStore(root):
        pass
    # and so is a half-written one
    (root / "lock").write_text("")
    with LocalStore(root):
        pass


def test_lock_from_another_host_is_respected(root: Path) -> None:
    write_lock(root, 1, host="some-other-machine")
    with pytest.raises(StoreLocked, match="some-other-machine"):
        LocalStore(root)


# ---------------------------------------------------------------- kill test

CHILD = textwrap.dedent(
    """
    import sys
    from annotations.store import journal_storage
    from annotations.history import History
    from annotations.model import Annotation, Document, DocumentMeta
    from annotations.store import LocalStore

    # Logs folded into snapshots every few saves, so kills land in those too.
    journal_storage.COMPACT_AFTER = 7
    store = LocalStore(sys.argv[1])
    history = History(store, limit=9)
    docs = [Document(f"{i} " + "abcdefghij" * 400, DocumentMeta(path=f"{i}.txt"))
            for i in range(3)]
    for doc in docs:
        store.register(doc)
    print("ready", flush=True)
    i = int(sys.argv[2])
    while True:
        doc = docs[i % 3]
        start = i % 3000
        ann = Annotation.tag(doc, start, start + 5, f"l{i}")
        # "?" before a save, the id after it returned: a kill in between
        # may leave either state.
        print("?+" + ann.id, flush=True)
        if history.add(ann):
            print("+" + ann.id, flush=True)
        if i % 4 == 3:
            gone = ann if i % 8 == 7 else None
            if gone is not None:
                print("?-" + gone.id, flush=True)
                history.remove(gone.doc_id, gone.id)
                print("-" + gone.id, flush=True)
            else:  # an undo step, then the same change redone
                print("?-" + ann.id, flush=True)
                history.undo()
                history.redo()
                print("+" + ann.id, flush=True)
        i += 1
    """
)


def test_kill_during_writes_loses_nothing_saved(root: Path) -> None:
    """SIGKILL at random instants, over appends, compactions and undo steps."""
    from annotations.history import History

    rng = random.Random(20240611)
    live: set[str] = set()  # saved and not removed, as the child said
    saves = 0
    deadline = time.monotonic() + 20
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    for run in range(25):
        if time.monotonic() > deadline:
            break
        # stderr to a file: with two pipes, communicate() would skip what
        # readline() has already buffered of stdout.
        errors = root.parent / "child-stderr.txt"
        with errors.open("w") as err_file:
            proc = subprocess.Popen(
                [sys.executable, "-c", CHILD, str(root), str(run * 100_000)],
                stdout=subprocess.PIPE,
                stderr=err_file,
                text=True,
                cwd=REPO,
                env=env,
            )
        first = proc.stdout.readline()
        if first != "ready\n":
            proc.kill()
            proc.communicate()
            pytest.fail(f"child did not start: {first!r} {errors.read_text()}")
        time.sleep(rng.uniform(0.02, 0.2))
        proc.send_signal(signal.SIGKILL)
        out, _ = proc.communicate()
        assert proc.returncode == -signal.SIGKILL
        in_flight = None
        for line in out.split("\n"):
            if line.startswith("?"):
                in_flight = line[1:]
            elif line.startswith("+"):
                live.add(line[1:])
                saves += 1
                in_flight = None
            elif line.startswith("-"):
                live.discard(line[1:])
                in_flight = None
        with LocalStore(root) as store:  # takes over the dead child's lock
            stored = {a.id for a in store.all_annotations()}
            allowed_extra = {in_flight[1:]} if in_flight and in_flight[0] == "+" else set()
            allowed_missing = {in_flight[1:]} if in_flight and in_flight[0] == "-" else set()
            assert live - stored <= allowed_missing, f"run {run}: saved annotations lost"
            assert stored - live <= allowed_extra, f"run {run}: removed ones came back"
            live = stored  # what the next run starts from
            assert not list(root.rglob("*.tmp"))
            History(store).close()  # the history reads back too
    assert saves > 25  # the child really was writing when killed


# ------------------------------------------------- cost of a save is one document


def test_add_writes_only_its_own_document(root: Path, monkeypatch) -> None:
    n_docs, per_doc = 200, 50
    docs = [make_doc(f"Article {i}. " + "word " * 60, path=f"{i}.txt") for i in range(n_docs)]
    with LocalStore(root) as store:
        for doc in docs:
            store.register(doc)
            store.set_status(doc.id, "in progress")
    # Fill each document's file in one write (the layout the store reads).
    for doc in docs:
        anns = [Annotation.tag(doc, j, j + 3, "claim") for j in range(per_doc)]
        rows = {str(k + 1): a.to_dict() for k, a in enumerate(anns)}
        store_module.write_json_atomic(
            root / "docs" / f"{doc.id}.json",
            {"text": {"1": {"text": doc.text}}, "annotations": rows},
        )

    writes: list[Path] = []
    reads: list[Path] = []
    real_write, real_load = AtomicJSONStorage.write, AtomicJSONStorage._load
    real_append, real_read = Journal.append, Journal.read

    def spy_write(self, data):
        writes.append(self.path)
        return real_write(self, data)

    def spy_load(self):
        reads.append(self.path)
        return real_load(self)

    def spy_append(self, *changes):
        writes.append(self.log)
        return real_append(self, *changes)

    def spy_read(self):
        reads.append(self.snapshot)
        return real_read(self)

    monkeypatch.setattr(AtomicJSONStorage, "write", spy_write)
    monkeypatch.setattr(AtomicJSONStorage, "_load", spy_load)
    monkeypatch.setattr(Journal, "append", spy_append)
    monkeypatch.setattr(Journal, "read", spy_read)
    with LocalStore(root) as store:
        assert len(store.documents()) == n_docs
        target = docs[117]
        reads.clear()
        assert store.add(Annotation.tag(target, 100, 110, "quote"))
        # one line appended to the document's log: nothing else read or written
        assert writes == [root / "docs" / f"{target.id}.log"]
        assert reads == [root / "docs" / f"{target.id}.json"]
        assert len(store.annotations(target.id)) == per_doc + 1
        # a second save parses nothing again
        writes.clear()
        reads.clear()
        assert store.add(Annotation.tag(target, 120, 130, "quote"))
        assert writes == [root / "docs" / f"{target.id}.log"]
        assert reads == []
        # an untouched document also gets its status written, once, as a
        # line of the status log (not a rewrite of the list of 200 documents)
        fresh = make_doc("A fresh article.", path="fresh.txt")
        store.register(fresh)
        writes.clear()
        store.add(Annotation.tag(fresh, 0, 1, "claim"))
        store.add(Annotation.tag(fresh, 2, 7, "claim"))
        assert writes == [
            root / "docs" / f"{fresh.id}.log",
            root / "status.log",
            root / "docs" / f"{fresh.id}.log",
        ]
        assert store.document_record(fresh.id)["status"] == "in progress"
    with LocalStore(root, read_only=True) as reader:
        assert reader.document_record(fresh.id)["status"] == "in progress"
        assert reader.document_record(docs[0].id)["status"] == "in progress"
