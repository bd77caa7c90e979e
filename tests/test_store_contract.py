"""The `Store` protocol's contract: what every engine must do (`tests/store_engines.py`).

Each test runs once per engine (the `any_store` fixture). They use only the
protocol (`annotations.store.protocol`) and `open_store`, never an engine's
files, so a new engine passes them or says where it differs.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from annotations.errors import StoreError
from annotations.model import Annotation, Document, DocumentMeta, Link, Relation
from annotations.segmentation import Segmenter
from annotations.store import STATUSES, Pane, Store, open_store
from tests.store_engines import ENGINES

TEXT = "The council voted on Tuesday. Critics said the study was thin. Mr. Lee agreed."
OTHER = "A second article, about the weir, with a quote: “we will not wait.”"


@pytest.fixture(params=sorted(ENGINES))
def any_store(request: pytest.FixtureRequest, tmp_path: Path):
    store = ENGINES[request.param](tmp_path)
    yield store
    store.close()


def doc(text: str = TEXT, path: str | None = "a.txt", title: str | None = None) -> Document:
    return Document(text, DocumentMeta(path=path, title=title))


def reopened(store: Store, *, read_only: bool = False) -> Store:
    """The same store opened again (after `store` is closed, unless read-only)."""
    if not read_only:
        store.close()
    return open_store(store.location, read_only=read_only)


def test_it_is_a_store(any_store: Store) -> None:
    assert isinstance(any_store, Store)
    assert not any_store.read_only and any_store.upgraded is None
    any_store.check_writable()
    assert isinstance(any_store.location, str) and any_store.location


# ---------------------------------------------------------------- documents


def test_documents_are_registered_once_in_order_with_their_text(any_store: Store) -> None:
    a, b = doc(), doc(OTHER, path=None)
    any_store.register(a)
    any_store.register(b)
    any_store.register(a)
    assert [r["id"] for r in any_store.documents()] == [a.id, b.id]
    record = any_store.document_record(a.id)
    assert record is not None
    assert (record["path"], record["meta"]["path"], record["status"]) == (
        "a.txt", "a.txt", "untouched")
    assert record["length"] == len(TEXT)
    assert any_store.load_text(a.id) == TEXT and any_store.load_text(b.id) == OTHER
    assert any_store.document_record("nosuch") is None and any_store.load_text("nosuch") is None
    # A known id gets its path and metadata updated; the text stays.
    any_store.register(Document(TEXT, DocumentMeta(path="b.txt", title="T")))
    record = any_store.document_record(a.id)
    assert record is not None and (record["path"], record["meta"]["title"]) == ("b.txt", "T")
    record["meta"]["title"] = "changed"  # a copy
    assert any_store.document_record(a.id)["meta"]["title"] == "T"  # type: ignore[index]


def test_register_many_counts_the_new_ones(any_store: Store) -> None:
    a, b, c = doc(), doc(OTHER), doc("A third text.")
    any_store.register(a)
    assert any_store.register_many([a, b, c, b]) == 2
    assert [r["id"] for r in any_store.documents()] == [a.id, b.id, c.id]


def test_documents_registered_soon_are_seen_at_once_and_kept(any_store: Store) -> None:
    known, a, b = doc("A known text."), doc(), doc(OTHER, path="b.txt")
    any_store.register(known)
    any_store.register_soon([a, b], {"a.txt": a.id, "b.txt": b.id})
    assert [r["id"] for r in any_store.documents()] == [known.id, a.id, b.id]
    assert any_store.document_record(a.id)["status"] == "untouched"  # type: ignore[index]
    assert any_store.load_text(b.id) == OTHER
    assert any_store.annotations(a.id) == []
    assert any_store.paths()["b.txt"] == b.id
    any_store.write_registered()
    any_store.write_registered()  # nothing left: nothing done
    store = reopened(any_store)
    try:
        assert [r["id"] for r in store.documents()] == [known.id, a.id, b.id]
        assert store.load_text(a.id) == TEXT
        assert store.paths() == {"a.txt": a.id, "b.txt": b.id}
    finally:
        store.close()


def test_any_write_writes_documents_registered_soon_first(any_store: Store) -> None:
    a = doc()
    any_store.register_soon([a], {"a.txt": a.id})
    ann = Annotation.tag(a, 4, 11, "claim")
    assert any_store.add(ann)
    store = reopened(any_store)  # (close writes them too: here they were written already)
    try:
        assert store.load_text(a.id) == TEXT
        assert [x.id for x in store.annotations(a.id)] == [ann.id]
    finally:
        store.close()


def test_statuses(any_store: Store) -> None:
    a = doc()
    any_store.register(a)
    for status in STATUSES:
        any_store.set_status(a.id, status)
        assert any_store.document_record(a.id)["status"] == status  # type: ignore[index]
    with pytest.raises(ValueError):
        any_store.set_status(a.id, "finished")
    with pytest.raises(StoreError):
        any_store.set_status("nosuch", "done")
    b = doc(OTHER)
    any_store.register(b)
    any_store.add(Annotation.tag(b, 0, 1, "claim"))
    assert any_store.document_record(b.id)["status"] == "in progress"  # type: ignore[index]


def test_a_bad_document_id_is_refused(any_store: Store) -> None:
    with pytest.raises(StoreError):
        any_store.register(Document(TEXT, id="../escape"))
    with pytest.raises(StoreError):
        any_store.add(Annotation("not/an/id", 0, 1, "claim", "T"))


# ---------------------------------------------------------------- annotations


def test_annotations_add_sorted_counted_and_refused_twice(any_store: Store) -> None:
    a = doc()
    any_store.register(a)
    late = Annotation.tag(a, 30, 36, "claim")
    outer = Annotation.tag(a, 0, 29, "quote")
    inner = Annotation.tag(a, 0, 11, "terms")
    for ann in (late, inner, outer):
        assert any_store.add(ann)
    assert any_store.annotations(a.id) == [outer, inner, late]
    assert not any_store.add(late)  # same id
    assert not any_store.add(Annotation.tag(a, 30, 36, "claim"))  # same span and label
    assert any_store.add(Annotation.tag(a, 30, 36, "opinion"))  # another label
    assert any_store.counts(a.id) == Counter({"claim": 1, "quote": 1, "terms": 1, "opinion": 1})
    rows = any_store.annotation_rows(a.id)
    assert [r.to_annotation() for r in rows] == any_store.annotations(a.id)
    assert sorted(x.id for x in any_store.all_annotations()) == sorted(
        x.id for x in any_store.annotations(a.id))
    got = any_store.annotations(a.id)
    got.clear()  # a copy
    assert len(any_store.annotations(a.id)) == 4
    assert any_store.annotations("nosuch") == [] and any_store.counts("nosuch") == Counter()
    with pytest.raises(StoreError):
        any_store.add(Annotation.tag(doc(OTHER), 0, 1, "claim"))  # not registered


def test_update_remove_restore(any_store: Store) -> None:
    a = doc()
    any_store.register(a)
    ann = Annotation.tag(a, 0, 11, "claim")
    any_store.add(ann)
    noted = ann.with_changes(note="check", label="quote")
    assert any_store.update(noted) == ann
    assert any_store.annotations(a.id) == [noted]
    assert any_store.update(Annotation.tag(a, 0, 3, "claim")) is None  # no such id
    assert any_store.remove(a.id, ann.id) == noted
    assert any_store.remove(a.id, ann.id) is None
    twin = Annotation.tag(a, 0, 11, "quote")
    assert any_store.add(twin)
    # Undo brings back exactly what was there, twin span or not.
    assert any_store.restore(noted)
    assert not any_store.restore(noted)
    assert {x.id for x in any_store.annotations(a.id)} == {twin.id, noted.id}


def test_add_many_skips_what_add_would_skip(any_store: Store) -> None:
    a, b = doc(), doc(OTHER)
    any_store.register_many([a, b])
    first = Annotation.tag(a, 0, 3, "claim")
    any_store.add(first)
    batch = [
        first,  # present
        Annotation.tag(a, 0, 3, "claim"),  # same span and label as present
        Annotation.tag(a, 4, 11, "claim"),
        Annotation.tag(a, 4, 11, "claim"),  # twin within the batch
        Annotation.tag(b, 0, 1, "quote"),
    ]
    assert any_store.add_many(batch) == 2
    assert len(any_store.annotations(a.id)) == 2 and len(any_store.annotations(b.id)) == 1


def test_everything_saved_is_there_after_reopening(any_store: Store) -> None:
    a = doc()
    any_store.register(a)
    ann = Annotation.tag(a, 0, 11, "claim", note="n")
    gone = Annotation.tag(a, 12, 17, "terms")
    any_store.add_many([ann, gone])
    any_store.remove(a.id, gone.id)
    any_store.update(ann.with_changes(label="opinion"))
    any_store.set_status(a.id, "done")
    link_doc = doc(OTHER)
    any_store.register(link_doc)
    other = Annotation.tag(link_doc, 0, 1, "claim")
    any_store.add(other)
    link = Link.between(ann, other, "same-claim")
    any_store.add_link(link)
    any_store.record_step({"seq": 1, "kind": "add"}, 10)
    # A document no longer in a pane keeps only its cursor (`shown` False).
    any_store.set_panes([Pane(a.id, "a.txt", 4), Pane("left", cursor=9, shown=False)])
    store = reopened(any_store)
    try:
        assert store.annotations(a.id) == [ann.with_changes(label="opinion")]
        assert store.document_record(a.id)["status"] == "done"  # type: ignore[index]
        assert store.links() == [link]
        assert store.history() == ({1: {"seq": 1, "kind": "add"}}, 1)
        assert store.panes() == [Pane(a.id, "a.txt", 4), Pane("left", cursor=9, shown=False)]
        assert store.load_text(a.id) == TEXT
    finally:
        store.close()


# ---------------------------------------------------------------- links


def test_links(any_store: Store) -> None:
    a, b = doc(), doc(OTHER)
    any_store.register_many([a, b])
    x, y = Annotation.tag(a, 0, 3, "quote"), Annotation.tag(b, 0, 1, "quote")
    any_store.add_many([x, y])
    link = Link.between(x, y, "same-quote")
    assert any_store.add_link(link)
    assert not any_store.add_link(link)
    assert not any_store.add_link(Link.between(y, x, "same-quote"))  # the same two ends
    other = Link.between(x, y, "paraphrase")
    assert any_store.add_link(other)
    assert any_store.links() == [link, other]
    assert any_store.remove_link(link.id) == link
    assert any_store.remove_link(link.id) is None
    assert any_store.restore_link(link) and not any_store.restore_link(link)
    assert {k.id for k in any_store.links()} == {link.id, other.id}


# ---------------------------------------------------------------- undo history


def test_history_steps_position_redo_tail_and_limit(any_store: Store) -> None:
    assert any_store.history() == ({}, 0)
    for seq in (1, 2, 3):
        any_store.record_step({"seq": seq, "kind": "add", "n": seq}, 10)
    assert any_store.history()[1] == 3
    any_store.move_history(1)  # two undos
    steps, position = any_store.history()
    assert position == 1 and sorted(steps) == [1, 2, 3]  # redo still possible
    any_store.record_step({"seq": 2, "kind": "remove"}, 10)  # a new change: the tail goes
    steps, position = any_store.history()
    assert position == 2 and steps == {1: {"seq": 1, "kind": "add", "n": 1},
                                        2: {"seq": 2, "kind": "remove"}}
    for seq in range(3, 8):
        any_store.record_step({"seq": seq, "kind": "add"}, 3)  # only the last 3 are kept
    steps, position = any_store.history()
    assert (sorted(steps), position) == ([5, 6, 7], 7)
    step = {"seq": 8, "kind": "add"}
    any_store.record_step(step, 3)
    step["kind"] = "changed"  # the store kept its own copy
    assert any_store.history()[0][8]["kind"] == "add"


# ---------------------------------------------------------------- session state


def test_session_state_fields(any_store: Store) -> None:
    a = doc()
    any_store.register(a)
    orphan = Annotation.tag(a, 0, 3, "claim")
    assert (any_store.panes(), any_store.paths(), any_store.reanchoring()) == ([], {}, {})
    assert (any_store.orphans(a.id), any_store.rejected(a.id)) == ([], set())
    any_store.set_panes([Pane(a.id, "a.txt", 3), Pane("other")])
    any_store.remember_paths({"/x/a.txt": a.id})
    any_store.remember_paths({"/x/b.txt": "b"})
    any_store.remember_paths({"/x/a.txt": "new"})
    any_store.record_reanchoring("new", {"from": a.id, "kept": 1, "moved": 0, "fuzzy": 0,
                                         "orphaned": 1})
    any_store.set_orphans("new", [orphan])
    any_store.set_rejected(a.id, ["0:3:claim", "4:11:terms"])
    any_store.set_rejected(a.id, ["4:11:terms"])
    paths = any_store.paths()
    paths["/x/c.txt"] = "c"  # a copy
    store = reopened(any_store)
    try:
        assert store.panes() == [Pane(a.id, "a.txt", 3), Pane("other")]
        assert store.paths() == {"/x/a.txt": "new", "/x/b.txt": "b"}
        assert store.reanchoring()["new"]["from"] == a.id
        assert store.orphans("new") == [orphan]
        assert store.rejected(a.id) == {"4:11:terms"}
        store.set_orphans("new", [])
        assert store.orphans("new") == []
    finally:
        store.close()


# ---------------------------------------------------------------- read-only


def test_read_only_reads_everything_and_writes_nothing(any_store: Store) -> None:
    a = doc()
    any_store.register(a)
    ann = Annotation.tag(a, 0, 3, "claim")
    any_store.add(ann)
    any_store.close()
    viewer = open_store(any_store.location, read_only=True)
    try:
        assert viewer.read_only
        assert viewer.annotations(a.id) == [ann] and viewer.load_text(a.id) == TEXT
        with pytest.raises(StoreError):
            viewer.check_writable()
        attempts = [
            lambda: viewer.register(doc(OTHER)),
            lambda: viewer.register_many([doc(OTHER)]),
            lambda: viewer.set_status(a.id, "done"),
            lambda: viewer.add(Annotation.tag(a, 4, 11, "claim")),
            lambda: viewer.add_many([Annotation.tag(a, 4, 11, "claim")]),
            lambda: viewer.restore(Annotation.tag(a, 4, 11, "claim")),
            lambda: viewer.remove(a.id, ann.id),
            lambda: viewer.update(ann.with_changes(label="quote")),
            lambda: viewer.add_link(Link(a.id, ann.id, "b", "c", "same-claim")),
            lambda: viewer.record_step({"seq": 1, "kind": "add"}, 10),
            lambda: viewer.move_history(0),
            lambda: viewer.set_panes([]),
            lambda: viewer.remember_paths({"/a": a.id}),
            lambda: viewer.record_reanchoring(a.id, {}),
            lambda: viewer.set_orphans(a.id, [ann]),
            lambda: viewer.set_rejected(a.id, ["x"]),
        ]
        for attempt in attempts:
            with pytest.raises(StoreError):
                attempt()
        assert viewer.annotations(a.id) == [ann]
        assert not viewer.save_segmentation(
            a.id, Segmenter.train([TEXT]).segment(TEXT))
    finally:
        viewer.close()


# ---------------------------------------------------------------- segmentation cache


def test_segmentation_is_kept_once_for_its_text(any_store: Store) -> None:
    a = doc()
    any_store.register(a)
    assert any_store.load_segmentation(a.id, TEXT) is None
    seg = Segmenter.train([TEXT]).segment(TEXT)
    assert any_store.save_segmentation(a.id, seg)
    assert not any_store.save_segmentation(a.id, seg)  # kept already
    loaded = any_store.load_segmentation(a.id, TEXT)
    assert loaded is not None and loaded.sentences == seg.sentences
    # Read here, decoded elsewhere (the reader's worker): the same segmentation.
    kept = any_store.kept_segmentation(a.id)
    assert kept is not None and kept.decode(TEXT, a.id) == loaded
    assert any_store.kept_segmentation(doc("never segmented").id) is None
    warned: list[str] = []
    assert any_store.load_segmentation(a.id, OTHER, warned.append) is None  # another text


def test_add_documents_stores_a_batch_whole(any_store: Store) -> None:
    a, b, c = doc(), doc(OTHER), doc("A third text.", path=None)
    any_store.register(a)
    x = Annotation.tag(b, 0, 1, "claim")
    batch = [
        (a, [Annotation.tag(a, 0, 3, "claim")], "untouched"),  # registered: left out
        (b, [x, Annotation.tag(b, 0, 1, "claim"), x], "done"),  # twins left out
        (c, [], "untouched"),
        (b, [], "untouched"),  # twice in the batch: once
    ]
    assert any_store.add_documents(batch) == 2
    assert [r["id"] for r in any_store.documents()] == [a.id, b.id, c.id]
    assert any_store.annotations(a.id) == []
    assert any_store.annotations(b.id) == [x]
    statuses = {r["id"]: r["status"] for r in any_store.documents()}
    assert statuses == {a.id: "untouched", b.id: "done", c.id: "untouched"}
    assert any_store.add_documents([]) == 0
    store = reopened(any_store)
    try:
        assert store.load_text(b.id) == OTHER and store.annotations(b.id) == [x]
        assert store.load_text(c.id) == "A third text."
        assert store.add(Annotation.tag(c, 0, 1, "terms"))  # a batch's document takes saves
        assert store.document_record(c.id)["status"] == "in progress"  # type: ignore[index]
    finally:
        store.close()


def test_relations_and_attributes_are_kept_by_every_way_in(any_store: Store) -> None:
    # Each way a span reaches a store (one, many, a batch of new documents)
    # keeps its attribute values and relations, and an update that takes them
    # away leaves none behind (a row is replaced whole, not merged).
    a, b = doc(), doc(OTHER)
    any_store.register(a)
    tail = Annotation.tag(a, 0, 3, "speaker")
    head = Annotation.tag(a, 4, 11, "quote").with_changes(
        relations=(Relation(id="r1", type="said_by", tail=tail.id),), attrs={"tone": "flat"})
    assert any_store.add(head)
    many = Annotation.tag(a, 12, 17, "claim").with_changes(
        relations=(Relation(id="r2", type="about", tail=tail.id),), attrs={"check": "yes"})
    assert any_store.add_many([tail, many]) == 2
    b_tail = Annotation.tag(b, 0, 1, "speaker")
    b_head = Annotation.tag(b, 2, 8, "quote").with_changes(
        relations=(Relation(id="r3", type="said_by", tail=b_tail.id),))
    assert any_store.add_documents([(b, [b_tail, b_head], "untouched")]) == 1
    assert any_store.update(head.with_changes(relations=(), attrs={})) == head
    store = reopened(any_store)
    try:
        by_id = {ann.id: ann for ann in store.annotations(a.id)}
        assert by_id[head.id].relations == () and by_id[head.id].attrs == {}
        assert by_id[many.id] == many
        assert b_head in store.annotations(b.id)
    finally:
        store.close()
