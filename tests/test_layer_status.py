"""Statuses per annotator: each has their own progress; the team's shows in the document list."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotations.documents import load_documents
from annotations.layer_status import LayerStatuses
from annotations.store import LocalStore
from annotations.workspace import Workspace
from tui.app import NewsmarkApp


def test_statuses_are_per_annotator_and_saved(tmp_path: Path) -> None:
    with LocalStore(tmp_path / "s") as store:
        statuses = LayerStatuses(store)
        statuses.started("ana", "d1")
        statuses.set("ben", "d1", "done")
        statuses.started("ben", "d1")  # done stays done
        assert statuses.status("ana", "d1") == "in progress"
        assert statuses.status("cy", "d1") == "untouched"
        assert statuses.all() == {"ana": {"d1": "in progress"}, "ben": {"d1": "done"}}
        with pytest.raises(ValueError):
            statuses.set("ana", "d1", "finished")
    with LocalStore(tmp_path / "s") as store:
        again = LayerStatuses(store)
        assert again.status("ben", "d1") == "done" and again.known("d1")


async def test_d_marks_your_progress_not_the_others(tmp_path: Path, article_paths) -> None:
    docs, _ = load_documents(article_paths)
    store = LocalStore(tmp_path / "s")
    try:
        ana = Workspace(store, docs, annotator="ana")
        app = NewsmarkApp(ana)
        async with app.run_test(size=(140, 36)) as pilot:
            doc_id = app.active_view.document.id
            await pilot.press("1")  # a tag: ana has started
            await pilot.pause()
            assert ana.status(doc_id) == "in progress"
            await pilot.press("d")
            await pilot.pause()
            assert ana.status(doc_id) == "done"
        ben = Workspace(store, docs, annotator="ben")
        assert ben.status(doc_id) == "untouched"
        assert ben.team_status(doc_id) == {"ana": "done"}
        ben.tag(doc_id, 0, None, "quote")
        assert ben.status(doc_id) == "in progress"
        assert Workspace(store, docs, annotator="ana").team_status(doc_id) == {
            "ben": "in progress"}
        app = NewsmarkApp(ben)
        async with app.run_test(size=(140, 36)) as pilot:
            await pilot.pause()
            [index] = [i for i, e in enumerate(ben.entries)
                       if e.document is not None and e.document.id == doc_id]
            row, _counts = app._document_row(index)
            assert "ana●" in str(row)  # the team's progress beside the name
    finally:
        store.close()
