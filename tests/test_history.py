from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from annotations import history as history_module
from annotations.errors import StoreError
from annotations.history import Change, History
from annotations.model import Annotation, Document, DocumentMeta
from annotations.store import LocalStore
from annotations.store.files import write_json_atomic

TEXT = "The minister said the plan would cost two billion pounds, or more, by 2030."
OTHER = "A second article, so that changes span documents."


@pytest.fixture
def env(open_any):
    store = open_any()  # a folder, and PostgreSQL (tests/conftest.py)
    doc = Document(TEXT, DocumentMeta(path="a.txt"))
    store.register(doc)
    yield store, History(store), doc
    store.close()


@pytest.fixture
def folder_env(tmp_path: Path):
    """For tests that look at the folder store's own files."""
    store = LocalStore(tmp_path / "store")
    doc = Document(TEXT, DocumentMeta(path="a.txt"))
    store.register(doc)
    yield store, History(store), doc
    store.close()


def test_undo_redo_add(env) -> None:
    store, history, doc = env
    assert not history.can_undo and not history.can_redo
    assert history.undo() is None and history.redo() is None
    a = Annotation.tag(doc, 4, 12, "claim")
    assert history.add(a)
    assert history.can_undo and not history.can_redo
    change = history.undo()
    assert change == Change("add", None, a)
    assert change.annotation == a
    assert store.annotations(doc.id) == []
    assert history.can_redo and not history.can_undo
    assert history.redo() == Change("add", None, a)
    assert store.annotations(doc.id) == [a]


def test_duplicate_add_records_nothing(env) -> None:
    store, history, doc = env
    a = Annotation.tag(doc, 4, 12, "claim")
    assert history.add(a)
    assert not history.add(Annotation.tag(doc, 4, 12, "claim"))
    assert history.undo() == Change("add", None, a)
    assert not history.can_undo


def test_undo_redo_remove_and_update(env) -> None:
    store, history, doc = env
    a = Annotation.tag(doc, 4, 12, "claim")
    history.add(a)
    b = a.with_changes(label="quote", note="n")
    assert history.update(b) == a
    assert history.remove(doc.id, a.id) == b
    assert history.remove(doc.id, a.id) is None  # nothing there: not recorded
    assert history.update(Annotation.tag(doc, 0, 3, "x")) is None
    assert store.annotations(doc.id) == []

    assert history.undo() == Change("remove", b, None)
    assert store.annotations(doc.id) == [b]
    assert history.undo() == Change("update", a, b)
    assert store.annotations(doc.id) == [a]
    assert history.redo() == Change("update", a, b)
    assert store.annotations(doc.id) == [b]
    assert history.redo() == Change("remove", b, None)
    assert store.annotations(doc.id) == []
    assert history.redo() is None


def test_new_change_drops_redo_tail(env) -> None:
    store, history, doc = env
    a = Annotation.tag(doc, 0, 3, "claim")
    b = Annotation.tag(doc, 4, 12, "claim")
    c = Annotation.tag(doc, 13, 17, "quote")
    history.add(a)
    history.add(b)
    history.undo()
    assert history.can_redo
    history.add(c)
    assert not history.can_redo
    assert history.redo() is None
    assert history.undo() == Change("add", None, c)
    assert history.undo() == Change("add", None, a)
    assert history.undo() is None
    assert store.annotations(doc.id) == []


def test_history_survives_restart(open_any) -> None:
    doc = Document(TEXT)
    a = Annotation.tag(doc, 0, 3, "claim")
    b = Annotation.tag(doc, 4, 12, "claim")
    with open_any() as store:
        store.register(doc)
        history = History(store)
        history.add(a)
        history.add(b)
        history.undo()
    with open_any() as store:
        history = History(store)
        assert history.can_undo and history.can_redo
        assert history.redo() == Change("add", None, b)
        assert history.undo() == Change("add", None, b)
        assert history.undo() == Change("add", None, a)
        assert store.annotations(doc.id) == []
    with open_any(read_only=True) as viewer:
        history = History(viewer)
        assert history.can_redo
        with pytest.raises(StoreError, match="read-only"):
            history.redo()
    with open_any() as store:
        assert History(store).redo() == Change("add", None, a)
        assert store.annotations(doc.id) == [a]


