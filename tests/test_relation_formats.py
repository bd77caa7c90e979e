"""Relations and attributes in every export format, import and validation (issue 15)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotations.export import ExportOptions, export, json_records
from annotations.formats.importing import import_file
from annotations.formats.records import Counts
from annotations.formats.validate import validate
from annotations.labels import Config
from annotations.model import Annotation, Document, DocumentMeta
from annotations.relations import related, with_attribute
from annotations.store import LocalStore
from tui.cli import main

# An emoji before the spans: doccano's UTF-16 offsets differ from code points.
TEXT = ("👋 “The bridge will open in June,” Mayor Lindqvist said on Monday.\n"
        "Costs rose by a third, according to the council's auditor, and that is awful.")


def _span(doc: Document, piece: str, label: str) -> Annotation:
    start = doc.text.index(piece)
    return Annotation.tag(doc, start, start + len(piece), label, annotator="ann")


@pytest.fixture
def related_store(tmp_path: Path) -> Path:
    """A quote said_by a speaker, a claim with its source and checkworthy, an opinion."""
    config = Config()
    doc = Document(TEXT, DocumentMeta(title="Bridge"))
    quote = _span(doc, "The bridge will open in June", "quote")
    mayor = _span(doc, "Mayor Lindqvist", "speaker")
    said = _span(doc, "said", "terms")
    claim = _span(doc, "Costs rose by a third", "claim")
    auditor = _span(doc, "the council's auditor", "source")
    awful = _span(doc, "awful", "opinion")
    quote = related(quote, mayor, "said_by", config)
    quote = related(quote, said, "cue", config)
    quote = with_attribute(quote, "kind", "direct", config)
    claim = related(with_attribute(claim, "checkworthy", "yes", config), auditor, "source_of",
                    config)
    awful = with_attribute(awful, "polarity", "negative", config)
    root = tmp_path / "store"
    with LocalStore(root) as store:
        store.register(doc)
        for ann in (quote, mayor, said, claim, auditor, awful):
            assert store.add(ann)
    return root


def _export(root: Path, path: Path, fmt: str, **options: object) -> Path:
    with LocalStore(root, read_only=True) as store:
        export(store, ExportOptions(format=fmt, **options), out_path=path)  # type: ignore[arg-type]
    return path


def _records(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _edges(root: Path) -> set[tuple[str, str, str]]:
    with LocalStore(root, read_only=True) as store:
        (doc,) = store.documents()
        anns = {a.id: a for a in store.annotations(doc["id"])}
    return {(a.text, r.type, anns[r.tail].text) for a in anns.values() for r in a.relations}


def _attrs(root: Path) -> dict[str, dict[str, str]]:
    with LocalStore(root, read_only=True) as store:
        (doc,) = store.documents()
        return {a.text: a.attrs for a in store.annotations(doc["id"]) if a.attrs}


EDGES = {("The bridge will open in June", "said_by", "Mayor Lindqvist"),
         ("The bridge will open in June", "cue", "said"),
         ("Costs rose by a third", "source_of", "the council's auditor")}
ATTRS = {"The bridge will open in June": {"kind": "direct"},
         "Costs rose by a third": {"checkworthy": "yes"}, "awful": {"polarity": "negative"}}


def test_native_records_carry_relations_by_span_id_and_attrs_on_spans(
    related_store: Path, tmp_path: Path
) -> None:
    path = _export(related_store, tmp_path / "out.jsonl", "jsonl")
    (record,) = _records(path)
    spans = {s["id"]: s for s in record["spans"]}
    assert {(spans[r["head"]]["text"], r["type"], spans[r["tail"]]["text"])
            for r in record["relations"]} == EDGES
    assert {s["text"]: s["attrs"] for s in record["spans"] if "attrs" in s} == ATTRS
    # The same bytes as the record built as a dict (the fast writer's contract).
    with LocalStore(related_store, read_only=True) as store:
        (built,) = json_records(store, ExportOptions(format="jsonl", jobs=1), Counts())
    assert json.dumps(built, ensure_ascii=False) + "\n" == path.read_text(encoding="utf-8")
    assert validate(path, "jsonl").ok


@pytest.mark.parametrize("fmt", ["jsonl", "prodigy", "doccano"])
def test_round_trips_keep_relations_and_attributes(
    related_store: Path, tmp_path: Path, fmt: str
) -> None:
    first = _export(related_store, tmp_path / f"first.{fmt}", fmt)
    report = validate(first, fmt)
    assert report.ok, report.errors
    with LocalStore(tmp_path / "again") as store:
        imported = import_file(store, first, fmt)
    assert not imported.problems and imported.relations == 3
    assert _edges(tmp_path / "again") == EDGES
    if fmt != "doccano":  # doccano has no attributes on spans
        assert _attrs(tmp_path / "again") == ATTRS
    second = _export(tmp_path / "again", tmp_path / f"second.{fmt}", fmt)
    if fmt == "jsonl":
        assert second.read_bytes() == first.read_bytes()
    else:  # new span ids, but the same records
        assert _records(second) == _records(first)


def test_prodigy_relations_are_rel_manual_shaped(related_store: Path, tmp_path: Path) -> None:
    (task,) = _records(_export(related_store, tmp_path / "p.jsonl", "prodigy"))
    said_by = next(r for r in task["relations"] if r["label"] == "said_by")
    head, child = said_by["head_span"], said_by["child_span"]
    assert TEXT[head["start"]:head["end"]] == "The bridge will open in June"
    assert (said_by["head"], said_by["child"]) == (head["token_end"], child["token_end"])
    assert task["tokens"][child["token_start"]]["text"] == "Mayor"
    # A hand-made task naming only the last tokens (no *_span) imports too.
    for rel in task["relations"]:
        del rel["head_span"], rel["child_span"]
    path = tmp_path / "hand.jsonl"
    path.write_text(json.dumps(task, ensure_ascii=False) + "\n", encoding="utf-8")
    with LocalStore(tmp_path / "hand") as store:
        assert import_file(store, path, "prodigy").relations == 3
    assert _edges(tmp_path / "hand") == EDGES


def test_doccano_relations_use_entity_ids_and_utf16(related_store: Path, tmp_path: Path) -> None:
    (record,) = _records(_export(related_store, tmp_path / "d.jsonl", "doccano"))
    assert "label" not in record
    entities = {e["id"]: e for e in record["entities"]}
    said_by = next(r for r in record["relations"] if r["type"] == "said_by")
    mayor = entities[said_by["to_id"]]
    assert (mayor["label"], mayor["start_offset"]) == ("speaker", TEXT.index("Mayor") + 1)


def test_validate_names_the_line_of_an_undeclared_value_or_relation(
    related_store: Path, tmp_path: Path
) -> None:
    (record,) = _records(_export(related_store, tmp_path / "ok.jsonl", "jsonl"))
    claim = next(s for s in record["spans"] if s["label"] == "claim")
    claim["attrs"] = {"checkworthy": "maybe"}
    record["relations"].append({"id": "x1", "type": "said_by", "head": claim["id"],
                                "tail": "nowhere"})
    record["relations"].append({"id": "x2", "type": "said_by", "head": claim["id"],
                                "tail": claim["id"]})
    bad = tmp_path / "bad.jsonl"
    bad.write_text("\n" + json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    report = validate(bad, "jsonl")
    assert report.errors == [
        "record 1 (line 2), span 4: 'maybe' is not a value of claim's attribute 'checkworthy' "
        "(declared: yes, no)",
        "record 1 (line 2), relation x1: its tail 'nowhere' is not a span of the record",
        "record 1 (line 2), relation x2: a said_by relation cannot go from a claim to a claim "
        "(it goes from quote to speaker)",
    ]
    result = CliRunner().invoke(main, ["validate", str(bad)])
    assert result.exit_code == 1 and "line 2" in result.output
    # Import keeps the spans, reports the value and relations by line, stores neither.
    with LocalStore(tmp_path / "imported") as store:
        imported = import_file(store, bad, "jsonl")
    assert imported.spans == 6 and imported.relations == 3
    assert any("line 2" in p and "'maybe'" in p for p in imported.problems)
    assert sum("relation x" in p for p in imported.problems) == 2
    assert "Costs rose by a third" not in _attrs(tmp_path / "imported")


def test_a_project_config_declares_what_import_and_validate_accept(
    related_store: Path, tmp_path: Path
) -> None:
    path = _export(related_store, tmp_path / "out.jsonl", "jsonl")
    toml = tmp_path / "project.toml"
    toml.write_text('[[labels]]\nname = "quote"\nkey = "1"\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", str(path), "--config", str(toml)])
    assert result.exit_code == 1
    assert "attribute 'checkworthy' is not declared for label 'claim'" in result.output
    assert "relation type 'said_by' is not declared" in result.output


def test_brat_export_writes_r_and_a_lines_and_declares_them(
    related_store: Path, tmp_path: Path
) -> None:
    folder = _export(related_store, tmp_path / "brat", "brat")
    (ann,) = folder.glob("*.ann")
    lines = ann.read_text(encoding="utf-8").splitlines()
    spans = {line.split("\t")[0]: line.split("\t")[2] for line in lines if line.startswith("T")}
    rels = {(spans[a1[5:]], t, spans[a2[5:]])
            for line in lines if line.startswith("R")
            for t, a1, a2 in [line.split("\t")[1].split()]}
    assert rels == EDGES
    attrs = {(spans[t], name, value) for line in lines if line.startswith("A")
             for name, t, value in [line.split("\t")[1].split()]}
    assert attrs == {(text, *item) for text, values in ATTRS.items() for item in values.items()}
    conf = (folder / "annotation.conf").read_text(encoding="utf-8")
    assert "said_by\tArg1:quote, Arg2:speaker" in conf
    assert "checkworthy\tArg:claim, Value:yes" in conf
    assert validate(folder, "brat").ok


def test_conll_says_once_that_it_cannot_hold_relations(
    related_store: Path, tmp_path: Path
) -> None:
    result = CliRunner().invoke(main, ["export", "--store", str(related_store), "--format",
                                       "conll", "--out", str(tmp_path / "out.conll")])
    assert result.exit_code == 0, result.output
    assert result.output.count("CoNLL cannot hold relations") == 1
    assert "3 relations between spans are not in this file" in result.output


def test_relations_to_a_span_left_out_are_left_out(related_store: Path, tmp_path: Path) -> None:
    from annotations.formats.records import Filters

    path = _export(related_store, tmp_path / "quotes.jsonl", "jsonl",
                   filters=Filters(labels=frozenset({"quote", "claim", "source"})))
    (record,) = _records(path)
    assert [r["type"] for r in record["relations"]] == ["source_of"]
    assert validate(path, "jsonl").ok


def test_spacy_keeps_relations_and_attributes(related_store: Path, tmp_path: Path) -> None:
    spacy = pytest.importorskip("spacy")
    from spacy.tokens import DocBin

    path = _export(related_store, tmp_path / "train.spacy", "spacy")
    nlp = spacy.blank("en")
    (doc,) = DocBin().from_disk(path).get_docs(nlp.vocab)
    rels = doc.user_data["newsmark_relations"]
    assert {(doc.char_span(*r["head"][:2]).text, r["type"], doc.char_span(*r["tail"][:2]).text)
            for r in rels} == EDGES
    assert [s.text for s in doc.spans["checkworthy=yes"]] == ["Costs rose by a third"]
    assert {(a["label"], tuple(a["attrs"].items())) for a in doc.user_data["newsmark_attrs"]} == {
        ("quote", (("kind", "direct"),)), ("claim", (("checkworthy", "yes"),)),
        ("opinion", (("polarity", "negative"),))}
    assert validate(path, "spacy").ok


def test_datasets_loads_relations_and_attributes_with_the_features(
    related_store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-home"))
    datasets = pytest.importorskip("datasets")
    monkeypatch.setattr(datasets.config, "HF_DATASETS_OFFLINE", True)
    monkeypatch.setattr(datasets.config, "HF_HUB_OFFLINE", True)
    from annotations.formats.hf import native_features

    path = _export(related_store, tmp_path / "out.jsonl", "jsonl")
    (row,) = datasets.load_dataset("json", data_files=str(path), split="train",
                                   features=native_features(),
                                   cache_dir=str(tmp_path / "hf-cache"))
    spans = {s["id"]: s for s in row["spans"]}
    assert {(spans[r["head"]]["text"], r["type"], spans[r["tail"]]["text"])
            for r in row["relations"]} == EDGES
    assert {s["text"]: {k: v for k, v in s["attrs"].items() if v is not None}
            for s in row["spans"] if s["attrs"] and any(s["attrs"].values())} == ATTRS
