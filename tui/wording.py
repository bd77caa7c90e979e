"""Small grammar for messages: "1 link", "an opinion", "relabel opinion → claim"."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the command line imports this module: keep it light
    from annotations.history import Change
    from annotations.model import Annotation


def plural(count: int, word: str, many: str | None = None) -> str:
    """'1 link', '2 links', '1,000 spans' (irregular plurals given as `many`)."""
    return f"{count:,} {word if count == 1 else many or word + 's'}"


def possessive(count: int) -> str:
    """'its' for one thing, 'their' for several: "1 text had its newlines…"."""
    return "its" if count == 1 else "their"


def excerpt(text: str, limit: int = 50) -> str:
    """`text` on one line, cut at a word's end before `limit` characters, with "…"."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit)
    return text[: cut if cut > limit // 2 else limit - 1].rstrip(" ,;:") + "…"


def article(word: str) -> str:
    """'a claim', 'an opinion' (by the first letter: the labels are words);
    a label that reads as a plural is a span's kind: 'a terms span', not 'a terms'."""
    if _reads_plural(word):
        return f"a {word} span"
    return f"{'an' if word[:1].lower() in 'aeiou' else 'a'} {word}"


def where_is(label: str) -> str:
    """'where the claim is', 'where the terms span is'."""
    return f"where the {label} span is" if _reads_plural(label) else f"where the {label} is"


def _reads_plural(word: str) -> bool:
    return len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is"))


def _relations_changed(before: Annotation, after: Annotation) -> str:
    """'the said_by relation from the quote', added or removed."""
    added = {r.type for r in after.relations} - {r.type for r in before.relations}
    gone = {r.type for r in before.relations} - {r.type for r in after.relations}
    kind = ", ".join(sorted(added or gone)) or "a"
    doing = "relating" if len(after.relations) > len(before.relations) else "unrelating"
    return f"{doing} the {after.label} ({kind})"


def _attrs_changed(before: Annotation, after: Annotation) -> str:
    """'checkworthy = yes on the claim', or 'clearing checkworthy on the claim'."""
    names = sorted(set(before.attrs) | set(after.attrs))
    changed = [n for n in names if before.attrs.get(n) != after.attrs.get(n)]
    parts = [f"{n} = {after.attrs[n]}" if n in after.attrs else f"clearing {n}" for n in changed]
    return f"{', '.join(parts)} on the {after.label}"


def change_done(verb: str, change: Change) -> str:
    """What undo or redo (`verb`: 'undid', 'redid') did, as the person did it.

    'undid relabel opinion → claim', not 'undid update of opinion'.
    """
    from annotations.adjudication import ADJUDICATED

    ann = change.annotation
    if change.kind == "reject" and ann.source == ADJUDICATED:  # X: a disagreement's versions
        return f"{verb} taking none of {plural(change.steps, 'version')}"
    if ann.source == ADJUDICATED and change.before is None:  # t, alone or with its relations
        return f"{verb} taking the {ann.label} into gold"
    if change.steps > 1:  # a group: the suggestions A accepted (or rejected together)
        done = "rejecting" if change.kind == "reject" else "accepting"
        return f"{verb} {done} {plural(change.steps, 'suggestion')}"
    if change.kind == "add":
        what = f"the {ann.label} tag"
    elif change.kind == "remove":
        what = f"removing {article(ann.label)}"
    elif change.kind == "reject":
        what = f"rejecting {article(ann.label)} suggestion"
    elif change.kind == "place":  # an orphan of a changed article, put back on the text
        orphan = change.before if change.before is not None else ann
        what = f"placing the orphaned {orphan.label}" + (
            f" (as {ann.label})" if ann.label != orphan.label else "")
    elif change.kind == "drop":
        what = f"dropping the orphaned {ann.label}"
    elif change.kind == "update" and change.before is not None and change.after is not None:
        before, after = change.before, change.after
        if before.label != after.label:
            what = f"relabel {before.label} → {after.label}"
        elif before.note != after.note:
            what = f"the note on the {after.label}" if after.note else (
                f"clearing the note on the {after.label}")
        elif before.reanchored != after.reanchored:
            what = f"confirming where the {after.label} is"
        elif before.relations != after.relations:
            what = _relations_changed(before, after)
        elif before.attrs != after.attrs:
            what = _attrs_changed(before, after)
        else:
            what = f"moving the {after.label}"
    else:
        what = f"{change.kind} of {article(ann.label)}"
    return f"{verb} {what}"
