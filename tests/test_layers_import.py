"""Other people's work imported as layers: brat folders (several .ann per text) and --annotator."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotations.formats import FormatError
from annotations.formats.brat_import import compile_pattern, import_brat
from annotations.store import LocalStore
from tui.cli import main

# Line 2 starts at offset 27. "Mayor Ann Lee said the bridge" ... made by hand.
TEXT = ("The council met on Monday.\n"
        "Mayor Ann Lee said the bridge would open in June, and\n"
        "critics called it late.\n")
SAID = TEXT.index("said")
BRIDGE = TEXT.index("the bridge")
JUNE_END = TEXT.index(", and")
CRITICS = TEXT.index("critics")


def ann_of_ana() -> str:
    mayor = TEXT.index("Mayor")
    return "\n".join([
        f"T1\tSource {mayor} {SAID - 1}\tMayor Ann Lee",
        f"T2\tCue {SAID} {SAID + 4}\tsaid",
        # Discontinuous, fragments out of order; brat ran the text field over a line:
        f"T3\tContent {CRITICS} {CRITICS + 7};{BRIDGE} {JUNE_END}\tcritics the bridge would",
        "open in June",  # the rest of T3's text field on the next line: not a line of its own
        "T4\tAttribution 10 14\tcil ",
        "E1\tAttribution:T4 Source:T1 Cue:T2 Content:T3",
        "R1\tsaid_by Arg1:T3 Arg2:T1",
        "A1\tNegated T3",
        "#1\tAnnotatorNotes T3\tcheck   the scope",
        "#2\tOtherNote T1\tnot modelled",
        "T5\tSource 5 500\tbeyond the text",
        "",
    ])


def ann_of_ben() -> str:
    return "\n".join([
        f"T1\tSource {TEXT.index('Mayor')} {SAID - 1}\tMayor Ann Lee",
        f"T2\tCue {SAID} {SAID + 4}\tsaid",
        f"T3\tContent {BRIDGE} {JUNE_END}\tthe bridge would open in June",
    ]) + "\n"


@pytest.fixture
def polnear_like(tmp_path: Path) -> Path:
    """PolNeAR's layout: text/NAME.txt, attributions/NAME_ANNOTATOR.ann."""
    folder = tmp_path / "corpus"
    (folder / "text").mkdir(parents=True)
    (folder / "attributions").mkdir()
    (folder / "text" / "bridge_story.txt").write_bytes(TEXT.encode("utf-8"))
    (folder / "attributions" / "bridge_story_ana.ann").write_text(ann_of_ana(), encoding="utf-8")
    (folder / "attributions" / "bridge_story_ben.ann").write_text(ann_of_ben(), encoding="utf-8")
    return folder


def test_several_ann_files_of_one_text_are_one_document_with_layers(
    polnear_like: Path, tmp_path: Path
) -> None:
    with LocalStore(tmp_path / "s") as store:
        report = import_brat(store, polnear_like, pattern="{text}_{annotator}")
        [record] = store.documents()
        anns = store.annotations(record["id"])
        assert store.load_text(record["id"]) == TEXT
        assert record["meta"]["title"] == "bridge_story"
    assert (report.files, report.documents, report.spans) == (2, 1, 7)
    assert dict(report.annotators) == {"ana": 4, "ben": 3}
    assert report.discontinuous == 1 and report.notes == 1
    assert dict(report.skipped_lines) == {"notes other than AnnotatorNotes (#)": 1}
    # E, R and A lines are read (issue 15); the default configuration declares
    # none of PolNeAR's roles, nor Negated: each is named by its line, none
    # stored (tests/test_brat_relations.py imports them with a configuration).
    problem, *undeclared = report.problems
    assert "bridge_story_ana.ann, line 11 (T5)" in problem and "outside the text" in problem
    assert [p.split(": ", 1)[0] for p in undeclared] == [
        "attributions/bridge_story_ana.ann, line 8 (T3)",
        "attributions/bridge_story_ana.ann, line 6 (E1.1)",
        "attributions/bridge_story_ana.ann, line 6 (E1.2)",
        "attributions/bridge_story_ana.ann, line 6 (E1.3)",
        "attributions/bridge_story_ana.ann, line 7 (R1)"]
    assert "attribute 'Negated' is not declared for label 'Content'" in undeclared[0]
    assert report.relations == 0
    [content] = [a for a in anns if a.annotator == "ana" and a.label == "Content"]
    # One span over the hull, keeping its fragments (sorted), whatever the text field said.
    assert (content.start, content.end) == (BRIDGE, CRITICS + 7)
    assert content.fragments == ((BRIDGE, JUNE_END), (CRITICS, CRITICS + 7))
    assert content.note == "check the scope"
    assert {a.annotator for a in anns} == {"ana", "ben"}


