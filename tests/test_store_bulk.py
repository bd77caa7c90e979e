"""Bulk registration and annotation, and the parsed-annotation cache."""

from __future__ import annotations

from pathlib import Path

from annotations.model import Annotation, Document
from annotations.store import LocalStore


def _docs(n: int) -> list[Document]:
    return [Document(text=f"Mr. Patel spoke on day {i}. Critics disagreed.") for i in range(n)]


def test_register_many_is_register_in_bulk(tmp_path: Path) -> None:
    docs = _docs(4)
    with LocalStore(tmp_path / "s") as store:
        assert store.register_many([*docs, docs[0]]) == 4
        assert store.register_many(docs) == 0
        assert [r["id"] for r in store.documents()] == [d.id for d in docs]
        assert all(r["status"] == "untouched" for r in store.documents())
    with LocalStore(tmp_path / "s") as store:
        assert store.load_text(docs[2].id) == docs[2].text


def test_add_many_skips_what_add_skips_and_touches(tmp_path: Path) -> None:
    docs = _docs(2)
    a = Annotation.tag(docs[0], 0, 9, "claim")
    twin = Annotation.tag(docs[0], 0, 9, "claim")  # same span and label
    b = Annotation.tag(docs[1], 0, 3, "quote")
    with LocalStore(tmp_path / "s") as store:
        store.register_many(docs)
        assert store.add_many([a, twin, b]) == 2
        assert store.add_many([a, b]) == 0
        assert not store.add(twin)
        assert store.document_record(docs[0].id)["status"] == "in progress"
    with LocalStore(tmp_path / "s") as store:
        assert store.annotations(docs[0].id) == [a]
        assert store.annotations(docs[1].id) == [b]


def test_annotations_follow_every_change_and_are_copies(tmp_path: Path) -> None:
    (doc,) = _docs(1)
    with LocalStore(tmp_path / "s") as store:
        store.register(doc)
        a = Annotation.tag(doc, 0, 9, "claim")
        store.add(a)
        got = store.annotations(doc.id)
        got.clear()  # the caller's list, not the store's
        assert store.annotations(doc.id) == [a]
        b = Annotation.tag(doc, 10, 15, "quote")
        store.add(b)
        assert store.annotations(doc.id) == [a, b]
        store.remove(doc.id, a.id)
        assert store.annotations(doc.id) == [b]
        assert store.add(a)  # its span is free again
        assert store.annotations(doc.id) == [a, b]


def test_a_reader_sees_the_writers_changes(tmp_path: Path) -> None:
    (doc,) = _docs(1)
    with LocalStore(tmp_path / "s") as writer:
        writer.register(doc)
        reader = LocalStore(tmp_path / "s", read_only=True)
        try:
            assert reader.annotations(doc.id) == []
            a = Annotation.tag(doc, 0, 9, "claim")
            writer.add(a)
            assert reader.annotations(doc.id) == [a]
        finally:
            reader.close()


def test_the_same_span_in_two_annotators_layers_is_two_annotations(tmp_path: Path) -> None:
    doc = _docs(1)[0]
    ana = Annotation.tag(doc, 0, 9, "claim", annotator="ana")
    ben = Annotation.tag(doc, 0, 9, "claim", annotator="ben")
    ana_twin = Annotation.tag(doc, 0, 9, "claim", annotator="ana")
    with LocalStore(tmp_path / "s") as store:
        store.register(doc)
        assert store.add(ana)
        assert store.add(ben)  # another layer: not a twin
        assert not store.add(ana_twin)  # a twin within ana's layer
        assert store.add_many([Annotation.tag(doc, 0, 9, "claim", annotator="cy"),
                               Annotation.tag(doc, 0, 9, "claim", annotator="cy")]) == 1
        store.remove(doc.id, ben.id)
        assert store.add(Annotation.tag(doc, 0, 9, "claim", annotator="ben"))
    with LocalStore(tmp_path / "s") as store:
        assert sorted(a.annotator for a in store.annotations(doc.id)) == ["ana", "ben", "cy"]
        assert not store.add(ana_twin)
