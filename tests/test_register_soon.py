"""New articles' texts written after the reader's first frame, and never after a save.

`newsmark open` registers the articles it reads with `Store.register_soon`
(`Workspace(write_new_documents_later=True)`), so the first frame does not
wait for their texts to be written and fsynced; the app writes them in a
worker after that frame. What must hold: reads see them at once; whatever is
saved first, they are on disk before it (same lock, same thread); a kill
before they are written loses nothing anyone made, and the next open simply
registers them again. (The engine-neutral part is in test_store_contract.)
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from annotations.errors import StoreError
from annotations.model import Annotation
from annotations.store import LocalStore, Pane
from annotations.store import files as store_files
from annotations.workspace import Workspace

ROOT = Path(__file__).resolve().parent.parent


def _on_disk(store_dir: Path, doc_id: str) -> tuple[bool, bool]:
    """(its text file exists, its record is in documents.json), as the disk has them."""
    text = (store_dir / "docs" / f"{doc_id}.text.json").exists()
    documents = store_dir / "documents.json"
    rows = json.loads(documents.read_text()).get("documents", {}) if documents.exists() else {}
    return text, any(row["id"] == doc_id for row in rows.values())


def _opened(store_dir: Path, paths: list[Path]) -> Workspace:
    return Workspace(LocalStore(store_dir), [str(p) for p in paths], annotator="tester",
                     write_new_documents_later=True)


def test_nothing_is_written_until_the_first_other_write(article_paths, tmp_path) -> None:
    store_dir = tmp_path / "store"
    ws = _opened(store_dir, article_paths[:1])
    (doc,) = ws.documents.values()
    try:
        assert _on_disk(store_dir, doc.id) == (False, False)
        assert ws.store.document_record(doc.id) is not None  # seen at once
        assert ws.store.paths() == {str(article_paths[0].resolve()): doc.id}
        ws.save_panes([Pane(doc.id, doc.meta.path, 3)])  # any write at all
        assert _on_disk(store_dir, doc.id) == (True, True)
    finally:
        ws.store.close()


def test_a_document_read_later_is_registered_at_once(article_paths, tmp_path) -> None:
    store_dir = tmp_path / "store"
    ws = Workspace(LocalStore(store_dir), [str(p) for p in article_paths[:2]],
                   write_new_documents_later=True, preload=1, eager_up_to=1)
    try:
        later = ws.load(1)
        assert later is not None and _on_disk(store_dir, later.id) == (True, True)
    finally:
        ws.store.close()


def test_close_writes_them(article_paths, tmp_path) -> None:
    store_dir = tmp_path / "store"
    ws = _opened(store_dir, article_paths[:2])
    ws.store.close()
    for doc in ws.documents.values():
        assert _on_disk(store_dir, doc.id) == (True, True)


def test_a_failed_write_saves_nothing_and_keeps_them_waiting(article_paths, tmp_path,
                                                             monkeypatch) -> None:
    store_dir = tmp_path / "store"
    ws = _opened(store_dir, article_paths[:1])
    (doc,) = ws.documents.values()
    ann = Annotation.tag(doc, 0, 3, "claim", annotator="tester")

    def disk_full(path, data, *, keep_backup=True):  # type: ignore[no-untyped-def]
        raise store_files.cannot_write(path, OSError(28, "No space left on device"))

    try:
        monkeypatch.setattr("annotations.store.local.write_json_atomic",
                            lambda path, data: disk_full(path, b""))
        with pytest.raises(StoreError, match="No space left"):
            ws.history.add(ann)
        monkeypatch.undo()
        assert ws.store.annotations(doc.id) == []
        assert ws.history.add(ann)  # the disk has room again: text first, then the tag
        assert _on_disk(store_dir, doc.id) == (True, True)
    finally:
        ws.store.close()
    with LocalStore(store_dir) as store:
        assert [a.id for a in store.annotations(doc.id)] == [ann.id]


_KILLED = """
import os, sys
from annotations.model import Annotation
from annotations.store import LocalStore
from annotations.workspace import Workspace

