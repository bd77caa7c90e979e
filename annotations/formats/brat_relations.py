"""brat's relation, event and attribute lines, read as newsmark relations and attributes.

The mapping, both ways (docs/formats.md, "brat"):

- ``R3<TAB>said_by Arg1:T1 Arg2:T2``: a relation `said_by` from T1's span
  (the head) to T2's, id ``R3``. Written back as ``R<n>`` lines, numbered
  in the order of their heads.
- ``E1<TAB>Attribution:T4 Source:T1 Cue:T2 Content:T3``: an event. Its
  trigger T4 is a span (labelled ``Attribution``), and each argument
  becomes a relation from the trigger to the argument's span, typed by the
  role as written (``Source``, ``Cue``, ``Content``; a repeated role keeps
  brat's number, ``Theme2``), with the id ``E1.1``, ``E1.2``… (the event,
  then the argument's place). Relations with such ids are written back as
  one ``E`` line per event, in their order, so an attribution corpus in
  brat comes in whole and goes out as it came. An argument that is not a
  span (another event) is reported and left out.
- ``A2<TAB>polarity T4 negative``: the attribute value of T4's span. A
  binary attribute (``A2<TAB>Negated T4``, no value) is read as the value
  ``true``, and written back without one.

Relation types and attribute values are checked against the project's
configuration by the importer, as for every format (`importing.store_record`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from annotations.formats.common import ParsedRelation
from annotations.labels import Config
from annotations.model import Annotation, Relation

BINARY = "true"  # the value a brat attribute without one is read as

_R_LINE = re.compile(r"^(R\d+)\t(\S+) Arg1:(\S+) Arg2:(\S+)\s*$")
_E_LINE = re.compile(r"^(E\d+)\t(\S+):(\S+)((?: \S+:\S+)*)\s*$")
_A_LINE = re.compile(r"^([AM]\d+)\t(\S+) (\S+)(?: (\S+))?\s*$")
_EVENT_ID = re.compile(r"^(E\d+)\.(\d+)$")


@dataclass
class BratExtras:
    """What a `.ann` file says besides its text-bound spans."""

    relations: list[ParsedRelation] = field(default_factory=list)  # ends are T ids
    attrs: dict[str, dict[str, str]] = field(default_factory=dict)  # T id -> {name: value}
    problems: list[str] = field(default_factory=list)  # "line N: ..."
    # The line each came from: a relation's id, or "T3 name" for a value.
    lines: dict[str, int] = field(default_factory=dict)


def read_extras(lines: Iterable[tuple[int, str]], spans: set[str]) -> BratExtras:
    """R, E and A lines of a `.ann` file (other lines are skipped); `spans` are its T ids.

    `lines` are (line number, line) pairs. An event's trigger is a T id
    (brat names it in the E line); events refer to each other only through
    arguments, which are reported.
    """
    extras = BratExtras()
    for number, line in lines:
        kind = line[:1]
        if kind == "R":
            _relation(number, line, spans, extras)
        elif kind == "E":
            _event(number, line, spans, extras)
        elif kind in "AM" and line[1:2].isdigit():
            _attribute(number, line, spans, extras)
    return extras


def _relation(number: int, line: str, spans: set[str], extras: BratExtras) -> None:
    m = _R_LINE.match(line)
    if m is None:
        extras.problems.append(f"line {number}: not a relation (R1<TAB>type Arg1:T1 Arg2:T2)")
        return
    rel_id, rel_type, head, tail = m.groups()
    missing = [end for end in (head, tail) if end not in spans]
    if missing:
        extras.problems.append(f"line {number}: relation {rel_id} joins {missing[0]}, "
                               "which is not a text-bound span of the file")
        return
    extras.relations.append(ParsedRelation(type=rel_type, head=head, tail=tail, id=rel_id))
    extras.lines[rel_id] = number


def _event(number: int, line: str, spans: set[str], extras: BratExtras) -> None:
    m = _E_LINE.match(line)
    if m is None:
        extras.problems.append(f"line {number}: not an event (E1<TAB>Type:T1 Role:T2 ...)")
        return
    event_id, _event_type, trigger, arguments = m.groups()
    if trigger not in spans:
        extras.problems.append(f"line {number}: event {event_id}'s trigger {trigger} is not "
                               "a text-bound span of the file")
        return
    for place, argument in enumerate(arguments.split(), start=1):
        role, target = argument.rsplit(":", 1)
        if target not in spans:
            extras.problems.append(f"line {number}: event {event_id}'s {role} argument "
                                   f"{target} is not a span (events of events are not "
                                   "read); left out")
            continue
        extras.relations.append(ParsedRelation(type=role, head=trigger, tail=target,
                                               id=f"{event_id}.{place}"))
        extras.lines[f"{event_id}.{place}"] = number


def _attribute(number: int, line: str, spans: set[str], extras: BratExtras) -> None:
    m = _A_LINE.match(line)
    if m is None:
        extras.problems.append(f"line {number}: not an attribute (A1<TAB>name T1 value)")
        return
    attr_id, name, target, value = m.groups()
    if target not in spans:
        extras.problems.append(f"line {number}: attribute {attr_id} is on {target}, which "
                               "is not a text-bound span (attributes of relations and events "
                               "are not read)")
        return
    extras.attrs.setdefault(target, {})[name] = value if value is not None else BINARY
    extras.lines[f"{target} {name}"] = number


def apply(spans: dict[str, Annotation], extras: BratExtras, config: Config,
          where: str) -> tuple[dict[str, Annotation], list[str]]:
    """The file's spans (by T id) with `extras`' relations and values on them.

    What the configuration does not declare (a relation type, a type between
    those labels, an attribute value) is a problem naming the file, and is
    left out; the spans are kept. Returns the spans and the problems.
    """
    out = dict(spans)
    problems = [f"{where}, {p}" for p in extras.problems]
    for t_id, values in extras.attrs.items():
        kept = {}
        for name, value in values.items():
            problem = config.attribute_problem(out[t_id].label, name, value)
            if problem is None:
                kept[name] = value
            else:
                line = extras.lines.get(f"{t_id} {name}")
                problems.append(f"{where}, line {line} ({t_id}): {problem}")
        if kept:
            out[t_id] = out[t_id].with_changes(attrs={**out[t_id].attrs, **kept})
    for rel in extras.relations:
        head, tail = out[rel.head], out[rel.tail]
        problem = config.relation_problem(rel.type, head.label, tail.label)
        if problem is None and rel.head == rel.tail:
            problem = "joins a span to itself"
        if problem is not None:
            line = extras.lines.get(rel.id or "")
            problems.append(f"{where}, line {line} ({rel.id}): {problem}")
            continue
        relation = Relation(id=rel.id or rel.type, type=rel.type, tail=tail.id)
        out[rel.head] = head.with_changes(relations=(*head.relations, relation))
    return out, problems


# ------------------------------------------------------------------- writing


def is_event_argument(relation_id: str) -> bool:
    """Whether a relation was read from a brat event's argument (its id is ``E1.2``)."""
    return _EVENT_ID.match(relation_id) is not None


