"""Open and memory: process start to first painted frame, in a fresh process.

`bench.firstpaint` runs the app headless and reports the moment its first
frame is composed and serialised. The floor, in the same run, is a bare
Textual app showing one short paragraph in a `Static`, started in turns
with the two-article open (one floor, one open, ...); for scale, the same
bare app given the whole 1 MB text in a `Static` is also shown.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from bench.common import temp_dir
from bench.stats import Figure, summary
from bench.textgen import article_file

ROOT = Path(__file__).resolve().parent.parent
OPEN_RATIO = 1.5  # issue 18: was 2x
BIG_OPEN_S = 1.5
MEMORY_MB = 200.0


_compiled = False


def byte_compile() -> None:
    """Write newsmark's .pyc files, once per bench run, as pip does on install.

    Textual (the floor) is byte-compiled in site-packages; newsmark, installed
    editable, is compiled on its first start, unless PYTHONDONTWRITEBYTECODE
    is set (it is on some machines, this one included): then every start
    compiles ~40 modules from source (~50 ms here), which a user's second
    start does not. Python still reads .pyc files with that variable set.
    """
    global _compiled
    if not _compiled:
        import compileall

        for package in ("annotations", "tui", "bench"):
            compileall.compile_dir(ROOT / package, quiet=1)
        _compiled = True


def first_paint(args: list[str], *, timeout: float, wait_workers: bool = False,
                cwd: Path | None = None) -> dict[str, float] | None:
    """Seconds from spawn to first paint (and RSS); None on timeout or failure."""
    byte_compile()
    with temp_dir("newsmark-fp-") as folder:
        out = folder / "events.jsonl"
        cmd = [sys.executable, "-m", "bench.firstpaint", str(out)]
        if wait_workers:
            cmd.append("--wait-workers")
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        t0 = time.time()
        try:
            subprocess.run(cmd + args, cwd=cwd or folder, env=env, timeout=timeout,
                           stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE, check=False)
        except subprocess.TimeoutExpired:
            return None
        end = time.time()
        if not out.exists():
            return None
        events = [json.loads(line) for line in out.read_text().splitlines()]
    paint = next((e for e in events if e["event"] == "paint"), None)
    if paint is None:
        return None
    done = next((e for e in events if e["event"] == "workers-done"), paint)
    return {"paint": paint["t"] - t0, "rss": done["maxrss_mb"], "ready": done["t"] - t0,
            "exit": end - t0, "cpu": paint.get("cpu", float("nan"))}


def _series(args_fn, runs: int, timeout: float, **kw) -> list[dict[str, float]]:  # type: ignore[no-untyped-def]
    out = []
    for _ in range(runs):
        r = first_paint(args_fn(), timeout=timeout, **kw)
        if r is None:
            break  # a timeout will time out again: do not wait twice
        out.append(r)
    return out


def _alternating(first, second, runs: int, timeout: float) -> tuple[list, list]:  # type: ignore[no-untyped-def]
    """`runs` of each, taken in turns: a machine that slows down or speeds up
    during the series moves both alike, so their ratio holds."""
    a: list[dict[str, float]] = []
    b: list[dict[str, float]] = []
    for _ in range(runs):
        ra, rb = first_paint(first(), timeout=timeout), first_paint(second(), timeout=timeout)
        if ra is None or rb is None:
            break  # a timeout will time out again: do not wait twice
        a.append(ra)
        b.append(rb)
    return a, b


def _fig(name: str, results: list[dict[str, float]], key: str = "paint", **kw) -> Figure:
    value = summary([r[key] for r in results]) if results else None
    return Figure(name=name, value=value, **kw)


def run(quick: bool = False) -> list[Figure]:
    runs = 5 if quick else 11  # a start is short: many are cheap
    timeout = 120.0 if quick else 300.0
    a, b = article_file(1_000_000, 0), article_file(1_000_000, 1)
    big = article_file(10_000_000, 0)
    floor_text = _series(lambda: ["floor-text", str(a)], max(2, runs // 2), 120)

    def newsmark(*paths: Path):  # type: ignore[no-untyped-def]
        # A fresh store each time (first open), created in the run's folder.
        return lambda: ["newsmark", "--store", "store", *map(str, paths)]

    floor, two = _alternating(lambda: ["floor"], newsmark(a, b), runs, timeout)
    big_runs = _series(newsmark(big), 1 if quick else 2, timeout * 2, wait_workers=True)
    floor_s = summary([r["paint"] for r in floor]) if floor else None
    figures = [
        _fig("floor: bare Textual app, short Static", floor, group="open", unit="s"),
        _fig("bare Textual app, 1 MB in a Static", floor_text, group="open", unit="s",
             note="for scale"),
        _fig("two 1 MB articles", two, group="open", unit="s", baseline=floor_s,
             baseline_name="floor", target_ratio=OPEN_RATIO,
             note="" if two else f"no paint within {timeout:.0f} s"),
        _fig("one 10 MB article", big_runs, group="open", unit="s", target=BIG_OPEN_S,
             baseline=floor_s, baseline_name="floor",
             note="" if big_runs else f"no paint within {2 * timeout:.0f} s"),
    ]
    if floor and two:
        # The same runs' CPU seconds: the ratio a busy machine blurs least.
        figures.append(_fig("two 1 MB articles, CPU to first paint", two, key="cpu",
                            group="open", unit="s",
                            baseline=summary([r["cpu"] for r in floor]),
                            baseline_name="floor CPU", note="info: CPU, not wall"))
    if big_runs:
        figures.append(_fig("10 MB article: background work done", big_runs, key="ready",
                            group="open", unit="s", note="info: segmentation workers"))
    figures.append(_fig("RSS, one 10 MB article open", big_runs, key="rss", group="memory",
                        unit="MB", target=MEMORY_MB,
                        baseline=summary([r["rss"] for r in floor]) if floor else None,
                        baseline_name="floor"))
    return figures
