"""Keystroke: CPU time of one key in the reader, on articles of growing size.

Each key calls the action directly (a pilot key press adds ~60 ms of idle
waiting that is not work) and then lets the app do everything a key leads
to: `pilot.pause()` drains the messages (status line, side panel) and
paints the screen through the compositor. Only CPU time is counted
(`time.process_time`), so waiting for idle is not. The baseline is
Textual's read-only `TextArea` on the same text, measured the same way.
"""

from __future__ import annotations

import asyncio
import gc
import time

from bench.common import bulk_add, spans_for, temp_dir
from bench.stats import Figure, summary
from bench.textgen import article_file

SIZES = {"10 KB": 10_000, "1 MB": 1_000_000, "10 MB": 10_000_000}
QUICK_SIZES = {"10 KB": 10_000, "1 MB": 1_000_000}
ANNOTATIONS_PER_KB = 1  # 10,000 annotations on the 10 MB article
MAX_ANNOTATIONS = 10_000
APP_SIZE = (160, 50)
TARGET_MS = 5.0
# The whole frame a key leads to (its action, messages, side panel, status
# line, compositor): what a person waits for. The idle loop alone is ~2 ms.
FRAME_TARGET_MS = 10.0


def _render_visible(widget) -> None:  # type: ignore[no-untyped-def]
    for y in range(widget.size.height):
        widget.render_line(y)


async def _timed(pilot, widget, step, prepare, frame: bool) -> float:  # type: ignore[no-untyped-def]
    if prepare is not None:
        prepare()
    await pilot.pause()
    t0 = time.process_time()
    step()
    if frame:
        await pilot.pause()  # messages, then the compositor paints the screen
    else:
        _render_visible(widget)  # the widget's own work for this key
    return (time.process_time() - t0) * 1000


async def _series(pilot, widget, runs, step, prepare=None):  # type: ignore[no-untyped-def]
    out: dict[str, dict[str, list[float]]] = {}
    for frame in (False, True):
        for _ in range(2):
            await _timed(pilot, widget, step, prepare, frame)
        gc.collect()
        out["frame" if frame else "view"] = [
            await _timed(pilot, widget, step, prepare, frame) for _ in range(runs)
        ]
    return out


