"""Cross-document links: stored, undoable, exported."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from linked_articles import quote_and_claim

from annotations.errors import StoreError
from annotations.history import Change, History
from annotations.links import (
    RELATIONS,
    Link,
    LinkStore,
    links_by_document,
    links_records,
    write_links_jsonl,
)
from annotations.store import open_store


@pytest.fixture
def env(open_any):
    root = open_any.spec  # a folder, and a PostgreSQL URL (tests/conftest.py)
    store = open_any()
    qa, cb = quote_and_claim(store)
    yield root, store, qa, cb
    store.close()


def test_link_validates() -> None:
    with pytest.raises(ValueError, match="unknown relation"):
        Link("d1", "x", "d2", "y", "same")
    with pytest.raises(ValueError, match="two different"):
        Link("d1", "x", "d1", "x", "paraphrase")
    assert set(RELATIONS) == {"same-claim", "same-quote", "paraphrase", "contradicts"}
    link = Link("d1", "x", "d2", "y", "contradicts")
    assert link.other_end("d2", "y") == ("d1", "x")
    assert Link.from_dict(link.to_dict()) == link


def test_add_find_remove(env) -> None:
    _root, store, qa, cb = env
    links = LinkStore(store)
    link = Link.between(qa, cb, "paraphrase", annotator="ann")
    assert links.add(link)
    assert not links.add(link)  # same id
    # The same two ends with the same relation, the other way round: a duplicate.
    assert not links.add(Link.between(cb, qa, "paraphrase"))
    other = Link.between(cb, qa, "contradicts")
    assert links.add(other)
    assert links.for_annotation(qa.doc_id, qa.id) == [link, other]
    assert links.for_document(cb.doc_id) == [link, other]
    assert links.between(cb.doc_id, qa.doc_id) == [link, other]
    assert links.find((cb.doc_id, cb.id), (qa.doc_id, qa.id)) == link
    assert links.get(other.id) == other
    assert links.remove(other.id) == other
    assert links.remove(other.id) is None
    assert links.all() == [link]
    links.close()


def test_links_survive_reopen(env) -> None:
    root, store, qa, cb = env
    link = Link.between(qa, cb, "same-quote")
    with LinkStore(store) as links:
        links.add(link)
    store.close()
    if isinstance(root, Path):  # the folder store keeps them in a file of their own
        assert (root / "links.json").exists()
    with open_store(root) as again, LinkStore(again) as links:
        assert links.all() == [link]
        assert links.for_annotation(cb.doc_id, cb.id) == [link]
    with open_store(root, read_only=True) as viewer, LinkStore(viewer) as links:
        assert links.all() == [link]
        with pytest.raises(StoreError):
            links.add(Link.between(qa, cb, "contradicts"))


def test_undo_redo_links_across_restart(env) -> None:
    root, store, qa, cb = env
    history = History(store)
    link = Link.between(qa, cb, "paraphrase")
    assert history.link(link)
    assert not history.link(link)
    assert history.links.all() == [link]
    history.close()
    store.close()

    with open_store(root) as again:
        history = History(again)
        assert history.undo() == Change("link", None, None, link)
        assert history.links.all() == []
        assert history.redo() == Change("link", None, None, link)
        assert history.links.all() == [link]
        assert history.unlink(link.id) == link
        assert history.links.all() == []
        assert history.undo().kind == "unlink"
        assert history.links.all() == [link]
        # Annotation changes and link changes share one undo order.
        history.remove(qa.doc_id, qa.id)
        assert history.undo().kind == "remove"
        assert history.undo().kind == "link"  # the undone unlink is gone from redo
        assert history.links.all() == []
        history.close()


def test_export_carries_only_live_links(env) -> None:
    _root, store, qa, cb = env
    with LinkStore(store) as links:
        link = Link.between(qa, cb, "paraphrase", annotator="ann")
        links.add(link)
        records = list(links_records(store))
        assert records == [
            {
                "id": link.id,
                "relation": "paraphrase",
                "a_doc": qa.doc_id,
                "a_span": qa.id,
                "b_doc": cb.doc_id,
                "b_span": cb.id,
                "annotator": "ann",
                "created": link.created,
            }
        ]
        by_doc = links_by_document(store)
        assert by_doc == {qa.doc_id: records, cb.doc_id: records}
        out = io.StringIO()
        assert write_links_jsonl(store, out) == 1
        assert json.loads(out.getvalue()) == records[0]

        # A link to a removed annotation is kept (undo brings it back) but not exported.
        removed = store.remove(cb.doc_id, cb.id)
        assert list(links_records(store)) == []
        assert links.all() == [link]
        store.restore(removed)
        assert list(links_records(store)) == records


def test_native_export_has_links(env) -> None:
    _root, store, qa, cb = env
    from annotations.export import document_records

    with LinkStore(store) as links:
        link = Link.between(qa, cb, "same-claim")
        links.add(link)
    records = {r["id"]: r for r in document_records(store)}
    for doc_id in (qa.doc_id, cb.doc_id):
        assert [x["id"] for x in records[doc_id]["links"]] == [link.id]


def test_cli_links_writes_links_jsonl(env, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from tui.cli import main

    root, store, qa, cb = env
    with LinkStore(store) as links:
        link = Link.between(qa, cb, "same-quote")
        links.add(link)
    out = tmp_path / "links.jsonl"
    result = CliRunner().invoke(main, ["links", "--store", str(root), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text("utf-8"))["id"] == link.id


def _cli(*args: str):
    from click.testing import CliRunner

    from tui.cli import main

    return CliRunner().invoke(main, list(args))


def test_brat_writes_links_jsonl_inside_its_folder(env, tmp_path: Path) -> None:
    root, store, qa, cb = env
    with LinkStore(store) as links:
        links.add(Link.between(qa, cb, "paraphrase"))
    out = tmp_path / "out" / "train.brat"
    out.parent.mkdir()
    result = _cli("export", "--store", str(root), "--format", "brat", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert len((out / "links.jsonl").read_text("utf-8").splitlines()) == 1
    assert not (out.parent / "links.jsonl").exists()  # the folder is the export's own


@pytest.mark.parametrize("fmt", ["prodigy", "doccano", "conll"])
def test_other_formats_write_links_jsonl_beside(env, tmp_path: Path, fmt: str) -> None:
    root, store, qa, cb = env
    with LinkStore(store) as links:
        link = Link.between(qa, cb, "paraphrase")
        links.add(link)
    out = tmp_path / "out" / f"train.{fmt}"
    out.parent.mkdir()
    result = _cli("export", "--store", str(root), "--format", fmt, "--out", str(out))
    assert result.exit_code == 0, result.output
    beside = out.parent / "links.jsonl"
    [record] = [json.loads(line) for line in beside.read_text("utf-8").splitlines()]
    assert (record["id"], record["a_span"], record["b_span"]) == (link.id, qa.id, cb.id)
    assert f"wrote 1 link between documents to {beside}" in result.output
    # Another export of the same links (another format, same folder) needs no
    # --force: links.jsonl would not change.
    again = _cli("export", "--store", str(root), "--format", "prodigy", "--unit", "sentence",
                 "--out", str(tmp_path / "out" / "sentences.prodigy.jsonl"))
    assert again.exit_code == 0, again.output
    # Other links are not written over without --force; with it, a filtered
    # export keeps no link to a span it left out (and no stale links.jsonl).
    quotes_out = tmp_path / "out" / f"other.{fmt}"
    refused = _cli("export", "--store", str(root), "--format", fmt, "--label", "quote",
                   "--out", str(quotes_out))
    assert refused.exit_code != 0 and "links.jsonl exists and holds other links" in (
        refused.output)
    assert not quotes_out.exists()
    quotes = _cli("export", "--store", str(root), "--format", fmt, "--label", "quote",
                  "--out", str(quotes_out), "--force")
    assert quotes.exit_code == 0, quotes.output
    assert beside.read_text("utf-8") == ""


def test_native_sentence_records_and_streams_say_where_links_are(env, tmp_path: Path) -> None:
    root, store, qa, cb = env
    with LinkStore(store) as links:
        links.add(Link.between(qa, cb, "same-claim"))
    out = tmp_path / "sentences.jsonl"
    result = _cli("export", "--store", str(root), "--unit", "sentence", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert len((tmp_path / "links.jsonl").read_text("utf-8").splitlines()) == 1
    streamed = _cli("export", "--store", str(root), "--format", "prodigy")
    assert streamed.exit_code == 0
    assert "1 link between documents is not in the prodigy records" in streamed.output
    # Native records carry them: no links.jsonl, no note.
    (tmp_path / "n").mkdir()
    native = _cli("export", "--store", str(root), "--out", str(tmp_path / "n" / "all.jsonl"))
    assert native.exit_code == 0 and "links" not in native.output, native.output
    assert not (tmp_path / "n" / "links.jsonl").exists()
    records = (tmp_path / "n" / "all.jsonl").read_text("utf-8").splitlines()
    assert all(len(json.loads(line)["links"]) == 1 for line in records)


def test_export_refuses_to_be_named_links_jsonl(env, tmp_path: Path) -> None:
    root, store, qa, cb = env
    with LinkStore(store) as links:
        links.add(Link.between(qa, cb, "same-claim"))
    result = _cli("export", "--store", str(root), "--format", "prodigy", "--out",
                  str(tmp_path / "links.jsonl"))
    assert result.exit_code != 0 and "another name" in result.output
    assert not (tmp_path / "links.jsonl").exists()
