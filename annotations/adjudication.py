"""Adjudication: from several annotators' layers to one gold layer.

A curator works in the `gold` layer (`layers.GOLD`). What every annotator
of a document marked alike (same start, end, label and attribute values in
every layer) is put into gold before the curator starts, marked
`source="merged"`, with the relations they all drew between such spans. The
rest are **disagreements**: the annotators' other spans, grouped where
they compete (`competing`: spans of one label that overlap, or spans of
two labels that share at least half of the longer, as `claim` and
`opinion` on one sentence do; a `terms` span inside a `claim` is a
decision of its own), each group one decision. A decision
is made by taking a version into gold (the span as that annotator marked
it), by tagging anew (any gold span over the group), or by taking none
(every version rejected, as a rejected suggestion is: undoable, and the
versions are not proposed again).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from annotations.layers import GOLD
from annotations.model import Annotation, Document, Relation, new_id

MERGED = "merged"  # source of a span put into gold because every annotator agreed
ADJUDICATED = "adjudicated"  # source of a version the curator took into gold


def span_key(ann: Annotation) -> tuple[int, int, str]:
    """Where a span is and what it is (gold has a version when these match)."""
    return (ann.start, ann.end, ann.label)


AlikeKey = tuple[int, int, str, tuple[tuple[str, str], ...]]


def alike_key(ann: Annotation) -> AlikeKey:
    """Two layers mark a span alike when these match: where, what, and the
    values of its attributes (`checkworthy=yes` and `=no` are two versions)."""
    return (ann.start, ann.end, ann.label, tuple(sorted(ann.attrs.items())))


@dataclass(frozen=True)
class Disagreement:
    """Overlapping spans the annotators did not all mark alike: one decision."""

    start: int
    end: int
    versions: tuple[Annotation, ...]  # sorted by annotator, then start

    def describe(self) -> str:
        """Who marked what: `ana claim 12-40 · ben quote 12-38`, with attribute
        values where there are some (`ana claim 12-40 checkworthy=yes`)."""
        return " · ".join(
            f"{v.annotator} {v.label} {v.start}-{v.end}"
            + "".join(f" {name}={value}" for name, value in sorted(v.attrs.items()))
            for v in self.versions)


def innermost(groups: Sequence[Disagreement], offset: int) -> Disagreement | None:
    """The shortest disagreement covering `offset` (of two as long, the one
    beginning first, whatever their order in `groups`): the one `t` and `X`
    decide there (a term's inside a claim's is its own)."""
    here = [g for g in groups if g.start <= offset < g.end]
    return min(here, key=lambda g: (g.end - g.start, g.start), default=None)


def stops(groups: Sequence[Disagreement]) -> list[int]:
    """Where `n` stops, one offset per disagreement: its first offset where it
    is the innermost, so that each can be decided from there. Two that begin
    at one offset (a Source, and the sentence around it that two annotators
    tagged three ways) then get a stop each; one tiled all over by shorter
    ones stops at its start."""
    ordered = sorted(groups, key=lambda g: g.start)
    starts = [g.start for g in ordered]
    longest = max((g.end - g.start for g in groups), default=0)
    found = []
    for group in groups:
        # Those that overlap it begin less than the longest span before its
        # end: a window of the sorted starts, not every disagreement.
        near = [h for h in ordered[bisect_left(starts, group.start - longest):
                                   bisect_left(starts, group.end)]
                if h.end > group.start]
        ends = {h.end for h in near if group.start < h.end < group.end}
        stop = next((at for at in sorted({group.start, *ends})
                     if innermost(near, at) is group), group.start)
        found.append(stop)
    return sorted(set(found))


def coders(annotations: Iterable[Annotation], curator: str = GOLD) -> list[str]:
    """The annotators of a document: every named layer but the curator's."""
    return sorted({a.annotator for a in annotations if a.annotator and a.annotator != curator})


def agreed(annotations: Sequence[Annotation], curator: str = GOLD) -> list[Annotation]:
    """One of each span every annotator (two or more) marked alike."""
    names = coders(annotations, curator)
    if len(names) < 2:
        return []
    keys_of: dict[str, set[AlikeKey]] = {name: set() for name in names}
    first: dict[AlikeKey, Annotation] = {}
    for ann in annotations:
        if ann.annotator in keys_of:
            keys_of[ann.annotator].add(alike_key(ann))
            first.setdefault(alike_key(ann), ann)
    common = set.intersection(*keys_of.values())
    return sorted((first[key] for key in common), key=alike_key)


