"""Reading brat standoff folders into the store, one layer per annotator.

A brat folder holds texts (`NAME.txt`) and annotations (`*.ann`). Several
`.ann` files may annotate one text, one per annotator: a naming pattern
says how a file's path gives the text's name and the annotator, e.g.

    {text}                  NAME.ann beside NAME.txt (the annotator from --annotator)
    {text}_{annotator}      NAME_ana.ann, NAME_ben.ann (PolNeAR: NAME_4e07.ann)
    {annotator}/{text}      ana/NAME.ann, ben/NAME.ann

The pattern is matched against the end of the `.ann` file's path below the
folder (without `.ann`); `{text}` and `{annotator}` each match within one
path component. The text is `NAME.txt` beside the `.ann` file, else the one
`NAME.txt` anywhere in the folder.

Lines read:

- `T1<TAB>Label 10 42<TAB>text`: a span. A discontinuous one
  (`Label 1775 1995;1998 2184`, fragments in any order) becomes one span
  over its fragments' hull that keeps the fragments. Offsets are trusted,
  not the text field: where a span runs over a line break, brat writes the
  rest of its text on the next line of the `.ann`, which is skipped.
- `#1<TAB>AnnotatorNotes T1<TAB>note`: the span's note.
- Everything else newsmark does not model yet (events `E`, relations `R`,
  attributes `A`/`M`, normalisations `N`, equivalences `*`, other `#`
  notes) is counted, by kind, as skipped: never an error.

The same text imported for several annotators is one document (a
document's id is its text's hash), with one layer per annotator.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from annotations.formats import FormatError
from annotations.formats.importing import IMPORTED, TextMap
from annotations.model import Annotation, Document, DocumentMeta
from annotations.store import Store

DEFAULT_PATTERN = "{text}"
# An annotation line starts with its kind and number, then a tab; any other
# line continues the text field of the line before (a span over a newline).
_ANNOTATION_LINE = re.compile(r"^([TRAEMN#*])([0-9]*)\t")
_FRAGMENT = re.compile(r"^\s*(\d+)\s+(\d+)\s*$")
SKIPPED_KINDS = {"E": "events (E)", "R": "relations (R)", "A": "attributes (A)",
                 "M": "attributes (M)", "N": "normalisations (N)", "*": "equivalences (*)",
                 "#": "notes other than AnnotatorNotes (#)"}


@dataclass
class BratImportReport:
    files: int = 0  # .ann files read
    documents: int = 0  # documents new to the store
    spans: int = 0  # annotations stored
    duplicates: int = 0  # spans the annotator's layer already had
    discontinuous: int = 0  # spans kept with their fragments
    notes: int = 0
    normalised: int = 0  # texts whose newlines or control characters were normalised
    annotators: Counter[str] = field(default_factory=Counter)  # spans per layer
    skipped_lines: Counter[str] = field(default_factory=Counter)  # by kind
    skipped_files: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # spans skipped, by file and line


def compile_pattern(pattern: str) -> re.Pattern[str]:
    """`{text}_{annotator}` -> a regular expression on an .ann file's relative path."""
    if pattern.count("{text}") != 1 or pattern.count("{annotator}") > 1:
        raise FormatError(f"naming pattern {pattern!r}: it must name {{text}} once, and "
                          "{annotator} at most once (e.g. {text}_{annotator})")
    rest = pattern.replace("{text}", "").replace("{annotator}", "")
    if "{" in rest or "}" in rest:
        raise FormatError(f"naming pattern {pattern!r}: only {{text}} and {{annotator}} "
                          "can be named")
    regex = ""
    for part in re.split(r"(\{text\}|\{annotator\})", pattern.removesuffix(".ann")):
        if part == "{text}":
            regex += r"(?P<text>[^/]+)"  # greedy: the annotator is the shortest ending
        elif part == "{annotator}":
            regex += r"(?P<annotator>[^/]+?)"
        else:
            regex += re.escape(part)
    return re.compile(r"(?:^|/)" + regex + r"$")


