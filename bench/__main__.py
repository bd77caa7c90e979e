"""`python -m bench [--quick] [GROUP ...]`: measure, print a table, write results.json.

Groups: keystroke, open (with memory), corpus, save, export, import, relations, agree, pg
(the PostgreSQL store, on a server pgserver starts), model (the span model on
PolNeAR, when NEWSMARK_POLNEAR or ../shared has it), and quality
(suggestions, when `bench/suggest_quality.py` exists, and sentence
alignment, `bench/align_quality.py`). With no group, all of them.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import json
import os
import platform
import subprocess
import sys
import time
import traceback
from dataclasses import fields
from datetime import UTC, datetime
from pathlib import Path

from bench.stats import Figure, fmt, spread

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results.json"

GROUPS = {
    "keystroke": "bench.keystroke",
    "open": "bench.open_",
    "corpus": "bench.corpus",
    "save": "bench.save",
    "export": "bench.export_",
    "import": "bench.import_",
    "relations": "bench.relations_",
    "agree": "bench.agree",
    "pg": "bench.pg",
    "model": "bench.model_",
}
ALIASES = {"memory": "open"}


def machine() -> dict[str, object]:
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        mem_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    except (ValueError, OSError):
        mem_gb = 0.0
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=HERE.parent,
                                capture_output=True, text=True, check=False).stdout.strip()
    except OSError:
        commit = ""
    from importlib.metadata import version

    return {
        "cpu": cpu, "cores": os.cpu_count(), "memory_gb": round(mem_gb, 1),
        "os": platform.platform(), "python": platform.python_version(),
        "textual": version("textual"), "tinydb": version("tinydb"), "commit": commit,
    }


def _one(value: float) -> dict[str, float]:
    return {"median": float(value), "q1": value, "q3": value, "min": value, "max": value, "n": 1}


def quality() -> list[Figure] | None:
    """Per-label precision/recall from bench/suggest_quality.py, when it exists.

    Its `run()` returns {"documents": n, "match": "...", "per_label":
    {label: {"precision": p, "recall": r}}}; other numbers are shown as they are.
    """
    # Sentence alignment's precision and recall on hand-aligned real pairs
    # (skipped rows, not a failure, without the corpus), and its speed.
    from bench.align_quality import run as alignment_quality

    aligned = alignment_quality()
    if importlib.util.find_spec("bench.suggest_quality") is None:
        return aligned
    data = importlib.import_module("bench.suggest_quality").run() or {}
    note = f"{data.get('documents', '?')} gold documents; match: {data.get('match', '?')}"
    figures = []
    for label, scores in (data.get("per_label") or {}).items():
        for metric, value in (scores or {}).items():
            if isinstance(value, int | float):
                figures.append(Figure(group="suggest quality", name=f"{label} {metric}",
                                      unit="", value=_one(value)))
    for key, value in data.items():
        if key not in ("per_label", "documents") and isinstance(value, int | float):
            figures.append(Figure(group="suggest quality", name=key, unit="", value=_one(value)))
    if figures:
        figures[0].note = note
    else:
        figures.append(Figure(group="suggest quality", name="(no scores)", unit="", value=None,
                              note=note))
    return figures + aligned


def _cells(f: Figure) -> tuple[str, str, str, str, str]:
    """(median, spread, target, baseline, verdict) of one figure, as the table shows them."""
    unit = f" {f.unit}" if f.unit else ""
    median = "-" if f.value is None else fmt(f.value["median"], f.unit) + unit
    target = f.effective_target
    if target is None:
        target_s = ""
    else:
        sign = ">=" if f.higher_is_better else "<="
        target_s = f"{sign} {fmt(target, f.unit)}{unit}"
        if f.target_ratio is not None:
            target_s += f" ({f.target_ratio:g}x)"
    base = ""
    if f.baseline is not None:
        base = f"{fmt(f.baseline['median'], f.unit)}{unit} {f.baseline_name}"
        if f.value is not None and f.baseline["median"] and not f.higher_is_better:
            base += f" (x{f.value['median'] / f.baseline['median']:.2f})"
    return median, spread(f.value, f.unit), target_s, base, f.verdict


def table(figures: list[Figure]) -> str:
    head = ("figure", "median", "spread", "target", "baseline (same run)", "")
    rows = []
    group = None
    for f in figures:
        if f.group != group:
            group = f.group
            rows.append((f"[{group}]", "", "", "", "", ""))
        rows.append(("  " + f.name, *_cells(f)))
        if f.note:
            rows.append(("    " + f.note, "", "", "", "", ""))
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(head, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    for r in rows:
        lines.append("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())
    return "\n".join(lines)


def markdown(result: dict[str, object]) -> str:
    """A results.json as the README's performance table (targets only: info rows left out)."""
    names = {f.name for f in fields(Figure)}
    figures = [Figure(**{k: v for k, v in raw.items() if k in names})
               for raw in result.get("figures", [])]  # type: ignore[union-attr]
    lines = ["| group | figure | median | spread | target | baseline (same run) | |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    for f in figures:
        if f.verdict in ("PASS", "MISS"):
            cells = (f.group, f.name, *_cells(f))
            lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    info = result.get("machine") or {}
    lines.append("")
    lines.append(f"{'Quick' if result.get('quick') else 'Full'} run of {result.get('when')} "
                 f"at {info.get('commit')}: {info.get('cpu')}, {info.get('cores')} cores, "
                 f"{info.get('memory_gb')} GB, Python {info.get('python')}, "
                 f"Textual {info.get('textual')}.")
    return "\n".join(lines)


def _root(group: str) -> str:
    """The runnable group a figure's group belongs to ("keystroke (view)" -> keystroke)."""
    first = group.split(" ")[0]
    return {"memory": "open", "suggest": "quality", "alignment": "quality"}.get(first, first)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("groups", nargs="*", help=f"some of: {', '.join(GROUPS)}, quality")
    parser.add_argument("--quick", action="store_true", help="smaller inputs, fewer runs")
    parser.add_argument("--out", type=Path, default=RESULTS, help="results file")
    parser.add_argument("--markdown", action="store_true",
                        help="measure nothing: print the results file as a Markdown table "
                             "(the README's performance section)")
    args = parser.parse_args(argv)
    if args.markdown:
        print(markdown(json.loads(args.out.read_text(encoding="utf-8"))))
        return 0
    wanted = [ALIASES.get(g, g) for g in args.groups] or [*GROUPS, "quality"]
    unknown = [g for g in wanted if g not in GROUPS and g != "quality"]
    if unknown:
        parser.error(f"unknown group(s): {', '.join(unknown)}")
    figures: list[Figure] = []
    timings: dict[str, float] = {}
    started = time.perf_counter()
    for group in wanted:
        t0 = time.perf_counter()
        print(f"bench: {group} ...", file=sys.stderr, flush=True)
        try:
            if group == "quality":
                got = quality()
                if got is None:  # kept for a quality() that finds nothing to measure
                    print("bench: no quality figures: skipped", file=sys.stderr)
                    continue
            else:
                got = importlib.import_module(GROUPS[group]).run(quick=args.quick)
        except Exception as err:  # one broken group must not hide the others
            traceback.print_exc()
            got = [Figure(group=group, name="(failed)", unit="", value=None,
                          note=f"{type(err).__name__}: {err}"[:150])]
        figures.extend(got)
        timings[group] = round(time.perf_counter() - t0, 1)
    info = machine()
    print()
    print(table(figures))
    print(f"\n{info['cpu']}, {info['cores']} cores, {info['memory_gb']} GB; "
          f"Python {info['python']}, Textual {info['textual']}; "
          f"{'quick' if args.quick else 'full'} run in {time.perf_counter() - started:.0f} s")
    result = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "quick": args.quick, "machine": info, "seconds": timings,
        "figures": [f.to_json() for f in figures],
    }
    if args.out.exists() and args.groups:
        # A partial run replaces its groups' figures and keeps the others.
        try:
            old = json.loads(args.out.read_text())
            keep = [f for f in old.get("figures", []) if _root(f["group"]) not in wanted]
            result["figures"] = keep + result["figures"]
        except (ValueError, KeyError, OSError):
            pass
    args.out.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n")
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
