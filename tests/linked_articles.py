"""Two outlets' sentences, a quote in one and a claim in the other: the tests' link ends."""

from __future__ import annotations

from annotations.model import Annotation, Document, DocumentMeta
from annotations.store import Store

TEXT_A = "“We will not retreat,” the minister said on Monday."
TEXT_B = "The minister vowed on Monday that the army would hold its ground."


def quote_and_claim(store: Store) -> tuple[Annotation, Annotation]:
    """Register a.txt and b.txt in `store`, tag the quote in a and the claim in b."""
    a = Document(TEXT_A, DocumentMeta(path="a.txt"))
    b = Document(TEXT_B, DocumentMeta(path="b.txt"))
    store.register(a)
    store.register(b)
    quote = Annotation.tag(a, 0, 22, "quote")
    claim = Annotation.tag(b, 0, len(TEXT_B) - 1, "claim")
    store.add(quote)
    store.add(claim)
    return quote, claim
