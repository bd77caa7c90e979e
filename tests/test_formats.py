"""Training-set formats on tricky text: every offset points at what was tagged."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotations.documents import load_document
from annotations.export import ExportOptions, document_records, export
from annotations.formats import FormatError
from annotations.formats.importing import TextMap, import_file
from annotations.formats.offsets import OffsetError, OffsetTable
from annotations.formats.records import Filters
from annotations.formats.validate import validate
from annotations.model import Annotation, Document, DocumentMeta
from annotations.segmentation import Segmenter
from annotations.store import LocalStore

# Curly quotes, a combining accent, emoji with a skin tone and ZWJ
# sequences, CJK, right-to-left words, a tab, and a line break.
TRICKY = (
    "“Café” says José\u0301 👩🏽\u200d💻 and 👨\u200d👩\u200d👧\u200d👦 agreed.\tThe 東京 office "
    "(שלום עולם) voted 7–2.\nIt’s final, Mr. Smith said 👍🏿"
)
PLAIN = "The council voted on Tuesday. Critics called the vote rushed."


def find(text: str, piece: str, end_piece: str | None = None) -> tuple[int, int]:
    start = text.index(piece)
    if end_piece is None:
        return start, start + len(piece)
    return start, text.index(end_piece, start) + len(end_piece)


def tricky_spans(text: str) -> list[tuple[int, int, str, str]]:
    """Overlapping, nested, at offset 0, at the very end, across a line, one unaligned."""
    return [
        (0, len(text), "claim", ""),  # the whole text: from 0 to the very end
        (*find(text, "“Café”"), "quote", "said in a café"),  # at offset 0, nested
        (*find(text, "José\u0301", "agreed"), "claim", ""),
        (*find(text, "agreed", "東京"), "opinion", "crosses a sentence end"),  # overlaps
        (*find(text, "東京"), "terms", "note with\na line break"),
        (*find(text, "שלום עולם"), "terms", ""),
        (*find(text, "7–2.", "It’s"), "claim", ""),  # across the line break
        (*find(text, "👍🏿"), "opinion", ""),  # at the very end
        (*find(text, "af"), "terms", ""),  # inside a token: character-exact
    ]


def make_store(root: Path, docs: list[tuple[Document, list[tuple[int, int, str, str]]]],
               annotator: str = "ann") -> None:
    with LocalStore(root) as store:
        for doc, spans in docs:
            store.register(doc)
            for start, end, label, note in spans:
                store.add(Annotation.tag(doc, start, end, label, annotator=annotator, note=note))


@pytest.fixture
def tricky_store(tmp_path: Path) -> Path:
    # A CRLF source file, read as the reader reads it.
    crlf = tmp_path / "crlf.txt"
    crlf.write_bytes(("First line.\r\n\r\n" + PLAIN + "\r\n").encode("utf-8"))
    crlf_doc = load_document(crlf, raw=True)
    assert "\r" not in crlf_doc.text
    tricky = Document(text=TRICKY, meta=DocumentMeta(title="Tricky", source="Test"))
    root = tmp_path / "store"
    make_store(root, [
        (tricky, tricky_spans(TRICKY)),
        (crlf_doc, [(*find(crlf_doc.text, "First"), "terms", ""),
                    (*find(crlf_doc.text, "Critics", "rushed."), "claim", "")]),
    ])
    return root


def export_to(store_root: Path, path: Path, fmt: str, **options: object) -> Path:
    with LocalStore(store_root, read_only=True) as store:
        export(store, ExportOptions(format=fmt, **options), out_path=path)  # type: ignore[arg-type]
    return path


def lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


# ------------------------------------------------------------------ offsets


def test_offset_table_agrees_with_the_encoders() -> None:
    table = OffsetTable(TRICKY)
    for cp in range(len(TRICKY) + 1):
        u16 = table.to_utf16(cp)
        u8 = table.to_utf8(cp)
        assert u16 == len(TRICKY[:cp].encode("utf-16-le")) // 2
        assert u8 == len(TRICKY[:cp].encode("utf-8"))
        assert table.from_utf16(u16) == cp
        assert table.from_utf8(u8) == cp
    with pytest.raises(OffsetError):
        table.from_utf16(table.to_utf16(TRICKY.index("👍")) + 1)  # inside a surrogate pair
    with pytest.raises(OffsetError):
        table.from_utf8(table.to_utf8(TRICKY.index("東")) + 1)  # inside a character
    with pytest.raises(OffsetError):
        table.to_utf16(len(TRICKY) + 1)


@settings(max_examples=60, deadline=None)
@given(st.text(min_size=1, max_size=40), st.data())
def test_three_offset_systems_name_the_same_text(text: str, data: st.DataObject) -> None:
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    table = OffsetTable(text)
    u16s, u16e = table.to_utf16(start), table.to_utf16(end)
    u8s, u8e = table.to_utf8(start), table.to_utf8(end)
    assert table.span_offsets(start, end) == (u16s, u16e, u8s, u8e)
    piece = text[start:end]
    assert text.encode("utf-16-le", "surrogatepass")[2 * u16s : 2 * u16e].decode(
        "utf-16-le", "surrogatepass") == piece
    assert text.encode("utf-8", "surrogatepass")[u8s:u8e].decode("utf-8", "surrogatepass") == piece


# ------------------------------------------------------------------ native jsonl


def test_native_jsonl_offsets_in_three_systems(tricky_store: Path, tmp_path: Path) -> None:
    out = export_to(tricky_store, tmp_path / "out.jsonl", "jsonl")
    records = lines(out)
    assert len(records) == 2
    tricky = next(r for r in records if r["text"] == TRICKY)
    assert tricky["meta"]["title"] == "Tricky"
    text = tricky["text"]
    u16 = text.encode("utf-16-le")
    u8 = text.encode("utf-8")
    assert {(s["start"], s["end"], s["label"]) for s in tricky["spans"]} == {
        (s, e, label) for s, e, label, _ in tricky_spans(TRICKY)
    }
    for span in tricky["spans"]:
        assert text[span["start"] : span["end"]] == span["text"]
        assert u16[2 * span["utf16_start"] : 2 * span["utf16_end"]].decode("utf-16-le") == span[
            "text"]
        assert u8[span["utf8_start"] : span["utf8_end"]].decode("utf-8") == span["text"]
        tokens = tricky["tokens"]
        assert tokens[span["token_start"]]["start"] <= span["start"]
        assert tokens[span["token_end"]]["end"] >= span["end"]
        assert span["aligned"] == (span["text"] != "af")
        assert span["annotator"] == "ann" and span["source"] == "manual"
    assert any(s["note"] == "said in a café" for s in tricky["spans"])
    for token in tricky["tokens"]:
        assert text[token["start"] : token["end"]] == token["text"]
    assert [t["id"] for t in tricky["tokens"]] == list(range(len(tricky["tokens"])))
    assert all(0 <= s["start"] < s["end"] <= len(text) for s in tricky["sentences"])
    report = validate(out, "jsonl")
    assert report.ok, report.errors
    assert report.warning_count == 1  # "af": inside a token, not an error


def test_document_records_keeps_the_old_api(tricky_store: Path) -> None:
    with LocalStore(tricky_store, read_only=True) as store:
        records = list(document_records(store))
    assert len(records) == 2
    for record in records:
        for span in record["spans"]:
            assert record["text"][span["start"] : span["end"]] == span["text"]


def test_validate_catches_drifted_offsets(tricky_store: Path, tmp_path: Path) -> None:
    out = export_to(tricky_store, tmp_path / "out.jsonl", "jsonl")
    records = lines(out)
    records[0]["spans"][1]["utf16_end"] += 1
    records[0]["spans"][2]["start"] += 1
    records[0]["spans"][3]["token_end"] = 0
    bad = tmp_path / "bad.jsonl"
    bad.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n",
                   encoding="utf-8")
    report = validate(bad, "jsonl")
    assert report.error_count >= 3
    assert any("utf16" in e for e in report.errors)
    assert any("span 2" in e for e in report.errors)


def test_validate_checks_each_span_and_token_against_the_text(
    tricky_store: Path, tmp_path: Path
) -> None:
    out = export_to(tricky_store, tmp_path / "out.jsonl", "jsonl")

    def broken(change) -> list[str]:  # type: ignore[no-untyped-def]
        records = lines(out)
        change(records[0])
        bad = tmp_path / "bad.jsonl"
        bad.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records),
                       encoding="utf-8")
        report = validate(bad, "jsonl")
        assert not report.ok
        return report.errors

    def span_text(r: dict) -> None:
        r["spans"][1]["text"] = "Cafe"

    def token_text(r: dict) -> None:
        r["tokens"][2]["text"] = "x"

    def ws_flag(r: dict) -> None:
        r["tokens"][0]["ws"] = not r["tokens"][0]["ws"]

    def aligned_flag(r: dict) -> None:
        r["spans"][0]["aligned"] = False

    def utf8(r: dict) -> None:
        r["spans"][-1]["utf8_start"] += 1

    assert any("the span says 'Cafe'" in e for e in broken(span_text))
    assert any("token 2 says 'x'" in e for e in broken(token_text))
    assert any("token 0 has the wrong ws flag" in e for e in broken(ws_flag))
    assert any("aligned=False" in e for e in broken(aligned_flag))
    assert any("utf8 offsets" in e for e in broken(utf8))


@pytest.mark.parametrize(("written", "checked", "hint"), [
    ("doccano", "jsonl", "--format doccano"),
    ("doccano", "prodigy", "--format doccano"),
    ("jsonl", "doccano", "--format jsonl or --format prodigy"),
])
def test_validate_names_a_file_of_another_format(
    tricky_store: Path, tmp_path: Path, written: str, checked: str, hint: str
) -> None:
    out = export_to(tricky_store, tmp_path / f"out.{written}", written)
    report = validate(out, checked)
    assert report.error_count == 2  # one per record: not "0 spans, 0 errors"
    assert all(hint in e for e in report.errors)


# ------------------------------------------------------------------ round trips


@pytest.mark.parametrize("fmt", ["jsonl", "prodigy", "doccano"])
def test_round_trip_is_identical(tricky_store: Path, tmp_path: Path, fmt: str) -> None:
    first = export_to(tricky_store, tmp_path / f"first.{fmt}", fmt)
    assert validate(first, fmt).ok
    empty = tmp_path / "empty"
    with LocalStore(empty) as store:
        report = import_file(store, first, fmt)
    assert not report.problems and not report.skipped_records
    assert report.documents == 2 and report.spans == len(tricky_spans(TRICKY)) + 2
    second = export_to(empty, tmp_path / f"second.{fmt}", fmt)
    assert second.read_text(encoding="utf-8") == first.read_text(encoding="utf-8")


def test_round_trip_keeps_cross_document_links(tricky_store: Path, tmp_path: Path) -> None:
    from annotations.links import Link, LinkStore

    with LocalStore(tricky_store) as store:
        a_doc, b_doc = (d["id"] for d in store.documents())
        a, b = store.annotations(a_doc)[0], store.annotations(b_doc)[0]
        with LinkStore(store) as links:
            links.add(Link.between(a, b, "same-claim", annotator="ann"))
    first = export_to(tricky_store, tmp_path / "first.jsonl", "jsonl")
    assert sum("links" in r for r in lines(first)) == 2
    with LocalStore(tmp_path / "empty") as store:
        report = import_file(store, first, "jsonl")
    assert report.links == 1 and not report.problems
    second = export_to(tmp_path / "empty", tmp_path / "second.jsonl", "jsonl")
    assert second.read_bytes() == first.read_bytes()
    # A link whose span is not in the file is reported, not stored.
    records = lines(first)
    records[0]["spans"] = [s for s in records[0]["spans"] if s["id"] != a.id]
    partial = tmp_path / "partial.jsonl"
    partial.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records),
                       encoding="utf-8")
    with LocalStore(tmp_path / "other") as store:
        report = import_file(store, partial, "jsonl")
        with LinkStore(store) as links:
            assert links.all() == []
    assert report.links == 0
    assert any("a span it joins is not in the store" in p for p in report.problems)


def test_imported_documents_are_openable(tricky_store: Path, tmp_path: Path) -> None:
    first = export_to(tricky_store, tmp_path / "first.doccano", "doccano")
    with LocalStore(tmp_path / "empty") as store:
        import_file(store, first, "doccano", annotator="model-x")
        [doc] = [d for d in store.documents() if d["meta"]["title"] == "Tricky"]
        assert store.load_text(doc["id"]) == TRICKY
        anns = store.annotations(doc["id"])
        assert {a.source for a in anns} == {"imported"}
        assert {a.annotator for a in anns} == {"model-x"}
        assert {(a.start, a.end) for a in anns} == {(s, e) for s, e, *_ in tricky_spans(TRICKY)}


# ------------------------------------------------------------------ prodigy / doccano


def test_prodigy_tasks(tricky_store: Path, tmp_path: Path) -> None:
    [task, _] = sorted(lines(export_to(tricky_store, tmp_path / "p.jsonl", "prodigy")),
                       key=lambda t: t["text"] != TRICKY)
    assert task["answer"] == "accept"
    assert isinstance(task["_input_hash"], int) and isinstance(task["_task_hash"], int)
    assert -(2**31) <= task["_input_hash"] < 2**31
    for span in task["spans"]:
        assert task["text"][span["start"] : span["end"]] == span["text"]
        assert task["tokens"][span["token_start"]]["start"] <= span["start"]
        assert task["tokens"][span["token_end"]]["end"] >= span["end"]
    assert {"start", "end", "text", "id", "ws"} <= set(task["tokens"][0])
    assert task["meta"]["title"] == "Tricky"


def test_doccano_counts_utf16_by_default(tricky_store: Path, tmp_path: Path) -> None:
    records = lines(export_to(tricky_store, tmp_path / "d.jsonl", "doccano"))
    tricky = next(r for r in records if r["text"] == TRICKY)
    u16 = TRICKY.encode("utf-16-le")
    starts = {u16[2 * s : 2 * e].decode("utf-16-le") for s, e, _ in tricky["label"]}
    assert "👍🏿" in starts and "東京" in starts
    cp = lines(export_to(tricky_store, tmp_path / "c.jsonl", "doccano",
                         doccano_offsets="codepoints"))
    tricky_cp = next(r for r in cp if r["text"] == TRICKY)
    assert {TRICKY[s:e] for s, e, _ in tricky_cp["label"]} == starts


def test_import_hand_made_doccano_and_prodigy(tmp_path: Path) -> None:
    text = "Emoji 👍🏽 first, then “the claim” here.\r\nSecond line."
    u16 = OffsetTable(text)
    claim = find(text, "“the claim”")
    doccano_file = tmp_path / "hand.doccano.jsonl"
    doccano_file.write_text(
        json.dumps({"text": text, "label": [
            [u16.to_utf16(claim[0]), u16.to_utf16(claim[1]), "claim"],
            [0, 999, "claim"],  # out of bounds
            [6, 7, "opinion"],  # splits the emoji's surrogate pair
        ]}) + "\n", encoding="utf-8")
    prodigy_file = tmp_path / "hand.prodigy.jsonl"
    prodigy_file.write_text("\n".join([
        json.dumps({"text": "Mr. Smith said so.", "spans": [
            {"start": 0, "end": 9, "label": "quote"},
            {"start": 4, "end": 9, "label": "terms", "text": "Jones"},  # wrong text
        ]}),
        json.dumps({"text": "Rejected.", "spans": [], "answer": "reject"}),
    ]) + "\n", encoding="utf-8")
    with LocalStore(tmp_path / "store") as store:
        d_report = import_file(store, doccano_file, "doccano")
        p_report = import_file(store, prodigy_file, "prodigy")
        texts = {store.load_text(d["id"]): d["id"] for d in store.documents()}
        clean = text.replace("\r\n", "\n")
        [ann] = store.annotations(texts[clean])
        assert ann.text == "“the claim”" and ann.label == "claim" and ann.source == "imported"
        [ann] = store.annotations(texts["Mr. Smith said so."])
        assert ann.text == "Mr. Smith"
    assert d_report.normalised == 1
    assert len(d_report.problems) == 2
    assert all("record 1 (line 1)" in p for p in d_report.problems)
    assert any("surrogate" in p for p in d_report.problems)
    assert len(p_report.problems) == 1 and "line 1" in p_report.problems[0]
    assert len(p_report.skipped_records) == 1 and "line 2" in p_report.skipped_records[0]


def test_import_takes_the_other_shapes_these_tools_write(tmp_path: Path) -> None:
    """Prodigy spans by token index only; doccano's API shape (data, entities as objects)."""
    text = "Dr. 👩🏽\u200d⚕️ Lee said “no” in 東京."
    words = ["Dr.", "👩🏽\u200d⚕️", "Lee", "said", "“no”", "in", "東京", "."]
    tokens, pos = [], 0
    for i, word in enumerate(words):
        start = text.index(word, pos)
        tokens.append({"text": word, "start": start, "end": start + len(word), "id": i})
        pos = start + len(word)
    prodigy_file = tmp_path / "tokens.jsonl"
    prodigy_file.write_text(json.dumps({"text": text, "tokens": tokens, "spans": [
        {"token_start": 1, "token_end": 2, "label": "terms"},
        {"token_start": 6, "token_end": 9, "label": "terms"},  # past the last token
    ]}, ensure_ascii=False) + "\n", encoding="utf-8")
    u16 = OffsetTable(text)
    doccano_file = tmp_path / "api.jsonl"
    quote = find(text, "“no”")
    doccano_file.write_text(json.dumps({"id": 7, "data": text, "entities": [
        {"id": 1, "start_offset": u16.to_utf16(quote[0]), "end_offset": u16.to_utf16(quote[1]),
         "label": "quote"},
    ]}, ensure_ascii=False) + "\n", encoding="utf-8")
    with LocalStore(tmp_path / "store") as store:
        p_report = import_file(store, prodigy_file, "prodigy")
        d_report = import_file(store, doccano_file, "doccano")
        [doc] = store.documents()
        assert sorted((a.label, a.text) for a in store.annotations(doc["id"])) == [
            ("quote", "“no”"), ("terms", "👩🏽\u200d⚕️ Lee")]
    assert len(p_report.problems) == 1 and "tokens 6-9" in p_report.problems[0]
    assert not d_report.problems and d_report.utf16_shifted == 1


