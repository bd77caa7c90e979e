"""What the reader does with others' layers and adjudication (mixed into `NewsmarkApp`).

`o` shows the other annotators' spans beside yours, dimmed and
underlined, with each annotator's mark in the margin (not editable). In
`newsmark adjudicate` the curator's layer is gold: what every annotator
marked alike is merged into it when a document is first shown, `n`
walks the disagreements left, `t` takes the version under the cursor and
`X` decides a disagreement as none of its versions. Every change goes
through the `Workspace`, saved before it returns and undoable with `u`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from annotations.errors import NewsmarkError
from tui.article_view import ArticleView
from tui.literal import safe
from tui.reader_surface import ReaderSurface
from tui.wording import plural

if TYPE_CHECKING:
    from annotations.adjudication import Disagreement


class AdjudicationActions(ReaderSurface):
    """Actions for others' layers and adjudication; `NewsmarkApp` holds the state.

    A mixin of the app; what it uses of the app beyond `ReaderSurface` is
    named here.
    """

    adjudicating: bool  # the reader was opened by `newsmark adjudicate`
    show_others: bool
    # Each other annotator's mark in the margin (initials), by name.
    _other_marks: dict[str, str]
    # Per document: the disagreements still to decide, and how many there were.
    _undecided: dict[str, tuple[list[Disagreement], int]]
    _merged: set[str]  # documents whose agreed spans were merged into gold

    def action_toggle_others(self) -> None:
        self.show_others = not self.show_others
        shown = 0
        for view in self.query(ArticleView):
            if self.show_others:
                shown += self._show_others(view)
            else:
                view.set_others([], {})
        if not self.show_others:
            self._other_marks = {}
            self.notify("Others' layers hidden: only yours is shown", timeout=3)
        elif shown:
            self.notify(f"{plural(shown, 'span')} of others' layers, dimmed and underlined, their "
                        "annotator's mark in the margin (not editable); o hides them",
                        timeout=6)
        else:
            self.notify("No one else has tagged these documents", timeout=3)
        self._refresh_status()

    def _show_others(self, view: ArticleView) -> int:
        from annotations.layers import initials

        others = self.workspace.other_layers(view.document.id)
        names = {*self._other_marks, *(a.annotator for a in others)}
        if names - set(self._other_marks):
            self._other_marks = initials(names)
            for other_view in self.query(ArticleView):
                if other_view is not view and other_view.others:
                    other_view.set_others(other_view.others, self._other_marks)
        view.set_others(others, self._other_marks)
        return len(others)

    def _merge_agreed(self, view: ArticleView) -> None:
        """What every annotator agreed on goes into gold when a document is first shown."""
        doc_id = view.document.id
        if doc_id in self._merged:
            return
        self._merged.add(doc_id)
        try:
            count = self.workspace.merge_agreed(doc_id)
        except NewsmarkError as err:
            return self._failed(err)
        if count:
            view.set_annotations(self.workspace.annotations(doc_id))
            self.notify(f"{plural(count, 'span')} every annotator marked alike "
                        f"{'is' if count == 1 else 'are'} in "
                        f"{safe(self.workspace.annotator)} already (merged); n walks "
                        "the disagreements", timeout=6)

    def _disagreements(self, doc_id: str) -> tuple[list[Disagreement], int]:
        found = self._undecided.get(doc_id)
        if found is None:
            found = self._undecided[doc_id] = self.workspace.disagreements_left(doc_id)
        return found

    def _disagreement_at(self, view: ArticleView) -> Disagreement | None:
        """The innermost undecided disagreement under the cursor (a term's inside a
        claim's is its own decision, and n stops at its start)."""
        from annotations.adjudication import innermost

        return innermost(self._disagreements(view.document.id)[0], view.cursor)

    def action_take(self) -> None:
        """t: the other annotator's span under the cursor into the curator's layer."""
        if not self.adjudicating:
            self.notify("t takes an annotator's version into gold in `newsmark adjudicate`",
                        timeout=4)
            return
        view = self.active_view
        versions = view.others_at(view.cursor)
        if not versions:
            self.notify("No annotator's span here to take (n: next disagreement)", timeout=3)
            return
        # The innermost version gold does not have yet: after taking a Source,
        # t at the same offset takes the sentence-long quote around it (it
        # offered the taken Source again, and did nothing).
        try:
            for version in versions:
                ann = self.workspace.take(view.document.id, version)
                if ann is not None:
                    break
        except NewsmarkError as err:
            return self._failed(err)
        if ann is None:
            self.notify("Gold has every version here already (n: next disagreement)",
                        timeout=4)
            return
        what = f"took {safe(version.annotator)}'s {version.label}"
        if any(a.id == ann.id for a in view.annotations_at(ann.start)):
            # Gold's span given this version's values: the same span changed,
            # not a new one (read again, else its row would show twice).
            self._after_change(view.document.id, what + " (its values)")
        else:
            self._after_change(view.document.id, what, added=[ann])

    def action_take_none(self) -> None:
        """X: decide the disagreement under the cursor as none of its versions."""
        if not self.adjudicating:
            self.notify("X takes none of a disagreement's versions in `newsmark adjudicate`",
                        timeout=4)
            return
        view = self.active_view
        group = self._disagreement_at(view)
        if group is None:
            self.notify("No undecided disagreement here (n: next one)", timeout=3)
            return
        try:
            count = self.workspace.take_none(view.document.id, group)
        except NewsmarkError as err:
            return self._failed(err)
        self._after_change(view.document.id, f"took none of {plural(count, 'version')}")

    def _adjudication_status(self) -> str:
        view = self.active_view
        left, total = self._disagreements(view.document.id)
        here = self._disagreement_at(view)
        status = f"ADJUDICATING: {len(left)} of {plural(total, 'disagreement')} left"
        return status + (f" · here: {safe(here.describe())}" if here else "")
