"""Corpus: a folder of 100,000 small articles.

First paint: `newsmark FOLDER` in a fresh process with a fresh store,
from spawn to first frame (`bench.firstpaint`). In the reader, opened on
the folder as that command opens it (`App.run_test`): choosing another
document the way the document list does (`on_document_chosen`), until the
new view's visible lines are rendered, wall time, for documents never
read and read before; and the document list's keys (page down, down,
last and first), CPU time with every visible row drawn.
"""

from __future__ import annotations

import asyncio
import gc
import json
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from bench.common import temp_dir
from bench.open_ import first_paint
from bench.stats import Figure, summary
from bench.textgen import corpus_folder

ROOT = Path(__file__).resolve().parent.parent
FIRST_PAINT_S = 2.0
SWITCH_MS = 50.0
KEY_MS = 5.0  # as a keystroke in an article (the keystroke group)


async def _in_the_reader(folder: Path, runs: int) -> dict[str, object]:
    """Switching and list scrolling, in a reader opened on the folder as `newsmark FOLDER` is.

    The workspace is made as the command makes it (every file listed, none
    read), so choosing a document reads, cleans, registers and segments it
    then: what a person who picks an article far down the list waits for.
    """
    from annotations.documents import find_articles
    from annotations.store import LocalStore
    from annotations.workspace import Workspace
    from tui.app import NewsmarkApp
    from tui.document_list import DocumentList
    from tui.messages import DocumentChosen
    from tui.startup import pause_collection

    t0 = time.perf_counter()
    paths, _errors = find_articles([folder])
    with temp_dir() as tmp:
        store = LocalStore(tmp / "store")
        try:
            ws = Workspace(store, paths, annotator="bench")
            setup = time.perf_counter() - t0
            pause_collection()  # as `newsmark open` does (tui/startup.py)
            app = NewsmarkApp(ws)
            async with app.run_test(size=(160, 50)) as pilot:
                await pilot.pause()
                count = len(ws.entries)
                step = max(1, count // (runs + 3))

                async def switch(index: int) -> tuple[float, float]:
                    await pilot.pause()
                    t1, c1 = time.perf_counter(), time.process_time()
                    app.on_document_chosen(DocumentChosen(index))
                    view = app.active_view
                    for y in range(view.size.height):
                        view.render_line(y)
                    return ((time.perf_counter() - t1) * 1000,
                            (time.process_time() - c1) * 1000)

                fresh, cpu, again = [], [], []
                for i in range(runs + 3):
                    wall, used = await switch((i * step + 7) % count)  # never opened yet
                    if i >= 3:
                        fresh.append(wall)
                        cpu.append(used)
                    if i == 2:
                        gc.collect()
                for i in range(runs):
                    wall, _used = await switch((i * step + 7) % count)  # opened above
                    again.append(wall)

                listing = app.query_one(DocumentList)
                listing.focus()
                await pilot.pause()

                async def key(action: Callable[[], None]) -> float:
                    await pilot.pause()
                    c1 = time.process_time()
                    action()
                    for y in range(listing.size.height):
                        listing.render_line(y)
                    return (time.process_time() - c1) * 1000

                pages = [await key(lambda: listing.action_page(1)) for _ in range(runs)]
                downs = [await key(lambda: listing.action_move(1)) for _ in range(runs)]
                ends = []
                for _ in range(max(2, runs // 5)):
                    ends.append(await key(lambda: listing.action_jump(-1)))
                    ends.append(await key(lambda: listing.action_jump(0)))
        finally:
            store.close()
    return {"count": count, "setup": setup, "fresh": fresh, "fresh_cpu": cpu,
            "again": again, "page": pages, "down": downs, "ends": ends}


def run(quick: bool = False) -> list[Figure]:
    count = 10_000 if quick else 100_000
    t0 = time.perf_counter()
    folder = corpus_folder(count)
    generated = time.perf_counter() - t0
    timeout = 60.0 if quick else 120.0
    paints = []
    for _ in range(1 if quick else 3):
        r = first_paint(["newsmark", "--store", "store", str(folder)], timeout=timeout)
        if r is None:
            break
        paints.append(r["paint"])
    figures = [Figure(
        group="corpus", name=f"first paint, folder of {count:,}", unit="s",
        value=summary(paints) if paints else None, target=FIRST_PAINT_S,
        note="; ".join(n for n in (
            "" if paints else f"no paint within {timeout:.0f} s",
            f"corpus generated in {generated:.0f} s" if generated > 1 else "") if n),
    )]
    reader_timeout = 120.0 if quick else 300.0
    name = f"switch to an unread document ({count:,} listed)"
    try:
        # In a child process with a time limit: a set-up that has gone
        # quadratic must show as a MISS, not hang the suite.
        proc = subprocess.run(
            [sys.executable, "-m", "bench.corpus", str(folder), str(10 if quick else 25)],
            cwd=ROOT, capture_output=True, text=True, timeout=reader_timeout, check=True)
        data = json.loads(proc.stdout.strip().splitlines()[-1])
    except subprocess.TimeoutExpired:
        return [*figures, Figure(group="corpus", name=name, unit="ms", value=None,
                                 target=SWITCH_MS,
                                 note=f"did not finish within {reader_timeout:.0f} s")]
    except (subprocess.CalledProcessError, ValueError, KeyError) as err:
        detail = getattr(err, "stderr", "") or str(err)
        return [*figures, Figure(group="corpus", name=name, unit="ms", value=None,
                                 target=SWITCH_MS, note=f"failed: {detail.strip()[-150:]}")]
    listed = f"{data['count']:,} listed"
    figures += [
        Figure(group="corpus", name=f"switch to an unread document ({listed})", unit="ms",
               value=summary(data["fresh"]), target=SWITCH_MS,
               note=f"wall: read, clean, register (fsynced) and segment it, then draw; "
                    f"set-up {data['setup']:.1f} s"),
        Figure(group="corpus", name="switch to an unread document, CPU", unit="ms",
               value=summary(data["fresh_cpu"]), note="info: CPU, not wall"),
        Figure(group="corpus", name=f"switch to a document read before ({listed})", unit="ms",
               value=summary(data["again"]), target=SWITCH_MS, note="wall"),
        Figure(group="corpus", name=f"document list: page down ({listed})", unit="ms",
               value=summary(data["page"]), target=KEY_MS,
               note="CPU of the key and of drawing every visible row"),
        Figure(group="corpus", name=f"document list: down ({listed})", unit="ms",
               value=summary(data["down"]), target=KEY_MS),
        Figure(group="corpus", name=f"document list: last / first ({listed})", unit="ms",
               value=summary(data["ends"]), target=KEY_MS),
    ]
    return figures


if __name__ == "__main__":
    print(json.dumps(asyncio.run(_in_the_reader(Path(sys.argv[1]), int(sys.argv[2])))))