async def _newsmark_keys(
    size: int, runs: int, count: int | None = None, relations: int = 0
) -> tuple[dict[str, list[float]], int]:
    """Keys on an article of `size` characters with `count` annotations (default:
    one per KB) and `relations` relations between them (`bench.relations_`)."""
    from annotations.documents import load_document
    from annotations.store import LocalStore
    from annotations.workspace import Workspace
    from tui.app import NewsmarkApp
    from tui.startup import pause_collection, resume_collection

    doc = load_document(article_file(size))
    if count is None:
        count = min(MAX_ANNOTATIONS, max(10, size // 1000 * ANNOTATIONS_PER_KB))
    with temp_dir() as folder:
        store = LocalStore(folder / "store")
        try:
            ws = Workspace(store, [doc], annotator="bench")
            anns = spans_for(doc, count)
            if relations:
                from bench.common import with_relations

                anns = with_relations(anns, relations)
            bulk_add(store, anns)
            pause_collection()  # as `newsmark open` does (tui/startup.py)
            app = NewsmarkApp(ws)
            async with app.run_test(size=APP_SIZE) as pilot:
                await pilot.pause()
                # Long articles are segmented in a background thread: wait for
                # it, or its CPU would be counted in the keys (process_time
                # counts every thread) and a tag would only say "still finding
                # sentences".
                while not ws.is_segmented(doc.id):
                    await asyncio.sleep(0.1)
                await pilot.pause()
                view = app.active_view
                # Start in the middle of the article, where annotations are.
                view.move_to(len(view.text) // 2)
                await pilot.pause()
                out: dict[str, dict[str, list[float]]] = {}
                out["idle (no key)"] = await _series(pilot, view, runs, lambda: None)
                out["cursor right"] = await _series(
                    pilot, view, runs, lambda: view.action_move("right"))
                out["extend selection"] = await _series(
                    pilot, view, runs, lambda: view.action_move("right", True))

                def new_selection() -> None:
                    view.action_clear_selection()
                    view.move_to(view.segmentation.next_word_start(view.cursor + 40))
                    view.action_move("word_next", True)

                # A tag saves and rebuilds the side panel: slow while those
                # miss, so fewer runs on big articles keep the suite short.
                tag_runs = runs if size < 1_000_000 else min(runs, 7)
                out["tag"] = await _series(pilot, view, tag_runs,
                                           lambda: app.action_tag("claim"), new_selection)
                out["undo"] = await _series(pilot, view, tag_runs, app.action_undo,
                                            lambda: (new_selection(), app.action_tag("claim")))
                view.move_to(len(view.text) // 4)
                out["page down"] = await _series(pilot, view, runs,
                                                 lambda: view.action_move("page_down"))
                out["page up"] = await _series(pilot, view, runs,
                                               lambda: view.action_move("page_up"))
                # Scrolled to, the cursor sits on the bottom row: each line
                # down scrolls the page by one row (all of it repainted).
                view.move_to(len(view.text) // 3)
                out["line down"] = await _series(pilot, view, runs,
                                                 lambda: view.action_move("down"))
                out["next sentence"] = await _series(
                    pilot, view, runs, lambda: view.action_move("sentence_next"))
                out["next annotation (n)"] = await _series(pilot, view, runs, app.action_next)
                # Tab: the focus moves on (pane, the lists, back to the pane);
                # the widgets that lose and gain it are restyled and repainted.
                out["focus next (Tab)"] = await _series(pilot, view, runs,
                                                        app.screen.focus_next)
                view.focus()
                # Not a key's own work but a layout: the panes are re-arranged
                # and re-wrapped at their new width, and the whole screen painted.
                out["side panel (p)"] = await _series(pilot, view, min(runs, 7),
                                                      app.action_toggle_panel)
        finally:
            store.close()
            resume_collection()  # if the app never drew a frame
            gc.unfreeze()  # this app's objects: the next size starts clean
            gc.collect()
    return out, count


async def _textarea_keys(size: int, runs: int) -> dict[str, dict[str, list[float]]]:
    from textual.app import App, ComposeResult
    from textual.widgets import TextArea

    from annotations.documents import load_document

    text = load_document(article_file(size)).text

    class Baseline(App[None]):
        def compose(self) -> ComposeResult:
            yield TextArea(text, read_only=True, soft_wrap=True, id="ta")

    app = Baseline()
    async with app.run_test(size=APP_SIZE) as pilot:
        await pilot.pause()
        ta = app.query_one(TextArea)
        ta.focus()
        middle = ta.document.get_location_from_index(len(text) // 2)
        ta.move_cursor(middle)
        await pilot.pause()
        out: dict[str, dict[str, list[float]]] = {}
        out["idle (no key)"] = await _series(pilot, ta, runs, lambda: None)
        out["cursor right"] = await _series(pilot, ta, runs, ta.action_cursor_right)
        out["extend selection"] = await _series(pilot, ta, runs,
                                                lambda: ta.action_cursor_right(select=True))
        out["page down"] = await _series(pilot, ta, runs, ta.action_cursor_page_down)
        out["page up"] = await _series(pilot, ta, runs, ta.action_cursor_page_up)
        out["line down"] = await _series(pilot, ta, runs, ta.action_cursor_down)
    return out


def run(quick: bool = False) -> list[Figure]:
    sizes = QUICK_SIZES if quick else SIZES
    runs = 11 if quick else 25
    figures: list[Figure] = []
    for label, size in sizes.items():
        size_runs = runs if size < 5_000_000 else max(7, runs // 3)
        ours, count = asyncio.run(_newsmark_keys(size, size_runs))
        base = asyncio.run(_textarea_keys(size, size_runs if size < 5_000_000 else 5))
        for mode, title in (("view", "view"), ("frame", "full frame")):
            for key, series in ours.items():
                idle = key.startswith("idle")
                if idle and mode == "view":
                    continue
                has_base = key in base
                figures.append(Figure(
                    group=f"keystroke ({title})",
                    name=f"{key}, {label}" + ("" if idle else f", {count:,} ann."),
                    unit="ms",
                    value=summary(series[mode]),
                    target=None if idle else (TARGET_MS if mode == "view" else FRAME_TARGET_MS),
                    baseline=summary(base[key][mode]) if has_base else None,
                    baseline_name="TextArea read-only" if has_base else "",
                    note="CPU of the event loop with no key" if idle else "",
                ))
    return figures
