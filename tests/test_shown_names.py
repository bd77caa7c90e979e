"""Files sharing a name in different folders are told apart wherever a document is named."""

from __future__ import annotations

import os
from pathlib import Path

from annotations.model import Document, DocumentMeta
from annotations.shown_names import ShownNames, distinct_tails
from annotations.store import LocalStore
from annotations.workspace import Workspace
from tests.conftest import OUTLET_A, OUTLET_B
from tui.app import NewsmarkApp
from tui.article_view import ArticleView
from tui.document_list import DocumentList


def test_the_shortest_distinct_tail_of_each_namesake() -> None:
    tails = distinct_tails(["news/reuters/story.txt", "news/ap/story.txt"])
    assert tails == {"news/reuters/story.txt": "reuters/story.txt",
                     "news/ap/story.txt": "ap/story.txt"}
    # Alike just above the file: as many folders as it takes.
    tails = distinct_tails(["a/x/day1/story.txt", "b/x/day1/story.txt", "c/y/day1/story.txt"])
    assert tails == {"a/x/day1/story.txt": "a/x/day1/story.txt",
                     "b/x/day1/story.txt": "b/x/day1/story.txt",
                     "c/y/day1/story.txt": "y/day1/story.txt"}


def test_a_file_given_without_its_folder_is_named_by_where_it_is(tmp_path: Path) -> None:
    """`newsmark b.txt sub/b.txt`: b.txt is told apart by the folder it is in."""
    here = os.getcwd()
    os.chdir(tmp_path)
    try:
        tails = distinct_tails(["b.txt", "sub/b.txt", "./c/../other/b.txt"])
    finally:
        os.chdir(here)
    assert tails == {"b.txt": f"{tmp_path.name}/b.txt", "sub/b.txt": "sub/b.txt",
                     "./c/../other/b.txt": "other/b.txt"}


def test_unique_names_stay_plain_and_an_outside_file_is_told_apart_too() -> None:
    names = ShownNames(lambda: ["reuters/story.txt", "ap/story.txt", "ap/brief.txt"])
    assert names.file("ap/brief.txt") == "brief.txt"
    assert names.file("reuters/story.txt") == "reuters/story.txt"
    assert names.file("afp/story.txt") == "afp/story.txt"  # not of the session: an undo reached it
    assert names.file("afp/other.txt") == "other.txt"
    assert names.file(None) == ""


def test_heading_and_name_use_the_distinct_file_name() -> None:
    names = ShownNames(lambda: ["reuters/story.txt", "ap/story.txt"])
    titled = Document("text", DocumentMeta(path="ap/story.txt", title="Weir vote"))
    untitled = Document("text two", DocumentMeta(path="ap/story.txt"))
    assert names.heading(titled) == "ap/story.txt — Weir vote"
    assert names.name(titled) == "Weir vote"
    assert names.heading(untitled) == names.name(untitled) == "ap/story.txt"
    # A document alone (the command line) keeps its plain file name.
    assert untitled.heading == "story.txt"


def _outlets(root: Path) -> list[Path]:
    (root / "reuters").mkdir(parents=True)
    (root / "ap").mkdir()
    paths = [root / "reuters" / "story.txt", root / "ap" / "story.txt", root / "notes.txt"]
    for path, text in zip(paths, (OUTLET_A, OUTLET_B, "Plain notes about the weir.\n")):
        path.write_text(text, encoding="utf-8")
    return paths


async def test_panes_and_document_list_tell_namesakes_apart(tmp_path: Path) -> None:
    paths = _outlets(tmp_path / "news")
    store = LocalStore(tmp_path / "store")
    try:
        ws = Workspace(store, [str(p) for p in paths], annotator="tester")
        app = NewsmarkApp(ws)
        async with app.run_test(size=(160, 36)) as pilot:
            titles = {str(app.query_one(f"#pane-{i}", ArticleView).border_title) for i in (0, 1)}
            assert {title.split(" — ")[0] for title in titles} == {
                "reuters/story.txt", "ap/story.txt"}, titles
            listed = app.query_one(DocumentList)
            rows = [listed.render_line(y).text for y in range(listed.size.height)]
            assert any("reuters/story.txt" in row for row in rows), rows
            assert any("ap/story.txt" in row for row in rows), rows
            assert any("notes.txt" in row and "/notes.txt" not in row for row in rows), rows
            # Open the third document from the list with keys: a unique name stays plain.
            listed.focus()
            await pilot.press("down", "down", "enter")
            await pilot.pause()
            assert str(app.active_view.border_title) == "notes.txt"
    finally:
        store.close()


async def test_a_changed_namesake_is_named_by_its_folder(tmp_path: Path) -> None:
    """The notice of a re-anchored document names the right one of two story.txt."""
    paths = _outlets(tmp_path / "news")
    body = ("The council voted on Tuesday to fund a new weir on the Ash river, a spokesman "
            "said. Critics called the vote rushed and the study thin.\n")
    paths[0].write_text(body.replace("council", "city council"), encoding="utf-8")
    paths[1].write_text(body, encoding="utf-8")
    store = LocalStore(tmp_path / "store")
    try:
        ws = Workspace(store, [str(p) for p in paths], annotator="tester")
        doc = ws.load(1)
        assert doc is not None and not doc.meta.title  # named by its file
        ws.tag(doc.id, doc.text.index("Critics"), None, "claim")
    finally:
        store.close()
    paths[1].write_text("Updated. " + body, encoding="utf-8")
    store = LocalStore(tmp_path / "store")
    try:
        ws = Workspace(store, [str(p) for p in paths], annotator="tester")
        app = NewsmarkApp(ws)
        async with app.run_test(size=(160, 36)) as pilot:
            await pilot.pause()
            notices = [str(n.message) for n in app._notifications]
            assert any(m.startswith("ap/story.txt changed since it was tagged") for m in notices), \
                notices
    finally:
        store.close()
