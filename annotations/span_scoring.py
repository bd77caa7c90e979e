"""Precision, recall and F1 of predicted spans against gold spans, per label.

Two ways of counting a prediction as right, the matching definitions of
`newsmark agree` (`annotations/agreement.py`, whose functions count them):

- **exact**: same label, same start, same end;
- **overlap**: same label and at least one shared character, each span
  used at most once: the largest such one-to-one pairing (a maximum
  bipartite matching), so one long prediction covering two gold spans
  counts once, not twice.

Agreement compares two annotators symmetrically (F1 only); here one side
is gold, so precision and recall are told apart.

Spans are `(start, end, label)` triples of code-point offsets, end
exclusive. Documents are scored one at a time and the counts summed, so
a span never matches one of another document.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

from annotations.agreement import Span as AgreementSpan
from annotations.agreement import exact_matches, overlap_matches

Triple = tuple[int, int, str]
Setting = TypeVar("Setting")


class PredictedSpanLike(Protocol):
    """A predicted span as the steps after the model read it
    (`span_model.PredictedSpan`, which imports those steps)."""

    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...
    @property
    def label(self) -> str: ...


@dataclass(slots=True)
class Counts:
    """True positives, predictions and gold spans of one label."""

    matched: int = 0
    predicted: int = 0
    gold: int = 0

    @property
    def precision(self) -> float:
        return self.matched / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.matched / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def to_dict(self) -> dict[str, float | int]:
        return {"p": round(self.precision, 4), "r": round(self.recall, 4),
                "f1": round(self.f1, 4), "matched": self.matched,
                "predicted": self.predicted, "gold": self.gold}


@dataclass(slots=True)
class SpanScores:
    """Exact and overlap counts per label, summed over documents."""

    exact: dict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))
    overlap: dict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))

    def keep_best_exact(self, best: dict[str, tuple[float, Setting]], labels: Iterable[str],
                        setting: Setting) -> None:
        """For each label with gold spans, keep `setting` in `best` if these
        scores' exact F1 beats the one kept there (a tie keeps the earlier)."""
        for label in labels:
            if not self.exact[label].gold:
                continue
            f1 = self.exact[label].f1
            if label not in best or f1 > best[label][0] + 1e-9:
                best[label] = (f1, setting)

    def add(self, gold: Iterable[Triple], predicted: Iterable[Triple]) -> None:
        """Score one document's predictions against its gold spans."""
        by_label_gold: dict[str, list[tuple[int, int]]] = defaultdict(list)
        by_label_pred: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for start, end, label in set(gold):
            by_label_gold[label].append((start, end))
        for start, end, label in set(predicted):
            by_label_pred[label].append((start, end))
        for label in by_label_gold.keys() | by_label_pred.keys():
            g, p = by_label_gold[label], by_label_pred[label]
            for counts in (self.exact[label], self.overlap[label]):
                counts.gold += len(g)
                counts.predicted += len(p)
            self.exact[label].matched += exact_matches(
                [AgreementSpan(s, e, label) for s, e in g],
                [AgreementSpan(s, e, label) for s, e in p])
            self.overlap[label].matched += overlap_matching(g, p)

    @property
    def labels(self) -> list[str]:
        return sorted(self.exact)

    def micro(self, kind: str = "overlap") -> Counts:
        """All labels counted together."""
        table = self.exact if kind == "exact" else self.overlap
        total = Counts()
        for counts in table.values():
            total.matched += counts.matched
            total.predicted += counts.predicted
            total.gold += counts.gold
        return total

    def to_dict(self) -> dict[str, dict[str, dict[str, float | int]]]:
        return {label: {"exact": self.exact[label].to_dict(),
                        "overlap": self.overlap[label].to_dict()} for label in self.labels}

    def table(self) -> str:
        """A plain-text table: one line per label, exact then overlap P/R/F1."""
        # As wide as the longest label (PolNeAR's `Attribution-no-source`).
        width = max([14, *(len(label) + 2 for label in self.labels)])
        lines = [f"{'label':<{width}}{'gold':>6}{'pred':>6}   "
                 "exact P / R / F1      overlap P / R / F1"]
        for label in self.labels:
            e, o = self.exact[label], self.overlap[label]
            lines.append(f"{label:<{width}}{e.gold:>6}{e.predicted:>6}   "
                         f"{e.precision:.2f} / {e.recall:.2f} / {e.f1:.2f}      "
                         f"{o.precision:.2f} / {o.recall:.2f} / {o.f1:.2f}")
        return "\n".join(lines)


def overlap_matching(gold: Sequence[tuple[int, int]], predicted: Sequence[tuple[int, int]]) -> int:
    """Size of the largest one-to-one pairing of overlapping gold and predicted spans
    (of one label): `agreement.overlap_matches`."""
    return overlap_matches([AgreementSpan(s, e, "") for s, e in gold],
                           [AgreementSpan(s, e, "") for s, e in predicted])
