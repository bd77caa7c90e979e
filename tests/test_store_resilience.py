"""LocalStore upgrades with a backup, and writes that fail (disk full, permissions)."""

from __future__ import annotations

import errno
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
from annotations.history import History
from annotations.model import Annotation, Document, DocumentMeta
from annotations.store import FORMAT, LocalStore, migrations

REPO = Path(__file__).resolve().parents[1]
TEXT = "The minister said the plan would cost two billion pounds, or more, by 2030."


def make_format_0_store(root: Path) -> tuple[Document, Annotation]:
    """A store as written before the format marker: no newsmark.json, rows without status."""
    doc = Document(TEXT, DocumentMeta(path="a.txt"))
    ann = Annotation.tag(doc, 4, 12, "claim")
    with LocalStore(root) as store:
        store.register(doc)
        store.add(ann)
    # The files of that time: annotations in the document's file, no logs.
    for log in root.rglob("*.log"):
        log.unlink()
    for name in ("status.json", "status.json.bak"):
        (root / name).unlink(missing_ok=True)
    (root / "docs" / f"{doc.id}.json").write_text(
        json.dumps({"annotations": {"1": ann.to_dict()}}), encoding="utf-8")
    (root / "newsmark.json").unlink()
    data = json.loads((root / "documents.json").read_text())
    for row in data["documents"].values():
        del row["status"]
    (root / "documents.json").write_text(json.dumps(data))
    for bak in root.glob("*.bak"):
        bak.unlink()
    return doc, ann


def test_format_0_store_is_migrated_with_a_backup(tmp_path: Path) -> None:
    root = tmp_path / "store"
    doc, ann = make_format_0_store(root)
    # The files of the store (its write lock, left by making it, is not its data).
    before = {p.relative_to(root): p.read_bytes() for p in root.rglob("*")
              if p.is_file() and p.name != "write.lock"}

    with LocalStore(root) as store:
        assert store.annotations(doc.id) == [ann]
        assert store.document_record(doc.id)["status"] == "untouched"
    marker = json.loads((root / "newsmark.json").read_text())
    assert marker == {"format": FORMAT, "app": "newsmark"}
    (backup,) = root.glob("backup-format-0-*")
    assert backup.is_dir() and store.upgraded == (0, str(backup))
    copied = {p.relative_to(backup): p.read_bytes() for p in backup.rglob("*") if p.is_file()}
    assert copied == before  # the old folder, byte for byte
    assert not list(root.glob(".backup-*"))

    # Migrated once: opening again makes no second backup.
    with LocalStore(root) as again:
        assert again.upgraded is None
    assert len(list(root.glob("backup-format-0-*"))) == 1


def test_older_store_read_only_is_refused_with_a_hint(tmp_path: Path) -> None:
    root = tmp_path / "store"
    make_format_0_store(root)
    with pytest.raises(StoreError, match=r"older newsmark \(format 0\).*to upgrade it"):
        LocalStore(root, read_only=True)


def test_explicit_older_marker_runs_the_migrations(tmp_path: Path, monkeypatch) -> None:
    root = tmp_path / "store"
    make_format_0_store(root)
    (root / "newsmark.json").write_text('{"format": 0, "app": "newsmark"}')
    calls: list[Path] = []
    monkeypatch.setitem(migrations.MIGRATIONS, 0, lambda path: calls.append(path))
    with LocalStore(root):
        pass
    assert calls == [root]
    assert json.loads((root / "newsmark.json").read_text())["format"] == FORMAT


def test_failed_migration_names_the_backup_and_keeps_the_old_format(
    tmp_path: Path, monkeypatch
) -> None:
    root = tmp_path / "store"
    make_format_0_store(root)

    def broken(path: Path) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setitem(migrations.MIGRATIONS, 0, broken)
    with pytest.raises(StoreError, match=r"could not upgrade .* previous state is in .*backup"):
        LocalStore(root)
    assert not (root / "newsmark.json").exists()  # still format 0: tried again next time
    assert not (root / "lock").exists()
    monkeypatch.undo()
    with LocalStore(root) as store:
        assert len(store.documents()) == 1


