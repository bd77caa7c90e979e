"""Undo and redo of annotation changes, kept in the store.

The store keeps the steps (`Store.history`, `record_step`, `move_history`;
the local engine in `annotations.store.undo_log`): each step is a change
as `Change.to_dict` writes it, with the position of the last one applied,
so undo and redo carry on across restarts. This module decides what a step
is and how it is applied and reverted; the store only keeps them.

Each call records its step after the store change itself is durable. A crash
between the two loses at most the history of that one change; undo and
redo are idempotent (undoing an add whose annotation is already gone does
nothing), so a repeated step is harmless. If the step cannot be written
(disk full), the store change is taken back, so that a change reported as
not saved is not saved; should that fail too, the error says the change
was saved and only its undo step was not.

Cross-document links (`annotations.links`) are undone the same way:
kinds "link" and "unlink" carry the `Link` in `link` (and no annotation).
Rejecting a suggestion (kind "reject") carries, as `after`, the annotation
accepting it would have made: undo proposes it again, redo rejects it.

A change of several annotations made as one (kind "group": removing a span
and the relations pointing at it, accepting a quote with its speaker)
carries its steps in `parts`, undone last first; its `before`/`after` are
the annotation it is about.

Orphans (`annotations.anchoring`) are worked through the history too, so
that each action on one is one step, undone in order: "place" carries the
orphan as `before` (as it was on the old text) and its placed annotation as
`after`; "drop" the orphan as `before`. `owner` is the document whose
orphan list it is on. Each step writes the side that keeps the orphan
first (the placed annotation before leaving the list; the list before the
annotation is taken away on undo), so a crash between the two writes
leaves it in both lists, never in neither.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Literal

from annotations import anchoring
from annotations.errors import StoreError
from annotations.links import Link, LinkStore
from annotations.model import Annotation
from annotations.store.protocol import Store

if TYPE_CHECKING:
    # Imported where a rejection is recorded or undone: suggest's expressions
    # cost ~3 ms, which opening the reader need not pay.
    from annotations.suggest import Suggestion, SuggestionState

LIMIT = 1000

Kind = Literal["add", "remove", "update", "link", "unlink", "reject", "place", "drop", "group"]


@dataclass(frozen=True)
class Change:
    """One recorded change: add (before None), remove (after None), update (both);
    link / unlink: a cross-document link made or removed (`link`, no annotation)."""

    kind: Kind
    before: Annotation | None
    after: Annotation | None
    link: Link | None = None
    parts: tuple[Change, ...] = ()  # a group's steps, in the order they were made
    owner: str | None = None  # place / drop: the document whose orphan list it is on
    # Changes made by one command (A: every suggestion on screen) share a
    # group: undo and redo take the whole group as one step.
    group: str = ""
    # Set by undo/redo only (never stored): how many changes the step took.
    steps: int = field(default=1, compare=False)

    @property
    def annotation(self) -> Annotation:
        """The annotation the change is about (after it, if it still exists)."""
        ann = self.after if self.after is not None else self.before
        assert ann is not None
        return ann

    @property
    def doc_id(self) -> str:
        """The document the change shows on (an orphan's is its list's, not its old text's)."""
        return self.owner or self.annotation.doc_id

    def to_dict(self, seq: int) -> dict[str, Any]:
        row = {
            "seq": seq,
            "kind": self.kind,
            "before": None if self.before is None else self.before.to_dict(),
            "after": None if self.after is None else self.after.to_dict(),
        }
        if self.link is not None:
            row["link"] = self.link.to_dict()
        if self.parts:
            row["parts"] = [part.to_dict(seq) for part in self.parts]
        if self.owner is not None:
            row["owner"] = self.owner
        if self.group:
            row["group"] = self.group
        return row

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Change:
        before, after, link = data.get("before"), data.get("after"), data.get("link")
        return cls(
            kind=data["kind"],
            before=None if before is None else Annotation.from_dict(before),
            after=None if after is None else Annotation.from_dict(after),
            link=None if link is None else Link.from_dict(link),
            parts=tuple(cls.from_dict(part) for part in data.get("parts") or ()),
            owner=data.get("owner"),
            group=data.get("group") or "",
        )


class History:
    """Changes made through it are recorded; undo/redo replay them on the store."""

    def __init__(self, store: Store, *, limit: int = LIMIT) -> None:
        self.store = store
        self.limit = limit
        self._links: LinkStore | None = None
        store.history()  # a damaged history fails now, not at the first undo

    @property
    def links(self) -> LinkStore:
        """The store's cross-document links."""
        if self._links is None:
            self._links = LinkStore(self.store)
        return self._links

    # ----------------------------------------------------------- persistence

    def _record(self, change: Change) -> None:
        """Record `change`, already made in the store; if that fails, take it back."""
        _entries, position = self.store.history()
        row = change.to_dict(position + 1)
        self._save_or_take_back(
            lambda: self.store.record_step(row, self.limit), lambda: self._revert(change)
        )

    def _save_or_take_back(self, save: Callable[[], None], take_back: Callable[[], None]) -> None:
        try:
            save()
        except StoreError as err:
            try:
                take_back()
            except StoreError:
                cause = err.__cause__
                reason = cause.strerror if isinstance(cause, OSError) else str(err)
                where = getattr(err, "where", None) or self.store.location  # the file, if named
                raise StoreError(
                    f"this change was saved, but its undo step could not be written to "
                    f"{where} ({reason}); make room or fix the folder's "
                    "permissions before going on"
                ) from err
            raise

    # ----------------------------------------------------------- changes

    def add(self, ann: Annotation, *, group: str = "") -> bool:
        """Add `ann`; changes given one `group` are undone and redone together."""
        change = Change("add", None, ann, group=group)
        # One write for both where the engine has it (the store numbers the step).
        together = self.store.add_with_step(ann, change.to_dict(0), self.limit)
        if together is not None:
            return together
        if not self.store.add(ann):
            return False
        self._record(change)
        return True

    def remove(self, doc_id: str, ann_id: str) -> Annotation | None:
        old = self.store.remove(doc_id, ann_id)
        if old is not None:
            self._record(Change("remove", old, None))
        return old

    def update(self, ann: Annotation) -> Annotation | None:
        old = self.store.update(ann)
        if old is not None and old != ann:
            self._record(Change("update", old, ann))
        return old

    def link(self, link: Link) -> bool:
        """Save a cross-document link; False if it exists already."""
        if not self.links.add(link):
            return False
        self._record(Change("link", None, None, link))
        return True

    def unlink(self, link_id: str) -> Link | None:
        """Remove a cross-document link; returns it (None if there was none)."""
        old = self.links.remove(link_id)
        if old is not None:
            self._record(Change("unlink", None, None, old))
        return old

    def group(self, parts: list[Change], before: Annotation | None,
              after: Annotation | None, *, label: str = "") -> None:
        """Make `parts` (add, remove, update) in the store as ONE undoable step.

        If a part cannot be saved, the parts made before it are taken back
        and the error raised: the step happens whole or not at all.
        """
        done: list[Change] = []
        try:
            for part in parts:
                self._apply(part)
                done.append(part)
        except StoreError:
            with contextlib.suppress(StoreError):
                for part in reversed(done):
                    self._revert(part)
            raise
        # `label`: changes recorded with one label are undone together (the
        # `group` field), as accepting every suggestion on screen is.
        self._record(Change("group", before, after, parts=tuple(parts), group=label))

    def reject(self, ann: Annotation, *, group: str = "") -> None:
        """Never propose again the suggestion that would have made `ann` (undoable;
        rejections given one `group` are undone and redone together)."""
        _rejections(self.store).reject(ann.doc_id, _suggestion_of(ann), ann.annotator)
        self._record(Change("reject", None, ann, group=group))

    def place(self, doc_id: str, orphan: Annotation, ann: Annotation) -> bool:
        """Put `orphan` on `doc_id` as `ann` and take it off the list: one undo step.

        False (nothing changed) if the same span and label is tagged there
        already. `ann` present by its id (placed before a crash that left the
        list unchanged) is taken as placed.
        """
        self._writable()
        if not self.store.add(ann) and ann.id not in {
            a.id for a in self.store.annotations(doc_id)
        }:
            return False
        anchoring.forget_orphan(self.store, doc_id, orphan.id)
        self._record(Change("place", orphan, ann, owner=doc_id))
        return True

    def drop(self, doc_id: str, orphan_id: str) -> Annotation | None:
        """Take an orphan off `doc_id`'s list (undoable); returns it (None if not listed)."""
        self._writable()
        orphan = anchoring.forget_orphan(self.store, doc_id, orphan_id)
        if orphan is not None:
            self._record(Change("drop", orphan, None, owner=doc_id))
        return orphan

    def _revert(self, change: Change) -> None:
        """Make the store look as it did before `change` (a no-op if it already does)."""
        store = self.store
        # Each inverse is a no-op when the store already looks undone
        # (changed by another path, or a step repeated after a crash).
        if change.kind == "group":
            for part in reversed(change.parts):
                self._revert(part)
        elif change.link is not None:
            if change.kind == "link":
                self.links.remove(change.link.id)
            else:
                self.links.restore(change.link)
        elif change.kind in ("place", "drop"):
            assert change.before is not None and change.owner is not None
            anchoring.list_orphan(store, change.owner, change.before)  # first: never in neither
            if change.after is not None:
                store.remove(change.owner, change.after.id)
        elif change.kind == "reject":
            assert change.after is not None
            _rejections(store).unreject(change.after.doc_id, _suggestion_of(change.after),
                                        change.after.annotator)
        elif change.kind == "add":
            assert change.after is not None
            store.remove(change.after.doc_id, change.after.id)
        elif change.kind == "remove":
            assert change.before is not None
            store.restore(change.before)
        else:
            assert change.before is not None
            store.update(change.before)

    def _apply(self, change: Change) -> None:
        """Make the store look as it did after `change` (a no-op if it already does)."""
        store = self.store
        if change.kind == "group":
            for part in change.parts:
                self._apply(part)
        elif change.link is not None:
            if change.kind == "link":
                self.links.restore(change.link)
            else:
                self.links.remove(change.link.id)
        elif change.kind in ("place", "drop"):
            assert change.before is not None and change.owner is not None
            if change.after is not None:
                store.restore(change.after)  # first: never in neither
            anchoring.forget_orphan(store, change.owner, change.before.id)
        elif change.kind == "reject":
            assert change.after is not None
            _rejections(store).reject(change.after.doc_id, _suggestion_of(change.after),
                                      change.after.annotator)
        elif change.kind == "add":
            assert change.after is not None
            store.restore(change.after)
        elif change.kind == "remove":
            assert change.before is not None
            store.remove(change.before.doc_id, change.before.id)
        else:
            assert change.after is not None
            store.update(change.after)

    # ----------------------------------------------------------- undo / redo

    @property
    def can_undo(self) -> bool:
        entries, position = self.store.history()
        return position in entries

    @property
    def can_redo(self) -> bool:
        entries, position = self.store.history()
        return position + 1 in entries

    def undo(self) -> Change | None:
        """Revert the last applied change, or its whole group; returns it (None if
        there is none), with `steps` the number of changes reverted."""
        return self._whole_group(self._undo_one, lambda entries, position: entries.get(position))

    def redo(self) -> Change | None:
        """Apply again the last undone change, or its whole group (as `undo`)."""
        return self._whole_group(self._redo_one,
                                 lambda entries, position: entries.get(position + 1))

    def _whole_group(self, step: Callable[[], Change | None],
                     next_row: Callable[[dict, int], dict | None]) -> Change | None:
        # Each change of a group is its own durable step: a crash half way
        # leaves the rest of the group for the next undo, which takes it.
        change = step()
        if change is None or not change.group:
            return change
        steps = 1
        while True:
            row = next_row(*self.store.history())
            if row is None or row.get("group") != change.group:
                return replace(change, steps=steps)
            step()
            steps += 1

    def _undo_one(self) -> Change | None:
        self._writable()
        entries, position = self.store.history()
        row = entries.get(position)
        if row is None:
            return None
        change = Change.from_dict(row)
        self._revert(change)
        self._save_or_take_back(
            lambda: self.store.move_history(position - 1), lambda: self._apply(change)
        )
        return change

    def _redo_one(self) -> Change | None:
        self._writable()
        entries, position = self.store.history()
        row = entries.get(position + 1)
        if row is None:
            return None
        change = Change.from_dict(row)
        self._apply(change)
        self._save_or_take_back(
            lambda: self.store.move_history(position + 1), lambda: self._revert(change)
        )
        return change

    def _writable(self) -> None:
        # Fail before touching anything when the store cannot be written.
        self.store.check_writable()

    def close(self) -> None:
        """Nothing to release: the store owns the history (kept for callers that close it)."""


def _rejections(store: Store) -> SuggestionState:
    from annotations.suggest import SuggestionState

    return SuggestionState(store)


def _suggestion_of(ann: Annotation) -> Suggestion:
    from annotations.suggest import Suggestion

    # A rejection remembers span and label (`Suggestion.key`): that is all it needs.
    return Suggestion(ann.start, ann.end, ann.label)
