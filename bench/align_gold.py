"""Hand-align a pair of corpus articles: show their sentences, write the gold file.

    .venv/bin/python -m bench.align_gold show A.txt B.txt
    .venv/bin/python -m bench.align_gold write dev NAME A.txt B.txt 0-2 4-2 10-18 --notes "..."

`show` prints each article's sentences, numbered, under newsmark's own
segmentation (`Segmenter.train` on the two cleaned texts, as `newsmark
align` does): read both, decide which sentences state the same thing.
`write` stores those judgements as bench/alignment_gold/SPLIT/NAME.json:
the file names, a SHA-256 of each file, the sentence counts, and per pair
the two sentence indices, their code-point spans and their keys (length
and hash of the text: `bench.gold_sentences`). Never the text: the
articles are not ours. Article names are looked up in PolNeAR's `text/`
(see `bench.align_quality.corpus_path`; `--folder` for another).
Decide a pair's set before aligning anything on it, and never move a
held-out pair to dev after seeing its scores without aligning a new one.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from pathlib import Path

from bench.align_quality import GOLD, SETS, corpus_path
from bench.gold_sentences import sentence_key

# Article text is untrusted: control characters and bidi marks are printed
# as escapes, never sent to the terminal.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _visible(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def _segmented(folder: Path, a_name: str, b_name: str):  # type: ignore[no-untyped-def]
    from annotations.documents import load_document
    from annotations.segmentation import Segmenter

    a = load_document(folder / a_name)
    b = load_document(folder / b_name)
    segmenter = Segmenter.train([a.text, b.text])
    return a, b, segmenter.segment(a.text), segmenter.segment(b.text)


def _pair(text: str) -> tuple[int, int]:
    left, sep, right = text.partition("-")
    if not sep or not left.isdigit() or not right.isdigit():
        raise argparse.ArgumentTypeError(f"a pair is A-B sentence numbers, e.g. 4-2, not {text!r}")
    return int(left), int(right)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.align_gold", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--folder", type=Path, help="where the articles are "
                                                    "(default: PolNeAR's text/)")
    sub = parser.add_subparsers(dest="command", required=True)
    show = sub.add_parser("show", help="print both articles' sentences, numbered")
    show.add_argument("a")
    show.add_argument("b")
    write = sub.add_parser("write", help="write the gold file of a pair")
    write.add_argument("split", choices=[s for s in SETS if s != "seed"])
    write.add_argument("name", help="file name without .json, e.g. zimmerman-gun-auction")
    write.add_argument("a")
    write.add_argument("b")
    write.add_argument("pairs", nargs="+", type=_pair, metavar="A-B")
    write.add_argument("--notes", default="")
    write.add_argument("--annotator", default="")
    args = parser.parse_args(argv)

    folder = args.folder
    if folder is None:
        corpus = corpus_path()
        if corpus is None:
            parser.error("no PolNeAR corpus found: set NEWSMARK_POLNEAR or give --folder")
        folder = corpus / "text"
    for name in (args.a, args.b):
        if not (folder / name).is_file():
            parser.error(f"{name}: not in {folder}")
    a, b, sa, sb = _segmented(folder, args.a, args.b)

    if args.command == "show":
        for label, name, doc, seg in (("A", args.a, a, sa), ("B", args.b, b, sb)):
            print(f"===== {label} {name}: {len(seg.sentences)} sentences")
            for k, (s, e) in enumerate(seg.sentences):
                line = _CONTROL.sub(_visible, doc.text[s:e].replace("\n", " "))
                print(f"{label}{k}: {line}")
        return 0

    bad = [f"{i}-{j}" for i, j in args.pairs
           if not (0 <= i < len(sa.sentences) and 0 <= j < len(sb.sentences))]
    if bad:
        parser.error(f"no such sentences: {', '.join(bad)}")
    record = {
        "a": args.a, "b": args.b,
        "sha256_a": hashlib.sha256((folder / args.a).read_bytes()).hexdigest(),
        "sha256_b": hashlib.sha256((folder / args.b).read_bytes()).hexdigest(),
        "sentences_a": len(sa.sentences), "sentences_b": len(sb.sentences),
        "annotator": args.annotator, "notes": args.notes,
    }
    pairs = [{"a": i, "b": j, "a_span": list(sa.sentences[i]), "b_span": list(sb.sentences[j]),
              "a_key": sentence_key(a.text[slice(*sa.sentences[i])]),
              "b_key": sentence_key(b.text[slice(*sb.sentences[j])])}
             for i, j in sorted(set(args.pairs))]
    # One pair per line: a diff of the judgements reads as a list of pairs.
    body = json.dumps(record, indent=1, ensure_ascii=False)[:-2]
    body += ',\n "pairs": [\n' + ",\n".join("  " + json.dumps(p) for p in pairs) + "\n ]\n}\n"
    out = GOLD / args.split / f"{args.name}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(body, encoding="utf-8")
    print(f"wrote {out} ({len(pairs)} pairs)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
