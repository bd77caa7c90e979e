"""Agreement on attribute values: do annotators who marked the same span give
it the same value (a claim's `checkworthy`, a quote's `kind`)?

A **unit** is a span that two or more annotators of a document marked at
the same place (the same start, end and label) and to which two or more of
them gave a value of the attribute. Agreement on where spans are is what
`agreement.py` measures; here the question is the value alone, so spans
marked at different places are not compared (their values would answer
different questions). A coder who marked the span without a value is
missing data for the unit, as Krippendorff's alpha allows: left out of it,
and counted (`unset`), so that a report shows how much was never decided.

Per attribute:

- **percent agreement**: of the pairs of values given to one unit by two
  coders, the share that are the same;
- **Krippendorff's alpha**, nominal: with the coincidence counts o_ck (each
  unit of m values adds 1 / (m - 1) for every ordered pair of its values
  from two coders), n_c = sum_k o_ck and n = sum_c n_c,
  alpha = 1 - (n - 1) * sum_{c != k} o_ck / sum_{c != k} n_c * n_k;
  None when every value given is the same (nothing to tell apart).

Every total is a sum of integers and exact fractions, so the figures do not
depend on the order of documents, spans or annotators, and the totals of
documents measured in several processes add up (`merge`).
docs/agreement.md works an example by hand.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from itertools import combinations
from typing import Any

# A span's place (start, end, label) and its attribute values as sorted items.
SpanKey = tuple[int, int, str]
AttributeItems = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class AttributeFigure:
    """The agreement on one attribute's values."""

    name: str
    labels: tuple[str, ...]  # the labels of the units
    units: int  # spans two or more coders gave a value
    pairs: int  # pairs of values given to one unit by two coders
    agreeing: int  # of those, the same value
    unset: int  # coders who marked a unit's span without giving it a value
    values: tuple[tuple[str, int], ...]  # each value and how often the units hold it
    alpha: float | None

    @property
    def percent(self) -> float | None:
        """The share of pairs that agree (0 to 1), None with no pair."""
        return None if not self.pairs else self.agreeing / self.pairs

    def to_dict(self) -> dict[str, Any]:
        return {"attribute": self.name, "labels": list(self.labels), "units": self.units,
                "pairs": self.pairs, "agreeing_pairs": self.agreeing,
                "agreement": self.percent, "alpha": self.alpha,
                "unset": self.unset, "values": dict(self.values)}


@dataclass
class _Totals:
    """The sums behind one attribute's figure."""

    coincidences: Counter[tuple[str, str]] = field(default_factory=Counter)
    labels: set[str] = field(default_factory=set)
    units: int = 0
    pairs: int = 0
    agreeing: int = 0
    unset: int = 0

    def add(self, label: str, values: list[str], unset: int) -> None:
        self.labels.add(label)
        self.unset += unset
        if len(values) < 2:
            return
        self.units += 1
        weight = Fraction(1, len(values) - 1)
        for a, b in combinations(values, 2):
            self.coincidences[a, b] += weight  # type: ignore[assignment]
            self.coincidences[b, a] += weight  # type: ignore[assignment]
            self.pairs += 1
            self.agreeing += a == b

    def merge(self, other: _Totals) -> None:
        self.coincidences.update(other.coincidences)
        self.labels |= other.labels
        self.units += other.units
        self.pairs += other.pairs
        self.agreeing += other.agreeing
        self.unset += other.unset

    def figure(self, name: str) -> AttributeFigure:
        given: defaultdict[str, Fraction] = defaultdict(Fraction)
        for (c, _k), count in self.coincidences.items():
            given[c] += count
        n = sum(given.values(), Fraction(0))
        observed = sum((count for (c, k), count in self.coincidences.items() if c != k),
                       Fraction(0))
        expected = n * n - sum((v * v for v in given.values()), Fraction(0))
        alpha = None if expected == 0 else float(1 - (n - 1) * observed / expected)
        # n_c counts each value once per unit it was given in (o_ck sums to
        # the values a unit holds): an integer.
        values = tuple(sorted((value, int(count)) for value, count in given.items()))
        return AttributeFigure(name, tuple(sorted(self.labels)), self.units, self.pairs,
                               self.agreeing, self.unset, values, alpha)


class AttributeAgreement:
    """Attribute figures gathered document by document; `add`, `merge`, `report`."""

    def __init__(self) -> None:
        self._totals: dict[str, _Totals] = {}

    def add(self, layers: Mapping[str, Mapping[SpanKey, AttributeItems]],
            coders: Iterable[str]) -> None:
        """One document: per coder, each of their spans' attribute values
        (`()` for a span without any: that coder marked it and left it unset)."""
        coders = list(coders)
        by_span: defaultdict[SpanKey, dict[str, dict[str, str]]] = defaultdict(dict)
        for coder in coders:
            for key, items in layers.get(coder, {}).items():
                by_span[key][coder] = dict(items)
        for key, given in by_span.items():
            for name in sorted({name for values in given.values() for name in values}):
                totals = self._totals.setdefault(name, _Totals())
                if len(given) < 2:
                    # One coder's span: no one to agree with, but the report
                    # names the attribute (with no span compared).
                    totals.labels.add(key[2])
                    continue
                values = [values[name] for values in given.values() if name in values]
                totals.add(key[2], values, len(given) - len(values))

    def merge(self, other: AttributeAgreement) -> None:
        for name, totals in other._totals.items():
            self._totals.setdefault(name, _Totals()).merge(totals)

    def report(self) -> tuple[AttributeFigure, ...]:
        return tuple(self._totals[name].figure(name) for name in sorted(self._totals))