def test_rejected_suggestion_is_undone_and_redone_across_restart(open_any) -> None:
    from annotations.segmentation import Segmenter
    from annotations.suggest import Suggestion, SuggestionState, pending

    text = "“We will not retreat,” the minister said. “Not one step,” she added."
    doc = Document(text)
    seg = Segmenter.default().segment(text)
    with open_any() as store:
        store.register(doc)
        first = [s for s in pending(doc, seg, store, store.annotations(doc.id))
                 if s.label == "quote"][0]
        would_be = first.to_annotation(doc)
        History(store).reject(would_be)
        assert first.key in SuggestionState(store).rejected(doc.id)
        assert first not in pending(doc, seg, store, store.annotations(doc.id))
    with open_any() as store:
        history = History(store)
        change = history.undo()
        assert change is not None and change.kind == "reject"
        assert change.annotation.start == first.start and store.annotations(doc.id) == []
        assert first in pending(doc, seg, store, store.annotations(doc.id))
        assert history.redo() == change
        assert first not in pending(doc, seg, store, store.annotations(doc.id))
        assert SuggestionState(store).rejected(doc.id) == {
            Suggestion(first.start, first.end, first.label).key
        }


def test_undo_when_the_store_changed_by_another_path(env) -> None:
    store, history, doc = env
    a = Annotation.tag(doc, 0, 3, "claim")
    history.add(a)
    store.remove(doc.id, a.id)  # not through the history
    assert history.undo() == Change("add", None, a)  # skipped, no crash
    assert store.annotations(doc.id) == []
    assert history.redo() == Change("add", None, a)
    assert store.annotations(doc.id) == [a]
    b = a.with_changes(label="quote")
    history.update(b)
    store.remove(doc.id, a.id)
    assert history.undo() == Change("update", a, b)
    assert store.annotations(doc.id) == []


def test_undo_of_remove_restores_even_beside_a_same_span_twin(env) -> None:
    store, history, doc = env
    a = Annotation.tag(doc, 0, 3, "claim")
    b = Annotation.tag(doc, 0, 3, "quote")
    history.add(a)
    history.add(b)
    twin = b.with_changes(label="claim")  # update may make a same-span twin
    history.update(twin)
    history.remove(doc.id, a.id)
    assert history.undo() == Change("remove", a, None)
    assert {x.id for x in store.annotations(doc.id)} == {a.id, b.id}


def test_history_is_bounded(env) -> None:
    store, _, doc = env
    history = History(store, limit=5)
    anns = [Annotation.tag(doc, i, i + 1, "claim") for i in range(8)]
    for ann in anns:
        history.add(ann)
    history.undo()
    history.undo()
    history.add(Annotation.tag(doc, 20, 21, "claim"))  # drops the tail, then trims
    undone = 0
    while history.undo() is not None:
        undone += 1
    assert undone == 4  # entries 4..7: the limit, less the dropped redo tail
    assert len(store.annotations(doc.id)) == 3  # the three oldest adds stay
    again = History(store, limit=5)
    assert not again.can_undo and again.can_redo


