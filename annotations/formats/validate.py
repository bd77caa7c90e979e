"""Re-reading an export and checking every span against its text.

Errors are offsets that do not point at the tagged text: out of bounds,
``text[start:end]`` differing from the span's text, UTF-16 or UTF-8
offsets naming other characters than the code points, token indices that
are not the tokens the span touches, tokens that are not their text, and
files that are not the format. A span that touches tokens without sitting
on their bounds (tagged with snapping off) is a warning, not an error.

Relations must join two spans of their record, with a type the project
declares between those labels, and attribute values must be declared for
their span's label (`labels.Config`: newsmark.toml, or the defaults).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from annotations.formats import DOCCANO_OFFSETS, EXPORT_FORMATS, FormatError
from annotations.formats.brat import fragments
from annotations.formats.brat_relations import BINARY
from annotations.formats.common import as_int, read_json_lines
from annotations.formats.native import check_other_systems
from annotations.formats.offsets import OffsetError, OffsetTable
from annotations.formats.records import token_range
from annotations.labels import Config

MAX_MESSAGES = 1000


@dataclass
class ValidationReport:
    records: int = 0
    spans: int = 0
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    error_count: int = 0
    warning_count: int = 0

    def error(self, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_MESSAGES:
            self.errors.append(message)

    def warn(self, message: str) -> None:
        self.warning_count += 1
        if len(self.warnings) < MAX_MESSAGES:
            self.warnings.append(message)

    @property
    def ok(self) -> bool:
        return self.error_count == 0


def guess_format(path: Path) -> str:
    """The format an export at `path` is most likely in, when none is named.

    Only what the path says for sure: a folder is brat, ``.spacy`` a DocBin,
    ``.conll`` CoNLL. JSON lines could be any of three; jsonl is the
    default, and a doccano record checked as jsonl is an error naming it.
    """
    if path.is_dir():
        return "brat"
    return {".spacy": "spacy", ".conll": "conll"}.get(path.suffix.lower(), "jsonl")


def validate(path: Path, fmt: str, *, doccano_offsets: str = "utf16",
             config: Config | None = None) -> ValidationReport:
    config = config or Config()
    if fmt not in EXPORT_FORMATS:
        raise FormatError(f"unknown format {fmt!r}; choose one of {EXPORT_FORMATS}")
    if doccano_offsets not in DOCCANO_OFFSETS:
        raise FormatError(f"unknown doccano offsets {doccano_offsets!r}")
    if not path.exists():
        raise FormatError(f"{path} does not exist")
    report = ValidationReport()
    if fmt == "conll":
        _conll(path, report)
    elif fmt == "brat":
        _brat(path, report, config)
    elif fmt == "spacy":
        _spacy(path, report)
    else:
        for number, obj in read_json_lines(path):
            report.records += 1
            where = f"record {report.records} (line {number})"
            try:
                if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
                    raise ValueError("no text")
                _check_shape(obj, fmt)
                if fmt == "doccano":
                    _doccano(obj, where, report, doccano_offsets)
                else:
                    _tokens_and_spans(obj, where, report, fmt == "jsonl")
                _relations_and_attributes(obj, fmt, where, report, config)
            except (ValueError, TypeError, KeyError) as err:
                report.error(f"{where}: {err}")
    if not report.records:
        # Nothing checked is no proof of anything: an empty export is a bad one.
        what = "folder holds no .ann file" if path.is_dir() else "file holds no record"
        raise FormatError(f"{path}: the {what}; nothing to validate (an empty export?)")
    return report


# Keys every Prodigy task has (annotations.formats.prodigy) and no newsmark record.
PRODIGY_KEYS = ("_input_hash", "_task_hash", "answer")


def _check_shape(obj: dict[str, Any], fmt: str) -> None:
    """A record of another format is an error, not a record with no spans."""
    if fmt == "jsonl" and any(k in obj for k in PRODIGY_KEYS):
        # Checked as jsonl, its relations' token indices would read as missing spans.
        raise ValueError("a Prodigy task, not a newsmark jsonl record "
                         "(another format? --format prodigy)")
    key = "label" if fmt == "doccano" else "spans"
    if fmt == "doccano" and isinstance(obj.get("entities"), list):
        return  # the shape of a record with relations
    if isinstance(obj.get(key), list):
        return
    if key in obj:
        raise ValueError(f"{key} is not a list")
    if fmt == "doccano":
        guess = "--format jsonl or --format prodigy" if "spans" in obj else None
    else:
        guess = ("--format doccano" if any(k in obj for k in ("label", "labels", "entities"))
                 else None)
    if fmt == "prodigy" and guess is None:
        return  # a task without spans (text classification) is a Prodigy task
    hint = f" (another format? {guess})" if guess else ""
    raise ValueError(f"no {key!r} list, which every {fmt} record has{hint}")


def _tokens_and_spans(obj: dict[str, Any], where: str, report: ValidationReport,
                      native: bool) -> None:
    text: str = obj["text"]
    tokens = obj.get("tokens")
    starts: list[int] = []
    ends: list[int] = []
    if tokens is not None:
        prev = 0
        for i, tok in enumerate(tokens):
            s, e = as_int(tok["start"], "token start"), as_int(tok["end"], "token end")
            if not prev <= s < e <= len(text):
                report.error(f"{where}: token {i} [{s}, {e}) is out of order or out of bounds")
                return
            if tok.get("text") != text[s:e]:
                report.error(f"{where}: token {i} says {tok.get('text')!r}, text has {text[s:e]!r}")
            if tok.get("id", i) != i:
                report.error(f"{where}: token {i} has id {tok.get('id')!r}")
            if "ws" in tok and tok["ws"] != (e < len(text) and text[e].isspace()):
                report.error(f"{where}: token {i} has the wrong ws flag")
            starts.append(s)
            ends.append(e)
            prev = e
    for sent in obj.get("sentences") or []:
        s, e = as_int(sent["start"], "sentence start"), as_int(sent["end"], "sentence end")
        if not 0 <= s < e <= len(text):
            report.error(f"{where}: sentence [{s}, {e}) is out of bounds")
    table = OffsetTable(text) if native else None
    for i, span in enumerate(obj.get("spans") or [], start=1):
        report.spans += 1
        at = f"{where}, span {i}"
        s, e = as_int(span["start"], "start"), as_int(span["end"], "end")
        if not 0 <= s < e <= len(text):
            report.error(f"{at}: [{s}, {e}) is outside the text (0-{len(text)}) or empty")
            continue
        if "text" in span and span["text"] != text[s:e]:
            report.error(f"{at}: text[{s}:{e}] is {text[s:e]!r}, the span says {span['text']!r}")
        if table is not None:
            try:
                check_other_systems(table, span, s, e)
            except ValueError as err:
                report.error(f"{at}: {err}")
        if tokens is None:
            continue
        ts, te, aligned = token_range(starts, ends, s, e)
        if (span.get("token_start"), span.get("token_end")) != (ts, te):
            report.error(
                f"{at}: tokens {span.get('token_start')}-{span.get('token_end')} given, "
                f"but the span touches tokens {ts}-{te}"
            )
        if "aligned" in span and span["aligned"] != aligned:
            report.error(f"{at}: says aligned={span['aligned']}, but it is {aligned}")
        if not aligned:
            report.warn(f"{at}: [{s}, {e}) {text[s:e]!r} does not fall on token bounds")


def _relations_and_attributes(obj: dict[str, Any], fmt: str, where: str,
                              report: ValidationReport, config: Config) -> None:
    """Each relation joins two spans of the record with a declared type; values declared."""
    labels: dict[Any, str] = {}  # a span as the record's relations name it -> its label
    if fmt == "doccano":
        spans = obj.get("entities") or []
        for item in spans:
            if isinstance(item, dict) and "id" in item:
                labels[item["id"]] = str(item.get("label"))
    else:
        spans = obj.get("spans") or []
        for i, span in enumerate(spans, start=1):
            if not isinstance(span, dict):
                continue
            key = span.get("id") if fmt == "jsonl" else (span.get("start"), span.get("end"),
                                                          span.get("label"))
            labels[key] = str(span.get("label"))
            for name, value in (span.get("attrs") or {}).items():
                problem = config.attribute_problem(str(span.get("label")), name, str(value))
                if problem is not None:
                    report.error(f"{where}, span {i}: {problem}")
    relations = obj.get("relations") or []
    if not isinstance(relations, list):
        report.error(f"{where}: relations is not a list")
        return
    for i, rel in enumerate(relations, start=1):
        if not isinstance(rel, dict):
            report.error(f"{where}, relation {i}: not an object")
            continue
        if fmt == "jsonl":
            ends, type_name = (rel.get("head"), rel.get("tail")), rel.get("type")
        elif fmt == "doccano":
            ends, type_name = (rel.get("from_id"), rel.get("to_id")), rel.get("type")
        else:
            ends = tuple(
                (ref.get("start"), ref.get("end"), ref.get("label"))
                if isinstance(ref := rel.get(side), dict) else None
                for side in ("head_span", "child_span"))
            type_name = rel.get("label")
        at = f"{where}, relation {rel.get('id', i)}"
        missing = [end for end in ends if end not in labels]
        if missing:
            report.error(f"{at}: its {'head' if missing[0] == ends[0] else 'tail'} "
                         f"{missing[0]!r} is not a span of the record")
            continue
        problem = config.relation_problem(str(type_name), labels[ends[0]], labels[ends[1]])
        if problem is not None:
            report.error(f"{at}: {problem}")


def _doccano(obj: dict[str, Any], where: str, report: ValidationReport, offsets: str) -> None:
    text: str = obj["text"]
    table = OffsetTable(text)
    limit = table.utf16_length if offsets == "utf16" else len(text)
    items = obj.get("label") or []
    if not items and isinstance(obj.get("entities"), list):
        items = [[e.get("start_offset"), e.get("end_offset"), e.get("label")]
                 if isinstance(e, dict) else e for e in obj["entities"]]
    for i, item in enumerate(items, start=1):
        report.spans += 1
        at = f"{where}, label {i}"
        if not (isinstance(item, list) and len(item) == 3 and isinstance(item[2], str)):
            report.error(f"{at}: not [start, end, label]")
            continue
        s, e = as_int(item[0], "start"), as_int(item[1], "end")
        if not 0 <= s < e <= limit:
            report.error(f"{at}: [{s}, {e}) is outside the text (0-{limit} {offsets}) or empty")
            continue
        if offsets == "utf16":
            try:
                s, e = table.from_utf16(s), table.from_utf16(e)
            except OffsetError as err:
                report.error(f"{at}: {err}")
                continue
        if not text[s:e].strip():
            report.warn(f"{at}: the span holds only whitespace")


_TAG = re.compile(r"^(?:O|[BI]-\S+)$")


def _conll(path: Path, report: ValidationReport) -> None:
    previous = "O"
    in_sentence = False
    with path.open(encoding="utf-8", newline="") as handle:
        for number, line in enumerate(handle, start=1):
            line = line.rstrip("\n")
            if not line.strip():
                previous, in_sentence = "O", False
                continue
            if line.startswith("#") and not in_sentence and "\t" not in line:
                continue
            parts = line.split("\t")
            if len(parts) != 2 or not parts[0] or not _TAG.match(parts[1]):
                report.error(f"line {number}: not token<TAB>tag: {line!r}")
                continue
            if not in_sentence:
                report.records += 1
            in_sentence = True
            tag = parts[1]
            if tag.startswith("B-"):
                report.spans += 1
            if tag.startswith("I-") and previous[2:] != tag[2:]:
                report.error(f"line {number}: {tag} does not continue a {tag[2:]} span")
            previous = tag


_T_LINE = re.compile(r"^T(\d+)\t(\S+) ((?:\d+ \d+;)*\d+ \d+)\t(.*)$")
_NOTE_LINE = re.compile(r"^#(\d+)\tAnnotatorNotes T(\d+)\t(.*)$")


_R_LINE = re.compile(r"^R\d+\t(\S+) Arg1:(T\d+) Arg2:(T\d+)$")
_A_LINE = re.compile(r"^A\d+\t(\S+) (T\d+)(?: (\S+))?$")
_E_LINE = re.compile(r"^E\d+\t\S+:(T\d+)((?: \S+:T\d+)*)$")


def _brat(folder: Path, report: ValidationReport, config: Config) -> None:
    if not folder.is_dir():
        raise FormatError(f"{folder} is not a folder; brat exports are folders")
    for ann_path in sorted(folder.glob("*.ann")):
        txt_path = ann_path.with_suffix(".txt")
        if not txt_path.exists():
            report.error(f"{ann_path.name}: no {txt_path.name} beside it")
            continue
        report.records += 1
        text = txt_path.read_bytes().decode("utf-8")
        ids: set[str] = set()
        labels: dict[str, str] = {}  # T id -> label
        lines = ann_path.read_text(encoding="utf-8").split("\n")
        for number, line in enumerate(lines, start=1):
            if not line:
                continue
            at = f"{ann_path.name}, line {number}"
            m = _T_LINE.match(line)
            if m:
                report.spans += 1
                ids.add(m.group(1))
                labels[f"T{m.group(1)}"] = m.group(2)
                frags = [tuple(map(int, f.split())) for f in m.group(3).split(";")]
                if not all(0 <= s < e <= len(text) for s, e in frags):
                    report.error(f"{at}: a fragment is outside the text (0-{len(text)})")
                    continue
                shown = " ".join(text[s:e] for s, e in frags)
                if shown != m.group(4):
                    report.error(f"{at}: the text at those offsets is {shown!r}")
                whole = fragments(text, frags[0][0], frags[-1][1])
                if len(frags) > 1 and whole != frags:
                    report.warn(f"{at}: fragments are not one span cut at line breaks")
                continue
            m = _NOTE_LINE.match(line)
            if m:
                if m.group(2) not in ids:
                    report.error(f"{at}: a note for T{m.group(2)}, which is not defined above")
                continue
            m = _R_LINE.match(line)
            if m:
                head, tail = labels.get(m.group(2)), labels.get(m.group(3))
                if head is None or tail is None:
                    report.error(f"{at}: relation between spans not defined above")
                elif (problem := config.relation_problem(m.group(1), head, tail)) is not None:
                    report.error(f"{at}: {problem}")
                continue
            m = _E_LINE.match(line)
            if m:
                trigger = labels.get(m.group(1))
                if trigger is None:
                    report.error(f"{at}: an event whose trigger is not defined above")
                    continue
                for argument in m.group(2).split():
                    role, target = argument.rsplit(":", 1)
                    if target not in labels:
                        report.error(f"{at}: argument {role}:{target} is not defined above")
                    elif (problem := config.relation_problem(
                            role, trigger, labels[target])) is not None:
                        report.error(f"{at}: {problem}")
                continue
            m = _A_LINE.match(line)
            if m:
                label = labels.get(m.group(2))
                if label is None:
                    report.error(f"{at}: attribute of {m.group(2)}, which is not defined above")
                elif (problem := config.attribute_problem(
                        label, m.group(1), m.group(3) or BINARY)) is not None:
                    report.error(f"{at}: {problem}")
                continue
            report.error(f"{at}: not a text-bound annotation or note: {line[:60]!r}")


def _spacy(path: Path, report: ValidationReport) -> None:
    from annotations.formats.spacy_docbin import SPAN_KEY, require_spacy

    spacy = require_spacy()
    from spacy.tokens import DocBin

    nlp = spacy.blank("en")
    try:
        docs = list(DocBin().from_disk(path).get_docs(nlp.vocab))
    except Exception as err:  # srsly/msgpack errors have no common base
        raise FormatError(f"{path}: not a spaCy DocBin ({err})") from err
    for i, doc in enumerate(docs, start=1):
        report.records += 1
        for span in doc.spans.get(SPAN_KEY, []):
            report.spans += 1
            found = doc.char_span(span.start_char, span.end_char, alignment_mode="strict")
            if found is None or (found.start, found.end) != (span.start, span.end):
                report.error(f"doc {i}: span [{span.start_char}, {span.end_char}) is not found")
