"""Suggestion quality: each suggester's precision and recall per label.

Scored on the hand-tagged articles in tests/data/gold/ (our own writing),
with `annotations.suggest.evaluate`: a suggestion counts when it overlaps a
gold span of its label by at least half of the longer of the two.
The gold articles were also used while writing the rules, so these
numbers are an upper bound; new articles are the honest test. That is
what tests/data/gold-heldout/ is: articles tagged by hand before the
suggesters ever ran on them, and kept out of rule-writing since (a rule
changed to pass one of them makes it gold like the others: move it there
and write a new held-out article). Its scores are reported apart, as
"LABEL (held out)".
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"
GOLD = DATA / "gold"
HELD_OUT = DATA / "gold-heldout"


def gold_records(folder: Path = GOLD) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    for path in sorted(folder.glob("*.jsonl")):
        with path.open(encoding="utf-8") as handle:
            records.extend(json.loads(line) for line in handle if line.strip())
    return records


def run() -> dict[str, Any]:
    """{"documents": n, "per_label": {label: {"precision", "recall"}}}; the
    held-out articles' scores are labels of their own, "quote (held out)"."""
    from annotations.suggest import evaluate

    records = gold_records()
    held_out = gold_records(HELD_OUT)
    per_label = {
        label: {"precision": p, "recall": r} for label, (p, r) in evaluate(records).items()
    }
    if held_out:
        for label, (p, r) in evaluate(held_out).items():
            per_label[f"{label} (held out)"] = {"precision": p, "recall": r}
    return {
        "documents": len(records) + len(held_out),
        "match": "same label, overlap >= 0.5 of the longer span; "
        f"{len(held_out)} held out of rule-writing",
        "per_label": per_label,
    }


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
