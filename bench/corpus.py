"""Corpus: a folder of 100,000 small articles.

First paint: `newsmark FOLDER` in a fresh process with a fresh store,
from spawn to first frame (`bench.firstpaint`). Switching: inside one app
(`App.run_test`), choosing another document the way the document list
does (`on_document_chosen`), until the new view's visible lines are
rendered; CPU time.
"""

from __future__ import annotations

import asyncio
import gc
import json
import subprocess
import sys
import time
from pathlib import Path

from bench.common import temp_dir
from bench.open_ import first_paint
from bench.stats import Figure, summary
from bench.textgen import corpus_folder

ROOT = Path(__file__).resolve().parent.parent
FIRST_PAINT_S = 2.0
SWITCH_MS = 50.0


async def _switching(folder: Path, count: int, runs: int) -> tuple[list[float], float]:
    from annotations.documents import load_documents
    from annotations.store import Store
    from annotations.workspace import Workspace
    from tui.app import NewsmarkApp
    from tui.messages import DocumentChosen

    t0 = time.perf_counter()
    paths = sorted(folder.glob("*.txt"))[:count]
    docs, _errors = load_documents(paths)
    with temp_dir() as tmp:
        store = Store(tmp / "store")
        try:
            register_many = getattr(store, "register_many", None)
            if register_many is not None:
                register_many(docs)  # set-up: Workspace then finds them registered
            ws = Workspace(store, docs, annotator="bench")
            setup = time.perf_counter() - t0
            app = NewsmarkApp(ws)
            async with app.run_test(size=(160, 50)) as pilot:
                await pilot.pause()
                samples = []
                step = max(1, len(docs) // (runs + 3))
                for i in range(runs + 3):
                    doc = docs[(i * step + 1) % len(docs)]
                    await pilot.pause()
                    t1 = time.process_time()
                    app.on_document_chosen(DocumentChosen(ws.index_of(doc.id)))
                    view = app.active_view
                    for y in range(view.size.height):
                        view.render_line(y)
                    ms = (time.process_time() - t1) * 1000
                    if i >= 3:
                        samples.append(ms)
                    if i == 2:
                        gc.collect()
        finally:
            store.close()
    return samples, setup


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
    switch_count = min(count, 10_000)
    switch_timeout = 120.0 if quick else 300.0
    try:
        # In a child process with a time limit: a set-up that has gone
        # quadratic must show as a MISS, not hang the suite.
        proc = subprocess.run(
            [sys.executable, "-m", "bench.corpus", str(folder), str(switch_count),
             str(10 if quick else 25)],
            cwd=ROOT, capture_output=True, text=True, timeout=switch_timeout, check=True)
        data = json.loads(proc.stdout.strip().splitlines()[-1])
        figures.append(Figure(group="corpus", name=f"switch document ({switch_count:,} open)",
                              unit="ms", value=summary(data["samples"]), target=SWITCH_MS,
                              note=f"set-up {data['setup']:.0f} s"))
    except subprocess.TimeoutExpired:
        figures.append(Figure(group="corpus", name=f"switch document ({switch_count:,} open)",
                              unit="ms", value=None, target=SWITCH_MS,
                              note=f"set-up + runs did not finish within {switch_timeout:.0f} s"))
    except (subprocess.CalledProcessError, ValueError, KeyError) as err:
        detail = getattr(err, "stderr", "") or str(err)
        figures.append(Figure(group="corpus", name="switch document", unit="ms", value=None,
                              target=SWITCH_MS, note=f"failed: {detail.strip()[-150:]}"))
    return figures


if __name__ == "__main__":
    _samples, _setup = asyncio.run(
        _switching(Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])))
    print(json.dumps({"samples": _samples, "setup": _setup}))
