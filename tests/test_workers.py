"""Workers own nothing shared (issue 18, design): alignment and segmentation run
in threads while the main thread loads documents, and a failing worker is
shown, never fatal."""

from __future__ import annotations

import threading
from pathlib import Path

import annotations.alignment as alignment_module
from annotations.store import LocalStore
from annotations.workspace import Workspace
from tui.app import NewsmarkApp

ARTICLE = "Story {n}. The council met on day {n}. Residents spoke for an hour.\n"


def _folder(tmp_path: Path, count: int) -> list[Path]:
    paths = []
    for n in range(count):
        path = tmp_path / f"article-{n:02d}.txt"
        path.write_text(ARTICLE.format(n=n), encoding="utf-8")
        paths.append(path)
    return paths


def test_alignment_reads_a_snapshot_while_documents_are_loaded(tmp_path, monkeypatch) -> None:
    # Deterministic: the main thread's load lands while align is still
    # reading its corpus, as it can in the reader (`]` onto an unread file).
    paths = _folder(tmp_path, 6)
    with LocalStore(tmp_path / "store") as store:
        ws = Workspace(store, paths, preload=2, eager_up_to=0)
        real_align = alignment_module.align

        def align_loading_meanwhile(a, b, *, corpus=(), **kwargs):
            texts = []
            for text in corpus:
                texts.append(text)
                ws.load(len(ws.documents))  # another document read mid-iteration
            return real_align(a, b, corpus=texts, **kwargs)

        monkeypatch.setattr(alignment_module, "align", align_loading_meanwhile)
        first, second = list(ws.documents)
        result = ws.alignment(first, second)
        assert result is not None
        assert len(ws.documents) > 2  # the loads did happen


def test_alignment_and_loads_in_two_threads(tmp_path) -> None:
    paths = _folder(tmp_path, 40)
    with LocalStore(tmp_path / "store") as store:
        ws = Workspace(store, paths, preload=2, eager_up_to=0)
        first, second = list(ws.documents)
        errors: list[BaseException] = []
        stop = threading.Event()

        def align_repeatedly() -> None:
            try:
                while not stop.is_set():
                    ws._alignments.clear()
                    ws.alignment(first, second)
            except BaseException as error:  # noqa: BLE001 - reported below
                errors.append(error)

        worker = threading.Thread(target=align_repeatedly)
        worker.start()
        try:
            for index in range(len(paths)):
                ws.load(index)
        finally:
            stop.set()
            worker.join()
        assert errors == []
        assert len(ws.documents) == len(paths)


async def test_a_failing_alignment_is_shown_and_the_reader_goes_on(
    make_workspace, monkeypatch
) -> None:
    ws = make_workspace()

    def broken(a_id: str, b_id: str):
        raise ValueError("no [bold]alignment[/] today")

    monkeypatch.setattr(ws, "alignment", broken)
    app = NewsmarkApp(ws)
    async with app.run_test(size=(140, 36)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.is_running
        messages = [n.message for n in app._notifications]
        assert any("Comparing the two panes failed (ValueError)" in m for m in messages), messages
        await pilot.press("1")  # still tags
        assert ws.store.annotations(app.active_view.document.id)
    log = Path(ws.store.root) / "newsmark-crash.log"
    assert "no [bold]alignment[/] today" in log.read_text(encoding="utf-8")