def test_crlf_offsets_move_with_the_text() -> None:
    text = "a\r\nbc\r\n\r\nd"
    mapping = TextMap(text)
    assert mapping.clean == "a\nbc\n\nd"
    s, e = text.index("bc"), text.index("d") + 1
    assert mapping.clean[mapping.map(s, False) : mapping.map(e, True)] == "bc\n\nd"
    # A span ending between "\r" and "\n" keeps its line break; one starting
    # there starts after it.
    assert mapping.clean[mapping.map(0, False) : mapping.map(2, True)] == "a\n"
    assert mapping.clean[mapping.map(2, False) : mapping.map(5, True)] == "\nbc"


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["a", "b", " ", "\r", "\n", "\r\n", "\x85", "\u2028", "\ufeff",
                                 "\x1b", "\v", "\f", "\t", "👍🏽"]), max_size=20).map("".join))
def test_imported_offsets_follow_the_cleaning_of_any_newlines(text: str) -> None:
    """TextMap mirrors `sanitize` (which may change): every other character keeps its place."""
    from annotations.cleaning import sanitize

    mapping = TextMap(text)
    assert mapping.clean == sanitize(text)
    for i, ch in enumerate(text):
        if ch in "ab 👍🏽":
            assert mapping.clean[mapping.map(i, False) : mapping.map(i + 1, True)] == ch


