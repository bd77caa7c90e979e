"""Export: 100,000 spans to native JSONL, and whether memory grows with the corpus.

Throughput: `document_records` + `write_jsonl` into a file, spans per
second of wall time. Memory: the same export run in a fresh process on a
10,000-span and a 100,000-span store; the growth of its peak resident
memory during the export should not grow with the store (streaming).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from bench.common import temp_dir
from bench.save import build_store
from bench.stats import Figure, summary

TARGET_SPANS_PER_S = 50_000

_CHILD = r"""
import json, sys
from annotations.store import Store
from annotations.export import document_records, write_jsonl
from bench.firstpaint import peak_rss_mb
store = Store(sys.argv[1], read_only=True)
before = peak_rss_mb()
with open(sys.argv[2], "w", encoding="utf-8") as out:
    n = write_jsonl(document_records(store), out)
after = peak_rss_mb()
print(json.dumps({"docs": n, "before": before, "after": after}))
"""


def _export_once(root: Path, out: Path) -> tuple[float, int]:
    from annotations.export import document_records, write_jsonl
    from annotations.store import Store

    store = Store(root, read_only=True)
    try:
        t0 = time.perf_counter()
        with open(out, "w", encoding="utf-8") as handle:
            write_jsonl(document_records(store), handle)
        elapsed = time.perf_counter() - t0
    finally:
        store.close()
    spans = 0
    with open(out, encoding="utf-8") as handle:
        for line in handle:
            spans += len(json.loads(line)["spans"])
    return elapsed, spans


def _growth(root: Path, out: Path) -> float:
    root_dir = Path(__file__).resolve().parent.parent
    proc = subprocess.run([sys.executable, "-c", _CHILD, str(root), str(out)],
                          capture_output=True, text=True, timeout=600, check=True,
                          cwd=root_dir)
    data = json.loads(proc.stdout.strip().splitlines()[-1])
    return data["after"] - data["before"]


def run(quick: bool = False) -> list[Figure]:
    runs = 3 if quick else 5
    with temp_dir() as folder:
        small, _ = build_store(folder / "small", 100, 100)
        small.close()
        big, _ = build_store(folder / "big", 1_000, 100)
        big.close()
        out = folder / "out.jsonl"
        rates, spans = [], 0
        for _ in range(runs):
            elapsed, spans = _export_once(folder / "big", out)
            rates.append(spans / elapsed)
        growth_small = _growth(folder / "small", out)
        growth_big = _growth(folder / "big", out)
    return [
        Figure(group="export", name=f"{spans:,} spans to JSONL", unit="spans/s",
               value=summary(rates), target=TARGET_SPANS_PER_S, higher_is_better=True),
        Figure(group="export", name="peak RSS growth, 100,000 spans", unit="MB",
               value=summary([growth_big]), baseline=summary([growth_small]),
               baseline_name="same, 10,000 spans",
               target=1.5 * growth_small + 5.0,
               note="streaming: 10x the spans must not grow memory (<= 1.5x the 10,000 run "
                    "+ 5 MB); the growth itself is mostly first-use imports (NLTK)"),
    ]