def test_a_new_store_needs_no_migration(tmp_path: Path) -> None:
    root = tmp_path / "store"
    with LocalStore(root):
        pass
    assert not list(root.glob("backup-*"))


# ---------------------------------------------------------------- failing writes


@pytest.fixture
def env(tmp_path: Path):
    store = LocalStore(tmp_path / "store")
    doc = Document(TEXT, DocumentMeta(path="a.txt"))
    store.register(doc)
    history = History(store)
    yield store, history, doc
    history.close()
    store.close()


@pytest.mark.parametrize(
    ("where", "code"),
    [
        # A save appends a line (os.write) or replaces a whole file (os.replace).
        (("write", "replace"), errno.ENOSPC),
        (("fsync", "fdatasync"), errno.ENOSPC),
        (("write", "replace"), errno.EACCES),
    ],
)
def test_failed_write_is_reported_and_changes_nothing(
    env, monkeypatch, where: tuple[str, ...], code: int
) -> None:
    store, history, doc = env
    first = Annotation.tag(doc, 4, 12, "claim")
    assert history.add(first)
    second = Annotation.tag(doc, 13, 17, "quote")

    reason = os.strerror(code)

    def fail(*_args, **_kwargs):
        raise OSError(code, reason)

    for name in where:
        if hasattr(os, name):
            monkeypatch.setattr(os, name, fail)
    with pytest.raises(StoreError, match=rf"cannot write .*{reason}; this change was not saved"):
        history.add(second)
    with pytest.raises(StoreError, match=reason):
        store.remove(doc.id, first.id)
    with pytest.raises(StoreError, match=reason):
        store.update(first.with_changes(label="opinion"))
    with pytest.raises(StoreError, match=reason):
        store.set_orphans(doc.id, [first])
    # Memory agrees with the disk: only what was saved.
    assert store.annotations(doc.id) == [first]
    assert store.orphans(doc.id) == []
    assert history.can_undo and not history.can_redo
    monkeypatch.undo()

    # The session carries on once there is room again.
    assert history.add(second)
    assert store.annotations(doc.id) == [first, second]
    with LocalStore(store.root, read_only=True) as fresh:
        assert fresh.annotations(doc.id) == [first, second]
    assert not list(store.root.rglob("*.tmp"))


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root ignores permissions")
def test_unwritable_folder_is_reported_and_changes_nothing(env) -> None:
    store, history, doc = env
    first = Annotation.tag(doc, 4, 12, "claim")
    assert history.add(first)
    root = store.root
    history.close()
    store.close()
    # The document's files and folder made read-only: a save must open its
    # log again, and is refused.
    docs = root / "docs"
    files = list(docs.iterdir())
    for path in files:
        path.chmod(0o444)
    docs.chmod(0o555)
    store = LocalStore(root)
    history = History(store)
    try:
        with pytest.raises(StoreError, match=r"cannot write .*Permission denied"):
            history.add(Annotation.tag(doc, 13, 17, "quote"))
        with pytest.raises(StoreError, match="Permission denied"):
            history.undo()
        assert store.annotations(doc.id) == [first]
    finally:
        docs.chmod(0o755)
        for path in files:
            path.chmod(0o644)
    # Still able to read everything (and so to export it elsewhere).
    with LocalStore(root, read_only=True) as fresh:
        assert fresh.annotations(doc.id) == [first]
    assert history.undo() is not None
    assert store.annotations(doc.id) == []
    history.close()
    store.close()

