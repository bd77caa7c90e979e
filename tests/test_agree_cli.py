"""`newsmark agree` on a store, and docs/agreement.md's worked example checked."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotations.agreement import DocumentLayers, Span, measure
from annotations.model import Annotation, Document, DocumentMeta
from annotations.store import LocalStore
from tui.cli import main

REPO = Path(__file__).resolve().parents[1]
PAGE = (REPO / "docs" / "agreement.md").read_text(encoding="utf-8")


def page_example() -> DocumentLayers:
    """The example's table as the page states it (| A | [0, 4) | [6, 10) |)."""
    section = PAGE.split("## The worked example", 1)[1].split("##", 1)[0]
    header = next(line for line in section.splitlines() if line.startswith("| annotator"))
    labels = [cell.strip() for cell in header.strip("|").split("|")[1:]]
    layers: dict[str, list[Span]] = {}
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        if len(cells) != len(labels) + 1 or not re.fullmatch(r"[A-Z]", cells[0]):
            continue
        layers[cells[0]] = [
            Span(int(m[1]), int(m[2]), label)
            for label, cell in zip(labels, cells[1:])
            for m in [re.fullmatch(r"\[(\d+), (\d+)\)", cell)] if m
        ]
    length = int(re.search(r"One document of (\d+) characters", PAGE)[1])
    return DocumentLayers("example", length, layers)


def stated(pattern: str) -> float:
    """The result of the page's line matching `pattern` (`... = 0.861   (a comment)`)."""
    line = re.search(pattern + r"[^\n]*", PAGE)
    assert line, f"docs/agreement.md states no {pattern!r}"
    result = line[0].split("  (")[0].rsplit("= ", 1)[1]
    return float(result)


def test_the_page_states_the_figures_of_its_own_example() -> None:
    report = measure([page_example()])
    by_label = {figure.label: figure for figure in report.labels}
    pairs = {(p.a, p.b): p for p in report.overall.pairs}
    checks = {
        r"F1\(A, B\) = 2 \* 1 /": pairs["A", "B"].exact.value,
        r"F1\(A, C\) = 2 \* 0 /": pairs["A", "C"].exact.value,
        r"exact F1, all labels": report.overall.exact_f1,
        r"exact F1, claim": by_label["claim"].exact_f1,
        r"F1\(A, C\) = 2 \* 1 /": pairs["A", "C"].overlap.value,
        r"overlap F1, all labels": report.overall.overlap_f1,
        r"overlap F1, quote": by_label["quote"].overlap_f1,
        r"alpha\(claim\)": by_label["claim"].alpha.value,
        r"alpha\(quote\)": by_label["quote"].alpha.value,
        r"alpha\(all\)": report.overall.alpha.value,
    }
    for pattern, value in checks.items():
        assert stated(pattern) == pytest.approx(value, abs=5e-4), pattern
    # The intermediate counts the page works with.
    assert by_label["claim"].alpha.disagreement == 1 and by_label["claim"].alpha.ones == 11
    assert by_label["quote"].alpha.disagreement == 5 and by_label["quote"].alpha.ones == 8
    assert "o₀₁ = 1,  n = 3 * 10 = 30,  n₁ = 4 + 4 + 3 = 11,  n₀ = 19" in PAGE


def make_store(root: Path, layers: dict[str, list[tuple[int, int, str]]],
               text: str = "0123456789", title: str | None = None) -> Document:
    doc = Document(text, DocumentMeta(title=title))
    with LocalStore(root) as store:
        store.register(doc)
        for who, spans in layers.items():
            for start, end, label in spans:
                assert store.add(Annotation.tag(doc, start, end, label, annotator=who))
    return doc


EXAMPLE = {"A": [(0, 4, "claim"), (6, 10, "quote")],
           "B": [(0, 4, "claim"), (5, 9, "quote")],
           "C": [(1, 4, "claim")]}


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_agree_prints_tables_with_the_figures(tmp_path: Path) -> None:
    doc = make_store(tmp_path / "s", EXAMPLE)
    code, out, _err = run("agree", "--store", str(tmp_path / "s"))
    assert code == 0
    assert "agreement of 3 annotators (A, B, C) on 1 document tagged by two or more" in out
    assert re.search(r"claim\s+0\.333\s+1\.000\s+0\.861\s+3\s+3\s+3", out)
    assert re.search(r"all labels\s+0\.167\s+0\.778\s+0\.546\s+3\s+5\s+3", out)
    assert re.search(r"A\s+B\s+1\s+0\.500 \(1 of 2\+2\)\s+1\.000 \(2 of 2\+2\)", out)
    assert re.search(r"C\s+0\.667\s+0\.667\s+-", out)  # the matrix's last row
    assert f"0.778     0.167   0.546      5  {doc.id}" in out


def test_agree_json_and_filters(tmp_path: Path) -> None:
    doc = make_store(tmp_path / "s", EXAMPLE)
    code, out, _ = run("agree", "--store", str(tmp_path / "s"), "--json")
    data = json.loads(out)
    assert code == 0 and data["annotators"] == ["A", "B", "C"]
    assert data["overall"]["alpha"]["alpha"] == pytest.approx(425 / 779)
    assert data["documents"][0]["id"] == doc.id
    code, out, _ = run("agree", "--store", str(tmp_path / "s"), "--json", "--label", "claim",
                       "--annotators", "A,B", "--documents", doc.id[:6])
    data = json.loads(out)
    assert [f["label"] for f in data["labels"]] == ["claim"]
    assert data["annotators"] == ["A", "B"]
    assert data["overall"]["exact_f1"] == 1.0 and data["overall"]["alpha"]["alpha"] == 1.0


