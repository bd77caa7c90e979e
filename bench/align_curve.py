"""Where the alignment method stands: precision and recall as curves, and its ceiling.

    .venv/bin/python -m bench.align_curve              # seed, dev (left out in turn), held out
    .venv/bin/python -m bench.align_curve --split dev  # while designing: never held out

One operating point (`python -m bench quality`) says how far the method is
from the target, not why. This prints, per set of gold pairs:

- the ceiling: the share of the sentences with a counterpart (and of the
  gold pairs) that are candidates at all (`Evidence.similarity`), and that
  get features (one sentence the other's best match: the only pairs
  `choose_pairs` can keep). A right pair that is no candidate is lost
  whatever the model does;
- the ranking: every featured pair with its confidence, kept when the
  confidence reaches t (no one-to-one, no order, no joining; pairs
  `Evidence.denied` left out, as `choose_pairs` does): whether the model
  ranks right pairs above wrong ones at all;
- the decision: `choose_pairs` with its two confidences over a grid, the
  pairs it keeps;

and, for the ranking and the decision, the best precision reachable with
recall >= 0.8 and the best recall with precision >= 0.9 (the issue's
target is both at once). Recall is per sentence, as the bench counts it.

The dev pairs are scored with the model fitted without them (each left out
of the fit in turn, as `bench.fit_alignment` chooses its thresholds), the
seed and held-out pairs with the model in `annotations/alignment.py`
(fitted on seed and dev). The held-out curve is for the record, never for
choosing anything: a threshold read off it is tuned on the held-out pairs.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable

from bench.align_quality import ratio, score, sentences_found
from bench.fit_alignment import THRESHOLDS, Case, cases, fit

STEPS = tuple(round(0.05 * k, 2) for k in range(1, 20))


def _confidences(case: Case, weights: dict[str, float], intercept: float
                 ) -> dict[tuple[int, int], float]:
    from annotations.alignment import MUTUAL_THRESHOLD, confidence

    ev = case.evidence
    never = getattr(ev, "denied", frozenset())  # never kept by `choose_pairs` either
    return {key: confidence(f, weights, intercept, ev.FEATURES)
            for key, f in ev.features.items()
            if ev.similarity[key] >= MUTUAL_THRESHOLD and key not in never}


def _as_spans(case: Case, keys: Iterable[tuple[int, int]]
              ) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    return [(case.spans[0][i], case.spans[1][j]) for i, j in keys]


def _pr(scored: list[tuple[Case, Iterable[tuple[int, int]]]]) -> tuple[float, float, int]:
    """(precision, recall per sentence, proposed) pooled over the cases."""
    right = proposed = found = gold = 0
    for case, keys in scored:
        spans = _as_spans(case, keys)
        r, p, _, _ = score(spans, case.gold)
        f, g = sentences_found(spans, case.gold)
        right, proposed, found, gold = right + r, proposed + p, found + f, gold + g
    return ratio(right, proposed), ratio(found, gold), proposed


def ceiling(data: list[Case]) -> dict[str, float]:
    """The share of gold sentences (and pairs) among candidates and featured pairs."""
    cand = [(c, list(c.evidence.similarity)) for c in data]
    feat = [(c, list(c.evidence.features)) for c in data]
    pairs = sum(len(c.gold) for c in data)
    return {
        "candidates": _pr(cand)[1],
        "featured": _pr(feat)[1],
        "candidate_pairs": ratio(sum(score(_as_spans(c, k), c.gold)[2] for c, k in cand), pairs),
        "featured_pairs": ratio(sum(score(_as_spans(c, k), c.gold)[2] for c, k in feat), pairs),
        "featured_count": sum(len(k) for _, k in feat),
    }


def best_points(curve: list[tuple[object, float, float]]) -> tuple[str, str]:
    """(best precision with recall >= 0.8, best recall with precision >= 0.9), as text."""
    with_recall = [(p, r, t) for t, p, r in curve if r >= 0.8]
    with_precision = [(r, p, t) for t, p, r in curve if p >= 0.9]
    a = (max(with_recall) if with_recall else None)
    b = (max(with_precision) if with_precision else None)
    top_r = max(r for _, _, r in curve)
    top_p = max(p for _, p, _ in curve)
    first = (f"P {a[0]:.2f} (R {a[1]:.2f}, t={a[2]})" if a
             else f"recall 0.8 never reached (at most {top_r:.2f})")
    second = (f"R {b[0]:.2f} (P {b[1]:.2f}, t={b[2]})" if b
              else f"precision 0.9 never reached (at most {top_p:.2f})")
    return first, second


def report(label: str, data: list[Case],
           models: dict[str, tuple[dict[str, float], float]]) -> None:
    """Print the ceiling, the ranking curve and the decision's best points of `data`.

    `models[name]` is the model that scores case `name`."""
    from annotations.alignment import choose_pairs

    if not data:
        print(f"{label}: no pairs")
        return
    ceil = ceiling(data)
    print(f"\n== {label}: {len(data)} article pairs, {sum(len(c.gold) for c in data)} gold pairs")
    print(f"ceiling: sentences with a counterpart whose gold pair is a candidate "
          f"{ceil['candidates']:.2f} (pairs {ceil['candidate_pairs']:.2f}), featured "
          f"{ceil['featured']:.2f} (pairs {ceil['featured_pairs']:.2f}; "
          f"{ceil['featured_count']} featured pairs)")
    conf = {c.name: _confidences(c, *models[c.name]) for c in data}
    ranking = []
    print("ranking (every featured pair with confidence >= t):")
    print("     t  precision  recall  proposed")
    for t in STEPS:
        p, r, n = _pr([(c, [k for k, v in conf[c.name].items() if v >= t]) for c in data])
        ranking.append((t, p, r))
        print(f"  {t:4.2f}  {p:9.2f}  {r:6.2f}  {n:8d}")
    decision = []
    for t in THRESHOLDS:
        kept = [(c, choose_pairs(c.evidence, weights=models[c.name][0],
                                 intercept=models[c.name][1], needed=t[0],
                                 needed_in_order=t[1])) for c in data]
        p, r, _ = _pr(kept)
        decision.append((t, p, r))
    print("decision (choose_pairs, confidence / in order), by confidence, in order 0.3:")
    print("     t  precision  recall")
    for t, p, r in decision:
        if t[1] == 0.3:
            print(f"  {t[0]:4.2f}  {p:9.2f}  {r:6.2f}")
    for name, curve in (("ranking", ranking), ("decision", decision)):
        first, second = best_points(curve)
        print(f"{name}: best precision at recall >= 0.8: {first}; "
              f"best recall at precision >= 0.9: {second}")


def main(argv: list[str] | None = None) -> int:
    import argparse

    from annotations.alignment import INTERCEPT, WEIGHTS

    parser = argparse.ArgumentParser(prog="python -m bench.align_curve", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--split", choices=("seed", "dev", "heldout"), action="append",
                        help="only this set (while designing: dev)")
    args = parser.parse_args(argv)
    splits = args.split or ["seed", "dev", "heldout"]
    fitted = cases("words")  # seed and dev: what the model is fitted on
    if len(fitted) < 2:
        print("need the seed articles and the PolNeAR corpus", file=sys.stderr)
        return 1
    models: dict[str, tuple[dict[str, float], float]] = {}
    for c in fitted:
        models[c.name] = (WEIGHTS, INTERCEPT)
        if c.split == "dev":
            from annotations.sentence_evidence import FEATURES

            w, b = fit([(f, y) for o in fitted if o is not c for _, f, y in o.rows])
            models[c.name] = (dict(zip(FEATURES, w, strict=True)), b)
    for split in splits:
        if split == "heldout":
            data = cases("words", splits=("heldout",))
            for c in data:
                models[c.name] = (WEIGHTS, INTERCEPT)
        else:
            data = [c for c in fitted if c.split == split]
        label = {"seed": "seed pair", "dev": "dev, each left out of the fit in turn",
                 "heldout": "held out"}[split]
        report(label, data, models)
    return 0


if __name__ == "__main__":
    sys.exit(main())
