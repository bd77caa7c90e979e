"""Annotators' layers on the command line: brat folders imported as layers, counts per layer."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from annotations.errors import EXIT_PROBLEMS_FOUND
from annotations.labels import Config
from tui.cli_agree import shown
from tui.cli_common import DEFAULT_STORE, echo, echo_skipped
from tui.wording import plural, possessive


def import_brat_folder(folder: Path, store_dir: Path, names: str, annotator: str | None,
                       config: Config | None = None) -> None:
    """`newsmark import FOLDER --format brat`: report what came in, by layer."""
    import shlex

    from annotations.engines import open_store
    from annotations.formats.brat_import import import_brat

    with open_store(store_dir) as store:
        report = import_brat(store, folder, pattern=names, annotator=annotator or "",
                             config=config)
    for line in report.skipped_files:
        echo(f"skipped {shown(line)}", err=True)
    echo_skipped([shown(line) for line in report.problems])
    read = report.files - len(report.skipped_files)
    echo(f"imported {read} of {plural(report.files, '.ann file')}: "
               f"{plural(report.documents, 'new document')}, {plural(report.spans, 'span')} "
               f"({report.duplicates:,} already there, {len(report.problems):,} skipped, "
               f"{report.discontinuous} discontinuous kept with their fragments, "
               f"{plural(report.notes, 'note')}, {plural(report.relations, 'relation')}, "
               f"{plural(report.attributes, 'attribute value')})", err=True)
    if report.annotators:
        layers = ", ".join(f"{shown(name)} {count}"
                           for name, count in sorted(report.annotators.items()))
        echo(f"layers: {layers}", err=True)
    if report.skipped_lines:
        # "notes other than AnnotatorNotes (#) 1": the kind first, so one reads right.
        kinds = ", ".join(f"{kind} {count:,}"
                          for kind, count in sorted(report.skipped_lines.items()))
        echo(f"not modelled yet, skipped: {kinds}", err=True)
    if report.normalised:
        its = possessive(report.normalised)
        echo(f"note: {plural(report.normalised, 'text')} had {its} newlines or control "
                   f"characters normalised; {its} offsets were moved with them", err=True)
    if read:
        where = ("" if store_dir == Path(DEFAULT_STORE)
                 else f" --store {shlex.quote(str(store_dir))}")
        echo(f"open them in the reader: newsmark --stored{where}; "
                   f"agreement: newsmark agree{where}", err=True)
    else:
        sys.exit(EXIT_PROBLEMS_FOUND)


def print_layers(store: Any) -> None:
    """`newsmark stats`: documents and spans in each annotator's layer."""
    from annotations.anchoring import superseded_documents
    from annotations.layers import layer_counts

    counts = layer_counts(store, skip=superseded_documents(store))
    if not counts:
        return
    echo(f"layers (annotators): {len(counts)}")
    for name, (documents, spans) in counts.items():
        echo(f"  {shown(name):<12} {plural(spans, 'span')} in "
                   f"{plural(documents, 'document')}")
