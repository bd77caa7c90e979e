"""Two files with the same text (syndicated wire copy) are two documents (issue 18, defect 2)."""

from __future__ import annotations

import shutil
from pathlib import Path

from annotations.documents import load_documents
from annotations.export import document_records
from annotations.model import Annotation, text_hash
from annotations.store import LocalStore
from annotations.workspace import Workspace
from tests.conftest import OUTLET_A
from tui.app import NewsmarkApp
from tui.article_view import ArticleView

SIZE = (140, 36)


def copies(tmp_path: Path) -> list[Path]:
    a, b = tmp_path / "outlet-a.txt", tmp_path / "outlet-b.txt"
    a.write_text(OUTLET_A, encoding="utf-8")
    shutil.copy(a, b)
    return [a, b]


def open_workspace(paths: list[Path], store_dir: Path) -> Workspace:
    docs, errors = load_documents(paths)
    assert not errors
    return Workspace(LocalStore(store_dir), docs, annotator="tester")


async def test_two_copies_open_in_two_panes_and_are_tagged_apart(tmp_path: Path) -> None:
    paths = copies(tmp_path)
    ws = open_workspace(paths, tmp_path / "store")
    app = NewsmarkApp(ws)
    async with app.run_test(size=SIZE) as pilot:
        left = app.query_one("#pane-0", ArticleView)
        right = app.query_one("#pane-1", ArticleView)
        assert left.document.id != right.document.id
        assert [left.document.meta.path, right.document.meta.path] == [str(p) for p in paths]
        left.focus()
        left.move_to(left.document.text.index("cheapest"))
        await pilot.press("2")
        assert [a.label for a in ws.annotations(left.document.id)] == ["quote"]
        assert ws.annotations(right.document.id) == []
        right.focus()
        right.move_to(right.document.text.index("Critics"))
        await pilot.press("1")
        assert [a.label for a in ws.annotations(right.document.id)] == ["claim"]
        assert [a.label for a in ws.annotations(left.document.id)] == ["quote"]
        left_id, right_id = left.document.id, right.document.id
    records = list(document_records(ws.store))
    assert sorted((r["meta"]["path"], [s["label"] for s in r["spans"]]) for r in records) == [
        (str(paths[0]), ["quote"]), (str(paths[1]), ["claim"])]
    ws.store.close()

    # Reopened (in either order), each file finds its own document again.
    ws = open_workspace(list(reversed(paths)), tmp_path / "store")
    by_path = {doc.meta.path: doc.id for doc in ws.order}
    assert by_path == {str(paths[0]): left_id, str(paths[1]): right_id}
    assert [a.label for a in ws.annotations(right_id)] == ["claim"]
    ws.store.close()


def test_status_is_per_copy(tmp_path: Path) -> None:
    ws = open_workspace(copies(tmp_path), tmp_path / "store")
    a, b = ws.order
    ws.store.set_status(a.id, "done")
    assert (ws.status(a.id), ws.status(b.id)) == ("done", "untouched")
    ws.store.close()


def test_the_first_file_keeps_the_text_id_and_a_copy_gets_its_own(tmp_path: Path) -> None:
    # Stores made before copies were told apart filed every document under
    # its text's hash: the first file still is, so those ids stay valid.
    ws = open_workspace(copies(tmp_path), tmp_path / "store")
    a, b = ws.order
    assert a.id == text_hash(a.text)
    assert b.id != a.id and len(b.id) == len(a.id)
    ws.store.close()


def test_a_renamed_file_keeps_its_document(tmp_path: Path) -> None:
    a, _b = copies(tmp_path)
    _b.unlink()
    ws = open_workspace([a], tmp_path / "store")
    [doc] = ws.order
    ws.tag(doc.id, doc.text.index("Critics"), None, "claim")
    ws.store.close()
    moved = tmp_path / "renamed.txt"
    a.rename(moved)
    ws = open_workspace([moved], tmp_path / "store")
    assert ws.order[0].id == doc.id
    assert [x.label for x in ws.annotations(doc.id)] == ["claim"]
    ws.store.close()


def test_the_same_file_named_twice_is_one_document(tmp_path: Path) -> None:
    a, _b = copies(tmp_path)
    ws = open_workspace([a, tmp_path / "." / "outlet-a.txt"], tmp_path / "store")
    assert len(ws.documents) == 1
    ws.store.close()



def test_copies_that_an_older_store_merged_each_keep_what_they_showed(tmp_path: Path) -> None:
    # Made as the code before this rule left it: one document (the text's
    # hash) for both files, its path the last file registered, and both
    # paths remembered as holding it.
    a, b = copies(tmp_path)
    store = LocalStore(tmp_path / "store")
    docs, _ = load_documents([b])
    [doc] = docs
    store.register(doc)
    ann = store.add(Annotation.tag(doc, 0, 4, "terms")) and store.annotations(doc.id)[0]
    store.remember_paths({str(a.resolve()): doc.id, str(b.resolve()): doc.id})
    store.close()

    ws = open_workspace([a, b], tmp_path / "store")
    first, second = ws.order
    assert first.id != second.id and second.id == doc.id
    for each in (first, second):
        assert [(x.id, x.text, x.label) for x in ws.annotations(each.id)] == [
            (ann.id, ann.text, "terms")]
    assert ws.reanchor_reports == {}  # the text did not change: nothing to report
    ws.tag(first.id, first.text.index("Critics"), None, "claim")
    assert len(ws.annotations(first.id)) == 2 and len(ws.annotations(second.id)) == 1
    ws.store.close()
