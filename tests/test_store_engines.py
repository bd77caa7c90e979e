"""The store's interface, the same on both engines (a folder, and PostgreSQL for real)."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotations.engines import open_store
from annotations.errors import StoreError
from annotations.history import History
from annotations.links import Link, LinkStore
from annotations.model import Annotation, Document, DocumentMeta
from annotations.segmentation import Segmenter, encode
from annotations.store import Pane

TEXT = "The minister said the plan would cost more. Critics called it rushed."


@pytest.fixture
def doc() -> Document:
    return Document(TEXT, DocumentMeta(path="a.txt", title="Plan"))


@pytest.fixture
def store(store_spec: Path | str, doc: Document):
    with open_store(store_spec) as opened:
        opened.register(doc)
        yield opened


def test_add_refuses_the_same_span_and_label_and_the_same_id(store, doc) -> None:
    ann = Annotation.tag(doc, 4, 12, "claim", annotator="ana")
    assert store.add(ann)
    assert not store.add(ann)
    assert not store.add(Annotation.tag(doc, 4, 12, "claim", annotator="ana"))
    assert store.add(Annotation.tag(doc, 4, 12, "quote", annotator="ana"))
    assert [a.label for a in store.annotations(doc.id)] == ["claim", "quote"]
    assert store.counts(doc.id) == {"claim": 1, "quote": 1}


def test_changes_persist_across_reopening(store_spec, store, doc) -> None:
    first = Annotation.tag(doc, 4, 12, "claim", annotator="ana", note="who?")
    second = Annotation.tag(doc, 0, 3, "terms", annotator="ana")
    store.add(first)
    store.add(second)
    assert store.update(first.with_changes(label="quote")) == first
    assert store.remove(doc.id, second.id) == second
    assert store.remove(doc.id, second.id) is None
    assert store.update(second) is None
    store.set_status(doc.id, "done")
    store.set_panes([Pane(doc.id, "a.txt", 5)])
    store.close()
    with open_store(store_spec) as again:
        assert again.annotations(doc.id) == [first.with_changes(label="quote")]
        assert again.annotations(doc.id)[0].note == "who?"
        assert again.document_record(doc.id)["status"] == "done"
        assert again.documents()[0]["meta"]["title"] == "Plan"
        assert again.load_text(doc.id) == TEXT
        assert again.panes() == [Pane(doc.id, "a.txt", 5)]
        assert again.restore(second)
        assert not again.restore(second)


def test_first_tag_moves_status_to_in_progress(store, doc) -> None:
    assert store.document_record(doc.id)["status"] == "untouched"
    store.add(Annotation.tag(doc, 4, 12, "claim"))
    assert store.document_record(doc.id)["status"] == "in progress"


def test_add_many_skips_duplicates_and_unknown_documents_fail(store, doc) -> None:
    anns = [Annotation.tag(doc, 4, 12, "claim"), Annotation.tag(doc, 0, 3, "terms")]
    assert store.add_many([*anns, Annotation.tag(doc, 4, 12, "claim")]) == 2
    assert store.add_many(anns) == 0
    other = Document("Another article entirely.")
    with pytest.raises(StoreError, match="not in the store"):
        store.add(Annotation.tag(other, 0, 7, "claim"))
    rows = store.annotation_rows(doc.id)
    assert [(r.start, r.end, r.label) for r in rows] == [(0, 3, "terms"), (4, 12, "claim")]
    assert sorted(a.id for a in store.all_annotations()) == sorted(a.id for a in anns)


def test_segmentation_is_kept(store, doc) -> None:
    seg = Segmenter.default().segment(TEXT)
    assert store.load_segmentation(doc.id, TEXT) is None
    assert store.save_segmentation(doc.id, seg)
    assert not store.save_segmentation(doc.id, seg)  # written once
    loaded = store.load_segmentation(doc.id, TEXT)
    assert loaded is not None and encode(loaded) == encode(seg)


def test_undo_and_redo_reach_across_reopening(store_spec, store, doc) -> None:
    history = History(store)
    ann = Annotation.tag(doc, 4, 12, "claim")
    history.add(ann)
    history.update(ann.with_changes(label="quote"))
    history.close()
    store.close()
    with open_store(store_spec) as again:
        history = History(again)
        assert history.undo().kind == "update"
        assert again.annotations(doc.id)[0].label == "claim"
        assert history.undo().kind == "add"
        assert again.annotations(doc.id) == []
        assert history.redo().kind == "add"
        assert again.annotations(doc.id) == [ann]
        history.close()


def test_links_are_kept(store_spec, store, doc) -> None:
    other = Document("Opponents say the study behind it was thin.")
    store.register(other)
    a = Annotation.tag(doc, 4, 12, "claim")
    b = Annotation.tag(other, 0, 9, "claim")
    store.add(a)
    store.add(b)
    link = Link.between(a, b, "same-claim")
    with LinkStore(store) as links:
        assert links.add(link)
        assert not links.add(link)
    store.close()
    with open_store(store_spec) as again, LinkStore(again) as links:
        assert links.all() == [link]
        assert links.remove(link.id) == link
        assert links.all() == []


def test_a_read_only_store_writes_nothing(store_spec, store, doc) -> None:
    store.close()
    with open_store(store_spec, read_only=True) as viewer:
        with pytest.raises(StoreError, match="read-only"):
            viewer.add(Annotation.tag(doc, 4, 12, "claim"))
        assert viewer.annotations(doc.id) == []
