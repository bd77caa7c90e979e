"""brat R, E and A lines: read as relations and attribute values, written back (issue 15)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from annotations.export import ExportOptions, export
from annotations.formats.brat_relations import BINARY, read_extras
from annotations.formats.validate import validate
from annotations.labels import parse_config
from annotations.store import LocalStore

# An attribution in the PolNeAR style, made by hand: a discontinuous
# content span (fragments out of order), an event tying source, cue and
# content to its trigger, a relation, attributes with and without a value,
# and a note.
TEXT = ("Lindqvist said the bridge\nwill open in June. Critics doubt it.\n")
ANN = """T1\tSource 0 9\tLindqvist
T2\tCue 10 14\tsaid
T3\tContent 26 43;15 25\twill open in June the bridge
T4\tAttribution 10 14\tsaid
E1\tAttribution:T4 Source:T1 Cue:T2 Content:T3
#1\tAnnotatorNotes T3\tthe content runs over a line break
T5\tSource 45 52\tCritics
R1\tdisagrees Arg1:T5 Arg2:T1
A1\tFactuality T3 future
A2\tNegated T5
"""
# The labels, attributes and relations of an attribution project (as newsmark.toml).
ATTRIBUTION_TOML = """
[[labels]]
name = "Source"
key = "1"
[labels.attributes]
Negated = ["true"]
[[labels]]
name = "Cue"
key = "2"
[[labels]]
name = "Content"
key = "3"
[labels.attributes]
Factuality = ["past", "future"]
[[labels]]
name = "Attribution"
key = "4"

