"""A tiny store for the span model's tests: a few short articles, one pattern.

Every article reports two people's words the same way (`NAME said: "…".`),
tagged `quote` over the quotation marks and what is inside them, so a
model trained for a second learns enough to propose quotes in a new one.
"""

from __future__ import annotations

from pathlib import Path

from annotations.model import Annotation, Document
from annotations.store import open_store

NAMES = ["Anna Berg", "Tom Reyes", "Lea Stone", "Omar Hale", "Ida Park", "Max Lund",
         "Eva Moss", "Jon Weir", "Kim Ruiz", "Sam Ford"]
SAYINGS = ["the bridge will open in May", "we have no money left for the school",
           "the vote was fair", "nobody warned us about the flood",
           "taxes will not rise this year", "the plan is already late",
           "our hospital needs more nurses", "the river is clean again"]


def article(n: int) -> tuple[str, list[tuple[int, int]]]:
    """Article number `n` and the spans of its quotes."""
    parts: list[str] = [f"Report {n} from the town hall.\n\n"]
    quotes: list[tuple[int, int]] = []
    for k in range(2):
        name = NAMES[(n + 3 * k) % len(NAMES)]
        saying = SAYINGS[(n + k) % len(SAYINGS)]
        parts.append(f"{name} said: ")
        start = sum(map(len, parts))
        quote = f"\u201c{saying.capitalize()}.\u201d"
        parts.append(quote)
        quotes.append((start, start + len(quote)))
        parts.append(" The meeting went on.\n\n")
    return "".join(parts), quotes


def tiny_store(root: Path, documents: int = 6, annotator: str = "ana") -> list[Document]:
    """A store at `root` holding `documents` tagged articles."""
    docs = []
    with open_store(root) as store:
        for n in range(documents):
            text, quotes = article(n)
            doc = Document(text)
            store.register(doc)
            for start, end in quotes:
                store.add(Annotation.tag(doc, start, end, "quote", annotator=annotator))
            docs.append(doc)
    return docs