def test_default_bound_is_1000(folder_env) -> None:
    store, _, doc = folder_env
    limit = history_module.LIMIT
    assert limit == 1000
    # Start from a full history (written in one go: 1000 separate saves are slow).
    anns = [Annotation.tag(doc, i % 70, i % 70 + 1, f"l{i}") for i in range(limit)]
    for ann in anns[:10]:
        store.add(ann)
    entries = {str(seq): Change("add", None, ann).to_dict(seq) for seq, ann in enumerate(anns, 1)}
    write_json_atomic(store.root / "history.json",
                      {"entries": entries, "state": {"1": {"position": limit}}})
    history = History(store)
    extra = [Annotation.tag(doc, i, i + 2, "quote") for i in range(25)]
    for ann in extra:
        assert history.add(ann)
    assert History(store).undo() == Change("add", None, extra[-1])  # read back from the log
    history = History(store)
    history.redo()
    store.compact_history()  # the log folded into history.json: bounded there too
    data = json.loads((store.root / "history.json").read_text(encoding="utf-8"))
    seqs = sorted(int(k) for k in data["entries"])
    assert len(seqs) == limit
    assert seqs[0] == 26 and seqs[-1] == limit + 25
    assert data["state"]["1"]["position"] == limit + 25
    assert History(store).undo() == Change("add", None, extra[-1])


def test_random_sequence_against_model(tmp_path: Path) -> None:
    """A plain random walk, many steps, with a small history limit."""
    rng = random.Random(7)
    docs = [Document(TEXT), Document(OTHER)]
    with LocalStore(tmp_path / "s") as store:
        for d in docs:
            store.register(d)
        history = History(store, limit=20)
        model = Model(limit=20)
        for _ in range(400):
            op = rng.choice(["add", "add", "remove", "update", "undo", "undo", "redo", "reopen"])
            current = model.current
            if op == "add":
                d = rng.choice(docs)
                s = rng.randrange(4)  # few spans, so updates make clashes
                ann = Annotation.tag(d, s, s + rng.randint(1, 2), rng.choice("ab"))
                assert history.add(ann) == model.add(ann)
            elif op == "remove" and current:
                ann = rng.choice(sorted(current.values(), key=lambda a: a.id))
                assert history.remove(ann.doc_id, ann.id) == model.remove(ann.id)
            elif op == "update" and current:
                ann = rng.choice(sorted(current.values(), key=lambda a: a.id))
                new = ann.with_changes(label=rng.choice("abc"), note=str(rng.random()))
                assert history.update(new) == model.update(new)
            elif op == "undo":
                assert history.undo() == model.undo()
            elif op == "redo":
                assert history.redo() == model.redo()
            elif op == "reopen":
                history = History(store, limit=20)
            assert {a.id: a for a in store.all_annotations()} == model.current
            assert history.can_undo == model.can_undo
            assert history.can_redo == model.can_redo


class Model:
    """Undo/redo as a list of whole states: obviously right, if wasteful."""

    def __init__(self, limit: int = history_module.LIMIT) -> None:
        self.states: list[dict[str, Annotation]] = [{}]
        self.changes: list[Change] = []
        self.pos = 0
        self.limit = limit
        self.dropped = 0  # changes beyond the limit cannot be undone

    @property
    def current(self) -> dict[str, Annotation]:
        return self.states[self.pos]

    @property
    def can_undo(self) -> bool:
        return self.pos > self.dropped

    @property
    def can_redo(self) -> bool:
        return self.pos < len(self.changes)

    def _push(self, state: dict[str, Annotation], change: Change) -> None:
        del self.states[self.pos + 1 :]
        del self.changes[self.pos :]
        self.states.append(state)
        self.changes.append(change)
        self.pos += 1
        self.dropped = max(self.dropped, len(self.changes) - self.limit)

    def add(self, ann: Annotation) -> bool:
        key = (ann.doc_id, ann.start, ann.end, ann.label)
        if any((a.doc_id, a.start, a.end, a.label) == key for a in self.current.values()):
            return False
        self._push({**self.current, ann.id: ann}, Change("add", None, ann))
        return True

    def remove(self, ann_id: str) -> Annotation | None:
        old = self.current.get(ann_id)
        if old is not None:
            state = dict(self.current)
            del state[ann_id]
            self._push(state, Change("remove", old, None))
        return old

    def update(self, ann: Annotation) -> Annotation | None:
        old = self.current.get(ann.id)
        if old is not None and old != ann:
            self._push({**self.current, ann.id: ann}, Change("update", old, ann))
        return old

    def undo(self) -> Change | None:
        if not self.can_undo:
            return None
        self.pos -= 1
        return self.changes[self.pos]

    def redo(self) -> Change | None:
        if not self.can_redo:
            return None
        self.pos += 1
        return self.changes[self.pos - 1]