def test_importing_again_adds_nothing(polnear_like: Path, tmp_path: Path) -> None:
    with LocalStore(tmp_path / "s") as store:
        import_brat(store, polnear_like, pattern="{text}_{annotator}")
        again = import_brat(store, polnear_like, pattern="{text}_{annotator}")
    assert (again.documents, again.spans, again.duplicates) == (0, 0, 7)


def test_discontinuous_spans_go_back_to_brat_as_fragments(polnear_like: Path,
                                                          tmp_path: Path) -> None:
    with LocalStore(tmp_path / "s") as store:
        import_brat(store, polnear_like, pattern="{text}_{annotator}")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["export", "--store", str(tmp_path / "s"), "--format",
                                       "brat", "--out", str(out), "--annotator", "ana"])
    assert result.exit_code == 0, result.output
    [ann] = out.glob("*.ann")
    lines = ann.read_text(encoding="utf-8").splitlines()
    assert any(line.startswith("T") and f"\tContent {BRIDGE} {JUNE_END};{CRITICS} {CRITICS + 7}"
               f"\tthe bridge would open in June critics" in line for line in lines), lines


def test_annotator_folders_pattern(tmp_path: Path) -> None:
    folder = tmp_path / "project"
    for who, ann in (("ana", ann_of_ana()), ("ben", ann_of_ben())):
        (folder / who).mkdir(parents=True)
        (folder / who / "story.txt").write_text(TEXT, encoding="utf-8")
        (folder / who / "story.ann").write_text(ann, encoding="utf-8")
    with LocalStore(tmp_path / "s") as store:
        report = import_brat(store, folder, pattern="{annotator}/{text}")
        assert len(store.documents()) == 1
    assert dict(report.annotators) == {"ana": 4, "ben": 3}


def test_pattern_rules() -> None:
    names = compile_pattern("{text}_{annotator}")
    match = names.search("attributions/a_long_name_d473")
    assert (match["text"], match["annotator"]) == ("a_long_name", "d473")
    assert compile_pattern("{text}").search("x/story")["text"] == "story"
    for bad in ("{annotator}", "{text}{text}", "{text}_{who}"):
        with pytest.raises(FormatError):
            compile_pattern(bad)


def run(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, list(args))


def test_import_brat_from_the_command_line(polnear_like: Path, tmp_path: Path) -> None:
    (polnear_like / "attributions" / "stray_cy.ann").write_text("T1\tx 0 1\ta\n", encoding="utf-8")
    store = str(tmp_path / "s")
    result = run("import", str(polnear_like), "--format", "brat", "--names",
                 "{text}_{annotator}", "--store", store)
    assert result.exit_code == 0, result.output
    err = result.stderr
    assert "skipped attributions/stray_cy.ann: no stray.txt" in err
    assert "imported 2 of 3 .ann files: 1 new document, 7 spans" in err
    assert "1 discontinuous kept with their fragments" in err
    assert "layers: ana 4, ben 3" in err
    assert "not modelled yet, skipped: notes other than AnnotatorNotes (#) 1" in err
    assert "skipped attributions/bridge_story_ana.ann, line 6 (E1.1): relation type " \
        "'Source' is not declared" in err
    result = run("agree", "--store", store, "--json", "--label", "Cue")
    assert json.loads(result.stdout)["overall"]["exact_f1"] == 1.0


def test_import_brat_bad_input_is_one_line(tmp_path: Path) -> None:
    result = run("import", str(tmp_path / "none"), "--format", "brat", "--store",
                 str(tmp_path / "s"))
    assert result.exit_code == 5 and result.stderr.count("\n") == 1
    (tmp_path / "empty").mkdir()
    result = run("import", str(tmp_path / "empty"), "--format", "brat", "--names", "{who}",
                 "--store", str(tmp_path / "s"))
    assert result.exit_code == 5 and "naming pattern" in result.stderr


