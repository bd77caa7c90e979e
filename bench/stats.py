"""Figures: a median over runs with its spread, a target and a baseline."""

from __future__ import annotations

import statistics
from dataclasses import asdict, dataclass, field
from typing import Any


def summary(samples: list[float]) -> dict[str, float]:
    """Median, quartiles, min and max of `samples` (at least one)."""
    xs = sorted(samples)
    if len(xs) >= 4:
        q1, _q2, q3 = statistics.quantiles(xs, n=4, method="inclusive")
    else:
        q1, q3 = xs[0], xs[-1]
    return {"median": statistics.median(xs), "q1": q1, "q3": q3,
            "min": xs[0], "max": xs[-1], "n": len(xs)}


@dataclass
class Figure:
    """One row of the table."""

    group: str
    name: str
    unit: str  # "ms", "s", "MB", "spans/s"
    value: dict[str, float] | None  # summary() of the samples; None if not measured
    target: float | None = None
    higher_is_better: bool = False
    baseline: dict[str, float] | None = None
    baseline_name: str = ""
    # Target as a multiple of the baseline (e.g. open <= 2x the floor).
    target_ratio: float | None = None
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def effective_target(self) -> float | None:
        if self.target_ratio is not None and self.baseline is not None:
            return self.target_ratio * self.baseline["median"]
        return self.target

    @property
    def verdict(self) -> str:
        target = self.effective_target
        if self.value is None:
            return "MISS" if target is not None else "-"
        if target is None:
            return "info"
        median = self.value["median"]
        ok = median >= target if self.higher_is_better else median <= target
        return "PASS" if ok else "MISS"

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["effective_target"] = self.effective_target
        data["verdict"] = self.verdict
        return data


def fmt(x: float | None, unit: str) -> str:
    if x is None:
        return "-"
    if unit == "spans/s":
        return f"{x:,.0f}"
    if abs(x) >= 100:
        return f"{x:,.0f}"
    if abs(x) >= 10:
        return f"{x:.1f}"
    return f"{x:.2f}"


def spread(s: dict[str, float] | None, unit: str) -> str:
    if s is None:
        return ""
    return f"IQR {fmt(s['q1'], unit)}–{fmt(s['q3'], unit)} (n={s['n']})"