@settings(
    max_examples=40,
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
class HistoryMachine(RuleBasedStateMachine):
    """After any sequence of changes, undos and redos, store == model."""

    docs = [Document(TEXT), Document(OTHER)]

    @initialize(data=st.data())
    def start(self, data) -> None:
        import tempfile

        self.tmp = tempfile.TemporaryDirectory()
        self.store = LocalStore(Path(self.tmp.name) / "s")
        for d in self.docs:
            self.store.register(d)
        self.limit = data.draw(st.sampled_from([3, 1000]), label="limit")
        self.history = History(self.store, limit=self.limit)
        self.model = Model(limit=self.limit)

    def teardown(self) -> None:
        if hasattr(self, "store"):
            self.store.close()
            self.tmp.cleanup()

    @rule(
        doc=st.sampled_from([0, 1]),
        start=st.integers(0, 1),
        length=st.integers(1, 2),
        label=st.sampled_from(["claim", "quote"]),
    )
    def add(self, doc: int, start: int, length: int, label: str) -> None:
        ann = Annotation.tag(self.docs[doc], start, start + length, label)
        assert self.history.add(ann) == self.model.add(ann)

    @precondition(lambda self: bool(self.model.current))
    @rule(data=st.data())
    def remove(self, data) -> None:
        ann = data.draw(st.sampled_from(list(self.model.current.values())))
        assert self.history.remove(ann.doc_id, ann.id) == self.model.remove(ann.id)

    @precondition(lambda self: bool(self.model.current))
    @rule(data=st.data(), label=st.sampled_from(["claim", "quote", "terms"]))
    def update(self, data, label: str) -> None:
        ann = data.draw(st.sampled_from(list(self.model.current.values())))
        new = ann.with_changes(label=label, note=f"now {label}")
        assert self.history.update(new) == self.model.update(new)

    @rule()
    def undo(self) -> None:
        assert self.history.undo() == self.model.undo()

    @rule()
    def redo(self) -> None:
        assert self.history.redo() == self.model.redo()

    @rule()
    def restart(self) -> None:
        """Close and reopen the store and the history, as the app does."""
        self.store.close()
        self.store = LocalStore(Path(self.tmp.name) / "s")
        self.history = History(self.store, limit=self.limit)

    @invariant()
    def store_matches_model(self) -> None:
        if not hasattr(self, "store"):
            return
        assert {a.id: a for a in self.store.all_annotations()} == self.model.current
        assert self.history.can_undo == self.model.can_undo
        assert self.history.can_redo == self.model.can_redo


TestHistoryMachine = HistoryMachine.TestCase


def test_a_group_is_one_undo_and_one_redo_step_across_a_restart(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "store")
    doc = Document(TEXT, DocumentMeta(path="a.txt"))
    store.register(doc)
    history = History(store)
    alone = Annotation.tag(doc, 0, 3, "claim")
    grouped = [Annotation.tag(doc, s, e, "quote") for s, e in ((4, 12), (13, 17), (18, 21))]
    assert history.add(alone)
    for ann in grouped:
        assert history.add(ann, group="g1")
    store.close()

    store = LocalStore(tmp_path / "store")
    history = History(store)
    change = history.undo()
    assert change is not None and change.steps == 3 and change.group == "g1"
    assert [a.id for a in store.annotations(doc.id)] == [alone.id]
    assert history.redo().steps == 3
    assert len(store.annotations(doc.id)) == 4
    history.undo()
    single = history.undo()
    assert single == Change("add", None, alone) and single.steps == 1
    assert store.annotations(doc.id) == []
    store.close()
