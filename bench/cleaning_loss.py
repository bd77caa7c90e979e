"""Cleaning: how many PolNeAR texts lose their last line to `clean_article`.

`python -m bench.cleaning_loss [POLNEAR]` (default as `bench.model_`:
`NEWSMARK_POLNEAR`, else `shared/corpora/polnear` beside the checkout).
PolNeAR's texts almost all end in a full stop, where the trailing-debris
rule never bit; a scraped article often does not. So three variants of
each text are cleaned:

* as written;
* the last paragraph with its final punctuation taken off;
* the last paragraph cut to its last sentence, punctuation taken off (a
  short unpunctuated line: the shape page furniture also has).

Reported: texts losing any of their last line's words, per variant, and
a sample of every line the cleaner removed (all must be page furniture).
Prints; writes nothing.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

from annotations.cleaning import clean_article, sanitize
from bench.model_ import corpus_path

_LAST_SENTENCE = re.compile(r"(?:^|(?<=[.!?][\"'”’)]) |(?<=[.!?]) )(?=[^.!?]*[.!?][\"'”’)]*$)")
_END = ".!?…:;\"'”’)]"


def _variants(text: str) -> dict[str, str]:
    body, _, last = text.rstrip().rpartition("\n")
    unpunctuated = last.rstrip(_END)
    starts = [m.start() for m in _LAST_SENTENCE.finditer(last)]
    short = last[starts[-1]:].strip().lstrip("\"'“‘").rstrip(_END) if starts else unpunctuated
    return {
        "as written": text,
        "last paragraph unpunctuated": f"{body}\n{unpunctuated}",
        "last sentence alone, unpunctuated": f"{body}\n{short}",
    }


def run(root: Path, sample: int = 40) -> dict[str, object]:
    lost: Counter[str] = Counter()
    removed: Counter[str] = Counter()
    files = sorted((root / "text").glob("*.txt"))
    for path in files:
        text = sanitize(path.read_text(encoding="utf-8"))
        for name, variant in _variants(text).items():
            last = variant.rstrip().rpartition("\n")[2].strip()
            result = clean_article(variant)
            if last and not result.text.rstrip().endswith(last):
                lost[name] += 1
            removed.update(result.removed)
    return {"texts": len(files), "lost": dict(lost), "removed": removed.most_common(sample)}


def main(argv: list[str]) -> int:
    root = Path(argv[0]) if argv else corpus_path()
    if root is None or not (root / "text").is_dir():
        print("no PolNeAR here: give its folder or set NEWSMARK_POLNEAR", file=sys.stderr)
        return 2
    result = run(root)
    print(f"{result['texts']} texts")
    for name in ("as written", "last paragraph unpunctuated", "last sentence alone, unpunctuated"):
        print(f"  {name}: {result['lost'].get(name, 0)} lose their last line")
    print("removed lines (most common first):")
    for line, count in result["removed"]:
        print(f"  {count:4d}  {line[:90]!r}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
