"""`newsmark export`, `import` and `validate` as a person runs them."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotations.model import Annotation, Document, DocumentMeta
from annotations.store import LocalStore
from tui.cli import main

TEXT = "“Quote” at 0, 👍🏽 emoji, 東京 and שלום.\nLast line ends here"


@pytest.fixture
def store_dir(open_any) -> Path | str:
    """A store of each engine (a folder; a PostgreSQL URL), given to the CLI as --store."""
    root = open_any.spec
    doc = Document(text=TEXT, meta=DocumentMeta(title="CLI"))
    with open_any() as store:
        store.register(doc)
        store.add(Annotation.tag(doc, 0, 7, "quote", annotator="ann"))
        store.add(Annotation.tag(doc, TEXT.index("東京"), TEXT.index("東京") + 2, "terms",
                                 annotator="bob"))
        store.add(Annotation.tag(doc, TEXT.index("Last"), len(TEXT), "claim", annotator="ann",
                                 note="at the very end"))
    return root


def run(*args: str) -> object:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.mark.parametrize("fmt", ["jsonl", "prodigy", "doccano", "conll"])
def test_export_to_stdout_and_validate(store_dir: Path, tmp_path: Path, fmt: str) -> None:
    result = run("export", "--store", str(store_dir), "--format", fmt)
    assert result.exit_code == 0, result.output
    out = tmp_path / f"out.{fmt}"
    out.write_text(result.stdout, encoding="utf-8")
    if fmt != "conll":
        assert len(result.stdout.splitlines()) == 1
    checked = run("validate", str(out), "--format", fmt)
    assert checked.exit_code == 0, checked.output
    assert "0 errors" in checked.output
    if fmt in ("jsonl", "conll"):  # named by the file's suffix
        assert run("validate", str(out)).output == checked.output
    if fmt in ("doccano", "prodigy"):  # taken for jsonl: an error that names the format
        guessed = run("validate", str(out))
        assert guessed.exit_code == 1 and f"--format {fmt}" in guessed.output


def test_out_dash_is_standard_output(store_dir: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    dashed = run("export", "--store", str(store_dir), "--out", "-")
    assert dashed.exit_code == 0, dashed.output
    assert dashed.stdout == run("export", "--store", str(store_dir)).stdout != ""
    links = run("links", "--store", str(store_dir), "--out", "-")
    assert links.exit_code == 0, links.output
    assert not (tmp_path / "-").exists()  # it wrote a file named "-"


def test_export_file_refuses_to_overwrite(store_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    first = run("export", "--store", str(store_dir), "--out", str(out))
    assert first.exit_code == 0
    assert "wrote 1 jsonl record (3 spans" in first.stderr
    again = run("export", "--store", str(store_dir), "--out", str(out))
    assert again.exit_code == 4 and "--force" in again.stderr
    assert run("export", "--store", str(store_dir), "--out", str(out), "--force").exit_code == 0
    assert not list(tmp_path.glob(".*tmp"))


def test_export_filters_and_units(store_dir: Path) -> None:
    result = run("export", "--store", str(store_dir), "--label", "terms", "--label", "quote")
    [record] = [json.loads(line) for line in result.stdout.splitlines()]
    assert sorted(s["label"] for s in record["spans"]) == ["quote", "terms"]
    result = run("export", "--store", str(store_dir), "--annotator", "bob")
    [record] = [json.loads(line) for line in result.stdout.splitlines()]
    assert [s["label"] for s in record["spans"]] == ["terms"]
    none = run("export", "--store", str(store_dir), "--done-only")
    assert none.stdout == "" and "no document has spans that pass --done-only" in none.stderr
    result = run("export", "--store", str(store_dir), "--unit", "sentence", "--format", "prodigy")
    tasks = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(tasks) == 2
    for task in tasks:
        for span in task["spans"]:
            assert task["text"][span["start"] : span["end"]] == span["text"]


def test_export_usage_errors(store_dir: Path, tmp_path: Path) -> None:
    result = run("export", "--store", str(store_dir), "--format", "brat")
    assert result.exit_code == 5 and "needs --out" in result.stderr
    result = run("export", "--store", str(store_dir), "--format", "conll", "--unit", "sentence")
    assert result.exit_code == 5 and "--unit sentence" in result.stderr
    result = run("export", "--store", str(tmp_path / "nowhere"))
    assert result.exit_code == 4 and "no store" in result.stderr
    assert run("export", "--store", str(store_dir), "--format", "xml").exit_code == 2


def test_brat_export(store_dir: Path, tmp_path: Path) -> None:
    folder = tmp_path / "brat"
    assert run("export", "--store", str(store_dir), "--format", "brat",
               "--out", str(folder)).exit_code == 0
    assert len(list(folder.glob("*.ann"))) == 1
    assert run("validate", str(folder), "--format", "brat").exit_code == 0
    # Without --format, a folder is taken for brat.
    guessed = run("validate", str(folder))
    assert guessed.exit_code == 0 and "1 record, 3 spans: 0 errors" in guessed.output
    again = run("export", "--store", str(store_dir), "--format", "brat", "--out", str(folder))
    assert again.exit_code == 4
    assert run("export", "--store", str(store_dir), "--format", "brat", "--out", str(folder),
               "--force").exit_code == 0


def test_import_then_export_round_trip(store_dir: Path, tmp_path: Path) -> None:
    for fmt in ("jsonl", "prodigy", "doccano"):
        first = run("export", "--store", str(store_dir), "--format", fmt).stdout
        path = tmp_path / f"in.{fmt}"
        path.write_text(first, encoding="utf-8")
        empty = tmp_path / f"empty-{fmt}"
        imported = run("import", str(path), "--format", fmt, "--store", str(empty))
        assert imported.exit_code == 0, imported.output
        assert "1 new document, 3 spans" in imported.stderr
        second = run("export", "--store", str(empty), "--format", fmt).stdout
        assert second == first


def test_a_doccano_records_own_id_comes_back_on_export(tmp_path: Path) -> None:
    """doccano exports an `id` per example; it was dropped on import, and the
    exported records could no longer be matched to the project's."""
    path = tmp_path / "project.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in (
        {"id": 42, "text": "The mayor said the weir will open.", "label": [[0, 9, "claim"]]},
        {"id": "ex-7", "text": "Nobody objected.", "label": []},
        {"text": "No id here.", "label": [[0, 2, "claim"]]},
    )) + "\n", encoding="utf-8")
    store = tmp_path / "store"
    assert run("import", str(path), "--format", "doccano", "--store", str(store)).exit_code == 0
    out = [json.loads(line) for line in
           run("export", "--store", str(store), "--format", "doccano").stdout.splitlines()]
    ids = {r["text"]: r.get("id") for r in out}
    assert ids["The mayor said the weir will open."] == 42  # an int, as doccano wrote it
    assert ids.get("Nobody objected.", "ex-7") == "ex-7"  # exported only if it has spans
    assert ids["No id here."] is None
    native = run("export", "--store", str(store)).stdout.splitlines()
    assert any(json.loads(line)["meta"].get("record_id") == "42" for line in native)


