"""Exporting a PostgreSQL store: streamed in batches, byte for byte the folder store's."""

from __future__ import annotations

import threading
from pathlib import Path

from annotations.engines import open_store
from annotations.export import ExportOptions, export
from annotations.model import Annotation, Document, DocumentMeta
from annotations.postgres import read_ahead
from annotations.store_copy import copy_store

WORDS = "The minister said the plan would cost more than promised. Critics called it rushed."


def filled_folder(root: Path, documents: int) -> None:
    with open_store(root) as store:
        docs = [Document(f"{i}: {WORDS}", DocumentMeta(path=f"d{i}.txt"))
                for i in range(documents)]
        store.register_many(docs)
        anns = []
        for i, doc in enumerate(docs):
            start = doc.text.index("minister")
            anns.append(Annotation.tag(doc, start, start + 8, "terms", annotator="ana"))
            if i % 3 == 0:
                anns.append(Annotation.tag(doc, 0, 1, "claim", annotator="bob"))
        store.add_many(anns)


def test_an_export_of_many_batches_is_the_folder_stores(pg_url: str, tmp_path: Path) -> None:
    count = read_ahead.ITERSIZE * 3 + 5  # several fetches, the last one short
    folder = tmp_path / "store"
    filled_folder(folder, count)
    with open_store(folder, read_only=True) as store:
        export(store, ExportOptions(jobs=1), out_path=tmp_path / "folder.jsonl")
    copy_store(folder, pg_url)
    with open_store(pg_url, read_only=True) as store:
        counts = export(store, ExportOptions(), out_path=tmp_path / "pg.jsonl")
    assert counts.records == count
    assert (tmp_path / "pg.jsonl").read_bytes() == (tmp_path / "folder.jsonl").read_bytes()


def test_the_stream_restarts_where_asked_and_stops_when_closed(pg_url: str,
                                                               tmp_path: Path) -> None:
    count = read_ahead.ITERSIZE * 3
    folder = tmp_path / "store"
    filled_folder(folder, count)
    copy_store(folder, pg_url)
    before = threading.active_count()
    with open_store(pg_url, read_only=True) as store:
        ids = [record["id"] for record in store.documents()]
        late = ids[count - 2]  # a document with one span (bob tags every third)
        assert [a.label for a in store.annotation_rows(late)] == ["terms"]
        assert store.annotation_rows(ids[0])[0].label == "claim"  # back: a new cursor
        assert store.load_text(ids[0]).startswith("0: ")
        assert len(store.annotation_rows(ids[1])) == 1  # and on from there
    # Closed mid-stream: nothing left running.
    assert threading.active_count() <= before


def test_discontinuous_spans_keep_their_fragments_both_ways(pg_url: str,
                                                           tmp_path: Path) -> None:
    folder = tmp_path / "store"
    with open_store(folder) as store:
        doc = Document(WORDS, DocumentMeta(path="a.txt"))
        store.register(doc)
        said = WORDS.index("said")
        split = Annotation.tag(doc, 4, said + 4, "quote", annotator="ana").with_changes(
            fragments=((4, 12), (said, said + 4)))
        assert store.add(split)
    with open_store(folder, read_only=True) as store:
        export(store, ExportOptions(jobs=1), out_path=tmp_path / "folder.jsonl")
    copy_store(folder, pg_url)
    with open_store(pg_url, read_only=True) as store:
        assert store.annotations(doc.id)[0].fragments == ((4, 12), (said, said + 4))
        export(store, ExportOptions(), out_path=tmp_path / "pg.jsonl")
    back = tmp_path / "back"
    copy_store(pg_url, back)
    with open_store(back, read_only=True) as store:
        export(store, ExportOptions(jobs=1), out_path=tmp_path / "back.jsonl")
    original = (tmp_path / "folder.jsonl").read_bytes()
    assert b'"fragments": [[4, 12]' in original
    assert (tmp_path / "pg.jsonl").read_bytes() == original
    assert (tmp_path / "back.jsonl").read_bytes() == original


def test_the_fragments_column_holds_the_pieces(pg_url: str, tmp_path: Path) -> None:
    import psycopg

    doc = Document(WORDS, DocumentMeta(path="a.txt"))
    said = WORDS.index("said")
    split = Annotation.tag(doc, 4, said + 4, "quote", annotator="ana").with_changes(
        fragments=((4, 12), (said, said + 4)))
    whole = Annotation.tag(doc, 0, 3, "claim", annotator="ana")
    with open_store(pg_url) as store:
        store.register(doc)
        assert store.add(split) and store.add(whole)
        moved = split.with_changes(fragments=((4, 8), (said, said + 4)))
        assert store.update(moved) == split
    with psycopg.connect(pg_url) as conn:
        rows = dict(conn.execute(
            "SELECT label, fragments::text FROM annotations ORDER BY label").fetchall())
    assert rows == {"claim": None, "quote": f'{{"[4,8)","[{said},{said + 4})"}}'}


def test_a_copy_keeps_each_annotators_progress_and_undo_history(pg_url: str,
                                                               tmp_path: Path) -> None:
    # `store copy` copied the statuses and the undo history of the one
    # annotator it connected as: root's "done" and root's undo steps were lost.
    from annotations.labels import Config
    from annotations.store import Pane
    from annotations.workspace import Workspace

    folder = tmp_path / "store"
    doc = Document(WORDS, DocumentMeta(path="a.txt"))
    for name, done in (("root", True), ("ana", False)):
        with open_store(folder, annotator=name) as store:
            ws = Workspace(store, [doc], config=Config(), annotator=name)
            assert ws.tag(doc.id, 0, (4, 12), "terms") is not None
            assert ws.tag(doc.id, 0, (0, 3), "claim") is not None
            if done:
                ws.set_status(doc.id, "done")
            store.set_panes([Pane(doc.id, "a.txt", 4 if done else 0)])

    def progress(spec, name: str):  # type: ignore[no-untyped-def]
        with open_store(spec, read_only=True, annotator=name) as store:
            steps, position = store.history()
            return ([steps[k]["what"] if "what" in steps[k] else sorted(steps[k])
                     for k in sorted(steps)], position, [p.cursor for p in store.panes()])

    def statuses(spec) -> dict[str, str]:  # type: ignore[no-untyped-def]
        with open_store(spec, read_only=True) as store:
            if hasattr(store, "team_statuses"):
                each = store.team_statuses().get(doc.id, {})
            else:
                each = {name: docs[doc.id] for name, docs in store.annotator_statuses().items()
                        if doc.id in docs}
        return {name: status for name, status in each.items() if name in ("root", "ana")}

    before = {name: progress(folder, name) for name in ("root", "ana")}
    assert len(before["root"][0]) == 2 and before["root"][1] == 2
    assert statuses(folder) == {"root": "done", "ana": "in progress"}
    report = copy_store(folder, pg_url)
    assert {name: progress(pg_url, name) for name in ("root", "ana")} == before
    assert report.annotators == 2
    assert statuses(pg_url) == {"root": "done", "ana": "in progress"}
    back = tmp_path / "back"
    copy_store(pg_url, back)
    assert {name: progress(back, name) for name in ("root", "ana")} == before
    assert statuses(back) == {"root": "done", "ana": "in progress"}
