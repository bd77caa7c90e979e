"""Workers own nothing shared (issue 18, design): alignment and segmentation run
in threads while the main thread loads documents, and a failing worker is
shown, never fatal."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

import pytest

import annotations.alignment as alignment_module
from annotations.errors import WorkStopped
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


def test_jobs_run_in_a_thread_while_the_main_thread_loads_and_saves(tmp_path) -> None:
    """A job made on the main thread reads only itself: its worker runs on
    while documents are loaded and the store written; only keeping its
    result touches the workspace."""
    paths = _folder(tmp_path, 40)
    with LocalStore(tmp_path / "store") as store:
        ws = Workspace(store, paths, preload=2, eager_up_to=0)
        first, second = list(ws.documents)
        ws.segmentation(first)  # Punkt trained here: the jobs below only segment
        align_job = ws.alignment_job(first, second)
        segment_job = ws.segmentation_job(second)
        assert segment_job.segmenter is not None
        results: list[object] = [None]
        errors: list[BaseException] = []
        stop = threading.Event()

        def run_repeatedly() -> None:
            try:
                while not stop.is_set():
                    results[-1] = (align_job.run(), segment_job.run())
                    time.sleep(0.001)  # a spinning loop kept the GIL: each load waited its turn
            except BaseException as error:  # noqa: BLE001 - reported below
                errors.append(error)

        worker = threading.Thread(target=run_repeatedly)
        worker.start()
        try:
            for index in range(len(paths)):
                ws.load(index)
        finally:
            stop.set()
            worker.join()
        assert errors == []
        assert len(ws.documents) == len(paths)
        assert results[-1] is not None  # the worker ran meanwhile
        alignment, done = results[-1]
        assert ws.keep_alignment(first, second, alignment) is ws.alignment(first, second)
        assert ws.keep_segmentation(done) is ws.segmentation(second)


def test_a_segmentation_found_in_a_worker_is_kept_by_the_main_thread(tmp_path) -> None:
    paths = _folder(tmp_path, 2)
    with LocalStore(tmp_path / "store") as store:
        ws = Workspace(store, paths, preload=2, eager_up_to=0)
        doc_id = list(ws.documents)[0]
        job = ws.segmentation_job(doc_id)
        assert job.kept is None and job.segmenter is None and job.texts  # Punkt: not yet
        done = job.run()
        assert done.computed and done.segmenter is not None
        assert not ws.is_segmented(doc_id)  # the job touched nothing
        assert store.load_segmentation(doc_id, ws.documents[doc_id].text) is None
        seg = ws.keep_segmentation(done)
        assert ws.is_segmented(doc_id)
        assert store.load_segmentation(doc_id, ws.documents[doc_id].text) == seg  # saved
        # The next job reads it back (decoded in the worker), and trains nothing.
        ws._segmentations.clear()
        again = ws.segmentation_job(doc_id)
        assert again.kept is not None and again.segmenter is done.segmenter
        reread = again.run()
        assert not reread.computed and reread.segmentation == seg


async def test_a_failing_alignment_is_shown_and_the_reader_goes_on(
    make_workspace, monkeypatch
) -> None:
    ws = make_workspace()

    def broken(a, b, **kwargs):
        raise ValueError("no [bold]alignment[/] today")

    monkeypatch.setattr(alignment_module, "align", broken)  # what the worker's job runs
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


class EndlessWork:
    """Background work that runs until it is told to stop (never past 10 s),
    noting when it started and when it ended."""

    def __init__(self) -> None:
        self.started, self.ended = threading.Event(), threading.Event()

    def until(self, stopped: Callable[[], bool], stopping: type[Exception]) -> NoReturn:
        self.started.set()
        try:
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                if stopped():
                    raise stopping
                time.sleep(0.01)
            raise AssertionError("the work went on after the reader closed")
        finally:
            self.ended.set()

    async def close_while_running(self, app: NewsmarkApp) -> None:
        """Run the reader until the work starts, close it: the work must end
        within 5 s, not the 10 s it would run uncancelled."""
        async with app.run_test(size=(120, 30)) as pilot:
            deadline = time.monotonic() + 10
            while not self.started.is_set() and time.monotonic() < deadline:
                await pilot.pause(0.05)  # the worker's thread starts from the event loop
            assert self.started.is_set() and not self.ended.is_set()
        assert self.ended.wait(5)


async def test_closing_the_reader_stops_a_segmentation_in_progress(tmp_path, monkeypatch) -> None:
    # Quitting waited for the segmentation thread to end on its own: ~2.4 s
    # after opening a 10 MB article (the QA pass found it). The thread now
    # stops at its next progress report once Textual cancels the workers.
    from annotations.segmentation import Segmenter
    from annotations.workspace import BACKGROUND_SEGMENTATION_CHARS

    work = EndlessWork()
    # The reader's progress callback raises once the reader is closing.
    monkeypatch.setattr(Segmenter, "segment", lambda self, text, progress=None: work.until(
        lambda: bool(progress(0.5)), AssertionError))
    paragraph = "The weir cost the council £3.5 million. Critics said so.\n\n"
    path = tmp_path / "long.txt"
    path.write_text(paragraph * (BACKGROUND_SEGMENTATION_CHARS // len(paragraph) + 50),
                    encoding="utf-8")
    store = LocalStore(tmp_path / "store")
    app = NewsmarkApp(Workspace(store, [path], annotator="tester"))
    try:
        await work.close_while_running(app)
        assert not app.workspace.is_segmented(app.workspace.order[0].id)  # nothing half-kept
    finally:
        store.close()


async def test_closing_the_reader_stops_an_alignment_in_progress(tmp_path, monkeypatch) -> None:
    # Two very long articles align for seconds (over 30 s for two of 12,000
    # sentences each), and quitting waited for the thread to finish.
    import annotations.sentence_evidence as evidence_module

    work = EndlessWork()
    monkeypatch.setattr(evidence_module, "_cosines", lambda a, b, space, bound, stop: work.until(
        stop, WorkStopped))
    store = LocalStore(tmp_path / "store")
    app = NewsmarkApp(Workspace(store, _folder(tmp_path, 2), annotator="tester"))
    try:
        await work.close_while_running(app)
    finally:
        store.close()


def test_an_alignment_asked_to_stop_stops() -> None:
    from annotations.alignment import align
    from annotations.segmentation import Segmenter

    segmenter = Segmenter.default()
    text = "The council voted on Tuesday. The weir will go. Residents spoke.\n"
    a, b = segmenter.segment(text), segmenter.segment(text)
    assert len(align(a, b, stop=lambda: False).pairs) == 3
    with pytest.raises(WorkStopped):
        align(a, b, stop=lambda: True)