def test_import_without_format_reads_what_export_writes(store_dir: Path, tmp_path: Path) -> None:
    # As export defaults to jsonl, import does: it was a six-line usage error.
    path = tmp_path / "records.jsonl"
    path.write_text(run("export", "--store", str(store_dir)).stdout, encoding="utf-8")
    imported = run("import", str(path), "--store", str(tmp_path / "copy"))
    assert imported.exit_code == 0, imported.output
    assert "1 new document, 3 spans" in imported.stderr


def test_import_reports_bad_offsets_by_line(tmp_path: Path) -> None:
    path = tmp_path / "hand.jsonl"
    path.write_text(
        json.dumps({"text": "Short text.", "label": [[0, 5, "claim"], [3, 50, "claim"]]}) + "\n"
        + "\n"
        + json.dumps({"text": 5}) + "\n",
        encoding="utf-8",
    )
    result = run("import", str(path), "--format", "doccano", "--store", str(tmp_path / "s"),
                 "--annotator", "model")
    assert result.exit_code == 0
    assert "record 1 (line 1), label 2" in result.stderr or "record 1 (line 1), span 2" in (
        result.stderr)
    assert "record 2 (line 3)" in result.stderr
    assert ", 1 span (" in result.stderr
    with LocalStore(tmp_path / "s", read_only=True) as store:
        [doc] = store.documents()
        [ann] = store.annotations(doc["id"])
        assert (ann.text, ann.annotator, ann.source) == ("Short", "model", "imported")


def test_stats_names_an_imported_document_by_its_first_words(tmp_path: Path) -> None:
    path = tmp_path / "hand.jsonl"
    path.write_text(json.dumps({"text": "Mr. Smith said so.\nThen he left.",
                                "label": [[0, 9, "terms"]]}) + "\n", encoding="utf-8")
    assert run("import", str(path), "--format", "doccano", "--store", str(tmp_path / "s")
               ).exit_code == 0
    stats = run("stats", "--store", str(tmp_path / "s"))
    assert "  Mr. Smith said so. Then he left.: terms 1" in stats.output


def test_import_bad_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text("{not json\n", encoding="utf-8")
    result = run("import", str(path), "--format", "prodigy", "--store", str(tmp_path / "s"))
    assert result.exit_code == 5 and "line 1" in result.stderr
    missing = run("import", str(tmp_path / "none.jsonl"), "--format", "prodigy",
                  "--store", str(tmp_path / "s"))
    assert missing.exit_code == 4


def test_validate_reports_errors(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps({"text": "abc", "spans": [
        {"start": 0, "end": 2, "label": "x", "text": "ab", "utf16_start": 0, "utf16_end": 3},
        {"start": 2, "end": 9, "label": "x"},
    ]}) + "\n", encoding="utf-8")
    result = run("validate", str(path), "--format", "jsonl")
    assert result.exit_code == 1
    assert "2 errors" in result.output


