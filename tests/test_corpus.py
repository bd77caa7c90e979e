"""A big folder opens lazily: only what is shown is read."""

from __future__ import annotations

from pathlib import Path

from annotations.store import LocalStore
from annotations.workspace import Workspace
from tui.app import NewsmarkApp
from tui.article_view import ArticleView
from tui.document_list import DocumentList

SIZE = (150, 40)


def make_folder(root: Path, count: int) -> list[Path]:
    paths = []
    for i in range(count):
        path = root / f"a{i:04d}.txt"
        path.write_text(f"Article {i} says the weir cost {i} pounds.\n\nA second line.\n",
                        encoding="utf-8")
        paths.append(path)
    (root / "a0003.txt").write_bytes(b"\x00\x01binary\x00\xff")
    return paths


async def test_only_the_shown_articles_are_read(tmp_path: Path) -> None:
    paths = make_folder(tmp_path, 300)
    store = LocalStore(tmp_path / "store")
    ws = Workspace(store, paths, annotator="tester")
    assert len(ws.documents) == 2 and len(ws.entries) == 300
    app = NewsmarkApp(ws)
    async with app.run_test(size=SIZE) as pilot:
        listing = app.query_one(DocumentList)
        listing.focus()
        await pilot.press("G")
        assert listing.highlighted == 299
        await pilot.press("enter")
        view = app.query_one("#pane-0", ArticleView)
        assert view.text.startswith("Article 299")
        assert len(ws.documents) == 3
        # Stepping onto an unreadable file says so and moves past it.
        view.focus()
        ws.load(1)
        app._show_document(ws.order[1])
        await pilot.press("right_square_bracket")
        assert view.text.startswith("Article 2 ")
        await pilot.press("right_square_bracket")
        assert view.text.startswith("Article 4 ")
        assert any("a0003.txt" in str(n.message) for n in app._notifications)
    store.close()


async def test_a_long_article_is_readable_while_it_is_segmented(tmp_path: Path) -> None:
    from annotations.workspace import BACKGROUND_SEGMENTATION_CHARS

    paragraph = "The weir cost Mr. Patel’s council £3.5 million. Critics said so.\n\n"
    text = paragraph * (BACKGROUND_SEGMENTATION_CHARS // len(paragraph) + 50)
    path = tmp_path / "long.txt"
    path.write_text(text, encoding="utf-8")
    store = LocalStore(tmp_path / "store")
    ws = Workspace(store, [path], annotator="tester")
    doc = ws.order[0]
    app = NewsmarkApp(ws)
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one("#pane-0", ArticleView)
        assert view.text == doc.text  # shown at once
        await pilot.press("pagedown", "1")  # scrolling works; tagging waits or works
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert ws.is_segmented(doc.id)
        assert view.segmentation is ws.segmentation(doc.id)
        assert "finding sentences" not in str(app.query_one("#status").render())
        ws_count = len(ws.annotations(doc.id))
        await pilot.press("2")
        assert len(ws.annotations(doc.id)) == ws_count + 1
    store.close()
