"""Import speed: 100,000 spans in 1,000 documents from a JSON-lines file (issue 12).

The figure is spans stored per second by `import_file` into a new store
(new documents go in batches: `Store.add_documents`). The baseline, in the
same run, is the way import stored records before batching: each
document registered and each span added on its own (`register`, `add`:
the document list rewritten and a line fsynced per span), over the first
fiftieth of the records (a whole run that way takes a minute or more).
"""

from __future__ import annotations

import gc
import json
import time
from pathlib import Path

from annotations.formats.importing import import_file
from annotations.model import Annotation, Document
from annotations.store import LocalStore
from bench.common import spans_for, temp_dir
from bench.stats import Figure, summary
from bench.textgen import article

TARGET = 25_000.0  # spans per second


def write_records(path: Path, docs: int, per_doc: int) -> list[tuple[Document, list[Annotation]]]:
    made = []
    with path.open("w", encoding="utf-8") as out:
        for i in range(docs):
            doc = Document(article(3_000, seed=50_000 + i))
            anns = spans_for(doc, per_doc, seed=i)
            made.append((doc, anns))
            out.write(json.dumps({"text": doc.text, "spans": [
                {"start": a.start, "end": a.end, "label": a.label} for a in anns]},
                ensure_ascii=False) + "\n")
    return made


def one_by_one(root: Path, made: list[tuple[Document, list[Annotation]]]) -> float:
    """Spans per second, storing as import did before batching."""
    store = LocalStore(root)
    try:
        t0 = time.perf_counter()
        spans = 0
        for doc, anns in made:
            store.register(doc)
            for ann in anns:
                spans += store.add(ann.with_changes(source="imported"))
        return spans / (time.perf_counter() - t0)
    finally:
        store.close()


def run(quick: bool = False) -> list[Figure]:
    docs, per_doc = (200, 100) if quick else (1_000, 100)
    runs = 2 if quick else 3
    samples, base = [], []
    with temp_dir() as folder:
        source = folder / "records.jsonl"
        made = write_records(source, docs, per_doc)
        for run_number in range(runs):
            gc.collect()
            store = LocalStore(folder / f"store{run_number}")
            try:
                t0 = time.perf_counter()
                report = import_file(store, source, "jsonl")
                seconds = time.perf_counter() - t0
            finally:
                store.close()
            assert report.spans == docs * per_doc, report
            samples.append(report.spans / seconds)
            base.append(one_by_one(folder / f"base{run_number}", made[: max(1, docs // 50)]))
    return [Figure(
        group="import", name=f"import, {docs * per_doc:,} spans in {docs:,} docs",
        unit="spans/s", value=summary(samples), target=TARGET, higher_is_better=True,
        baseline=summary(base), baseline_name="one document and span at a time (before)",
    )]
