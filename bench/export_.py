"""Export: 100,000 spans to native JSONL, and whether memory grows with the corpus.

Throughput: `export()` to a file, as `newsmark export --out` runs it (read-only
store, temporary file renamed into place, a worker process per core), spans
per second of wall time; in turns with the same export in one process
(`--jobs 1`), shown beside it.
Memory: the same export run in a fresh process on a 10,000-span and a
100,000-span store; the growth of its peak resident memory during the
export should not grow with the store (streaming).

The stores are made as a session makes them: a `Workspace` segments each
document (Punkt trained on the session's articles; the store keeps that
segmentation, as the reader's does) and the spans are snapped to its
tokens as a tag is. Only the writing is bulk (`LocalStore.add_many`), because
100,000 durable one-by-one saves would take minutes and do not change
what an export reads.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from annotations.export_workers import jobs_for
from annotations.store import LocalStore
from bench.common import spans_for, temp_dir
from bench.stats import Figure, summary
from bench.textgen import article

TARGET_SPANS_PER_S = 50_000

_CHILD = r"""
import json, resource, sys
from pathlib import Path
from annotations.export_workers import jobs_for
from annotations.store import LocalStore
from annotations.export import ExportOptions, export
from bench.firstpaint import peak_rss_mb
store = LocalStore(sys.argv[1], read_only=True)
out = Path(sys.argv[2])
out.unlink(missing_ok=True)
before = peak_rss_mb()
counts = export(store, ExportOptions(), out_path=out)
after = peak_rss_mb()
# The largest worker process's peak (its pages shared with this one included).
workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(json.dumps({"docs": counts.records, "before": before, "after": after,
                  "workers": workers}))
"""


def build_session_store(root: Path, docs: int, per_doc: int) -> LocalStore:
    """`docs` articles segmented and tagged `per_doc` times through a `Workspace`."""
    from annotations.model import Annotation, Document
    from annotations.workspace import Workspace

    store = LocalStore(root)
    documents = [Document(text=article(1500 + (i % 7) * 97, 10_000 + i)) for i in range(docs)]
    workspace = Workspace(store, documents, annotator="bench")
    anns: list[Annotation] = []
    for i, doc in enumerate(documents):
        workspace.segmentation(doc.id)  # what opening it in the reader does
        seen: set[tuple[int, int, str]] = set()
        # Twice as many candidates: snapping makes a few of them the same span.
        for ann in spans_for(doc, 2 * per_doc, seed=i):
            span = workspace.target(doc.id, ann.start, (ann.start, ann.end))  # snapped
            if span is not None and (*span, ann.label) not in seen:
                seen.add((*span, ann.label))
                anns.append(Annotation.tag(doc, *span, ann.label, annotator="bench"))
                if len(seen) == per_doc:
                    break
    store.add_many(anns)
    return store


def _export_once(root: Path, out: Path, jobs: int = 0) -> tuple[float, float, int]:
    """(wall seconds, CPU seconds of this process, spans written) of one export."""
    from annotations.export import ExportOptions, export

    store = LocalStore(root, read_only=True)
    out.unlink(missing_ok=True)
    try:
        t0, c0 = time.perf_counter(), time.process_time()
        export(store, ExportOptions(jobs=jobs), out_path=out)
        elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
    finally:
        store.close()
    spans = 0
    with open(out, encoding="utf-8") as handle:
        for line in handle:
            spans += len(json.loads(line)["spans"])
    return elapsed, cpu, spans


def _growth(root: Path, out: Path) -> tuple[float, float]:
    """(peak RSS growth of the exporting process, peak RSS of its largest worker), MB."""
    root_dir = Path(__file__).resolve().parent.parent
    proc = subprocess.run([sys.executable, "-c", _CHILD, str(root), str(out)],
                          capture_output=True, text=True, timeout=600, check=True,
                          cwd=root_dir)
    data = json.loads(proc.stdout.strip().splitlines()[-1])
    return data["after"] - data["before"], data["workers"]


def run(quick: bool = False) -> list[Figure]:
    runs = 3 if quick else 5
    with temp_dir() as folder:
        build_session_store(folder / "small", 100, 100).close()
        build_session_store(folder / "big", 1_000, 100).close()
        out = folder / "out.jsonl"
        rates, alone, cpu_rates, spans = [], [], [], 0
        for _ in range(runs):  # in turns: a machine that slows down slows both
            elapsed, _cpu, spans = _export_once(folder / "big", out)
            rates.append(spans / elapsed)
            elapsed, cpu, spans = _export_once(folder / "big", out, jobs=1)
            alone.append(spans / elapsed)
            cpu_rates.append(spans / cpu)
        growth_small, workers_small = _growth(folder / "small", out)
        growth_big, workers_big = _growth(folder / "big", out)
    return [
        Figure(group="export", name=f"{spans:,} spans to JSONL", unit="spans/s",
               value=summary(rates), target=TARGET_SPANS_PER_S, higher_is_better=True),
        Figure(group="export", name=f"{spans:,} spans, one process (--jobs 1)",
               unit="spans/s", value=summary(alone), higher_is_better=True,
               note="info: no worker processes"),
        Figure(group="export", name=f"{spans:,} spans, one process, per CPU second",
               unit="spans/s", value=summary(cpu_rates), higher_is_better=True,
               note="info: the same runs by process_time, which other processes on a "
                    "busy machine do not inflate"),
        Figure(group="export", name="peak RSS growth, 100,000 spans", unit="MB",
               value=summary([growth_big]), baseline=summary([growth_small]),
               baseline_name="same, 10,000 spans",
               target=1.5 * growth_small + 5.0,
               note="streaming: 10x the spans must not grow memory (<= 1.5x the 10,000 run "
                    "+ 5 MB); no NLTK is imported: the store holds each segmentation"),
        Figure(group="export", name="peak RSS of a worker process, 100,000 spans", unit="MB",
               value=summary([workers_big]), baseline=summary([workers_small]),
               baseline_name="same, 10,000 spans", target=1.5 * workers_small + 5.0,
               note=f"{jobs_for(0, many=True)} worker processes format the documents "
                    "(annotations/export_workers.py); the same streaming rule"),
    ]
