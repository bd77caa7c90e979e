"""Relations between spans of one document, and attribute values on spans.

A relation (`model.Relation`) is kept on its head annotation as
``{id, type, tail}``, `tail` being the id of another annotation of the
same document. So everything that carries annotations carries relations:
the store's journal saves them with the head's row, an undo of the head's
update takes a relation back, re-anchoring moves the head with its
relations, and an orphaned tail leaves its relations waiting (an `Edge` is
made only when both ends are present, so a waiting relation is neither
drawn nor exported until its tail is placed again, under the same id).

Attributes (`Annotation.attrs`) take one value each from the closed set
their label declares (`labels.Config.attribute_problem`).

Every function here returns a new annotation (they are frozen) and checks
against a `labels.Config`; the `Workspace` saves the result through the
history, so each is one undoable step.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from annotations.labels import Config
from annotations.model import Annotation, Relation, new_id


class RelationError(ValueError):
    """A relation or attribute value the project's configuration does not allow."""


@dataclass(frozen=True, slots=True)
class Edge:
    """A relation with both its ends, as drawn and exported."""

    head: Annotation
    relation: Relation
    tail: Annotation

    @property
    def type(self) -> str:
        return self.relation.type


def related(head: Annotation, tail: Annotation, type_name: str, config: Config,
            *, relation_id: str | None = None) -> Annotation:
    """`head` with a new relation of `type_name` to `tail` (RelationError if not allowed)."""
    if head.doc_id != tail.doc_id:
        raise RelationError("a relation joins two spans of the same document "
                            "(L links spans across documents)")
    if head.id == tail.id:
        raise RelationError("a span cannot be related to itself")
    if head.annotator and tail.annotator and head.annotator != tail.annotator:
        raise RelationError(f"a relation joins two spans of one layer, not {head.annotator}'s "
                            f"and {tail.annotator}'s")
    problem = config.relation_problem(type_name, head.label, tail.label)
    if problem is not None:
        raise RelationError(problem)
    if any(r.type == type_name and r.tail == tail.id for r in head.relations):
        raise RelationError(f"this {head.label} is {type_name} that {tail.label} already")
    relation = Relation(id=relation_id or new_id(), type=type_name, tail=tail.id)
    return head.with_changes(relations=(*head.relations, relation))


def without_relation(head: Annotation, relation_id: str) -> Annotation:
    return head.with_changes(relations=tuple(r for r in head.relations if r.id != relation_id))


def without_relations_to(head: Annotation, tail_id: str) -> Annotation:
    return head.with_changes(relations=tuple(r for r in head.relations if r.tail != tail_id))


def pointing_at(annotations: Iterable[Annotation], ann_id: str) -> list[Annotation]:
    """The annotations with a relation to `ann_id` (other than itself)."""
    return [a for a in annotations
            if a.id != ann_id and any(r.tail == ann_id for r in a.relations)]


def edges(annotations: Iterable[Annotation]) -> list[Edge]:
    """Every relation among `annotations` whose tail is among them too, in head order."""
    anns = list(annotations)
    by_id = {a.id: a for a in anns}
    return [Edge(head, rel, by_id[rel.tail])
            for head in anns for rel in head.relations if rel.tail in by_id]


def edges_of(ann: Annotation, annotations: Iterable[Annotation]) -> list[Edge]:
    """The relations `ann` takes part in, as head or as tail."""
    return [e for e in edges(annotations) if ann.id in (e.head.id, e.tail.id)]


def with_attribute(ann: Annotation, name: str, value: str | None, config: Config) -> Annotation:
    """`ann` with attribute `name` set to `value` (None: unset); RelationError if undeclared."""
    attrs = dict(ann.attrs)
    if value is None:
        attrs.pop(name, None)
    else:
        problem = config.attribute_problem(ann.label, name, value)
        if problem is not None:
            raise RelationError(problem)
        attrs[name] = value
    return ann.with_changes(attrs=attrs)


def next_value(ann: Annotation, name: str, config: Config) -> str | None:
    """The value after `ann`'s current one in the declared order; None after the last."""
    label = config.label(ann.label)
    attribute = label.attribute(name) if label is not None else None
    if attribute is None:
        raise RelationError(f"a {ann.label} has no attribute {name!r}")
    current = ann.attrs.get(name)
    if current not in attribute.values:
        return attribute.values[0]
    index = attribute.values.index(current) + 1
    return attribute.values[index] if index < len(attribute.values) else None


def problems(ann: Annotation, labels_of: Mapping[str, str], config: Config) -> list[str]:
    """What in `ann`'s attributes and relations the configuration does not allow.

    `labels_of` maps the ids of the document's annotations to their labels,
    to check relation ends (a tail missing from it is a problem too).
    """
    found = [problem for name, value in ann.attrs.items()
             if (problem := config.attribute_problem(ann.label, name, value)) is not None]
    for rel in ann.relations:
        tail_label = labels_of.get(rel.tail)
        if tail_label is None:
            found.append(f"relation {rel.id} ({rel.type}) points at {rel.tail!r}, "
                         "which is not a span of this document")
            continue
        problem = config.relation_problem(rel.type, ann.label, tail_label)
        if problem is not None:
            found.append(f"relation {rel.id}: {problem}")
    return found
