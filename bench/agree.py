"""Agreement: `newsmark agree` on 1,000 documents x 3 annotators x 100 spans each.

Also: keys in the reader on a 1 MB article holding 5 annotators' layers
of 2,000 spans each (10,000 spans), yours alone shown (blind) and with the
others shown (`o`), timed as `bench/keystroke.py` times keys (CPU of the
action plus drawing the visible rows): they must cost what keys on one
layer cost (<= 5 ms).

The store holds three layers per document: a base of 100 spans that each
annotator keeps exactly (70 %), shifts by a few characters (20 %) or
labels otherwise (10 %), so every measure has work to do. Timed: `newsmark
agree` as a person runs it, a process of its own (Python's start, the
store opened read-only, every layer read by a worker per core, the
figures computed and the tables printed), wall time. Info: the same
command called in this process, its CPU time, and the measures alone on
layers already in memory.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import time
from pathlib import Path

from annotations.agreement import measure
from annotations.layers import document_layers
from annotations.model import Annotation, Document
from annotations.store import LocalStore
from bench.common import LABELS, temp_dir
from bench.stats import Figure, summary
from bench.textgen import article

TARGET_S = 2.0
ANNOTATORS = ("ana", "ben", "cy")


def _cpu() -> float:
    """CPU seconds of this process and of its finished children (the workers)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def build_store(root: Path, docs: int, per_doc: int) -> int:
    """`docs` documents with `per_doc` spans in each annotator's layer; returns spans."""
    rng = random.Random(14)
    documents = [Document(text=article(4000 + (i % 5) * 211, 14_000 + i)) for i in range(docs)]
    anns: list[Annotation] = []
    with LocalStore(root) as store:
        store.register_many(documents)
        for doc in documents:
            n = len(doc.text)
            base = []
            for _ in range(per_doc):
                start = rng.randrange(n - 200)
                base.append((start, start + rng.randint(8, 160), rng.choice(LABELS)))
            for who in ANNOTATORS:
                seen = set()
                for start, end, label in base:
                    roll = rng.random()
                    if roll < 0.2:
                        start = max(0, start + rng.randint(-6, 6))
                        end = min(n, max(start + 1, end + rng.randint(-6, 6)))
                    elif roll < 0.3:
                        label = rng.choice(LABELS)
                    while (start, end, label) in seen:  # a twin would be refused
                        end += 1
                    seen.add((start, end, label))
                    anns.append(Annotation.tag(doc, start, end, label, annotator=who,
                                               source="bench"))
        store.add_many(anns)
    return len(anns)


LAYERED_SPANS = 2_000  # per annotator
LAYERED_ANNOTATORS = ("you", "ana", "ben", "cy", "dee")
KEY_TARGET_MS = 5.0


async def _layered_keys(runs: int) -> dict[str, dict[str, list[float]]]:
    import asyncio

    from annotations.documents import load_document
    from annotations.workspace import Workspace
    from bench.common import spans_for
    from bench.keystroke import APP_SIZE, _series
    from bench.textgen import article_file
    from tui.app import NewsmarkApp

    doc = load_document(article_file(1_000_000))
    out: dict[str, dict[str, list[float]]] = {}
    with temp_dir() as folder:
        store = LocalStore(folder / "store")
        try:
            ws = Workspace(store, [doc], annotator="you")
            for n, who in enumerate(LAYERED_ANNOTATORS):
                store.add_many(Annotation.tag(doc, a.start, a.end, a.label, annotator=who)
                               for a in spans_for(doc, LAYERED_SPANS, seed=70 + n))
            app = NewsmarkApp(ws)
            async with app.run_test(size=APP_SIZE) as pilot:
                await pilot.pause()
                while not ws.is_segmented(doc.id):
                    await asyncio.sleep(0.1)
                view = app.active_view
                view.move_to(len(view.text) // 2)
                await pilot.pause()
                for shown in ("your layer", "5 layers shown"):
                    if shown != "your layer":
                        app.action_toggle_others()
                        await pilot.pause()
                    out[f"cursor right, {shown}"] = await _series(
                        pilot, view, runs, lambda: view.action_move("right"))
                    out[f"page down, {shown}"] = await _series(
                        pilot, view, runs, lambda: view.action_move("page_down"))
        finally:
            store.close()
    return out


def run(quick: bool = False) -> list[Figure]:
    docs, per_doc = (200, 100) if quick else (1_000, 100)
    runs = 3 if quick else 5
    with temp_dir() as folder:
        root = folder / "store"
        t0 = time.perf_counter()
        spans = build_store(root, docs, per_doc)
        setup = time.perf_counter() - t0
        from click.testing import CliRunner

        from tui.cli import main

        command, cpu, alone, process = [], [], [], []
        for _ in range(runs):
            t1 = time.perf_counter()
            c1 = _cpu()
            result = CliRunner().invoke(main, ["agree", "--store", str(root)])
            command.append(time.perf_counter() - t1)
            cpu.append(_cpu() - c1)
            if result.exit_code != 0:
                raise RuntimeError(f"agree failed: {result.output}")
        with LocalStore(root, read_only=True) as store:
            layers = list(document_layers(store))
        for _ in range(runs):
            t1 = time.perf_counter()
            report = measure(layers)
            alone.append(time.perf_counter() - t1)
        for _ in range(runs):
            t1 = time.perf_counter()
            subprocess.run([str(Path(sys.executable).parent / "newsmark"), "agree",
                            "--store", str(root)], check=True, capture_output=True)
            process.append(time.perf_counter() - t1)
    import asyncio

    keys = asyncio.run(_layered_keys(10 if quick else 25))
    size = f"{docs:,} docs x {len(ANNOTATORS)} annotators x {per_doc} spans"
    overall = report.overall
    note = (f"{spans:,} spans; overlap F1 {overall.overlap_f1:.3f}, exact F1 "
            f"{overall.exact_f1:.3f}, alpha {overall.alpha.value:.3f}; set-up {setup:.0f} s")
    return [
        # What a person runs: the command in a process of its own, Python's start included.
        Figure(group="agree", name=f"newsmark agree, {size}", unit="s",
               value=summary(process), target=TARGET_S, note=note),
        Figure(group="agree", name="the same, called in this process (CliRunner)", unit="s",
               value=summary(command)),
        Figure(group="agree", name="the same in this process, CPU time (its workers too)",
               unit="s", value=summary(cpu),
               note="wall time waits for a core when the machine is shared"),
        Figure(group="agree", name="the measures alone (layers in memory)", unit="s",
               value=summary(alone)),
        *(Figure(group="agree (keys, 1 MB, 5 x 2,000 spans)", name=name, unit="ms",
                 value=summary(series["view"]), target=KEY_TARGET_MS,
                 note=f"full frame {summary(series['frame'])['median']:.1f} ms CPU")
          for name, series in keys.items()),
    ]
