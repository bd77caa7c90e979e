"""`newsmark agree`: inter-annotator agreement of the store's layers.

The measures are `annotations/agreement.py`'s; this prints them as tables
(or one JSON object with `--json`). docs/agreement.md states the formulas.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from tui.cli_common import GOLD, echo, open_existing_store, reports_errors, store_option

if TYPE_CHECKING:
    from annotations.agreement import AgreementReport, LabelAgreement

# The measures are imported when the command runs: `newsmark open` imports
# this module too, and should not pay for them.

# Documents listed in the table when --worst is not given.
WORST_SHOWN = 10


def split_list(values: Iterable[str]) -> list[str]:
    """`--x a,b --x c` -> [a, b, c] (either way of naming several)."""
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def shown(text: str, width: int | None = None) -> str:
    """Untrusted text (names from imported files) as one inert line for the terminal."""
    from annotations.cleaning import sanitize

    line = " ".join(sanitize(text).split()) or "(none)"
    if width is not None and len(line) > width:
        line = line[: width - 1] + "…"
    return line


def plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def figure(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


@click.command("agree")
@store_option
@click.option("--json", "as_json", is_flag=True, help="Write every figure as one JSON object.")
@click.option("--label", "labels", multiple=True,
              help="Only these labels (repeatable, or comma-separated).")
@click.option("--annotators", "annotators", multiple=True,
              help="Only these annotators, e.g. ana,ben (default: every layer but gold).")
@click.option("--documents", "documents", multiple=True,
              help="Only these documents: ids or unique id prefixes, comma-separated.")
@click.option("--worst", type=click.IntRange(min=0), default=WORST_SHOWN, show_default=True,
              help="How many documents to list, lowest agreement first (0: all).")
@click.option("--jobs", type=click.IntRange(min=0), default=0, show_default=True,
              help="Processes reading and measuring: 0 is one per core for a store of "
                   "many documents; 1 measures in this process only.")
@reports_errors
def agree_command(store_dir: Path, as_json: bool, labels: tuple[str, ...],
                  annotators: tuple[str, ...], documents: tuple[str, ...], worst: int,
                  jobs: int) -> None:
    """Agreement between annotators: exact and overlap F1, Krippendorff's alpha.

    Over the documents that two or more annotators tagged, per label and
    overall, with the annotator x annotator matrix and the documents of
    lowest agreement first. docs/agreement.md gives the formulas.
    """
    from annotations.agreement_workers import Selection, measure_store
    from annotations.layers import select_documents

    label_list = split_list(labels) or None
    coder_list = split_list(annotators) or None
    selection = Selection(
        labels=None if label_list is None else frozenset(label_list),
        annotators=None if coder_list is None else frozenset(coder_list),
        # The curator's layer is the answer, not a coder, and spans of no
        # annotator (imported pre-annotations) are no one's: left out unless named.
        leave_out=frozenset({GOLD, ""}) if coder_list is None else frozenset(),
    )
    with open_existing_store(store_dir) as store:
        records = store.documents()
        if documents:
            records = select_documents(records, split_list(documents))
        report = measure_store(store, records, selection, jobs=jobs)
        unknown = _without_layer(store, coder_list, report)
    if as_json:
        click.echo(json.dumps(report.to_dict(), ensure_ascii=False))
    else:
        echo("\n".join(table(report, worst, gold_left_out=coder_list is None)))
    if unknown:
        names, layers = unknown
        have = "has" if len(names) == 1 else "have"
        echo(f"warning: {', '.join(shown(n) for n in names)} {have} no layer in the "
                   f"store (its layers: {', '.join(shown(n) for n in layers) or 'none'})",
                   err=True)
    unused = [row.label for row in report.labels if not row.spans and row.label is not None]
    if unused and report.overall.documents:
        echo(f"warning: no one's spans in these documents are labelled "
             f"{', '.join(shown(n) for n in unused)} (left out of 'all labels')", err=True)
    if not report.overall.documents:
        echo("note: no document is tagged by two or more annotators"
                   + (" of those named" if coder_list else "")
                   + "; agreement needs at least two layers of a document", err=True)


def _without_layer(store: Any, named: list[str] | None,
                   report: AgreementReport) -> tuple[list[str], list[str]] | None:
    """The names given to --annotators that have no span in the store (a typo?), and its layers."""
    if not named or set(named) <= set(report.annotators):
        return None
    from annotations.layers import layer_counts

    # Only when a name is missing from the figures: it may still have a layer
    # (on documents no one else tagged), so the whole store is looked at.
    layers = [name for name in layer_counts(store) if name]
    missing = [name for name in named if name not in layers]
    return (missing, layers) if missing else None


def table(report: AgreementReport, worst: int, *, gold_left_out: bool) -> list[str]:
    names = [shown(a, 12) for a in report.annotators]
    overall = report.overall
    lines = [
        f"agreement of {plural(len(names), 'annotator')} ({', '.join(names)}) on "
        f"{plural(overall.documents, 'document')} tagged by two or more",
    ]
    if report.single_coder_documents:
        lines.append(f"({plural(report.single_coder_documents, 'document')} tagged by fewer "
                     "not counted)")
    if gold_left_out:
        lines.append(f"(the {GOLD} layer is left out; name it in --annotators to compare with it)")
    lines += ["", f"{'label':<20}{'exact F1':>9}{'overlap F1':>12}{'alpha':>8}"
              f"{'annotators':>12}{'spans':>8}{'pairs':>7}"]
    for row in (*report.labels, overall):
        lines.append(_label_row(row))
    pooled = sum(1 for row in report.labels if row.spans)  # what "all labels" pools
    lines.append(f"(F1: mean over the pairs of annotators with spans; alpha: "
                 f"{overall.alpha.units // max(1, pooled)} characters x "
                 f"{plural(pooled, 'label')})")
    if report.attributes:
        lines += ["", "attribute values, on spans two or more marked at the same place:",
                  f"{'attribute':<20}{'labels':<16}{'units':>6}{'agreement':>11}{'alpha':>8}"
                  f"{'unset':>7}  values given"]
        for row in report.attributes:
            given = ", ".join(f"{shown(value, 16)} {count}" for value, count in row.values)
            lines.append(f"{shown(row.name, 19):<20}"
                         f"{shown(','.join(row.labels), 15):<16}{row.units:>6}"
                         f"{figure(row.percent):>11}{figure(row.alpha):>8}{row.unset:>7}  "
                         f"{given or '-'}")
        lines += ["(units: spans marked at one place by two or more annotators, two of whom "
                  "gave a value;", " agreement: the share of pairs of values that are the same; "
                  "alpha: nominal; unset: marked without the value another gave)"]
    if overall.pairs:
        lines += ["", "annotator pairs, all labels:",
                  f"{'a':<13}{'b':<13}{'docs':>5}  {'exact F1':<26}{'overlap F1':<26}alpha"]
        for pair in overall.pairs:
            exact, overlap = pair.exact, pair.overlap
            lines.append(
                f"{shown(pair.a, 12):<13}{shown(pair.b, 12):<13}{pair.documents:>5}  "
                f"{_f1_cell(exact.value, exact.matched, exact.spans_a, exact.spans_b):<26}"
                f"{_f1_cell(overlap.value, overlap.matched, overlap.spans_a, overlap.spans_b):<26}"
                f"{figure(pair.alpha.value)}")
        lines += ["", "overlap F1, annotator x annotator:", _matrix(report)]
    if report.documents:
        listed = report.documents if worst == 0 else report.documents[:worst]
        lines += ["", f"documents, lowest agreement first ({len(listed)} of "
                      f"{len(report.documents)}):",
                  f"{'overlap F1':>10}{'exact F1':>10}{'alpha':>8}{'spans':>7}  document"]
        for doc in listed:
            lines.append(f"{figure(doc.overlap_f1):>10}{figure(doc.exact_f1):>10}"
                         f"{figure(doc.alpha):>8}{doc.spans:>7}  {doc.doc_id}  "
                         f"{shown(doc.name, 50)}")
    return lines


def _label_row(row: LabelAgreement) -> str:
    name = "all labels" if row.label is None else shown(row.label, 19)
    pairs = sum(p.overlap.value is not None for p in row.pairs)
    return (f"{name:<20}{figure(row.exact_f1):>9}{figure(row.overlap_f1):>12}"
            f"{figure(row.alpha.value):>8}{row.annotators:>12}{row.spans:>8}{pairs:>7}")


def _f1_cell(value: float | None, matched: int, a: int, b: int) -> str:
    return f"{figure(value)} ({matched} of {a}+{b})"


def _matrix(report: AgreementReport) -> str:
    names = list(report.annotators)
    value = {}
    for pair in report.overall.pairs:
        value[pair.a, pair.b] = value[pair.b, pair.a] = pair.overlap.value
    width = max(7, *(len(shown(n, 12)) + 1 for n in names))
    rows = [" " * 13 + "".join(f"{shown(n, 12):>{width}}" for n in names)]
    for a in names:
        cells = "".join(
            f"{'-' if a == b else figure(value.get((a, b))):>{width}}" for b in names)
        rows.append(f"{shown(a, 12):<13}{cells}")
    return "\n".join(rows)
