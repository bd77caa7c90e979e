"""An article changed after tagging: the reader says so, and orphans get placed or dropped."""

from __future__ import annotations

from pathlib import Path

from annotations.documents import load_documents
from annotations.store import LocalStore
from annotations.workspace import Workspace
from tui.app import NewsmarkApp
from tui.article_view import ArticleView
from tui.orphan_list import OrphanList

SIZE = (160, 40)
BEFORE = (
    "The council voted on Tuesday to fund the weir.\n\n"
    "Critics said the study was thin.\n\n"
    "A spokesman declined to comment on the delay.\n"
)
AFTER = (
    "Editor's note: this story was updated on Wednesday.\n\n"
    "The council voted on Tuesday to fund the weir.\n\n"
    "A spokesman declined to comment on the delay.\n"
)


def workspace(path: Path, store_dir: Path) -> Workspace:
    docs, errors = load_documents([path])
    assert not errors
    return Workspace(LocalStore(store_dir), docs, annotator="tester")


async def test_changed_article_moves_spans_and_lists_orphans(tmp_path: Path) -> None:
    article, store_dir = tmp_path / "story.txt", tmp_path / "store"
    article.write_text(BEFORE, encoding="utf-8")
    ws = workspace(article, store_dir)
    doc = ws.order[0]
    for phrase in ("The council voted", "Critics said", "A spokesman"):
        ws.tag(doc.id, doc.text.index(phrase), None, "claim")
    ws.store.close()

    article.write_text(AFTER, encoding="utf-8")
    ws = workspace(article, store_dir)
    new = ws.order[0]
    app = NewsmarkApp(ws)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        messages = [str(n.message) for n in app._notifications]
        assert any("changed since it was tagged" in m for m in messages), messages
        texts = sorted(a.text for a in ws.annotations(new.id))
        assert texts == ["A spokesman declined to comment on the delay.",
                         "The council voted on Tuesday to fund the weir."]
        orphans = app.query_one(OrphanList)
        assert orphans.row_count == 1 and orphans.display
        # Place it: pick it in the panel, select text, press its label key.
        orphans.focus()
        orphans.highlighted = 0
        await pilot.press("enter")
        view = app.query_one("#pane-0", ArticleView)
        assert view.has_focus and app.pending == "place"
        # The cursor starts where the orphan was in the old text (it stayed at 0).
        assert view.cursor == BEFORE.index("Critics said")
        view.move_to(new.text.index("Editor"))
        await pilot.press("s", "4")
        placed = [a for a in ws.annotations(new.id) if a.reanchored == "placed"]
        assert [a.label for a in placed] == ["opinion"]
        assert ws.orphans(new.id) == []
        assert not orphans.display
    ws.store.close()


async def test_an_orphan_can_be_dropped(tmp_path: Path) -> None:
    article, store_dir = tmp_path / "story.txt", tmp_path / "store"
    article.write_text(BEFORE, encoding="utf-8")
    ws = workspace(article, store_dir)
    doc = ws.order[0]
    ws.tag(doc.id, doc.text.index("Critics"), None, "claim")
    ws.store.close()
    article.write_text(AFTER, encoding="utf-8")
    ws = workspace(article, store_dir)
    app = NewsmarkApp(ws)
    async with app.run_test(size=SIZE) as pilot:
        orphans = app.query_one(OrphanList)
        orphans.focus()
        orphans.highlighted = 0
        await pilot.press("x")
        assert ws.orphans(ws.order[0].id) == []
        assert app.saved.startswith("saved ✓ dropped an orphan")  # not the last change's
        # Dropping keeps it in the old version's record: nothing is deleted.
        assert [a.text for a in ws.store.annotations(doc.id)] == [
            "Critics said the study was thin."]
    ws.store.close()


TWO_GONE_BEFORE = (
    "The council voted on Tuesday to fund the weir.\n\n"
    "Critics said the study was thin.\n\n"
    "A farmer feared the floods would return.\n\n"
    "A spokesman declined to comment on the delay.\n"
)


def two_orphans(tmp_path: Path) -> tuple[Path, Path, list[str]]:
    """A store whose article changed so that two annotations became orphans."""
    article, store_dir = tmp_path / "story.txt", tmp_path / "store"
    article.write_text(TWO_GONE_BEFORE, encoding="utf-8")
    ws = workspace(article, store_dir)
    doc = ws.order[0]
    texts = ["Critics said the study was thin.", "A farmer feared the floods would return."]
    for text in texts:
        ws.tag(doc.id, doc.text.index(text), None, "claim")
    ws.store.close()
    article.write_text(AFTER, encoding="utf-8")
    return article, store_dir, texts