def test_the_same_text_imported_for_two_annotators_is_one_document(tmp_path: Path) -> None:
    path = tmp_path / "records.jsonl"
    path.write_text(json.dumps({"text": "Prices rose again.", "spans": [
        {"start": 0, "end": 6, "label": "terms", "annotator": "model"}]}) + "\n",
        encoding="utf-8")
    store = str(tmp_path / "s")
    for who in ("ana", "ben"):
        result = run("import", str(path), "--format", "jsonl", "--annotator", who,
                     "--store", store)
        assert result.exit_code == 0, result.output
    with LocalStore(tmp_path / "s", read_only=True) as opened:
        [doc] = opened.documents()
        assert sorted(a.annotator for a in opened.annotations(doc["id"])) == ["ana", "ben"]


def test_export_and_stats_by_layer(tmp_path: Path) -> None:
    from annotations.model import Annotation, Document

    doc = Document("Prices rose again in May, officials said.")
    with LocalStore(tmp_path / "s") as store:
        store.register(doc)
        for who, (start, end, label) in (("ana", (0, 6, "terms")), ("ben", (0, 6, "terms")),
                                         ("ben", (7, 11, "claim")), ("gold", (0, 6, "terms"))):
            assert store.add(Annotation.tag(doc, start, end, label, annotator=who))
    store_dir = str(tmp_path / "s")
    result = run("export", "--store", store_dir, "--annotator", "gold")
    [record] = [json.loads(line) for line in result.stdout.splitlines()]
    assert [s["annotator"] for s in record["spans"]] == ["gold"]
    result = run("export", "--store", store_dir, "--annotators", "ana,ben")
    [record] = [json.loads(line) for line in result.stdout.splitlines()]
    assert sorted(s["annotator"] for s in record["spans"]) == ["ana", "ben", "ben"]
    result = run("stats", "--store", store_dir)
    assert result.exit_code == 0
    assert "layers (annotators): 3" in result.stdout
    assert "  ben          2 spans in 1 document" in result.stdout
    assert "  gold         1 span in 1 document" in result.stdout


def test_fragments_survive_a_native_round_trip(polnear_like: Path, tmp_path: Path) -> None:
    from annotations.formats import native

    with LocalStore(tmp_path / "s") as store:
        import_brat(store, polnear_like, pattern="{text}_{annotator}")
    out = tmp_path / "out.jsonl"
    result = run("export", "--store", str(tmp_path / "s"), "--out", str(out), "--jobs", "1")
    assert result.exit_code == 0, result.output
    [record] = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    [gap] = [s for s in record["spans"] if "fragments" in s]
    assert gap["fragments"] == [[BRIDGE, JUNE_END], [CRITICS, CRITICS + 7]]
    # The fast writer and the plain encoder agree, fragments included, per
    # document and per sentence (where a span is cut to its sentence).
    from annotations.formats.records import Counts, document_view, sentence_views

    with LocalStore(tmp_path / "s", read_only=True) as store:
        view, _segmentation = document_view(store, store.documents()[0])
        assert native.line(view) == json.dumps(native.record(view), ensure_ascii=False)
        for sentence in sentence_views(view, Counts()):
            assert native.line(sentence) == json.dumps(native.record(sentence),
                                                       ensure_ascii=False)
    result = run("import", str(out), "--format", "jsonl", "--store", str(tmp_path / "again"))
    assert result.exit_code == 0, result.output
    with LocalStore(tmp_path / "again", read_only=True) as store:
        [doc] = store.documents()
        [ann] = [a for a in store.annotations(doc["id"]) if a.fragments]
        assert ann.fragments == ((BRIDGE, JUNE_END), (CRITICS, CRITICS + 7))


def test_a_corpus_of_undeclared_roles_is_summed_up_not_listed(polnear_like: Path,
                                                              tmp_path: Path) -> None:
    # Found by a new user: 7 PolNeAR files printed 456 "skipped" lines, one per
    # event argument, which the whole corpus would make tens of thousands.
    for n in range(12):
        (polnear_like / "text" / f"copy{n}.txt").write_bytes(TEXT.encode("utf-8"))
        (polnear_like / "attributions" / f"copy{n}_ana.ann").write_text(
            ann_of_ana(), encoding="utf-8")
    result = run("import", str(polnear_like), "--format", "brat", "--names",
                 "{text}_{annotator}", "--store", str(tmp_path / "s"))
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stderr.splitlines() if line.startswith("skipped ")]
    assert len(lines) == 11  # ten as they are, then one line counting the rest by reason
    summary = lines[-1]
    assert re.match(r"skipped \d+ more: \d+ × relation type '\w+' is not declared", summary)
    assert "relation type 'Source' is not declared" in summary
    total = int(re.search(r"\((\d+) already there, (\d+) skipped", result.stderr)[2])
    assert total == 10 + int(re.match(r"skipped (\d+) more", summary)[1])
