"""A tag on the PostgreSQL store: the annotation and its undo step in one transaction.

And the schema's later migrations: a store made by an older newsmark (schema
1) is upgraded in place, keeping everything it held (its discontinuous
spans get their `fragments` column from their rows).
"""

from __future__ import annotations

import psycopg
import pytest

from annotations.history import History
from annotations.model import Annotation, Document, DocumentMeta
from annotations.postgres import schema
from annotations.postgres.store import PostgresStore
from annotations.postgres.url import connect

TEXT = "The minister said the plan would cost more. Critics called it rushed."


def doc() -> Document:
    return Document(TEXT, DocumentMeta(path="a.txt"))


@pytest.fixture
def store(pg_url: str, tmp_path):  # type: ignore[no-untyped-def]
    with PostgresStore(pg_url, annotator="ana", outbox=tmp_path / "ana.jsonl") as opened:
        opened.register(doc())
        yield opened


def test_a_tag_is_one_statement_and_carries_its_undo_step(store: PostgresStore,
                                                        pg_url: str) -> None:
    d = doc()
    history = History(store)
    sent: list[str] = []
    original = store._conn.execute

    def counting(query, params=None, **kw):  # type: ignore[no-untyped-def]
        sent.append(str(query))
        return original(query, params, **kw)

    store._conn.execute = counting  # type: ignore[method-assign]
    try:
        first = Annotation.tag(d, 4, 12, "claim", annotator="ana")
        assert history.add(first)
        second = Annotation.tag(d, 13, 17, "quote", annotator="ana")
        assert history.add(second)
        assert not history.add(second)  # refused: nothing recorded
    finally:
        del store._conn.execute
    # One statement each, on an autocommit connection: one transaction per tag.
    assert len(sent) == 3 and all("newsmark_add" in q for q in sent)
    steps, position = store.history()
    assert position == 2 and sorted(steps) == [1, 2]
    assert steps[2]["after"]["id"] == second.id
    assert history.undo().annotation == second
    assert [a.id for a in store.annotations(d.id)] == [first.id]
    assert history.redo().annotation == second
    # Another session of the same annotator sees the same history.
    with PostgresStore(pg_url, annotator="ana", outbox=store.outbox_file) as again:
        assert again.history()[1] == 2
        assert sorted(a.id for a in again.annotations(d.id)) == sorted([first.id, second.id])
        assert again.document_record(d.id)["status"] == "in progress"


def test_a_tag_renumbers_a_stale_step(store: PostgresStore, pg_url: str,
                                      tmp_path) -> None:
    """Two sessions of one annotator: the step goes one past the server's position."""
    d = doc()
    mine = History(store)
    assert mine.add(Annotation.tag(d, 4, 12, "claim", annotator="ana"))
    with PostgresStore(pg_url, annotator="ana", outbox=tmp_path / "b.jsonl") as other:
        theirs = History(other)
        assert theirs.add(Annotation.tag(d, 13, 17, "quote", annotator="ana"))
        assert theirs.add(Annotation.tag(d, 22, 26, "terms", annotator="ana"))
    late = Annotation.tag(d, 0, 3, "claim", annotator="ana")
    assert mine.add(late)
    steps, position = store.history()
    assert position == 4 and sorted(steps) == [1, 2, 3, 4]
    assert steps[4]["seq"] == 4 and steps[4]["after"]["id"] == late.id
    assert mine.undo().annotation == late


def test_the_undo_limit_holds_for_one_transaction_tags(store: PostgresStore) -> None:
    d = doc()
    history = History(store, limit=3)
    for start in range(0, 10, 2):
        assert history.add(Annotation.tag(d, start, start + 1, "claim", annotator="ana"))
    steps, position = store.history()
    assert position == 5 and sorted(steps) == [3, 4, 5]


def test_a_schema_1_store_is_upgraded_keeping_everything(pg_url: str, tmp_path) -> None:
    d = doc()
    with connect(pg_url, autocommit=True) as conn, conn.transaction():
        conn.execute(schema._SCHEMA_TABLE)
        number, what, statements = schema.MIGRATIONS[0]
        for statement in statements:
            conn.execute(statement)
        conn.execute("INSERT INTO newsmark_schema (version, what) VALUES (%s, %s)",
                     (number, what))
        conn.execute("INSERT INTO documents (id, path, meta, length, text) "
                     "VALUES (%s, %s, %s, %s, %s)",
                     (d.id, "a.txt", '{"path": "a.txt"}', len(TEXT), TEXT))
        # A discontinuous span, kept by schema 1 in its body only.
        old = Annotation.tag(d, 4, 26, "claim", annotator="ana").with_changes(
            fragments=((4, 12), (22, 26)))
        conn.execute('INSERT INTO annotations (doc_id, id, layer, start, "end", label, '
                     "created, body) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
                     (d.id, old.id, "ana", 4, 26, "claim", old.created,
                      psycopg.types.json.Json(old.to_dict())))
    with PostgresStore(pg_url, annotator="ana", outbox=tmp_path / "o.jsonl") as store:
        assert store.upgraded is not None and store.upgraded[0] == 1
        assert store.annotations(d.id) == [old]
        new = Annotation.tag(d, 13, 17, "quote", annotator="ana")
        assert History(store).add(new)
        assert store.annotations(d.id) == [old, new]
    with psycopg.connect(pg_url) as conn:
        assert conn.execute("SELECT fragments::text FROM annotations WHERE id = %s",
                            (old.id,)).fetchone() == ('{"[4,12)","[22,26)"}',)
        assert [v for (v,) in conn.execute(
            "SELECT version FROM newsmark_schema ORDER BY version")] == [
            n for n, _w, _s in schema.MIGRATIONS]


def test_notices_go_out_in_batches_and_every_document_is_heard(pg_url: str,
                                                               tmp_path) -> None:
    from annotations.postgres.listener import ChangeListener

    docs = [Document(f"{i}: {TEXT}", DocumentMeta(path=f"{i}.txt")) for i in range(5)]
    with PostgresStore(pg_url, annotator="ana", outbox=tmp_path / "n.jsonl") as store, \
            ChangeListener(pg_url) as listener:
        store.register_many(docs)
        history = History(store)
        for start in range(0, 40, 4):
            for d in docs:
                assert history.add(Annotation.tag(d, start, start + 3, "claim",
                                                  annotator="ana"))
        assert store._notifier.drain()
        heard: set[str] = set()
        for _ in range(20):
            heard |= listener.changed(timeout=0.5)
            if len(heard) == len(docs):
                break
        assert heard == {d.id for d in docs}
        # 50 changes, gathered: far fewer notice transactions than changes.
        assert 1 <= store._notifier.batches < 25