UNWRITABLE_CHILD = textwrap.dedent(
    """
    import os, sys
    from pathlib import Path
    from annotations.errors import StoreError
    from annotations.history import History
    from annotations.model import Annotation, Document, DocumentMeta
    from annotations.store import LocalStore

    root = Path(sys.argv[1])
    store = LocalStore(root)
    a = Document("The minister said the plan would cost more.", DocumentMeta(path="a.txt"))
    b = Document("Critics called the vote rushed, Mr. Patel said.", DocumentMeta(path="b.txt"))
    store.register(a)
    store.register(b)
    history = History(store)
    first = Annotation.tag(a, 4, 12, "claim")
    assert history.add(first)
    for folder in (root, root / "docs"):
        folder.chmod(0o555)
    try:
        try:
            history.add(Annotation.tag(b, 0, 7, "claim"))  # b's log must be made: refused
        except StoreError as err:
            assert "Permission denied" in str(err) and "not saved" in str(err), err
        else:
            raise AssertionError("a new file in a read-only folder was written")
        assert store.annotations(b.id) == [] and store.annotations(a.id) == [first]
        # a's log is open already: appending to it goes on (and is durable)
        second = Annotation.tag(a, 13, 17, "quote")
        assert history.add(second)
    finally:
        for folder in (root, root / "docs"):
            folder.chmod(0o755)
    with LocalStore(root, read_only=True) as fresh:
        assert fresh.annotations(a.id) == [first, second] and fresh.annotations(b.id) == []
    assert history.add(Annotation.tag(b, 0, 7, "claim"))  # writable again: saved
    print("ok")
    """
)


def test_unwritable_folder_refuses_new_files_and_loses_nothing(tmp_path: Path) -> None:
    """Permissions that change mid-session, in a child that obeys them (even as root)."""
    from tests.bad_inputs import unprivileged_prefix

    prefix = unprivileged_prefix()
    if prefix is None:
        pytest.skip("running as root and no setpriv to drop the override")
    result = subprocess.run(
        [*prefix, sys.executable, "-c", UNWRITABLE_CHILD, str(tmp_path / "store")],
        capture_output=True, text=True, timeout=60, cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert result.returncode == 0 and result.stdout == "ok\n", result.stderr


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="finds fds' paths in /proc")
async def test_full_disk_mid_session_is_reported_the_session_goes_on_and_export_works(
    make_workspace, monkeypatch, tmp_path: Path
) -> None:
    """The store's writes failing (as on a full disk), through the reader's keys.

    By hand: a store on a 512 KB tmpfs filled with dd gives the same messages.
    """
    from annotations.export import ExportOptions, export
    from tui.app import NewsmarkApp

    ws = make_workspace()
    app = NewsmarkApp(ws)
    store_root = str(ws.store.root.resolve())
    real_write, real_replace = os.write, os.replace

    def in_store(path: str) -> bool:
        return os.path.abspath(path).startswith(store_root)

    def write(fd: int, data: bytes) -> int:  # a log line appended (only the store is full)
        if in_store(os.readlink(f"/proc/self/fd/{fd}")):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(fd, data)

    def replace(src, dst, *args, **kwargs):  # a snapshot or small file rewritten
        if in_store(dst):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_replace(src, dst, *args, **kwargs)

    def disk_full() -> None:
        monkeypatch.setattr(os, "write", write)
        monkeypatch.setattr(os, "replace", replace)

    async with app.run_test(size=(140, 36)) as pilot:
        doc_id = app.active_view.document.id
        await pilot.press("1")  # the first sentence, saved
        saved = ws.annotations(doc_id)
        assert len(saved) == 1
        disk_full()
        await pilot.press(")", "2", "u")  # a tag and an undo that cannot be saved
        await pilot.pause()
        status = str(app.query_one("#status").render())
        assert "NOT SAVED" in status
        assert any("No space left on device" in str(n.message) and "export" in str(n.message)
                   for n in app._notifications)
        assert app.is_running and ws.annotations(doc_id) == saved
        # Meanwhile an export elsewhere has everything saved so far.
        with LocalStore(ws.store.root, read_only=True) as reader:
            out = tmp_path / "elsewhere.jsonl"
            counts = export(reader, ExportOptions(), out_path=out)
            assert counts.spans == 1
        monkeypatch.undo()  # room again
        await pilot.press("2")
        await pilot.pause()
        assert "saved ✓" in str(app.query_one("#status").render())
        assert len(ws.annotations(doc_id)) == 2
    with LocalStore(ws.store.root, read_only=True) as fresh:
        assert {a.id for a in fresh.annotations(doc_id)} == {a.id for a in ws.annotations(doc_id)}


# ---------------------------------------------------------------- kill -9 during edits