[[relations]]
name = "Source"
head = ["Attribution"]
[[relations]]
name = "Cue"
head = ["Attribution"]
[[relations]]
name = "Content"
head = ["Attribution"]
[[relations]]
name = "disagrees"
"""
CONFIG = parse_config(tomllib.loads(ATTRIBUTION_TOML))


def _lines(text: str) -> list[tuple[int, str]]:
    return list(enumerate(text.splitlines(), start=1))


def test_events_become_relations_from_the_trigger_by_role() -> None:
    extras = read_extras(_lines(ANN), {"T1", "T2", "T3", "T4", "T5"})
    assert [(r.id, r.type, r.head, r.tail) for r in extras.relations] == [
        ("E1.1", "Source", "T4", "T1"),
        ("E1.2", "Cue", "T4", "T2"),
        ("E1.3", "Content", "T4", "T3"),
        ("R1", "disagrees", "T5", "T1"),
    ]
    assert extras.attrs == {"T3": {"Factuality": "future"}, "T5": {"Negated": BINARY}}
    assert extras.problems == []


def test_ends_that_are_not_spans_are_reported_with_their_line() -> None:
    bad = ("E1\tAttribution:T4 Source:T9 Content:E2\n"
           "R1\tdisagrees Arg1:T5 Arg2:T7\n"
           "A1\tNegated R1\n"
           "R2\tbroken\n")
    extras = read_extras(_lines(bad), {"T4", "T5"})
    assert extras.relations == []
    assert extras.problems == [
        "line 1: event E1's Source argument T9 is not a span (events of events are not "
        "read); left out",
        "line 1: event E1's Content argument E2 is not a span (events of events are not "
        "read); left out",
        "line 2: relation R1 joins T7, which is not a text-bound span of the file",
        "line 3: attribute A1 is on R1, which is not a text-bound span (attributes of "
        "relations and events are not read)",
        "line 4: not a relation (R1<TAB>type Arg1:T1 Arg2:T2)",
    ]


def _import(folder: Path, store_dir: Path, config=CONFIG):  # type: ignore[no-untyped-def]
    from annotations.formats.brat_import import import_brat

    with LocalStore(store_dir) as store:
        return import_brat(store, folder, annotator="ann", config=config)


def _one_file(folder: Path, name: str, text: str, ann: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.txt").write_text(text, encoding="utf-8")
    (folder / f"{name}.ann").write_text(ann, encoding="utf-8")
    return folder


def test_a_hand_made_attribution_comes_in_whole_and_goes_out_as_brat(tmp_path: Path) -> None:
    store_dir = tmp_path / "store"
    report = _import(_one_file(tmp_path / "in", "bridge", TEXT, ANN), store_dir)
    assert report.problems == [] and report.relations == 4 and report.discontinuous == 1
    with LocalStore(store_dir) as store:
        (record,) = store.documents()
        stored = store.annotations(record["id"])
        anns = {a.text: a for a in stored if a.label != "Attribution"}
        by_id = {a.id: a for a in stored}
        (trigger,) = [a for a in stored if a.label == "Attribution"]
        assert [(r.type, by_id[r.tail].text) for r in trigger.relations] == [
            ("Source", "Lindqvist"), ("Cue", "said"),
            ("Content", "the bridge\nwill open in June")]
        content = anns["the bridge\nwill open in June"]
        assert content.attrs == {"Factuality": "future"} and content.fragments
        assert anns["Critics"].attrs == {"Negated": BINARY}
        export(store, ExportOptions(format="brat"), out_path=tmp_path / "out")
    (ann_file,) = (tmp_path / "out").glob("*.ann")
    written = ann_file.read_text(encoding="utf-8")
    lines = written.splitlines()
    event = next(line for line in lines if line.startswith("E"))
    spans = {line.split("\t")[0]: line.split("\t")[1].split()[0] for line in lines
             if line.startswith("T")}
    trigger_t, *arguments = event.split("\t")[1].split()
    assert trigger_t.split(":")[0] == "Attribution" and spans[trigger_t.split(":")[1]] == \
        "Attribution"
    assert [(a.split(":")[0], spans[a.split(":")[1]]) for a in arguments] == [
        ("Source", "Source"), ("Cue", "Cue"), ("Content", "Content")]
    # A binary attribute goes out as it came: without a value.
    assert any(re.fullmatch(r"A\d+\tNegated T\d+", line) for line in lines)
    conf = (tmp_path / "out" / "annotation.conf").read_text(encoding="utf-8")
    assert "Attribution\tContent:Content, Cue:Cue, Source:Source" in conf
    assert validate(tmp_path / "out", "brat", config=CONFIG).ok

    # brat (as newsmark writes it) -> import -> brat: the same bytes.
    report = _import(tmp_path / "out", tmp_path / "again")
    assert report.problems == [] and report.relations == 4
    with LocalStore(tmp_path / "again") as store:
        export(store, ExportOptions(format="brat"), out_path=tmp_path / "out2")
    (second,) = (tmp_path / "out2").glob("*.ann")
    assert second.name == ann_file.name
    assert second.read_bytes() == ann_file.read_bytes()


def test_undeclared_roles_and_values_are_reported_not_stored(tmp_path: Path) -> None:
    from annotations.labels import Config

    report = _import(_one_file(tmp_path / "in", "bridge", TEXT, ANN), tmp_path / "store",
                     Config())
    assert report.relations == 0
    assert "bridge.ann, line 5 (E1.1): relation type 'Source' is not declared" in \
        report.problems[2]
    assert any("line 9 (T3): attribute 'Factuality' is not declared for label 'Content'" in p
               for p in report.problems)


# ------------------------------------------------------------- through the brat importer


def _folder(tmp_path: Path) -> Path:
    """Two annotators' .ann files of one text, PolNeAR's layout, made by hand."""
    folder = tmp_path / "corpus"
    (folder / "text").mkdir(parents=True)
    (folder / "attributions").mkdir()
    (folder / "text" / "bridge.txt").write_text(TEXT, encoding="utf-8")
    (folder / "attributions" / "bridge_ana.ann").write_text(ANN, encoding="utf-8")
    (folder / "attributions" / "bridge_ben.ann").write_text(
        "T1\tSource 0 9\tLindqvist\nT2\tContent 15 43\tthe bridge\nT3\tCue 10 14\tsaid\n"
        "T4\tAttribution 10 14\tsaid\nE1\tAttribution:T4 Source:T1 Content:T2 Cue:T3\n",
        encoding="utf-8")
    return folder


async def test_a_brat_attribution_corpus_comes_in_whole_and_is_seen_in_the_reader(
    tmp_path: Path
) -> None:
    from click.testing import CliRunner

    from annotations.workspace import Stored, Workspace, stored_documents
    from tui.app import NewsmarkApp
    from tui.cli import main
    from tui.relation_list import RelationList

    toml = tmp_path / "attribution.toml"
    toml.write_text(ATTRIBUTION_TOML, encoding="utf-8")
    store_dir = tmp_path / "store"
    result = CliRunner().invoke(main, [
        "import", str(_folder(tmp_path)), "--format", "brat", "--names", "{text}_{annotator}",
        "--store", str(store_dir), "--config", str(toml)])
    assert result.exit_code == 0, result.output
    assert "7 relations, 2 attribute values" in result.stderr
    assert "0 skipped" in result.stderr and "\nskipped" not in result.stderr

    with LocalStore(store_dir) as store:
        (record,) = store.documents()
        anns = store.annotations(record["id"])
        by_layer = {who: {(a.label, r.type, next(t.label for t in anns if t.id == r.tail))
                          for a in anns if a.annotator == who for r in a.relations}
                    for who in ("ana", "ben")}
        assert by_layer["ben"] == {("Attribution", "Source", "Source"),
                                   ("Attribution", "Cue", "Cue"),
                                   ("Attribution", "Content", "Content")}
        assert by_layer["ana"] == by_layer["ben"] | {("Source", "disagrees", "Source")}
        content = next(a for a in anns if a.annotator == "ana" and a.label == "Content")
        assert content.fragments and content.attrs == {"Factuality": "future"}

        # In the reader, as ana: her relations in the side panel.
        config = parse_config(tomllib.loads(ATTRIBUTION_TOML))
        ws = Workspace(store, stored_documents(store), config=config, annotator="ana")
        assert isinstance(ws.entries[0].stored, Stored)
        app = NewsmarkApp(ws)
        async with app.run_test(size=(140, 36)) as pilot:
            await pilot.pause()
            relations = app.query_one(RelationList)
            assert relations.row_count == 4
            rows = {str(relations._row(i)) for i in range(4)}
            assert "“said” Content the bridge will open in June" in rows
            await pilot.press("ctrl+q")