def import_brat(
    store: Store,
    folder: Path,
    *,
    pattern: str = DEFAULT_PATTERN,
    annotator: str = "",
    progress: Callable[[], None] | None = None,
) -> BratImportReport:
    """Import every `.ann` file below `folder` as its annotator's layer of its text."""
    if not folder.is_dir():
        raise FormatError(f"{folder} is not a folder; brat import reads a folder of "
                          ".txt and .ann files")
    names = compile_pattern(pattern)
    store.check_writable()
    ann_files = sorted(folder.rglob("*.ann"))
    if not ann_files:
        raise FormatError(f"{folder} holds no .ann file")
    texts: dict[str, list[Path]] = {}
    for path in folder.rglob("*.txt"):
        texts.setdefault(path.stem, []).append(path)
    documents: dict[Path, Document] = {}
    mappings: dict[Path, tuple[TextMap, int]] = {}
    report = BratImportReport()
    for ann_path in ann_files:
        report.files += 1
        if progress is not None:
            progress()
        where = ann_path.relative_to(folder).as_posix()
        match = names.search(where.removesuffix(".ann"))
        if match is None:
            report.skipped_files.append(f"{where}: its name does not fit {pattern!r}")
            continue
        name = match["text"]
        who = match.groupdict().get("annotator") or annotator
        text_path = _text_for(ann_path, name, texts)
        if isinstance(text_path, str):
            report.skipped_files.append(f"{where}: {text_path}")
            continue
        if text_path not in documents:
            try:
                raw = text_path.read_bytes().decode("utf-8")
            except (OSError, UnicodeDecodeError) as err:
                report.skipped_files.append(f"{where}: cannot read {text_path.name} as "
                                            f"UTF-8 text ({err})")
                continue
            mapping = TextMap(raw)
            if mapping.changed:
                report.normalised += 1
            doc = Document(text=mapping.clean, meta=DocumentMeta(title=name))
            if store.document_record(doc.id) is None:
                report.documents += 1
            store.register(doc)
            documents[text_path] = doc
            mappings[text_path] = (mapping, len(raw))
        try:
            lines = ann_path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as err:
            report.skipped_files.append(f"{where}: cannot read it as UTF-8 text ({err})")
            continue
        mapping, raw_length = mappings[text_path]
        anns = _read_ann(lines, where, documents[text_path], mapping, raw_length, who, report)
        added = store.add_many(anns)
        report.spans += added
        report.duplicates += len(anns) - added
        report.annotators[who] += added
    return report


def _text_for(ann_path: Path, name: str, texts: dict[str, list[Path]]) -> Path | str:
    beside = ann_path.with_name(f"{name}.txt")
    if beside.is_file():
        return beside
    found = texts.get(name, [])
    if len(found) == 1:
        return found[0]
    if not found:
        return f"no {name}.txt beside it or in the folder"
    return f"{len(found)} files are named {name}.txt; put the .ann beside its own"


def _read_ann(lines: list[str], where: str, doc: Document, mapping: TextMap, raw_length: int,
              who: str, report: BratImportReport) -> list[Annotation]:
    spans: dict[str, Annotation] = {}
    notes: list[tuple[str, str]] = []
    for number, line in enumerate(lines, start=1):
        match = _ANNOTATION_LINE.match(line)
        if match is None:
            continue  # blank, or the rest of a span's text that ran over a newline
        kind = match[1]
        fields = line.split("\t")
        if kind == "#" and len(fields) >= 3 and fields[1].startswith("AnnotatorNotes "):
            notes.append((fields[1].split(" ", 1)[1].strip(), fields[2]))
            continue
        if kind != "T":
            report.skipped_lines[SKIPPED_KINDS[kind]] += 1
            continue
        try:
            ann = _span(fields, doc, mapping, raw_length, who)
        except ValueError as err:
            report.problems.append(f"{where}, line {number} ({fields[0]}): {err}")
            continue
        if ann.fragments:
            report.discontinuous += 1
        spans[fields[0]] = ann
    for target, note in notes:
        if target in spans:
            spans[target] = spans[target].with_changes(note=" ".join(note.split()))
            report.notes += 1
        else:
            report.skipped_lines["notes on no span of the file (#)"] += 1
    return list(spans.values())


def _span(fields: list[str], doc: Document, mapping: TextMap, raw_length: int,
          who: str) -> Annotation:
    if len(fields) < 2 or " " not in fields[1]:
        raise ValueError("expected 'T1<TAB>Label start end<TAB>text'")
    label, where = fields[1].split(" ", 1)
    if not label or any(c.isspace() for c in label):
        raise ValueError(f"bad label {label!r}")
    pieces = []
    for fragment in where.split(";"):
        match = _FRAGMENT.match(fragment)
        if match is None:
            raise ValueError(f"bad offsets {where!r}")
        start, end = int(match[1]), int(match[2])
        if not 0 <= start < end <= raw_length:
            raise ValueError(f"offsets {start} {end} are outside the text or empty")
        pieces.append((mapping.map(start, False), mapping.map(end, True)))
    pieces = sorted(p for p in pieces if p[0] < p[1])
    if not pieces:
        raise ValueError(f"offsets {where!r} are empty once newlines are normalised")
    merged: list[tuple[int, int]] = []
    for start, end in pieces:  # overlapping or touching fragments are one stretch
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    ann = Annotation.tag(doc, merged[0][0], merged[-1][1], label, annotator=who,
                         source=IMPORTED)
    return ann.with_changes(fragments=tuple(merged)) if len(merged) > 1 else ann
