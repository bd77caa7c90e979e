"""Suggestion quality: each suggester's precision and recall per label.

Scored on the hand-tagged articles in tests/data/gold/ (our own writing),
with `annotations.suggest.evaluate`: a suggestion counts when it overlaps a
gold span of its label by at least half of the longer of the two.
The gold articles were also used while writing the rules, so these
numbers are an upper bound; new articles are the honest test.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

GOLD = Path(__file__).resolve().parent.parent / "tests" / "data" / "gold"


def gold_records(folder: Path = GOLD) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    for path in sorted(folder.glob("*.jsonl")):
        with path.open(encoding="utf-8") as handle:
            records.extend(json.loads(line) for line in handle if line.strip())
    return records


def run() -> dict[str, Any]:
    """{"documents": n, "per_label": {label: {"precision", "recall"}}}."""
    from annotations.suggest import evaluate

    records = gold_records()
    scores = evaluate(records)
    return {
        "documents": len(records),
        "match": "same label, overlap >= 0.5 of the longer span",
        "per_label": {label: {"precision": p, "recall": r} for label, (p, r) in scores.items()},
    }


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
