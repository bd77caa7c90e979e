"""Helpers shared by the benchmarks: temp stores, workspaces, annotations."""

from __future__ import annotations

import random
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from annotations.model import Annotation, Document
from annotations.store import LocalStore

LABELS = ("claim", "quote", "terms", "opinion")


@contextmanager
def temp_dir(prefix: str = "newsmark-bench-") -> Iterator[Path]:
    # Under the cache's file system (not tmpfs), so fsync costs what it costs.
    from bench.textgen import cache_dir

    path = Path(tempfile.mkdtemp(prefix=prefix, dir=cache_dir()))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def spans_for(doc: Document, count: int, seed: int = 7) -> list[Annotation]:
    """`count` annotations on word-aligned spans spread over `doc` (deterministic)."""
    rng = random.Random(seed)
    text = doc.text
    n = len(text)
    out: list[Annotation] = []
    seen: set[tuple[int, int, str]] = set()
    while len(out) < count:
        start = rng.randrange(0, max(1, n - 200))
        while start < n and not text[start].isalnum():
            start += 1
        while start > 0 and text[start - 1].isalnum():
            start -= 1
        end = min(n, start + rng.randint(8, 160))
        while end > start and not text[end - 1].isalnum():
            end -= 1
        if end <= start:
            continue
        label = LABELS[len(out) % len(LABELS)]
        if (start, end, label) in seen:
            continue
        seen.add((start, end, label))
        out.append(Annotation.tag(doc, start, end, label, annotator="bench",
                                  source="bench"))
    return out


def bulk_add(store: LocalStore, anns: list[Annotation]) -> None:
    """LocalStore many annotations of registered documents at once (set-up only)."""
    store.add_many(anns)