def competing(a: Annotation, b: Annotation) -> bool:
    """Two versions of one decision: one label overlapping, or two labels over
    at least half of the longer span (not a term inside a claim: taking the
    claim must not decide the term)."""
    shared = min(a.end, b.end) - max(a.start, b.start)
    if shared <= 0:
        return False
    return a.label == b.label or 2 * shared >= max(a.end - a.start, b.end - b.start)


def disagreements(annotations: Sequence[Annotation], curator: str = GOLD) -> list[Disagreement]:
    """The groups of competing spans not every annotator marked alike, in text order."""
    names = coders(annotations, curator)
    if len(names) < 2:
        return []
    common = {alike_key(a) for a in agreed(annotations, curator)}
    rest = sorted((a for a in annotations if a.annotator in names and alike_key(a) not in common),
                  key=lambda a: (a.start, a.end, a.annotator, a.label))
    # Union-find over competing pairs; a sweep in text order compares each
    # span only with those still open where it starts.
    parent = list(range(len(rest)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    open_spans: list[int] = []
    for i, ann in enumerate(rest):
        open_spans = [j for j in open_spans if rest[j].end > ann.start]
        for j in open_spans:
            if competing(rest[j], ann):
                parent[root(i)] = root(j)
        open_spans.append(i)
    members: dict[int, list[Annotation]] = {}
    for i, ann in enumerate(rest):
        members.setdefault(root(i), []).append(ann)
    return sorted((_group(spans) for spans in members.values()),
                  key=lambda g: (g.start, -g.end))


def _group(spans: list[Annotation]) -> Disagreement:
    return Disagreement(min(a.start for a in spans), max(a.end for a in spans),
                        tuple(sorted(spans, key=lambda a: (a.annotator, a.start, a.end))))


def resolved(group: Disagreement, gold: Iterable[Annotation],
             rejected: set[tuple[int, int, str]]) -> bool:
    """Decided: a gold span of the curator's competing with a version (taken,
    or tagged anew), or every version rejected."""
    for ann in gold:
        if ann.source != MERGED and any(competing(ann, v) for v in group.versions):
            return True
    return all(span_key(v) in rejected for v in group.versions)


def taken(version: Annotation, doc: Document, curator: str = GOLD,
          source: str = ADJUDICATED) -> Annotation:
    """`version` as the curator's: a new gold span with its offsets, fragments,
    label and attribute values (its relations are the caller's to carry)."""
    ann = Annotation.tag(doc, version.start, version.end, version.label, annotator=curator,
                         source=source, note=version.note)
    return ann.with_changes(fragments=version.fragments, attrs=dict(version.attrs))


def merged_into_gold(doc: Document, annotations: Sequence[Annotation],
                     curator: str = GOLD) -> list[Annotation]:
    """Gold spans to add for what every annotator agreed on (none already in gold).

    A relation comes with them when every annotator drew it (the same type)
    between two spans they all marked alike: `said_by` from an agreed quote
    to an agreed speaker is agreed too.
    """
    have = {span_key(a) for a in annotations if a.annotator == curator}
    common = agreed(annotations, curator)
    if not common:
        return []
    gold_of: dict[AlikeKey, Annotation] = {}
    for ann in common:
        if span_key(ann) not in have:
            # One annotator's note is not what all agreed on: left out.
            gold_of[alike_key(ann)] = taken(ann, doc, curator, MERGED).with_changes(note="")
    names = coders(annotations, curator)
    by_id = {a.id: a for a in annotations if a.annotator in names}
    # Per annotator: (head, type, tail) of their relations between agreed spans.
    drawn: dict[str, set[tuple[AlikeKey, str, AlikeKey]]] = {name: set() for name in names}
    agreed_keys = {alike_key(a) for a in common}
    for ann in by_id.values():
        for relation in ann.relations:
            tail = by_id.get(relation.tail)
            if tail is None or tail.annotator != ann.annotator:
                continue
            ends = (alike_key(ann), alike_key(tail))
            if ends[0] in agreed_keys and ends[1] in agreed_keys:
                drawn[ann.annotator].add((ends[0], relation.type, ends[1]))
    for head, kind, tail in sorted(set.intersection(*drawn.values())):
        if head in gold_of and tail in gold_of:
            new = gold_of[head]
            gold_of[head] = new.with_changes(relations=(
                *new.relations, Relation(new_id(), kind, gold_of[tail].id)))
    return sorted(gold_of.values(), key=span_key)