def relation_lines(relations: list[tuple[str, str, int, int]], labels: list[str]) -> list[str]:
    """R and E lines for (id, type, head index, tail index) relations between `labels`' spans.

    Spans are written ``T<index + 1>`` and `labels[i]` is span i's label.
    Relations whose ids say they came from an event (``E1.2``) are written
    back as that event's line, its trigger labelled as its head span is;
    the others as R lines.
    """
    lines: list[str] = []
    # An event is its id and its trigger: two annotators' layers may both
    # have an E1, on triggers of their own.
    events: dict[tuple[str, int], list[tuple[int, str, int]]] = {}
    r_number = 0
    for rel_id, rel_type, head, tail in relations:
        m = _EVENT_ID.match(rel_id)
        if m is None:
            r_number += 1
            lines.append(f"R{r_number}\t{rel_type} Arg1:T{head + 1} Arg2:T{tail + 1}")
            continue
        events.setdefault((m.group(1), head), []).append((int(m.group(2)), rel_type, tail))
    e_lines = []
    for number, ((_event, trigger), arguments) in enumerate(events.items(), start=1):
        roles = " ".join(f"{role}:T{tail + 1}" for _place, role, tail in sorted(arguments))
        e_lines.append(f"E{number}\t{labels[trigger]}:T{trigger + 1} {roles}")
    return lines + e_lines


def attribute_lines(attrs: list[dict[str, str]]) -> list[str]:
    """A lines for each span's attribute values (span i is ``T<i + 1>``)."""
    lines = []
    for index, values in enumerate(attrs):
        for name, value in sorted(values.items()):
            shown = "" if value == BINARY else f" {value}"
            lines.append(f"A{len(lines) + 1}\t{name} T{index + 1}{shown}")
    return lines
