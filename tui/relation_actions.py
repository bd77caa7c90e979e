"""What the reader does with relations and attributes (mixed into `NewsmarkApp`).

`c` on a span starts a relation from it (the head); the person moves to the
other span with any motion (or n/N) and presses `c` again; a small screen
offers only the relation types the two labels allow, one key each. `=`
offers the values of the attributes the span's label declares. The side
panel lists the document's relations (x removes one), the margin marks the
rows of their ends (→ head, ← tail, ↔ both), and the status line shows the
relations and attribute values of the span under the cursor.

Every change goes through the `Workspace`, saved before it returns and
undoable with `u`, as tagging is.
"""

from __future__ import annotations

from typing import Any

from annotations.errors import NewsmarkError
from annotations.model import Annotation
from annotations.relations import Edge, RelationError
from tui.messages import RelationChosen, RelationRemoved
from tui.reader_surface import ReaderSurface
from tui.relation_list import RelationList, short
from tui.wording import article


class RelationActions(ReaderSurface):
    """Actions and handlers for relations and attributes; `NewsmarkApp` holds the state.

    A mixin of the app; what it uses of the app beyond `ReaderSurface` is
    named here.
    """

    pending: str
    views: Any

    _relating: Annotation | None = None  # the head of the relation being made
    # Per document: its relations with both ends, and the ids of those ends
    # (kept, so a cursor move asks a set, not the document's annotations).
    _doc_edges: dict[str, list[Edge]]
    _related_ids: dict[str, set[str]]

    # -- relations -------------------------------------------------------

    def action_relate(self) -> None:
        if self._still_segmenting():
            return
        if self.pending == "relate" and self._relating is not None:
            return self._relate_to_cursor()
        ann = self._annotation_under_cursor()
        if ann is None:
            return
        self._relating, self.pending = ann, "relate"  # the status line redraws for `pending`
        self.notify(f"Relation from this {ann.label}: move to the other span (n/N or any "
                    "motion) and press c (Esc cancels)", timeout=5)

    def _relate_to_cursor(self) -> None:
        head = self._relating
        assert head is not None
        view = self.active_view
        if view.document.id != head.doc_id:
            self.notify("A relation joins two spans of one document; go back to it or press "
                        "Esc", timeout=4)
            return
        found = [a for a in view.under_cursor() if a.id != head.id]
        if not found:
            self.notify("Put the cursor on the other span, then press c (Esc cancels)",
                        timeout=3)
            return
        tail = found[0]
        types = [t.name for t in self.workspace.config.types_between(head.label, tail.label)]
        self._relating, self.pending = None, ""
        if not types:
            config = self.workspace.config
            reverse = [t.name for t in config.types_between(tail.label, head.label)]
            if reverse:
                hint = (f"{' or '.join(reverse)} goes from the {tail.label} to the "
                        f"{head.label}: press c on the {tail.label} first")
            elif config.path is None:
                hint = "the default relations have none; newsmark.toml can declare one"
            else:
                hint = f"{config.path.name} declares none"
            self.notify(f"No relation goes from {article(head.label)} to "
                        f"{article(tail.label)}: {hint}", timeout=6)
            return
        from tui.relation_screen import RelationTypeScreen

        self.push_screen(
            RelationTypeScreen(f"{head.label}: {short(head.text, 50)}",
                               f"{tail.label}: {short(tail.text, 50)}", types),
            lambda chosen: self._make_relation(head, tail, chosen),
        )

    def _make_relation(self, head: Annotation, tail: Annotation, type_name: str | None) -> None:
        if type_name is None:
            return
        try:
            old = self._stored(head)
            new = self.workspace.relate(head, tail, type_name)
        except RelationError as err:
            self.notify(str(err), severity="warning", timeout=5)
            return
        except NewsmarkError as err:
            return self._failed(err)
        self._after_relation_change(head.doc_id, f"{type_name}: {short(tail.text)}", old, new)

    def on_relation_removed(self, message: RelationRemoved) -> None:
        head = next((a for a in self.workspace.annotations(message.doc_id)
                     if a.id == message.head_id), None)
        if head is None:
            return
        rel = next((r for r in head.relations if r.id == message.relation_id), None)
        try:
            new = self.workspace.unrelate(head, message.relation_id)
        except NewsmarkError as err:
            return self._failed(err)
        if new is not None and rel is not None:
            self._after_relation_change(head.doc_id, f"removed {rel.type} (u undoes)", head, new)

    def on_relation_chosen(self, message: RelationChosen) -> None:
        view = self._view_showing(message.doc_id)
        if view is not None:
            view.move_to(message.start)
            view.focus()

    # -- attributes ------------------------------------------------------

    def action_attribute(self) -> None:
        ann = self._annotation_under_cursor()
        if ann is None:
            return
        label = self.workspace.config.label(ann.label)
        if label is None or not label.attributes:
            self.notify(f"A {ann.label} has no attributes (newsmark.toml declares them)",
                        timeout=3)
            return
        from tui.attribute_screen import AttributeScreen

        self.push_screen(
            AttributeScreen(f"{ann.label}: {short(ann.text, 50)}", label.attributes,
                            dict(ann.attrs)),
            lambda chosen: self._set_attribute(ann, chosen),
        )

    def _set_attribute(self, ann: Annotation, chosen: tuple[str, str | None] | None) -> None:
        if chosen is None:
            return
        name, value = chosen
        try:
            old = self._stored(ann)
            new = self.workspace.set_attribute(ann, name, value)
        except RelationError as err:
            self.notify(str(err), severity="warning", timeout=5)
            return
        except NewsmarkError as err:
            return self._failed(err)
        what = f"{name} = {value}" if value is not None else f"cleared {name}"
        self._after_relation_change(ann.doc_id, what, old, new)

    # -- shown -----------------------------------------------------------

    def _stored(self, ann: Annotation) -> Annotation:
        found = next((a for a in self.workspace.annotations(ann.doc_id) if a.id == ann.id),
                     None)
        if found is None:
            raise RelationError(f"that {ann.label} is no longer in the store")
        return found

    def _after_relation_change(self, doc_id: str, what: str, old: Annotation,
                               new: Annotation) -> None:
        self._after_change(doc_id, what, removed=[old], added=[new])
        self._show_relations(doc_id)

    def _relations_touched(self, doc_id: str, changed: list[Annotation] | None) -> None:
        """After a change: redraw relations if it may have changed them.

        `changed` are the annotations removed and added (None: unknown, e.g.
        an undo that re-read the document). A tag of a span no relation
        touches changes none, and costs no scan of the document.
        """
        related = self._related_ids.get(doc_id, set())
        if changed is None or any(a.id in related or a.relations for a in changed):
            self._show_relations(doc_id)

    def _show_relations(self, doc_id: str) -> None:
        """The margin marks and the side panel's list of the document's relations."""
        edges = self.workspace.edges(doc_id)
        self._doc_edges[doc_id] = edges
        self._related_ids[doc_id] = {a.id for e in edges for a in (e.head, e.tail)}
        for view in self.views:
            if view.document.id == doc_id:
                view.set_related([(e.head.start, e.head.end) for e in edges],
                                 [(e.tail.start, e.tail.end) for e in edges])
        listed = self._side_list(RelationList)
        if self.active_view.document.id == doc_id and listed is not None:
            listed.show(doc_id, edges)

    def _cursor_relations(self) -> str:
        """The span under the cursor: its attribute values and relations, for the status line."""
        view = self.active_view
        found, _listed = self._spans_in_focus(view)
        if not found:
            return ""
        ann = found[0]
        parts = [f"{name}={value}" for name, value in ann.attrs.items()]
        doc_id = view.document.id
        if ann.id in self._related_ids.get(doc_id, ()):  # a set: no scan per key
            parts += [f"{e.type} → {short(e.tail.text, 24)}" if e.head.id == ann.id
                      else f"← {e.type} of {short(e.head.text, 24)}"
                      for e in self._edges_of(ann)]
        return " · ".join(parts)

    def _edges_of(self, ann: Annotation) -> list[Edge]:
        return [e for e in self._doc_edges.get(ann.doc_id, [])
                if ann.id in (e.head.id, e.tail.id)]