# ------------------------------------------------------------------ sentences


@pytest.mark.parametrize("fmt", ["jsonl", "prodigy", "doccano"])
def test_sentence_unit(tricky_store: Path, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"s.{fmt}"
    with LocalStore(tricky_store, read_only=True) as store:
        counts = export(store, ExportOptions(format=fmt, unit="sentence"), out_path=out)
    records = lines(out)
    segs = Segmenter.default().segment(TRICKY)
    assert len(records) == len(segs.sentences) + len(
        Segmenter.default().segment("First line.\n\n" + PLAIN + "\n").sentences)
    assert counts.clipped >= 3  # the whole-text claim, "agreed…東京", "7–2. … It’s"
    assert validate(out, fmt).ok
    if fmt == "jsonl":
        for record in records:
            for span in record["spans"]:
                assert record["text"][span["start"] : span["end"]] == span["text"]
        first = next(r for r in records if r["meta"].get("title") == "Tricky")
        assert first["meta"]["sentence"] == 0 and first["meta"]["doc_start"] == 0
        assert any(s["clipped"] for s in first["spans"])


# ------------------------------------------------------------------ conll / brat


def test_conll_outer_span_wins(tricky_store: Path, tmp_path: Path) -> None:
    out = export_to(tricky_store, tmp_path / "out.conll", "conll")
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# newsmark CoNLL export")
    assert "outer (longest) span wins" in text
    assert validate(out, "conll").ok
    rows = [line.split("\t") for line in text.splitlines() if "\t" in line]
    # The whole-text claim wins every token of the tricky document.
    tricky_rows = rows[: len(Segmenter.default().segment(TRICKY).tokens)]
    assert {tag[2:] for _, tag in tricky_rows} == {"claim"}
    only_terms = export_to(tricky_store, tmp_path / "terms.conll", "conll",
                           filters=Filters(labels=frozenset({"terms"})))
    body = only_terms.read_text(encoding="utf-8")
    assert "東京\tB-terms" in body and "שלום\tB-terms" in body and "עולם\tI-terms" in body


def test_brat_folder(tricky_store: Path, tmp_path: Path) -> None:
    folder = export_to(tricky_store, tmp_path / "brat", "brat")
    assert validate(folder, "brat").ok
    with LocalStore(tricky_store, read_only=True) as store:
        doc_id = next(d["id"] for d in store.documents() if d["meta"]["title"] == "Tricky")
    assert (folder / f"{doc_id}.txt").read_bytes().decode("utf-8") == TRICKY
    ann = (folder / f"{doc_id}.ann").read_text(encoding="utf-8").splitlines()
    assert "T2\tquote 0 6\t“Café”" in ann
    assert any(line.startswith("#") and "AnnotatorNotes T2\tsaid in a café" in line
               for line in ann)
    assert any("note with a line break" in line for line in ann)
    crossing = next(line for line in ann if line.split("\t")[2].startswith("7–2."))
    assert ";" in crossing.split("\t")[1]  # cut at the line break
    assert "[entities]" in (folder / "annotation.conf").read_text(encoding="utf-8")


def test_existing_output_needs_force(tricky_store: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    out.write_text("keep me", encoding="utf-8")
    with LocalStore(tricky_store, read_only=True) as store:
        with pytest.raises(Exception, match="--force"):
            export(store, ExportOptions(), out_path=out)
        assert out.read_text(encoding="utf-8") == "keep me"
        export(store, ExportOptions(), out_path=out, force=True)
        with pytest.raises(FormatError, match="--out"):
            export(store, ExportOptions(format="brat"), stream=None)
        with pytest.raises(FormatError, match="sentence"):
            export(store, ExportOptions(format="conll", unit="sentence"), out_path=out)
    assert len(lines(out)) == 2
    assert not list(tmp_path.glob(".*.tmp"))


def test_filters(tricky_store: Path, tmp_path: Path) -> None:
    out = export_to(tricky_store, tmp_path / "q.jsonl", "jsonl",
                    filters=Filters(labels=frozenset({"quote"})))
    [record] = lines(out)
    assert [s["label"] for s in record["spans"]] == ["quote"]
    # No record passes: no (empty) file is left at the path to need --force later.
    none = export_to(tricky_store, tmp_path / "d.jsonl", "jsonl", filters=Filters(done_only=True))
    assert not none.exists()
    nobody = export_to(tricky_store, tmp_path / "n.jsonl", "jsonl",
                       filters=Filters(annotators=frozenset({"nobody"})))
    assert not nobody.exists()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")) == []


# ------------------------------------------------------------------ property


def _spans_strategy(text: str):  # type: ignore[no-untyped-def]
    pair = st.tuples(st.integers(0, len(text) - 1), st.integers(1, len(text))).filter(
        lambda p: p[0] < p[1])
    return st.lists(st.tuples(pair, st.sampled_from(["claim", "quote", "terms"])), max_size=5)


_ALPHABET = st.sampled_from(
    list("ab é\u0301東שׁ\t\n.“”") + ["👍🏽", "👨\u200d👩", "Mr.", "\U0001f600"]
)


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.lists(_ALPHABET, min_size=1, max_size=30).map("".join), st.data())
def test_export_validate_and_round_trip_random_texts(
    tmp_path_factory: pytest.TempPathFactory, text: str, data: st.DataObject
) -> None:
    spans = data.draw(_spans_strategy(text))
    if not spans:
        return
    root = tmp_path_factory.mktemp("prop")
    doc = Document(text=text)
    make_store(root / "store", [(doc, [(s, e, label, "") for (s, e), label in spans])])
    for fmt in ("jsonl", "prodigy", "doccano"):
        first = export_to(root / "store", root / f"1.{fmt}", fmt)
        report = validate(first, fmt)
        assert report.ok, report.errors
        with LocalStore(root / f"empty-{fmt}") as store:
            imported = import_file(store, first, fmt)
        assert not imported.problems, imported.problems
        second = export_to(root / f"empty-{fmt}", root / f"2.{fmt}", fmt)
        assert second.read_bytes() == first.read_bytes()
    table = OffsetTable(text)
    for span in lines(root / "1.jsonl")[0]["spans"]:
        piece = text[span["start"] : span["end"]]
        assert table.to_utf16(span["start"]) == span["utf16_start"]
        assert text.encode("utf-8")[span["utf8_start"] : span["utf8_end"]].decode() == piece


# ------------------------------------------------------------------ consumers (optional)


def test_spacy_docbin_loads_every_span(tricky_store: Path, tmp_path: Path) -> None:
    spacy = pytest.importorskip("spacy")
    from spacy.tokens import DocBin

    out = export_to(tricky_store, tmp_path / "train.spacy", "spacy")
    nlp = spacy.blank("en")
    docs = list(DocBin().from_disk(out).get_docs(nlp.vocab))
    assert len(docs) == 2
    expected = {TRICKY: {(s, e, label) for s, e, label, _ in tricky_spans(TRICKY)}}
    for doc in docs:
        spans = {(s.start_char, s.end_char, s.label_) for s in doc.spans["sc"]}
        if doc.text == TRICKY:
            assert spans == expected[TRICKY]
            assert doc.user_data["title"] == "Tricky"
        for start, end, label in spans:
            found = doc.char_span(start, end, label=label, alignment_mode="strict")
            assert found is not None and found.text == doc.text[start:end]
        assert len(list(doc.sents)) >= 1
    assert validate(out, "spacy").ok


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.lists(_ALPHABET, min_size=1, max_size=30).map("".join), st.data())
def test_spacy_docbin_holds_any_span_of_any_text(
    tmp_path_factory: pytest.TempPathFactory, text: str, data: st.DataObject
) -> None:
    """Spans anywhere (on whitespace, inside a token, inside a ZWJ sequence) stay exact."""
    spacy = pytest.importorskip("spacy")
    from spacy.tokens import DocBin

    spans = {pair for pair, _ in data.draw(_spans_strategy(text))}
    if not spans:
        return
    root = tmp_path_factory.mktemp("spacy-prop")
    doc = Document(text=text)
    make_store(root / "store", [(doc, [(s, e, "claim", "") for s, e in spans])])
    out = export_to(root / "store", root / "out.spacy", "spacy")
    [loaded] = list(DocBin().from_disk(out).get_docs(spacy.blank("en").vocab))
    assert loaded.text == text
    assert {(s.start_char, s.end_char) for s in loaded.spans["sc"]} == spans
    for s in loaded.spans["sc"]:
        assert loaded.char_span(s.start_char, s.end_char, alignment_mode="strict") is not None