def test_agree_leaves_the_gold_layer_out_unless_named(tmp_path: Path) -> None:
    make_store(tmp_path / "s", {"A": [(0, 4, "claim")], "gold": [(5, 9, "claim")]})
    code, out, err = run("agree", "--store", str(tmp_path / "s"))
    assert code == 0 and "no document is tagged by two or more annotators" in err
    code, out, _ = run("agree", "--store", str(tmp_path / "s"), "--annotators", "A,gold",
                       "--json")
    assert json.loads(out)["overall"]["overlap_f1"] == 0.0


def test_agree_bad_input_is_one_line(tmp_path: Path) -> None:
    code, _out, err = run("agree", "--store", str(tmp_path / "none"))
    assert code == 4 and err.count("\n") == 1 and "no store at" in err
    make_store(tmp_path / "s", EXAMPLE)
    code, _out, err = run("agree", "--store", str(tmp_path / "s"), "--documents", "zzzz")
    assert code == 2 and err.count("\n") == 1 and "'zzzz' is no document" in err


def test_agree_never_prints_escape_sequences_from_names(tmp_path: Path) -> None:
    hostile = "\x1b]0;x\x07ana"
    make_store(tmp_path / "s", {hostile: [(0, 4, "claim")], "ben": [(0, 4, "claim")]},
               title="\x1b[31mred\x1b[0m title")
    code, out, _ = run("agree", "--store", str(tmp_path / "s"))
    assert code == 0 and "\x1b" not in out and "\x07" not in out
    assert "ana" in out and "red" in out


def test_worker_processes_give_exactly_the_figures_of_one(tmp_path: Path) -> None:
    import random

    rng = random.Random(5)
    with LocalStore(tmp_path / "s") as store:
        for i in range(70):  # above MIN_DOCUMENTS: workers are used
            doc = Document(f"Document {i}: " + "word " * 40)
            store.register(doc)
            for who in ("ana", "ben", "cy"):
                for _ in range(rng.randint(0, 4)):
                    start = rng.randrange(len(doc.text) - 10)
                    store.add(Annotation.tag(doc, start, start + rng.randint(1, 10),
                                             rng.choice(["claim", "quote"]), annotator=who))
    outputs = []
    for jobs in ("1", "2"):
        code, out, _ = run("agree", "--store", str(tmp_path / "s"), "--json", "--jobs", jobs)
        assert code == 0
        outputs.append(json.loads(out))
    assert outputs[0] == outputs[1]
    assert outputs[0]["overall"]["documents"] > 60


def test_the_reader_does_not_import_the_measures() -> None:
    import subprocess
    import sys

    code = ("import sys, tui.cli, tui.cli_agree, annotations.layers; "
            "assert tui.cli_agree.GOLD == annotations.layers.GOLD; "
            "print('annotations.agreement' in sys.modules)")
    # annotations.layers imports the measures itself; tui.cli alone must not.
    out = subprocess.run([sys.executable, "-c", "import sys, tui.cli; "
                          "print('annotations.agreement' in sys.modules)"],
                         capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)


def test_spans_of_no_annotator_are_no_layer(tmp_path: Path) -> None:
    make_store(tmp_path / "s", {"A": [(0, 4, "claim")], "B": [(0, 4, "claim")],
                                "": [(5, 9, "claim")]})
    code, out, _ = run("agree", "--store", str(tmp_path / "s"), "--json")
    assert json.loads(out)["annotators"] == ["A", "B"]


def test_agree_names_an_annotator_with_no_layer(tmp_path: Path) -> None:
    make_store(tmp_path / "s", EXAMPLE)
    code, _out, err = run("agree", "--store", str(tmp_path / "s"), "--annotators", "A,nobody")
    assert code == 0
    assert "warning: nobody has no layer in the store (its layers: A, B, C)" in err
    code, _out, err = run("agree", "--store", str(tmp_path / "s"), "--annotators", "A,B")
    assert "no layer" not in err


def test_a_label_no_one_used_is_shown_but_not_pooled(tmp_path: Path) -> None:
    # Naming a label that does not exist used to raise the pooled alpha (its
    # characters counted as agreed on); it has its row and a warning instead.
    doc = make_store(tmp_path / "s", EXAMPLE)
    code, out, _ = run("agree", "--store", str(tmp_path / "s"), "--json", "--label", "quote")
    assert code == 0
    alone = json.loads(out)["overall"]
    code, out, err = run("agree", "--store", str(tmp_path / "s"), "--json",
                         "--label", "quote,bogus,xyz")
    both = json.loads(out)
    assert code == 0 and both["overall"]["alpha"] == alone["alpha"]
    assert both["documents"][0]["alpha"] == json.loads(run(
        "agree", "--store", str(tmp_path / "s"), "--json", "--label", "quote")[1]
    )["documents"][0]["alpha"]
    assert [f["label"] for f in both["labels"]] == ["bogus", "quote", "xyz"]
    assert "labelled bogus, xyz (left out of 'all labels')" in err
    code, out, _ = run("agree", "--store", str(tmp_path / "s"), "--label", "quote,bogus")
    assert "alpha: 10 characters x 1 label)" in out and doc.id in out
