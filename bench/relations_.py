"""Relations: keystrokes on a 1 MB article whose annotations carry 2,000 relations.

The same keys as `bench.keystroke` (CPU of the key's action plus drawing
the visible rows), on the same 1 MB article and 2,000 annotations, with
and without 2,000 relations between them, in one run: the relations
must not change the keystroke figures (issue 15).
"""

from __future__ import annotations

import asyncio

from bench.keystroke import TARGET_MS, _newsmark_keys
from bench.stats import Figure, summary

SIZE = 1_000_000
ANNOTATIONS = 2_000
RELATIONS = 2_000


def run(quick: bool = False) -> list[Figure]:
    runs = 11 if quick else 25
    plain, _ = asyncio.run(_newsmark_keys(SIZE, runs, ANNOTATIONS))
    related, _ = asyncio.run(_newsmark_keys(SIZE, runs, ANNOTATIONS, RELATIONS))
    figures = []
    for key, series in related.items():
        if key.startswith("idle"):
            continue
        figures.append(Figure(
            group="relations (view)",
            name=f"{key}, 1 MB, {ANNOTATIONS:,} ann., {RELATIONS:,} relations",
            unit="ms",
            value=summary(series["view"]),
            target=TARGET_MS,
            baseline=summary(plain[key]["view"]),
            baseline_name="same, no relations",
        ))
    return figures
