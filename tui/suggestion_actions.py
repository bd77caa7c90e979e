"""What the reader does with suggestions (mixed into `NewsmarkApp`).

`S` steps through showing every suggestion of the focused document (the
rules' and, with a model, the model's), one label's, then none; they are
drawn dimmed in italics and listed in the side panel. `a` accepts the one
under the cursor (or the suggestion list's highlighted row; on a span
re-anchored by a fuzzy match, `a` confirms its place instead), `A` every
one on screen as one undo step, `R` rejects one so it is not proposed
again. Every change goes through the `Workspace`, saved before it returns
and undoable with `u`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from annotations.errors import NewsmarkError
from annotations.model import Annotation, new_id
from tui.reader_surface import ReaderSurface
from tui.wording import article, plural, where_is

if TYPE_CHECKING:
    from annotations.suggest import Suggestion
    from tui.article_view import ArticleView


class SuggestionActions(ReaderSurface):
    """Actions for suggestions; `NewsmarkApp` holds the state.

    A mixin of the app; what it uses of the app beyond `ReaderSurface` is
    named here.
    """

    request_model_suggestions: Any
    # Per document shown with suggestions: the label shown ("" for all).
    _suggesting: dict[str, str]

    def action_toggle_suggestions(self) -> None:
        if self._still_segmenting():
            return
        # S steps: all suggestions, then one label at a time (so A can accept
        # just the quotes on screen), then none.
        from annotations.suggest import LABELS as SUGGESTED_LABELS

        view = self.active_view
        doc_id = view.document.id
        steps = ["", *SUGGESTED_LABELS]
        shown = self._suggesting.get(doc_id)
        if shown == steps[-1]:
            del self._suggesting[doc_id]
            self._show_suggestions(view, [])
            self.notify("Suggestions hidden", timeout=2)
            return
        label = steps[0] if shown is None else steps[steps.index(shown) + 1]
        self._suggesting[doc_id] = label
        found = self._suggestions_for(doc_id)
        self._show_suggestions(view, found)
        after = steps[steps.index(label) + 1] if label != steps[-1] else ""
        then = f"S: {after} only" if after else "S: hide them"
        kind = f"{label} suggestion" if label else "suggestion"
        if not found:
            self.notify(f"No {kind}s here; {then}", timeout=4)
            return
        self.notify(f"{plural(len(found), kind)}, dimmed in italics: "
                    f"a accepts, R rejects, A accepts all on screen; {then}", timeout=6)

    def _show_suggestions(self, view: ArticleView, suggestions: list[Suggestion]) -> None:
        """In the pane (dimmed spans) and, for the focused pane, in the side panel
        and the status line (which names the one under the cursor)."""
        view.set_suggestions(suggestions)
        from tui.suggestion_list import SuggestionList

        listed = self._side_list(SuggestionList)
        if view is self.active_view and listed is not None:
            listed.show(view.document.id, view.text, view.suggestions)
        if view is self.active_view:
            self._refresh_status()  # it named a suggestion hidden now

    def _suggestions_for(self, doc_id: str) -> list[Suggestion]:
        label = self._suggesting.get(doc_id, "")
        self.request_model_suggestions(doc_id)  # they join these when the model is done
        found = self.workspace.suggestions(doc_id)
        return [s for s in found if s.label == label] if label else found

    def _suggestion_in_focus(self) -> Suggestion | None:
        """In the suggestion list, its highlighted row; in an article, the cursor's."""
        from tui.suggestion_list import SuggestionList

        listed = self._side_list(SuggestionList)
        if listed is not None and listed.has_focus:
            return listed.highlighted_suggestion
        return self.active_view.suggestion_at(self.active_view.cursor)

    def action_accept_suggestion(self) -> None:
        view = self.active_view
        found = self._suggestion_in_focus()
        if found is None:
            fuzzy = [a for a in view.annotations_at(view.cursor) if a.reanchored == "fuzzy"]
            if fuzzy:
                return self._confirm_place(fuzzy[0])
            self.notify("No suggestion under the cursor (S shows them)", timeout=2)
            return
        self._accept([found])

    def _confirm_place(self, ann: Annotation) -> None:
        """A fuzzy-matched span checked by a person: marked as placed, no longer ≈."""
        confirmed = ann.with_changes(reanchored="placed")
        try:
            old = self.workspace.update(confirmed)
        except NewsmarkError as err:
            return self._failed(err)
        if old is not None:
            self._after_change(ann.doc_id, f"confirmed {where_is(ann.label)}",
                               removed=[old], added=[confirmed])

    def action_accept_visible(self) -> None:
        view = self.active_view
        from annotations.suggest import in_view

        shown = in_view(view.suggestions, *view.visible_range())
        if not shown:
            self.notify("No suggestion on screen to accept (S shows them)", timeout=3)
            return
        self._accept(shown)

    def _accept(self, suggestions: list[Suggestion]) -> None:
        view = self.active_view
        doc_id = view.document.id
        accepted = 0
        group = new_id() if len(suggestions) > 1 else ""  # one undo step for them all
        try:
            for found in suggestions:
                accepted += self.workspace.accept(doc_id, found, group=group) is not None
        except NewsmarkError as err:
            self._failed(err)
        if accepted:
            self._after_change(doc_id, f"accepted {plural(accepted, 'suggestion')}")
        else:
            self._show_suggestions(view, self._suggestions_for(doc_id))

    def action_reject_suggestion(self) -> None:
        view = self.active_view
        found = self._suggestion_in_focus()
        if found is None:
            self.notify("No suggestion under the cursor (S shows them)", timeout=2)
            return
        try:
            self.workspace.reject(view.document.id, found)
        except NewsmarkError as err:
            return self._failed(err)
        self._after_change(view.document.id,
                           f"rejected {article(found.label)} suggestion (u undoes)",
                           removed=[], added=[])