async def test_undo_after_placing_and_dropping_orphans_goes_back_step_by_step(
    tmp_path: Path,
) -> None:
    article, store_dir, texts = two_orphans(tmp_path)
    ws = workspace(article, store_dir)
    doc = ws.order[0]
    placed_texts = lambda: [a.text for a in ws.annotations(doc.id) if a.reanchored == "placed"]  # noqa: E731
    orphan_texts = lambda: sorted(o.text for o in ws.orphans(doc.id))  # noqa: E731
    app = NewsmarkApp(ws)
    async with app.run_test(size=SIZE) as pilot:
        orphans = app.query_one(OrphanList)
        assert orphan_texts() == sorted(texts) and orphans.row_count == 2
        # Place the first: pick it, select the editor's note, press 3.
        orphans.focus()
        orphans.highlighted = [o.text for o in ws.orphans(doc.id)].index(texts[0])
        await pilot.press("enter")
        view = app.query_one("#pane-0", ArticleView)
        view.move_to(doc.text.index("Editor"))
        await pilot.press("s", "3")
        assert placed_texts() == ["Editor's note: this story was updated on Wednesday."]
        assert orphan_texts() == [texts[1]]
        # Drop the other.
        orphans.focus()
        orphans.highlighted = 0
        await pilot.press("x")
        assert orphan_texts() == [] and not orphans.display
        # u undoes the drop (the last step), not the placement.
        view.focus()
        await pilot.press("u")
        assert orphan_texts() == [texts[1]] and orphans.row_count == 1
        assert len(placed_texts()) == 1
        # u again undoes the placement: the orphan is back in the list.
        await pilot.press("u")
        assert placed_texts() == []
        assert orphan_texts() == sorted(texts) and orphans.row_count == 2
        # Redo both, in order.
        await pilot.press("ctrl+r")
        assert len(placed_texts()) == 1 and orphan_texts() == [texts[1]]
        await pilot.press("ctrl+r")
        assert len(placed_texts()) == 1 and orphan_texts() == []
        await pilot.press("u")
    ws.store.close()
    # After a restart: the placement stands, the dropped one is back in the
    # list; the undo steps carry on.
    ws = workspace(article, store_dir)
    assert [a.reanchored for a in ws.annotations(doc.id)].count("placed") == 1
    assert [o.text for o in ws.orphans(doc.id)] == [texts[1]]
    assert ws.undo().kind == "place"
    assert sorted(o.text for o in ws.orphans(doc.id)) == sorted(texts)
    assert [a for a in ws.annotations(doc.id) if a.reanchored == "placed"] == []
    ws.store.close()


async def test_a_fuzzy_match_stays_marked_until_a_person_confirms_it(tmp_path: Path) -> None:
    article, store_dir = tmp_path / "story.txt", tmp_path / "store"
    article.write_text(BEFORE, encoding="utf-8")
    ws = workspace(article, store_dir)
    doc = ws.order[0]
    ws.tag(doc.id, doc.text.index("The council voted"), None, "claim")
    [ann] = ws.annotations(doc.id)
    ws.update(ann.with_changes(note="check the vote count"))
    ws.store.close()

    article.write_text(BEFORE.replace("fund the weir", "fund a new weir"), encoding="utf-8")
    ws = workspace(article, store_dir)
    new = ws.order[0]
    app = NewsmarkApp(ws)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        [fuzzy] = ws.annotations(new.id)
        assert fuzzy.reanchored == "fuzzy"
        view = app.query_one("#pane-0", ArticleView)
        view.move_to(fuzzy.start)
        await pilot.pause()
        status = str(app.query_one("#status").render())
        # The span under the cursor: its label, that it was found approximately, its note.
        assert "on claim ✎ check the vote count ≈ found approximately" in status
        row = view._row_of(fuzzy.start) - round(view.scroll_y)
        assert view.render_line(row).text.startswith("≈")
        await pilot.press("a")  # a person confirms it
        [confirmed] = ws.store.annotations(new.id)
        assert confirmed.reanchored == "placed"
        assert not view.render_line(row).text.startswith("≈")
        assert "≈" not in str(app.query_one("#status").render())
        await pilot.press("u")
        assert ws.store.annotations(new.id)[0].reanchored == "fuzzy"
        assert "undid confirming where the claim is" in str(app.query_one("#status").render())