EDITOR = textwrap.dedent(
    """
    import json, random, sys
    from annotations.labels import Config
    from annotations.model import Document, DocumentMeta
    from annotations.store import LocalStore
    from annotations.workspace import Workspace

    LABELS = ("claim", "quote", "terms", "opinion")
    store = LocalStore(sys.argv[1])
    doc = Document(sys.argv[3], DocumentMeta(path="a.txt"))
    ws = Workspace(store, [doc], config=Config(snap=False), annotator="k")
    rng = random.Random(int(sys.argv[2]))

    def state():
        return sorted([a.id, a.label, a.start, a.end] for a in ws.annotations(doc.id))

    print(json.dumps(state()), flush=True)
    while True:
        anns = ws.annotations(doc.id)
        r = rng.random()
        if r < 0.45 or not anns:
            a = rng.randrange(len(doc.text) - 12)
            ws.tag(doc.id, a, (a, a + rng.randint(1, 12)), rng.choice(LABELS))
        elif r < 0.6:
            ws.remove(doc.id, rng.choice(anns).id)
        elif r < 0.8:
            ws.update(rng.choice(anns).with_changes(label=rng.choice(LABELS)))
        elif r < 0.95:
            ws.undo()
        else:
            ws.redo()
        print(json.dumps(state()), flush=True)  # this edit's save has returned
    """
)


def _one_edit_apart(before: list[list], after: list[list]) -> bool:
    """True if `after` is `before` with one annotation added, removed or relabelled."""
    old = {row[0]: row for row in before}
    new = {row[0]: row for row in after}
    if old.keys() == new.keys():
        return sum(old[k] != new[k] for k in old) <= 1
    common = old.keys() & new.keys()
    return len(old.keys() ^ new.keys()) == 1 and all(old[k] == new[k] for k in common)


def _kill_and_read_rest(proc: subprocess.Popen) -> str:
    """SIGKILL `proc`; the rest of what it printed (after what `readline` returned).

    Read through `proc.stdout` itself, never `communicate()`: that reads the
    pipe's descriptor, so lines `readline` had already pulled into
    `proc.stdout`'s buffer were dropped. The last state the test saw was then
    a save or more behind the last one printed, and a store holding exactly
    that one (and the edit in flight) looked two edits away: the failures
    under load blamed on the store in December 2026.
    """
    proc.send_signal(signal.SIGKILL)
    out = proc.stdout.read()  # to the end: the pipe closes when the child dies
    proc.communicate()  # reaps it, and drains stderr
    return out


