"""Exports formatted by worker processes are the single-process exports, byte for byte."""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path

import pytest

from annotations import export_workers
from annotations.errors import StoreError
from annotations.export import ExportOptions, export
from annotations.formats.records import Filters
from annotations.links import Link, LinkStore
from annotations.model import Annotation, Document, DocumentMeta
from annotations.segmentation import Segmenter
from annotations.store import LocalStore

pytestmark = pytest.mark.skipif(
    export_workers.jobs_for(2, many=True) < 2, reason="worker processes need fork"
)

DOCUMENTS = export_workers.MIN_DOCUMENTS + 11  # several chunks, and a short last one


def _store(root: Path) -> LocalStore:
    """Documents with spans, links, statuses, non-ASCII text, one without a stored segmentation."""
    store = LocalStore(root)
    docs = [Document(text=f"Mr. Patel spoke on day {i} — “the weir is cheap,” he said. "
                          f"Critics 😀 disagreed on {i}.", meta=DocumentMeta(title=f"Day {i}"))
            for i in range(DOCUMENTS)]
    store.register_many(docs)
    segmenter = Segmenter.default()
    anns = []
    for i, doc in enumerate(docs):
        if i != 5:  # document 5 is segmented by the export itself
            store.save_segmentation(doc.id, segmenter.segment(doc.text))
        if i % 9 == 3:
            continue  # no span: not exported
        quote = doc.text.index("“")
        anns.append(Annotation.tag(doc, 0, 9, "claim", annotator="ann" if i % 2 else "bo"))
        anns.append(Annotation.tag(doc, quote, doc.text.index("”") + 1, "quote"))
        anns.append(Annotation.tag(doc, doc.text.index("Critics"), len(doc.text), "opinion"))
    store.add_many(anns)
    for doc in docs[::4]:
        store.set_status(doc.id, "done")
    with LinkStore(store) as links:
        links.add(Link.between(anns[0], anns[4], "same-claim"))
    return store


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> LocalStore:
    store = _store(tmp_path_factory.mktemp("workers") / "store")
    yield store
    store.close()


def _exported(store: LocalStore, options: ExportOptions) -> tuple[str, object]:
    out = io.StringIO()
    counts = export(store, options, stream=out)
    return out.getvalue(), counts


@pytest.mark.parametrize("options", [
    ExportOptions(),
    ExportOptions(unit="sentence"),
    ExportOptions(format="prodigy"),
    ExportOptions(format="doccano", doccano_offsets="utf16"),
    ExportOptions(filters=Filters(labels=frozenset({"quote"}), done_only=True)),
    ExportOptions(filters=Filters(annotators=frozenset({"ann"}))),
], ids=["native", "sentences", "prodigy", "doccano", "quotes-of-done", "one-annotator"])
def test_workers_write_what_one_process_writes(store: LocalStore, options: ExportOptions) -> None:
    alone_text, alone_counts = _exported(store, replace(options, jobs=1))
    workers_text, workers_counts = _exported(store, replace(options, jobs=2))
    assert alone_text  # something was exported
    assert workers_text == alone_text
    assert workers_counts == alone_counts


def test_the_links_ride_on_their_records_from_the_workers(store: LocalStore) -> None:
    text, counts = _exported(store, ExportOptions(jobs=2))
    assert counts.links == 1
    assert sum('"links": [' in line for line in text.splitlines()) == 2  # both ends


def test_a_damaged_document_in_a_worker_is_the_same_store_error(tmp_path: Path) -> None:
    store = _store(tmp_path / "store")
    try:
        victim = store.documents()[DOCUMENTS - 3]["id"]
        text_path = next((tmp_path / "store").rglob(f"{victim}.text.json"))
        text_path.write_text('{"text": "not the text the spans were made on"}', encoding="utf-8")
        with pytest.raises(StoreError) as alone:
            _exported(store, ExportOptions(jobs=1))
        with pytest.raises(StoreError) as workers:
            _exported(store, ExportOptions(jobs=2))
        assert str(workers.value) == str(alone.value)
        assert victim in str(workers.value)
    finally:
        store.close()


def test_jobs_are_one_per_core_only_for_many_documents(monkeypatch) -> None:
    monkeypatch.setattr(export_workers, "usable_cores", lambda: 4)
    assert export_workers.jobs_for(0, many=True) == 4
    assert export_workers.jobs_for(0, many=False) == 1
    assert export_workers.jobs_for(3, many=False) == 3
    assert export_workers.jobs_for(1, many=True) == 1
    assert export_workers.jobs_for(99, many=True) == export_workers.MAX_JOBS
