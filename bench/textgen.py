"""Deterministic synthetic news text: never downloaded, same bytes every run.

Sentences carry what makes news hard to segment: abbreviations ("Mr.",
"U.S.", "Jan."), curly and straight quotes, em dashes, numbers with
decimals, and paragraphs of two to six sentences.
"""

from __future__ import annotations

import os
import random
from pathlib import Path

_PEOPLE = ["Mr. Patel", "Dr. Lee", "Ms. Okafor", "Gov. Ruiz", "Sen. Marsh", "Prof. Haddad",
           "Mrs. Brandt", "Lt. Col. Adeyemi", "the mayor", "a spokeswoman", "officials"]
_PLACES = ["the U.S.", "the U.K.", "Harlow", "St. Albans", "the E.U.", "Washington, D.C.",
           "the Ash valley", "Port Ellis", "New York"]
_THINGS = ["the weir", "the budget", "the ferry service", "a new levy", "the dam report",
           "the inquiry", "fuel prices", "the night shuttle", "the housing plan", "tariffs"]
_VERBS = ["backed", "criticised", "delayed", "approved", "questioned", "defended",
          "rejected", "funded", "reviewed", "announced"]
_WHEN = ["on Tuesday", "last week", "on Jan. 4", "by Sept. 30", "at 9 a.m.", "in Feb.",
         "earlier this year", "on Friday night", "since 2019"]
_QUOTES = ["“This is the cheapest option we have,” {p} said.",
           "“We were given a week to read {n} pages,” {p} told reporters.",
           "{p} called it “thin at best.”",
           '"It is not over," {p} said. "Not by a long way."',
           "“Nobody asked us” — that was the complaint {p} heard most.",
           "{p} said the figure was {d}%, “and rising.”"]


def sentence(rng: random.Random) -> str:
    kind = rng.random()
    p = rng.choice(_PEOPLE)
    if kind < 0.3:
        q = rng.choice(_QUOTES)
        return q.format(p=p[0].upper() + p[1:], n=rng.randint(40, 900),
                        d=f"{rng.randint(1, 40)}.{rng.randint(0, 9)}")
    s = (f"{p} {rng.choice(_VERBS)} {rng.choice(_THINGS)} in {rng.choice(_PLACES)} "
         f"{rng.choice(_WHEN)}")
    if rng.random() < 0.4:
        s += f", after {rng.choice(_THINGS)} cost ${rng.randint(1, 90)}.{rng.randint(1, 9)} million"
    if rng.random() < 0.2:
        s += f" — a move {rng.choice(_PEOPLE)} {rng.choice(_VERBS)}"
    s = s[0].upper() + s[1:]
    end = rng.choice(["?", "!"]) if rng.random() < 0.05 else "."
    return s if s.endswith(".") and end == "." else s + end


def article(size: int, seed: int = 0) -> str:
    """About `size` characters of news text (a headline, then paragraphs)."""
    rng = random.Random(seed)
    parts = [f"{rng.choice(_THINGS).capitalize()} {rng.choice(_VERBS)} in "
             f"{rng.choice(_PLACES)}", ""]
    total = len(parts[0]) + 2
    while total < size:
        para = " ".join(sentence(rng) for _ in range(rng.randint(2, 6)))
        parts.append(para)
        parts.append("")
        total += len(para) + 2
    return "\n".join(parts).rstrip() + "\n"


def cache_dir() -> Path:
    """Where generated inputs are kept between runs (reused, never in git)."""
    root = Path(os.environ.get("NEWSMARK_BENCH_CACHE") or
                Path(os.environ.get("TMPDIR", "/tmp")) / "newsmark-bench")
    root.mkdir(parents=True, exist_ok=True)
    return root


def article_file(size: int, seed: int = 0) -> Path:
    """A generated article of about `size` characters, written once."""
    path = cache_dir() / f"article-{size}-{seed}.txt"
    if not path.exists():
        tmp = path.with_suffix(".tmp")
        tmp.write_text(article(size, seed), encoding="utf-8")
        tmp.replace(path)
    return path


def corpus_folder(count: int, size: int = 1500, seed: int = 1) -> Path:
    """A folder of `count` small articles, generated once and reused."""
    folder = cache_dir() / f"corpus-{count}-{size}-{seed}"
    done = folder / ".complete"
    if done.exists():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    width = len(str(count))
    for i in range(count):
        text = article(size + (i % 7) * 97, seed * 1_000_003 + i)
        with open(folder / f"{i:0{width}d}.txt", "w", encoding="utf-8") as handle:
            handle.write(text)
    done.write_text("ok")
    return folder
