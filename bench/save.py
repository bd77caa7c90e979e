"""Save: one annotation added to a store already holding 100,000 (1,000 documents).

Wall time of `LocalStore.add` (durable: fsynced before it returns). The
baseline, in the same run, is TinyDB's default single-file `JSONStorage`
holding the same 100,000 rows, inserting one. Also shown (info): the same
save through `History.add`, which is what a tag key does (store + undo log).
"""

from __future__ import annotations

import gc
import time
from pathlib import Path

from annotations.model import Annotation, Document
from annotations.store import LocalStore
from bench.common import bulk_add, spans_for, temp_dir
from bench.stats import Figure, summary
from bench.textgen import article

TARGET_MS = 5.0


def build_store(root: Path, docs: int, per_doc: int) -> tuple[LocalStore, list[Document]]:
    store = LocalStore(root)
    documents = [Document(text=article(1500 + (i % 7) * 97, 10_000 + i)) for i in range(docs)]
    register_many = getattr(store, "register_many", None)
    if register_many is not None:
        register_many(documents)
    else:
        for doc in documents:
            store.register(doc)
    anns: list[Annotation] = []
    for i, doc in enumerate(documents):
        anns.extend(spans_for(doc, per_doc, seed=i))
    bulk_add(store, anns)
    return store, documents


def _tinydb_baseline(root: Path, rows: list[dict], runs: int, new: list[dict]) -> list[float]:
    from tinydb import TinyDB

    path = root / "tinydb.json"
    db = TinyDB(path)  # default JSONStorage, one file
    db.insert_multiple(rows)
    samples = []
    for row in new[:runs]:
        t0 = time.perf_counter()
        db.insert(row)
        samples.append((time.perf_counter() - t0) * 1000)
    db.close()
    return samples


def run(quick: bool = False) -> list[Figure]:
    docs, per_doc = 1_000, 100
    runs = 25 if quick else 60
    base_runs = 3 if quick else 7
    figures: list[Figure] = []
    with temp_dir() as folder:
        t0 = time.perf_counter()
        store, documents = build_store(folder / "store", docs, per_doc)
        setup = time.perf_counter() - t0
        try:
            from annotations.history import History

            history = History(store)
            fresh = []
            for i in range(2 * runs + 4):
                doc = documents[(i * 37) % len(documents)]
                fresh.extend(spans_for(doc, 1, seed=900_000 + i))
            store_samples, history_samples = [], []
            gc.collect()
            for i, ann in enumerate(fresh):
                t1 = time.perf_counter()
                if i % 2:
                    history.add(ann)
                else:
                    store.add(ann)
                ms = (time.perf_counter() - t1) * 1000
                if i >= 4:
                    (history_samples if i % 2 else store_samples).append(ms)
            rows = [a.to_dict() for a in store.all_annotations()]
        finally:
            store.close()
        base = _tinydb_baseline(folder, rows, base_runs, [a.to_dict() for a in fresh])
    common = dict(group="save", unit="ms", baseline=summary(base),
                  baseline_name=f"TinyDB JSONStorage, {len(rows):,} rows")
    figures.append(Figure(name=f"LocalStore.add, {len(rows):,} ann. in {docs:,} docs",
                          value=summary(store_samples), target=TARGET_MS,
                          note=f"set-up {setup:.1f} s", **common))
    figures.append(Figure(name="History.add (a tag: store + undo log)",
                          value=summary(history_samples), **common))
    return figures
