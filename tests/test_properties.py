"""Property tests: random texts and random edit sequences keep the store consistent.

Through `Workspace` (tag/remove/relabel/undo/redo on a random Unicode
article): after every step the store holds exactly what the returned
values say it should, every span's offsets point at its text, a fresh
reader of the store sees the same, and the native export validates.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from annotations.cleaning import sanitize
from annotations.export import document_records, write_jsonl
from annotations.formats import FormatError
from annotations.labels import Config
from annotations.model import Annotation, Document, DocumentMeta
from annotations.store import LocalStore
from annotations.workspace import Workspace

LABELS = ("claim", "quote", "terms", "opinion")

# Letters of several scripts, combining marks, emoji (outside the BMP, so
# UTF-16 and UTF-8 offsets differ from code points), spaces and newlines.
texts = st.text(
    alphabet=st.one_of(
        st.characters(codec="utf-8", exclude_categories=("Cs",)),
        st.sampled_from(["\n", " ", " ", "\u0301", "\U0001f600", "\u05d0", "\u4e2d", "."]),
    ),
    min_size=1,
    max_size=120,
).map(sanitize).filter(lambda text: text.strip() != "")

steps = st.lists(
    st.one_of(
        st.tuples(st.just("tag"), st.integers(0, 10**6), st.integers(0, 10**6),
                  st.sampled_from(LABELS)),
        st.tuples(st.just("remove"), st.integers(0, 10**6)),
        st.tuples(st.just("relabel"), st.integers(0, 10**6), st.sampled_from(LABELS)),
        st.tuples(st.just("note"), st.integers(0, 10**6), st.text(max_size=8)),
        st.just(("undo",)),
        st.just(("redo",)),
    ),
    max_size=25,
)


def check_spans(text: str, anns: list[Annotation]) -> None:
    assert len({a.id for a in anns}) == len(anns)
    for ann in anns:
        assert 0 <= ann.start < ann.end <= len(text)
        assert text[ann.start : ann.end] == ann.text


def check_export(store: LocalStore, doc: Document, expected: dict[str, Annotation]) -> None:
    records = list(document_records(store))
    if not expected:
        assert records == []
        return
    (record,) = records
    record = json.loads(json.dumps(record, ensure_ascii=False))  # it is plain JSON
    text = record["text"]
    assert text == doc.text and record["id"] == doc.id
    utf16 = text.encode("utf-16-le")
    utf8 = text.encode("utf-8")
    spans = {span["id"]: span for span in record["spans"]}
    assert set(spans) == set(expected)
    for ann_id, span in spans.items():
        ann = expected[ann_id]
        assert (span["start"], span["end"], span["label"]) == (ann.start, ann.end, ann.label)
        assert text[span["start"] : span["end"]] == span["text"] == ann.text
        if "utf16_start" in span:
            part = utf16[2 * span["utf16_start"] : 2 * span["utf16_end"]]
            assert part.decode("utf-16-le") == span["text"]
        if "utf8_start" in span:
            assert utf8[span["utf8_start"] : span["utf8_end"]].decode("utf-8") == span["text"]


def validate_file(store: LocalStore, folder: Path) -> None:
    """The export re-read by the project's own validator (`newsmark validate`)."""
    from annotations.formats.validate import validate

    out = folder / "export.jsonl"
    with out.open("w", encoding="utf-8") as handle:
        written = write_jsonl(document_records(store), handle)
    if not written:  # an empty export is refused, not passed as "0 errors"
        with pytest.raises(FormatError, match="holds no record"):
            validate(out, "jsonl")
        return
    report = validate(out, "jsonl")
    assert report.error_count == 0, report.errors


def apply_inverse(model: dict[str, Annotation], change: Any, *, redo: bool) -> None:
    before, after = (change.before, change.after) if redo else (change.after, change.before)
    if before is not None:
        model.pop(before.id, None)
    if after is not None:
        model[after.id] = after


def pick(model: dict[str, Annotation], index: int) -> Annotation | None:
    if not model:
        return None
    anns = sorted(model.values(), key=lambda a: (a.start, a.end, a.id))
    return anns[index % len(anns)]


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(text=texts, ops=steps, snap=st.booleans())
def test_random_edits_keep_offsets_and_export_consistent(
    text: str, ops: list[tuple[Any, ...]], snap: bool
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        store = LocalStore(folder / "store")
        try:
            doc = Document(text, DocumentMeta(path=str(folder / "a.txt")))
            ws = Workspace(store, [doc], config=Config(snap=snap), annotator="prop")
            model: dict[str, Annotation] = {}
            for op in ops:
                kind = op[0]
                if kind == "tag":
                    a, b = sorted((op[1] % (len(text) + 1), op[2] % (len(text) + 1)))
                    ann = ws.tag(doc.id, a, (a, b) if a < b else None, op[3])
                    if ann is not None:
                        model[ann.id] = ann
                elif kind == "remove":
                    target = pick(model, op[1])
                    if target is not None:
                        assert ws.remove(doc.id, target.id) == target
                        del model[target.id]
                elif kind in ("relabel", "note"):
                    target = pick(model, op[1])
                    if target is None:
                        continue
                    changed = target.with_changes(
                        **({"label": op[2]} if kind == "relabel" else {"note": op[2]})
                    )
                    twin = any(
                        a.id != target.id
                        and (a.start, a.end, a.label) == (changed.start, changed.end, changed.label)
                        for a in model.values()
                    )
                    if twin:  # refused, as tagging the same span and label twice is
                        assert ws.update(changed) is None
                        continue
                    assert ws.update(changed) == target
                    model[target.id] = changed
                elif kind == "undo":
                    change = ws.undo()
                    if change is not None:
                        apply_inverse(model, change, redo=False)
                else:
                    change = ws.redo()
                    if change is not None:
                        apply_inverse(model, change, redo=True)
                stored = ws.annotations(doc.id)
                check_spans(doc.text, stored)
                assert {a.id: a for a in stored} == model
            event("annotations at the end: " + ("none" if not model else "some"))
            check_export(store, doc, model)
            validate_file(store, folder)
        finally:
            store.close()
        # What a later session (or `newsmark export` alongside) sees is the same.
        with LocalStore(folder / "store", read_only=True) as reader:
            assert {a.id: a for a in reader.annotations(doc.id)} == model