def test_kill_and_read_rest_loses_no_line_already_buffered() -> None:
    # Five lines in one write (atomic on a pipe): the first readline buffers all of them.
    child = "import os, time; os.write(1, b'0\\n1\\n2\\n3\\n4\\n'); time.sleep(60)"
    proc = subprocess.Popen([sys.executable, "-c", child], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    assert proc.stdout.readline() == "0\n"
    assert _kill_and_read_rest(proc) == "1\n2\n3\n4\n"
    assert proc.returncode == -signal.SIGKILL


def test_kill_during_tag_remove_relabel_undo_keeps_exactly_what_was_saved(tmp_path: Path) -> None:
    """A Workspace editing at full speed, killed at random moments, many times.

    After every kill the store opens, and holds exactly the annotations of
    the last edit whose save had returned, or of the one being saved when
    the kill came (it may have reached the disk before the child said so).
    """
    root = tmp_path / "store"
    text = " ".join(f"Sentence {i} says the council met, Mr. Patel said." for i in range(40))
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    rng = random.Random(20261201)
    deadline = time.monotonic() + 40  # about 8 s here; a loaded machine starts children slowly
    stored: list[list] = []
    kills = edits = 0
    while kills < 12 and time.monotonic() < deadline:
        proc = subprocess.Popen(
            [sys.executable, "-c", EDITOR, str(root), str(kills), text],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO, env=env,
        )
        first = proc.stdout.readline()
        if not first.endswith("\n"):
            proc.kill()
            pytest.fail(f"editor did not start: {proc.communicate()[1]}")
        assert json.loads(first) == stored, "the reopened store is not what was saved"
        # Some edits, then a kill at a random moment within the next ones
        # (counted in edits, not seconds: a loaded machine edits slowly).
        read = "".join(proc.stdout.readline() for _ in range(rng.randint(1, 12)))
        time.sleep(rng.uniform(0.0, 0.02))
        out = _kill_and_read_rest(proc)
        assert proc.returncode == -signal.SIGKILL
        # Complete lines only: a kill may cut the last one short.
        lines = [json.loads(line) for line in (read + out).split("\n")[:-1]]
        returned = lines[-1] if lines else json.loads(first)
        edits += len(lines)
        with LocalStore(root) as store:  # opens, and takes over the dead editor's lock
            (doc,) = store.documents()
            anns = store.annotations(doc["id"])
            stored = sorted([a.id, a.label, a.start, a.end] for a in anns)
            assert all(text[a.start : a.end] == a.text for a in anns)
        assert stored == returned or _one_edit_apart(returned, stored), f"kill {kills}"
        assert not list(root.rglob("*.tmp"))
        kills += 1
    assert kills >= 6 and edits >= 3 * kills  # it really was editing when killed


# ------------------------------------------- the undo step fails after the change itself


@pytest.fixture
def history_full(env, monkeypatch):
    """history.log cannot be written (its page is full) while the document's log still can."""
    from annotations.store.files import cannot_write

    store, history, doc = env

    def full(*_args):  # as the journal's append raises it
        err = OSError(errno.ENOSPC, "No space left on device")
        raise cannot_write(store.history_log, err) from err

    def fill() -> None:
        monkeypatch.setattr(store, "record_step", full)
        monkeypatch.setattr(store, "move_history", full)

    return store, history, doc, fill


def test_a_change_whose_undo_step_cannot_be_written_is_taken_back(history_full) -> None:
    store, history, doc, fill = history_full
    first = Annotation.tag(doc, 4, 12, "claim")
    assert history.add(first)
    fill()
    with pytest.raises(StoreError, match="history.log: No space left on device; this change"):
        history.add(Annotation.tag(doc, 13, 17, "quote"))
    with pytest.raises(StoreError, match="not saved"):
        history.update(first.with_changes(label="opinion"))
    with pytest.raises(StoreError, match="not saved"):
        history.remove(doc.id, first.id)
    with pytest.raises(StoreError, match="not saved"):
        history.undo()
    # Reported as not saved, and not saved: memory, disk and history agree.
    assert store.annotations(doc.id) == [first]
    with LocalStore(store.root, read_only=True) as fresh:
        assert fresh.annotations(doc.id) == [first]
    assert history.can_undo and not history.can_redo


def test_redo_whose_step_cannot_be_written_is_taken_back(history_full) -> None:
    store, history, doc, fill = history_full
    first = Annotation.tag(doc, 4, 12, "claim")
    assert history.add(first)
    assert history.undo() is not None
    fill()
    with pytest.raises(StoreError, match="not saved"):
        history.redo()
    assert store.annotations(doc.id) == []
    assert history.can_redo


def test_when_the_change_cannot_be_taken_back_the_message_says_it_was_saved(
    history_full, monkeypatch
) -> None:
    store, history, doc, fill = history_full
    fill()

    def refuse(*_args):
        raise StoreError("cannot write docs: No space left on device")

    monkeypatch.setattr(store, "remove", refuse)
    ann = Annotation.tag(doc, 4, 12, "claim")
    with pytest.raises(StoreError, match=r"^this change was saved, but its undo step could not "
                                         r"be written to .*history.log \(No space left"):
        history.add(ann)
    assert store.annotations(doc.id) == [ann]  # as the message says


async def test_after_a_failed_save_the_screen_shows_what_the_store_holds(
    make_workspace, monkeypatch
) -> None:
    from tui.app import NewsmarkApp

    ws = make_workspace()
    app = NewsmarkApp(ws)

    def refuse(*_args):
        raise StoreError("cannot write docs: No space left on device")

    async with app.run_test(size=(140, 36)) as pilot:
        view = app.active_view
        monkeypatch.setattr(ws.store, "record_step", refuse)  # the undo step fails
        monkeypatch.setattr(ws.store, "remove", refuse)  # and so does taking the tag back
        await pilot.press("1")
        await pilot.pause()
        assert "NOT SAVED" in str(app.query_one("#status").render())
        assert any("this change was saved" in str(n.message) for n in app._notifications)
        assert view.annotations == ws.annotations(view.document.id) != []
