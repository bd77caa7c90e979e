"""A document's segmentation is kept in the store: written once, read back, checked."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotations.documents import load_document
from annotations.export import ExportOptions, export
from annotations.formats import native
from annotations.formats.records import Counts, iter_documents, sentence_views
from annotations.model import Annotation, Document, DocumentMeta
from annotations.samples import sample_paths
from annotations.segmentation import Segmentation, Segmenter, decode, encode
from annotations.store import LocalStore
from annotations.workspace import Workspace

TEXT = (
    "Mr. Patel said the U.S. plan “works”. It’s final — or so he said…\n\n"
    "Second paragraph: 3,000 people, José\u0301 and 👩🏽\u200d💻 agreed. Done."
)


def segment(text: str) -> Segmentation:
    return Segmenter.default().segment(text)


# ------------------------------------------------------------------ the stored form


_ALPHABET = st.sampled_from(
    list("ab é\u0301東\t\n.“”!?") + ["Mr.", "U.S.", "👍🏽", "\u2028", "x" * 300, "  \n\n"]
)


@settings(max_examples=40, deadline=None)
@given(st.lists(_ALPHABET, max_size=40).map("".join))
def test_stored_form_reads_back_as_the_same_segmentation(text: str) -> None:
    seg = segment(text)
    back = decode(text, encode(seg))
    assert back == seg
    assert list(back.tokens) == list(seg.tokens)
    assert back.sentences == seg.sentences and back.paragraphs == seg.paragraphs


def test_wide_gaps_take_wider_integers() -> None:
    text = "a" + " " * 70_000 + "b."
    seg = segment(text)
    assert decode(text, encode(seg)) == seg


def test_stored_form_refuses_what_it_cannot_vouch_for() -> None:
    seg = segment(TEXT)
    data = encode(seg)
    with pytest.raises(ValueError, match="another text"):
        decode(TEXT.replace("Patel", "Patil"), data)
    with pytest.raises(ValueError, match="another text"):
        decode(TEXT + " ", data)
    with pytest.raises(ValueError, match="not a newsmark segmentation"):
        decode(TEXT, b"{}" + data)
    with pytest.raises(ValueError):
        decode(TEXT, data[: len(data) - 3])  # cut short
    flipped = bytearray(data)
    flipped[-6] ^= 0xFF
    with pytest.raises(ValueError, match="damaged"):
        decode(TEXT, bytes(flipped))
    head, _, body = data.partition(b"\n{")
    newer = json.loads(b"{" + body.split(b"\n", 1)[0])
    newer["format"] = 99
    with pytest.raises(ValueError, match="format 99"):
        decode(TEXT, head + b"\n" + json.dumps(newer).encode() + b"\n" + body.split(b"\n", 1)[1])
    with pytest.raises(ValueError, match="provisional"):
        encode(Segmentation.provisional(TEXT))
    with pytest.raises(ValueError, match="not sorted"):
        encode(Segmentation(TEXT, [(0, 10)], [(4, 6), (0, 3)], [(0, 10)]))
    with pytest.raises(ValueError, match="empty"):
        encode(Segmentation(TEXT, [(0, 10)], [(0, 3), (3, 3)], [(0, 10)]))
    with pytest.raises(ValueError, match="past the end"):
        encode(Segmentation(TEXT, [(0, len(TEXT) + 1)], [(0, 3)], [(0, 10)]))


# ------------------------------------------------------------------ the store


def register(root: Path, text: str = TEXT) -> tuple[LocalStore, Document]:
    store = LocalStore(root)
    doc = Document(text, DocumentMeta(path="a.txt"))
    store.register(doc)
    return store, doc


def test_store_writes_a_segmentation_once_and_reads_it_back(tmp_path: Path) -> None:
    store, doc = register(tmp_path / "s")
    seg = segment(doc.text)
    assert store.load_segmentation(doc.id, doc.text) is None
    assert store.save_segmentation(doc.id, seg)
    path = tmp_path / "s" / "docs" / f"{doc.id}.seg"
    stat = path.stat()
    # Written once: a later session's (different) segmentation does not replace it.
    other = Segmentation(doc.text, seg.sentences[:1], seg.tokens[:3], seg.paragraphs)
    assert not store.save_segmentation(doc.id, other)
    assert (path.stat().st_ino, path.stat().st_mtime_ns) == (stat.st_ino, stat.st_mtime_ns)
    store.close()
    with LocalStore(tmp_path / "s", read_only=True) as viewer:
        assert viewer.load_segmentation(doc.id, doc.text) == seg


def test_read_only_store_writes_no_segmentation(tmp_path: Path) -> None:
    store, doc = register(tmp_path / "s")
    store.close()
    with LocalStore(tmp_path / "s", read_only=True) as viewer:
        assert not viewer.save_segmentation(doc.id, segment(doc.text))
    assert not (tmp_path / "s" / "docs" / f"{doc.id}.seg").exists()


def test_damaged_segmentation_is_reported_and_replaced(tmp_path: Path) -> None:
    store, doc = register(tmp_path / "s")
    seg = segment(doc.text)
    path = tmp_path / "s" / "docs" / f"{doc.id}.seg"
    path.write_bytes(b"newsmark-segmentation\n{\"format\": 1")
    heard: list[str] = []
    assert store.load_segmentation(doc.id, doc.text, heard.append) is None
    assert len(heard) == 1 and str(path) in heard[0] and "segmenting" in heard[0]
    assert store.save_segmentation(doc.id, seg)  # a damaged cache is not kept
    assert store.load_segmentation(doc.id, doc.text) == seg
    store.close()


def test_segmentation_made_for_another_text_is_not_used(tmp_path: Path) -> None:
    store, doc = register(tmp_path / "s")
    changed = Document(TEXT.replace("final", "settled"), DocumentMeta(path="a.txt"))
    store.register(changed)
    store.save_segmentation(doc.id, segment(doc.text))
    # As if the file had been copied over the changed article's.
    old = tmp_path / "s" / "docs" / f"{doc.id}.seg"
    (tmp_path / "s" / "docs" / f"{changed.id}.seg").write_bytes(old.read_bytes())
    heard: list[str] = []
    assert store.load_segmentation(changed.id, changed.text, heard.append) is None
    assert "another text" in heard[0]
    store.close()


def test_unwritable_segmentation_warns_and_loses_nothing(tmp_path: Path) -> None:
    store, doc = register(tmp_path / "s")
    (tmp_path / "s" / "docs" / f"{doc.id}.seg").mkdir()  # a folder where the file goes
    heard: list[str] = []
    assert not store.save_segmentation(doc.id, segment(doc.text), heard.append)
    assert heard and "cannot keep the segmentation" in heard[0]
    assert store.add(Annotation.tag(doc, 0, 3, "claim"))
    store.close()


# ------------------------------------------------------------------ sessions


def samples() -> list[Document]:
    return [load_document(path) for path in sample_paths()]


def ledger(docs: list[Document]) -> Document:
    return next(d for d in docs if "ledger" in (d.meta.path or ""))


def test_tokens_stay_those_of_the_first_session(tmp_path: Path) -> None:
    docs = samples()
    doc = ledger(docs)
    # Punkt trained on this article alone learns "it" as an abbreviation;
    # trained on all three it does not: without the store's copy the
    # second session below would split (and snap) differently.
    alone = Segmenter.train([doc.text]).segment(doc.text)
    together = Segmenter.train(d.text for d in docs).segment(doc.text)
    assert alone.tokens != together.tokens

    root = tmp_path / "s"
    with LocalStore(root) as store:
        first = Workspace(store, docs).segmentation(doc.id)
    assert first == together
    assert (root / "docs" / f"{doc.id}.seg").exists()
    with LocalStore(root) as store:
        session = Workspace(store, [doc])
        assert session.segmentation(doc.id) == first
        assert session._segmenter is None  # no Punkt trained, none needed
        assert not session.warnings


def test_session_falls_back_when_the_stored_segmentation_is_damaged(tmp_path: Path) -> None:
    docs = samples()
    root = tmp_path / "s"
    with LocalStore(root) as store:
        expected = Workspace(store, docs).segmentation(docs[0].id)
    path = root / "docs" / f"{docs[0].id}.seg"
    path.write_bytes(path.read_bytes()[:-10])
    with LocalStore(root) as store:
        session = Workspace(store, docs)
        assert session.segmentation(docs[0].id) == expected
        assert len(session.warnings) == 1 and str(path) in session.warnings[0]
        assert store.load_segmentation(docs[0].id, docs[0].text) == expected  # mended


# ------------------------------------------------------------------ export


def tag_in_session(root: Path, docs: list[Document], doc: Document) -> list[Annotation]:
    """Tag a few selections as the reader does (snapped to the session's tokens)."""
    tagged = []
    with LocalStore(root) as store:
        session = Workspace(store, docs, annotator="ana")
        seg = session.segmentation(doc.id)
        for start, end in seg.sentences[:6]:
            ann = session.tag(doc.id, start + 2, (start + 2, end - 1), "claim")
            assert ann is not None
            tagged.append(ann)
        note = session.tag(doc.id, 0, None, "quote")
        assert note is not None
        tagged.append(note)
    return tagged


def exported(root: Path, tmp_path: Path, name: str, **options: object) -> tuple[Path, Counts]:
    out = tmp_path / name
    with LocalStore(root, read_only=True) as store:
        counts = export(store, ExportOptions(**options), out_path=out)  # type: ignore[arg-type]
    return out, counts


def test_export_uses_the_tokens_spans_were_snapped_to(tmp_path: Path) -> None:
    docs = samples()
    doc = ledger(docs)
    root = tmp_path / "s"
    tag_in_session(root, [doc], doc)  # a session with this article alone
    stored = Segmenter.train([doc.text]).segment(doc.text)
    out, counts = exported(root, tmp_path, "a.jsonl")
    record = json.loads(out.read_text(encoding="utf-8"))
    assert [(t["start"], t["end"]) for t in record["tokens"]] == list(stored.tokens)
    assert [(s["start"], s["end"]) for s in record["sentences"]] == stored.sentences
    assert all(span["aligned"] for span in record["spans"])
    assert counts.misaligned == 0 and not counts.warnings


def test_export_of_a_store_without_segmentations_is_as_before(tmp_path: Path) -> None:
    """Older stores (and imports) have no stored segmentation: the default one is used."""
    docs = samples()
    doc = ledger(docs)
    root = tmp_path / "s"
    tag_in_session(root, [doc], doc)
    (root / "docs" / f"{doc.id}.seg").unlink()
    out, counts = exported(root, tmp_path, "a.jsonl")
    record = json.loads(out.read_text(encoding="utf-8"))
    default = Segmenter.default().segment(doc.text)
    assert [(t["start"], t["end"]) for t in record["tokens"]] == list(default.tokens)
    assert not (root / "docs" / f"{doc.id}.seg").exists()  # export writes nothing
    assert not counts.warnings


def test_export_with_a_damaged_segmentation_warns_and_goes_on(tmp_path: Path) -> None:
    docs = samples()
    doc = ledger(docs)
    root = tmp_path / "s"
    tag_in_session(root, docs, doc)
    path = root / "docs" / f"{doc.id}.seg"
    path.write_bytes(b"garbage")
    out, counts = exported(root, tmp_path, "a.jsonl")
    assert len(counts.warnings) == 1 and str(path) in counts.warnings[0]
    record = json.loads(out.read_text(encoding="utf-8"))
    assert len(record["spans"]) == 7


def test_export_cli_prints_the_warning(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from tui.cli import main

    docs = samples()
    root = tmp_path / "s"
    tag_in_session(root, docs, docs[0])
    (root / "docs" / f"{docs[0].id}.seg").write_bytes(b"")
    result = CliRunner().invoke(main, ["export", "--store", str(root),
                                       "--out", str(tmp_path / "x.jsonl")])
    assert result.exit_code == 0, result.output
    assert f"warning: {root / 'docs' / docs[0].id}.seg is damaged" in result.output


# ------------------------------------------------------------------ rows and lines


def test_annotation_rows_are_the_stored_annotations(tmp_path: Path) -> None:
    store, doc = register(tmp_path / "s")
    anns = [Annotation.tag(doc, 4, 9, "claim", annotator="kim", note="n"),
            Annotation.tag(doc, 0, 9, "quote"),
            Annotation.tag(doc, 0, 9, "claim")]
    for ann in anns:
        store.add(ann)
    store.remove(doc.id, anns[2].id)  # changes logged since the snapshot count too
    store.update(anns[1].with_changes(note="updated"))
    rows = store.annotation_rows(doc.id)
    assert len(rows) == 2 and rows[0].note == "updated"
    assert [row.to_annotation() for row in rows] == store.annotations(doc.id)
    assert [(r.id, r.start, r.end, r.label, r.note) for r in rows] == [
        (a.id, a.start, a.end, a.label, a.note) for a in store.annotations(doc.id)]
    store.close()
    with LocalStore(tmp_path / "s", read_only=True) as viewer:  # read from the file
        assert [r.to_annotation() for r in viewer.annotation_rows(doc.id)] == \
            viewer.annotations(doc.id)


def test_a_damaged_annotation_row_is_named(tmp_path: Path) -> None:
    store, doc = register(tmp_path / "s")
    store.close()
    row = {**Annotation.tag(doc, 0, 3, "claim").to_dict(), "end": "3"}
    path = tmp_path / "s" / "docs" / f"{doc.id}.json"  # a snapshot holding it
    path.write_text(json.dumps({"annotations": {"1": row}}))
    from annotations.errors import StoreError

    with LocalStore(tmp_path / "s", read_only=True) as viewer, \
            pytest.raises(StoreError, match="is not a valid span"):
        viewer.annotation_rows(doc.id)


_TEXTS = st.lists(st.sampled_from(
    list("ab é\u0301東\t\n.\"\\/“”") + ["\x00", "\x1f", "👍🏽", "Mr.", "</script>"]
), min_size=1, max_size=30).map("".join)
_VALUES = st.one_of(st.text(max_size=5), st.none(), st.integers(), st.booleans())


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(_TEXTS, st.data())
def test_native_lines_are_the_records_json(tmp_path_factory: pytest.TempPathFactory,
                                           text: str, data: st.DataObject) -> None:
    """`native.line` writes exactly `json.dumps(native.record(view))`, also on odd rows."""
    root = tmp_path_factory.mktemp("lines") / "s"
    doc = Document(text, DocumentMeta(path="p", title=data.draw(st.text(max_size=4))))
    with LocalStore(root) as store:
        store.register(doc)
        for _ in range(data.draw(st.integers(1, 4))):
            start = data.draw(st.integers(0, len(text) - 1))
            end = data.draw(st.integers(start + 1, len(text)))
            ann = Annotation.tag(doc, start, end, data.draw(st.sampled_from(["a", "b\"c"])),
                                 note=data.draw(st.text(max_size=4)))
            if data.draw(st.booleans()):
                ann = ann.with_changes(reanchored="moved", annotator=data.draw(_VALUES))
            store.add(ann)
    with LocalStore(root, read_only=True) as store:
        for view, _seg in iter_documents(store):
            links = data.draw(st.none() | st.just([{"id": "x", "relation": "same claim"}]))
            record = native.record(view)
            if links is not None:
                record["links"] = links
            assert native.line(view, links) == json.dumps(record, ensure_ascii=False)
            for sentence in sentence_views(view, Counts()):
                assert native.line(sentence) == json.dumps(native.record(sentence),
                                                           ensure_ascii=False)


# ------------------------------------------------------------------ the reader


async def test_reader_says_when_a_stored_segmentation_was_damaged(
    make_workspace, store_dir: Path
) -> None:
    from tui.app import NewsmarkApp

    first = make_workspace()
    doc = first.order[0]
    expected = first.segmentation(doc.id)
    first.store.close()
    path = store_dir / "docs" / f"{doc.id}.seg"
    path.write_bytes(b"newsmark-segmentation\nnot json\n")
    ws = make_workspace()
    app = NewsmarkApp(ws)
    async with app.run_test(size=(120, 36)) as pilot:
        # The stored segmentation is read after the first frame is painted:
        # on a loaded machine one pause does not always reach that far.
        for _ in range(100):
            await pilot.pause(0.05)
            messages = [str(n.message) for n in app._notifications]
            if messages:
                break
        assert any(str(path) in m and "segmenting" in m for m in messages), messages
        assert app.views[0].segmentation == expected  # read as before, nothing lost
    assert ws.store.load_segmentation(doc.id, doc.text) == expected  # and mended


def test_log_read_in_one_parse_still_names_a_damaged_line(tmp_path: Path) -> None:
    """Lines that only make JSON together (or are not objects) are damage, as line by line."""
    from annotations.errors import StoreError
    from annotations.store.journal import Journal

    snapshot, log = tmp_path / "d.json", tmp_path / "d.log"
    good = '{"put": {"id": "a"}}'
    for lines, bad_line in (
        ([good, '{"put": {"id": ["b"', '"c"]}}'], 3),  # joined they would parse
        ([good, "[1]"], 3),
        ([good, '{"x": 1} {"y": 2}', good], 3),
        (["", good], 2),
    ):
        log.write_text('{"journal":0}\n' + "\n".join(lines) + "\n", encoding="utf-8")
        with pytest.raises(StoreError, match=f"line {bad_line}: "):
            Journal(snapshot, log, read_only=True).read()
    log.write_text('{"journal":0}\n' + "\n".join([good, good.replace('"a"', '"b"')]) + "\n",
                   encoding="utf-8")
    assert Journal(snapshot, log, read_only=True).read()[1] == [
        {"put": {"id": "a"}}, {"put": {"id": "b"}}]