def test_spacy_without_spacy_says_how(store_dir: Path, tmp_path: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    import builtins

    real_import = builtins.__import__

    def no_spacy(name: str, *args: object, **kwargs: object) -> object:
        if name == "spacy" or name.startswith("spacy."):
            raise ImportError("no spacy here")
        return real_import(name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(builtins, "__import__", no_spacy)
    out = tmp_path / "train.spacy"
    result = run("export", "--store", str(store_dir), "--format", "spacy", "--out", str(out))
    assert result.exit_code == 5
    assert "pip install 'newsmark[spacy]'" in result.stderr
    # The pip of the Python running newsmark (a clone's .venv), not whichever is first.
    assert f"{sys.executable} -m pip install 'spacy" in result.stderr
    assert not out.exists()
    out.write_bytes(b"not a DocBin")
    checked = run("validate", str(out), "--format", "spacy")
    assert checked.exit_code == 5 and "-m pip install" in checked.stderr


def test_spacy_export(store_dir: Path, tmp_path: Path) -> None:
    pytest.importorskip("spacy")
    out = tmp_path / "train.spacy"
    result = run("export", "--store", str(store_dir), "--format", "spacy", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert run("validate", str(out), "--format", "spacy").exit_code == 0


def test_store_given_before_the_command_is_the_commands_own(store_dir: Path,
                                                            tmp_path: Path) -> None:
    # README: `newsmark --store DIR export ...`, as people type it.
    out = tmp_path / "first.jsonl"
    result = run("--store", str(store_dir), "export", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8") == run(
        "export", "--store", str(store_dir)).stdout
    assert run(f"--store={store_dir}", "stats").exit_code == 0
    refused = run("--store", str(store_dir), "validate", str(out))
    assert refused.exit_code == 2 and "works on no store" in refused.output


def test_any_option_given_before_the_command_is_the_commands_own(store_dir: Path,
                                                                 tmp_path: Path) -> None:
    """`newsmark --annotator ana export` took the option as the reader's and
    "export" as a file to open ("export: no such file")."""
    out = tmp_path / "first.jsonl"
    before = run("--format", "jsonl", "--store", str(store_dir), "export", "--out", str(out))
    assert before.exit_code == 0, before.output
    after = run("export", "--format", "jsonl", "--store", str(store_dir))
    assert out.read_text(encoding="utf-8") == after.stdout
    refused = run("--raw", "stats", "--store", str(store_dir))
    assert refused.exit_code == 2
    assert "`newsmark stats` has no option --raw" in refused.output
    assert "no such file" not in refused.output


@pytest.mark.parametrize("fmt", ["jsonl", "prodigy", "conll", "brat"])
def test_validate_refuses_an_empty_export(tmp_path: Path, fmt: str) -> None:
    empty = tmp_path / "empty"
    if fmt == "brat":
        empty.mkdir()
    else:
        empty.write_text("", encoding="utf-8")
    result = run("validate", str(empty), "--format", fmt)
    assert result.exit_code == 5, result.output
    assert "nothing to validate" in result.stderr and len(result.stderr.splitlines()) == 1


def test_import_warns_of_labels_the_configuration_does_not_declare(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    spans = [{"start": 0, "end": 3, "label": "bogus"}, {"start": 4, "end": 7, "label": "bogus"},
             {"start": 8, "end": 11, "label": "quote"}]
    path.write_text(json.dumps({"text": "one two six", "spans": spans}) + "\n", encoding="utf-8")
    result = run("import", str(path), "--store", str(tmp_path / "s"))
    assert result.exit_code == 0, result.output
    assert "labels the configuration does not declare: bogus 2 " in result.stderr
    with LocalStore(tmp_path / "s") as store:  # kept all the same
        [doc] = store.documents()
        assert sorted(a.label for a in store.annotations(doc["id"])) == [
            "bogus", "bogus", "quote"]


def test_the_normalised_texts_note_agrees_in_number(tmp_path: Path) -> None:
    """It said "1 text had their newlines … normalised; their offsets …"."""
    for count, said in ((1, "note: 1 text had its newlines or control characters normalised; "
                            "its offsets were moved with them"),
                        (2, "note: 2 texts had their newlines or control characters "
                            "normalised; their offsets were moved with them")):
        path = tmp_path / f"crlf{count}.jsonl"
        path.write_text("".join(
            json.dumps({"text": f"Line one {n}.\r\nLine two.", "label": [[0, 4, "claim"]]}) + "\n"
            for n in range(count)), encoding="utf-8")
        result = run("import", str(path), "--format", "doccano", "--store",
                     str(tmp_path / f"s{count}"))
        assert result.exit_code == 0, result.stderr
        assert said in " ".join(result.stderr.split()), result.stderr