store_dir, path, tag = sys.argv[1], sys.argv[2], sys.argv[3] == "tag"
ws = Workspace(LocalStore(store_dir), [path], annotator="tester",
               write_new_documents_later=True)
(doc,) = ws.documents.values()
if tag:
    ws.history.add(Annotation.tag(doc, 0, 3, "claim", annotator="tester"))
print(doc.id, flush=True)
os._exit(9)  # as a kill: no close, no flush
"""


@pytest.mark.parametrize("tag", [False, True], ids=["before any save", "after a tag"])
def test_a_kill_loses_nothing_anyone_made(article_paths, tmp_path, tag: bool) -> None:
    store_dir, path = tmp_path / "store", article_paths[0]
    result = subprocess.run([sys.executable, "-c", _KILLED, str(store_dir), str(path),
                             "tag" if tag else "open"], cwd=ROOT, capture_output=True,
                            text=True, timeout=60, check=False)
    assert result.returncode == 9, result.stderr
    doc_id = result.stdout.strip()
    # Before any save: the article is simply not registered yet. After a tag:
    # its text and record were written before the tag was.
    assert _on_disk(store_dir, doc_id) == (tag, tag)
    ws = Workspace(LocalStore(store_dir), [str(path)], annotator="tester")
    try:
        assert doc_id in ws.documents
        assert len(ws.annotations(doc_id)) == (1 if tag else 0)
        assert ws.store.load_text(doc_id) == ws.documents[doc_id].text
        assert not ws.reanchor_reports  # the same text: nothing to carry over
    finally:
        ws.store.close()


async def test_the_reader_writes_them_after_its_first_frame(article_paths, tmp_path) -> None:
    from tui.app import NewsmarkApp

    store_dir = tmp_path / "store"
    ws = _opened(store_dir, article_paths[:2])
    try:
        app = NewsmarkApp(ws)
        async with app.run_test(size=(120, 30)) as pilot:
            await pilot.pause()
            await app.workers.wait_for_complete()
            for doc in ws.documents.values():
                assert _on_disk(store_dir, doc.id) == (True, True)
    finally:
        ws.store.close()


async def test_the_reader_says_when_it_cannot_write_them(article_paths, tmp_path,
                                                         monkeypatch) -> None:
    from tui.app import NewsmarkApp

    def disk_full(path, data):  # type: ignore[no-untyped-def]
        raise store_files.cannot_write(path, OSError(28, "No space left on device"))

    store_dir = tmp_path / "store"
    ws = _opened(store_dir, article_paths[:1])
    monkeypatch.setattr("annotations.store.local.write_json_atomic", disk_full)
    try:
        app = NewsmarkApp(ws)
        async with app.run_test(size=(120, 30)) as pilot:
            await pilot.pause()
            assert any("No space left" in str(n.message) for n in app._notifications)
            assert app.is_running  # nothing was lost: the reader goes on
    finally:
        monkeypatch.undo()
        ws.store.close()  # the disk has room again: close writes them
    (doc,) = ws.documents.values()
    assert _on_disk(store_dir, doc.id) == (True, True)


def test_a_new_stores_marker_comes_with_its_first_write(article_paths, tmp_path) -> None:
    """The marker's fsyncs wait for the first write too; nothing it guards is
    on disk before it, and a store closed with nothing written opens again."""
    from annotations.store.migrations import FORMAT, MARKER, check_format

    store_dir = tmp_path / "store"
    LocalStore(store_dir).close()  # nothing registered, nothing written
    assert not (store_dir / MARKER).exists()
    assert not (store_dir / "documents.json").exists()
    assert check_format(store_dir) == FORMAT
    ws = _opened(store_dir, article_paths[:1])
    (doc,) = ws.documents.values()
    try:
        assert not (store_dir / MARKER).exists()
        ws.save_panes([Pane(doc.id, doc.meta.path, 3)])
        assert json.loads((store_dir / MARKER).read_text())["format"] == FORMAT
        assert _on_disk(store_dir, doc.id) == (True, True)
    finally:
        ws.store.close()
    reopened = LocalStore(store_dir)
    try:
        assert reopened.document_record(doc.id) is not None
    finally:
        reopened.close()
