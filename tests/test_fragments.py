"""Discontinuous spans: fragments kept, checked, moved with their span."""

from __future__ import annotations

import pytest

from annotations.model import Annotation, Document
from annotations.reanchor import reanchor

DOC = Document("Critics said the plan, which was costly, would fail.")


def gap() -> Annotation:
    start, end = DOC.text.index("the plan"), DOC.text.index(" would fail") + 11
    plan_end = start + len("the plan")
    ann = Annotation.tag(DOC, start, end, "claim")
    return ann.with_changes(fragments=[[end - 11, end], [start, plan_end]])


def test_fragments_are_sorted_pairs_inside_the_span() -> None:
    ann = gap()
    assert ann.fragments == ((ann.start, ann.start + 8), (ann.end - 11, ann.end))
    assert Annotation.from_dict(ann.to_dict()) == ann
    assert "fragments" not in Annotation.tag(DOC, 0, 7, "terms").to_dict()
    for bad in ([[ann.start, ann.start + 3]],                      # does not reach the end
                [[ann.start, ann.end + 1]],                        # outside
                [[ann.start, ann.start + 9], [ann.start + 5, ann.end]],  # overlapping
                [[ann.start, ann.start]],                          # empty
                [["a", "b"]]):
        with pytest.raises(ValueError):
            ann.with_changes(fragments=bad)


def test_a_moved_span_keeps_its_fragments_a_fuzzy_one_loses_them() -> None:
    ann = gap()
    moved = reanchor(ann, "Now: " + DOC.text)
    assert moved.annotation is not None
    shift = 5
    assert moved.annotation.fragments == tuple((a + shift, b + shift) for a, b in ann.fragments)
    # Found only approximately: where the gap falls is unknown, one continuous span.
    fuzzy = reanchor(ann, DOC.text.replace("costly", "very costly"))
    assert fuzzy.status == "fuzzy" and fuzzy.annotation is not None
    assert fuzzy.annotation.fragments == ()
