"""Agreement on attribute values (annotations/attribute_agreement.py), through
`agreement.measure` and `newsmark agree`."""

from __future__ import annotations

import json
import random
from pathlib import Path

from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from nltk.metrics.agreement import AnnotationTask

from annotations.agreement import DocumentLayers, measure
from annotations.attribute_agreement import AttributeAgreement

CLAIM, QUOTE = (0, 10, "claim"), (20, 30, "quote")


def _doc(coders: dict[str, dict[tuple[int, int, str], dict[str, str]]]) -> DocumentLayers:
    layers = {c: [(s, e, label, ()) for s, e, label in spans] for c, spans in coders.items()}
    attributes = {c: {key: tuple(sorted(values.items())) for key, values in spans.items()}
                  for c, spans in coders.items()}
    return DocumentLayers("d", 100, layers, attributes=attributes)  # type: ignore[arg-type]


def test_the_worked_example() -> None:
    # docs/agreement.md: A, B and C mark one claim (yes, yes, no); A and B a
    # second (no, no); A and B a third, where only A gives a value.
    first = _doc({"A": {CLAIM: {"checkworthy": "yes"}}, "B": {CLAIM: {"checkworthy": "yes"}},
                  "C": {CLAIM: {"checkworthy": "no"}}})
    second = _doc({"A": {CLAIM: {"checkworthy": "no"}, (40, 50, "claim"): {"checkworthy": "yes"}},
                   "B": {CLAIM: {"checkworthy": "no"}, (40, 50, "claim"): {}}})
    (row,) = measure([first, second]).attributes
    assert (row.name, row.labels, row.units, row.pairs, row.agreeing, row.unset) == (
        "checkworthy", ("claim",), 2, 4, 2, 1)
    assert row.percent == 0.5
    assert row.values == (("no", 3), ("yes", 2))  # given in the two units
    assert abs(row.alpha - 1 / 3) < 1e-12  # type: ignore[operator]
    data = [("A", 1, "yes"), ("B", 1, "yes"), ("C", 1, "no"), ("A", 2, "no"), ("B", 2, "no")]
    assert abs(row.alpha - AnnotationTask(data).alpha()) < 1e-9  # type: ignore[operator]


def test_only_spans_marked_at_the_same_place_are_compared() -> None:
    # B's claim starts one character later: a different question, not a disagreement.
    doc = _doc({"A": {CLAIM: {"checkworthy": "yes"}},
                "B": {(1, 10, "claim"): {"checkworthy": "no"}}})
    (row,) = measure([doc]).attributes
    assert (row.units, row.pairs, row.alpha, row.percent) == (0, 0, None, None)
    # The same words with another label are another span too.
    doc = _doc({"A": {CLAIM: {"kind": "x"}}, "B": {(0, 10, "quote"): {"kind": "x"}}})
    (row,) = measure([doc]).attributes
    assert row.units == 0


def test_one_value_all_round_has_no_alpha_but_full_agreement() -> None:
    doc = _doc({"A": {QUOTE: {"kind": "direct"}}, "B": {QUOTE: {"kind": "direct"}}})
    (row,) = measure([doc]).attributes
    assert (row.alpha, row.percent, row.units) == (None, 1.0, 1)


def test_the_label_filter_and_the_annotator_filter_apply() -> None:
    doc = _doc({"A": {CLAIM: {"checkworthy": "yes"}, QUOTE: {"kind": "direct"}},
                "B": {CLAIM: {"checkworthy": "no"}, QUOTE: {"kind": "direct"}},
                "C": {CLAIM: {"checkworthy": "no"}}})
    assert [r.name for r in measure([doc], labels=["quote"]).attributes] == ["kind"]
    (checkworthy, _kind) = measure([doc], annotators=["A", "B"]).attributes
    assert (checkworthy.units, checkworthy.pairs, checkworthy.agreeing) == (1, 1, 0)


values = st.sampled_from(["yes", "no", "maybe"])
unit = st.dictionaries(st.sampled_from("ABCD"), st.one_of(st.none(), values), min_size=2)


@settings(max_examples=60, deadline=None)
@given(st.lists(unit, min_size=1, max_size=8), st.randoms(use_true_random=False))
def test_the_figures_do_not_depend_on_order_and_add_up_across_parts(
        units: list[dict[str, str | None]], rng: random.Random) -> None:
    def agreement(order: list[int], coders: list[str]) -> AttributeAgreement:
        gathered = AttributeAgreement()
        for i in order:
            layers = {c: {(i, i + 1, "claim"): (("w", v),) if v else ()}
                      for c, v in units[i].items()}
            gathered.add(layers, [c for c in coders if c in layers])
        return gathered

    first = agreement(list(range(len(units))), list("ABCD")).report()
    order = list(range(len(units)))
    rng.shuffle(order)
    coders = list("ABCD")
    rng.shuffle(coders)
    assert agreement(order, coders).report() == first
    half = len(units) // 2
    merged = agreement(list(range(half)), list("ABCD"))
    merged.merge(agreement(list(range(half, len(units))), list("ABCD")))
    assert merged.report() == first
    # Alpha as NLTK computes it, where it is defined.
    data = [(c, i, v) for i, u in enumerate(units) for c, v in u.items()
            if v and sum(1 for x in u.values() if x) >= 2]
    if first and first[0].alpha is not None:
        assert abs(first[0].alpha - AnnotationTask(data).alpha()) < 1e-9


def test_agree_reports_attribute_values(tmp_path: Path) -> None:
    from dataclasses import replace

    from annotations.model import Annotation, Document, DocumentMeta
    from annotations.store import LocalStore
    from tui.cli import main

    doc = Document("The council voted to remove the dam.", DocumentMeta())
    with LocalStore(tmp_path / "store") as store:
        store.register(doc)
        for who, value in (("ana", "yes"), ("ben", "no")):
            claim = Annotation.tag(doc, 0, 11, "claim", annotator=who)
            assert store.add(replace(claim, attrs={"checkworthy": value}))
    result = CliRunner().invoke(main, ["agree", "--store", str(tmp_path / "store")])
    assert result.exit_code == 0, result.output
    assert "attribute values, on spans two or more marked at the same place:" in result.output
    (line,) = [row for row in result.output.splitlines() if row.startswith("checkworthy")]
    assert line.split() == ["checkworthy", "claim", "1", "0.000", "0.000", "0", "no", "1,",
                            "yes", "1"]
    result = CliRunner().invoke(main, ["agree", "--store", str(tmp_path / "store"), "--json"])
    (row,) = json.loads(result.output)["attributes"]
    assert row["values"] == {"no": 1, "yes": 1} and row["agreement"] == 0.0