def test_spacy_char_span_finds_jsonl_spans(tricky_store: Path, tmp_path: Path) -> None:
    """The JSONL's own tokens rebuild a spaCy Doc in which every snapped span is found."""
    spacy = pytest.importorskip("spacy")
    from spacy.tokens import Doc

    nlp = spacy.blank("en")
    for record in lines(export_to(tricky_store, tmp_path / "out.jsonl", "jsonl")):
        text = record["text"]
        words, spaces, pos = [], [], 0
        for token in record["tokens"]:
            if token["start"] > pos:  # whitespace not covered by one trailing space
                gap = text[pos : token["start"]]
                if spaces and not spaces[-1] and gap.startswith(" "):
                    spaces[-1], gap = True, gap[1:]
                if gap:
                    words.append(gap)
                    spaces.append(False)
            words.append(token["text"])
            spaces.append(False)
            pos = token["end"]
        if pos < len(text):
            words.append(text[pos:])
            spaces.append(False)
        doc = Doc(nlp.vocab, words=words, spaces=spaces)
        assert doc.text == text
        for span in record["spans"]:
            found = doc.char_span(span["start"], span["end"], alignment_mode="strict")
            assert (found is not None) == span["aligned"], span


def test_datasets_reads_the_jsonl(tricky_store: Path, tmp_path: Path,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    # Offline, and nothing written outside tmp_path: no network at test time.
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-home"))
    datasets = pytest.importorskip("datasets")
    monkeypatch.setattr(datasets.config, "HF_DATASETS_OFFLINE", True)
    monkeypatch.setattr(datasets.config, "HF_HUB_OFFLINE", True)
    out = export_to(tricky_store, tmp_path / "out.jsonl", "jsonl")
    ds = datasets.load_dataset("json", data_files=str(out), split="train",
                               cache_dir=str(tmp_path / "hf-cache"))
    assert len(ds) == 2
    for row in ds:
        for span in row["spans"]:
            assert row["text"][span["start"] : span["end"]] == span["text"]
            u8 = row["text"].encode("utf-8")
            assert u8[span["utf8_start"] : span["utf8_end"]].decode("utf-8") == span["text"]
            u16 = row["text"].encode("utf-16-le")
            assert u16[2 * span["utf16_start"] : 2 * span["utf16_end"]].decode(
                "utf-16-le") == span["text"]
    assert sum(len(row["spans"]) for row in ds) == len(tricky_spans(TRICKY)) + 2


def test_datasets_reads_a_big_export_block_after_block(tricky_store: Path, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """Links, a re-anchored span and a date only in a later block still load (features)."""
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-home"))
    datasets = pytest.importorskip("datasets")
    monkeypatch.setattr(datasets.config, "HF_DATASETS_OFFLINE", True)
    monkeypatch.setattr(datasets.config, "HF_HUB_OFFLINE", True)
    from annotations.formats.hf import native_features
    from annotations.links import Link, LinkStore

    # Metadata set only on some documents (how a file was read, an imported
    # record's id) is in the schema too: a record carrying it failed to load.
    late = Document(text="Later: “a quote” 👍🏽 here.",
                    meta=DocumentMeta(date="2025-01-02", encoding="cp1252", record_id="42"))
    with LocalStore(tricky_store) as store:
        store.register(late)
        moved = Annotation.tag(late, 7, 16, "quote").with_changes(reanchored="moved")
        store.add(moved)
        first_doc = store.documents()[0]["id"]
        with LinkStore(store) as links:
            links.add(Link.between(store.annotations(first_doc)[0], moved, "same-quote"))
    records = lines(export_to(tricky_store, tmp_path / "out.jsonl", "jsonl"))
    out = tmp_path / "reordered.jsonl"  # the unlinked document first, alone in its block
    records.sort(key=lambda r: "links" in r)
    out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records),
                   encoding="utf-8")
    # Without features this fails: the first block has no links to type them.
    ds = datasets.load_dataset("json", data_files=str(out), split="train", chunksize=1024,
                               features=native_features(), cache_dir=str(tmp_path / "hf-cache"))
    assert len(ds) == 3
    for row, record in zip(ds, records):
        assert row["text"] == record["text"]
        assert [s["text"] for s in row["spans"]] == [s["text"] for s in record["spans"]]
        for span in row["spans"]:
            assert row["text"][span["start"] : span["end"]] == span["text"]
            assert row["text"].encode("utf-8")[span["utf8_start"] : span["utf8_end"]].decode(
                "utf-8") == span["text"]
    assert [len(row["links"] or []) for row in ds] == [0, 1, 1]
    [late_row] = [row for row in ds if row["text"] == late.text]
    assert late_row["spans"][0]["reanchored"] == "moved"
    assert late_row["meta"]["date"].startswith("2025-01-02")  # pyarrow: a timestamp's text
    assert (late_row["meta"]["encoding"], late_row["meta"]["record_id"]) == ("cp1252", "42")
    sentences = tmp_path / "sentences.jsonl"
    export_to(tricky_store, sentences, "jsonl", unit="sentence")
    ds = datasets.load_dataset("json", data_files=str(sentences), split="train", chunksize=1024,
                               features=native_features("sentence"),
                               cache_dir=str(tmp_path / "hf-cache"))
    assert len(ds) == len(lines(sentences))
    assert all(row["text"][s["start"] : s["end"]] == s["text"] for row in ds for s in row["spans"])
