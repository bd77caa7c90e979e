"""The newsmark app: article panes side by side, a side panel, a status line.

The app turns keys into calls on `annotations.workspace.Workspace` (which
saves before it returns) and redraws what changed. It holds no annotation
state of its own beyond what is on screen.
"""

from __future__ import annotations

import contextlib
import time
import traceback
from bisect import bisect_right
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from rich.text import Text
from textual import events, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.notifications import SeverityLevel
from textual.reactive import var
from textual.screen import Screen
from textual.widget import MountError, Widget
from textual.widgets import Input
from textual.worker import Worker, WorkerState

from annotations import relations
from annotations.errors import NewsmarkError, WorkStopped
from annotations.history import Change
from annotations.model import Annotation, Document
from annotations.segmentation import Segmentation
from annotations.span_index import step_from
from annotations.workspace import Pane, Workspace
from tui.adjudication_actions import AdjudicationActions
from tui.annotation_list import AnnotationList
from tui.article_styles import ArticleStyles
from tui.article_view import SEVERAL_MARK, ArticleView
from tui.bindings import APP_BINDINGS, ARTICLE_VIEW_BINDINGS, UNLISTED_APP_BINDINGS, key_display
from tui.cancellable import unless_cancelled
from tui.document_list import DocumentList
from tui.document_list import describe as describe_document
from tui.key_bar import KeyBar
from tui.keymap import keymap
from tui.literal import markup_escaped, safe
from tui.messages import (
    AlignmentReady,
    AnnotationChosen,
    Cancelled,
    DocumentChosen,
    OrphanChosen,
    OrphanDropped,
    SegmentationProgress,
    SegmentationReady,
)
from tui.model_actions import ModelActions
from tui.pane_row import PaneRow
from tui.prompt_bar import PromptBar
from tui.reader_screen import reader_screen
from tui.relation_actions import RelationActions
from tui.relation_list import RelationList, short
from tui.side_panel import SidePanel
from tui.startup import resume_collection
from tui.status_bar import StatusBar
from tui.suggestion_actions import SuggestionActions
from tui.title_bar import TitleBar
from tui.virtual_list import VirtualList
from tui.wording import article, change_done, excerpt, plural

if TYPE_CHECKING:
    # Imported where used: only what the first frame needs is imported
    # before it (each of these costs a few ms at start).
    from annotations.adjudication import Disagreement
    from annotations.alignment import Alignment
    from annotations.worker_jobs import AlignmentJob, SegmentationDone, SegmentationJob
    from tui.orphan_list import OrphanList
    from tui.suggestion_list import SuggestionList

MAX_PANES = 2
# The side panel's lists that are hidden while empty, in their order there
# (between the annotation list and the document list).
# The orphan and suggestion lists' modules are imported with the lists, after
# the first frame unless it shows one (~1.1 ms of every start).
_SideList = TypeVar("_SideList", RelationList, "OrphanList", "SuggestionList")
NARROW = 110  # below this many columns the side panel starts hidden
# Below this many columns two panes and the side panel leave ~23 columns a
# pane: with the panel open, only the focused pane is shown (p hides the
# panel and brings both panes back).
ONE_PANE_WITH_PANEL = 120
PANES_SAVE_SECONDS = 5
MAX_REMEMBERED_CURSORS = 500  # documents whose cursor is kept once they leave the panes
# How often a shared store's NOTIFYs are looked at (nothing is read when none came).
TEAM_POLL_SECONDS = 1.0
RELISTEN_SECONDS = 10.0
CRASH_LOG = "newsmark-crash.log"


class NewsmarkApp(SuggestionActions, AdjudicationActions, RelationActions, ModelActions,
                  App[None]):
    TITLE = "newsmark"
    BINDINGS = [*APP_BINDINGS, *UNLISTED_APP_BINDINGS]

    DEFAULT_CSS = """
    #main { height: 1fr; }
    #side { width: 30%; min-width: 30; max-width: 56; }
    /* Notifications stand above the prompt, the status line and the footer:
       at the bottom right they hid whether the last change was saved. The
       rack's scrollbar gutter (hidden, as the rack is) let two columns of
       the side panel's border show at each toast's right edge. */
    Screen > ToastRack { margin-bottom: 3; scrollbar-size-vertical: 0; }
    """

    # What the status line shows of the app's state: each change redraws it
    # (the cursor's moves redraw it through each pane's `caret`). `var`, not
    # `reactive`: a reactive of the App repaints the whole screen when it
    # changes (every widget's every row: ~4 ms of each tag's frame), while
    # only the status line shows these.
    pending: var[str] = var("", init=False)
    """"relabel" or "place": waiting for a label key."""
    follow: var[bool] = var(False, init=False)
    search_query: var[str] = var("", init=False)
    saved: var[str] = var("nothing changed yet", init=False)
    model_status: var[str] = var("", init=False)
    """What the model is doing ("training the model…", its progress), or ""."""

    def __init__(self, workspace: Workspace, *, notices: Iterable[str] = (),
                 adjudicating: bool = False) -> None:
        super().__init__()
        self.workspace = workspace
        self.notices = list(notices)
        self._error = False
        self._placing = ""  # the orphan being placed
        self.search_matches: list[tuple[int, int]] = []
        # Cursor per document for this session, so [ and ] return to it.
        self._positions: dict[str, int] = {}
        self._panes: dict[str, Pane] = {}
        self._focused_pane = ""  # the id of the pane to focus on mount, if restored
        self._panel_hidden_by_width = False  # put away for a narrow terminal, not by `p`
        self._panel_when_narrow = False  # shown with `p` while narrow: kept when narrowed again
        self._alignment: tuple[str, str, Alignment] | None = None
        # Documents whose suggestions are shown -> the label shown ("": all).
        self._suggesting: dict[str, str] = {}
        self._predicting: set[tuple[str, int]] = set()  # see tui/model_actions.py
        # Other annotators' layers drawn beside yours (`o`); hidden by default
        # (blind annotation). Their marks, by annotator, for the legend.
        self.show_others = adjudicating
        self._other_marks: dict[str, str] = {}
        # `newsmark adjudicate`: the annotator is the curator, others' layers
        # are shown, n/N walk the undecided disagreements (cached per document
        # until the next change, as the status line asks on every key).
        self.adjudicating = adjudicating
        self._undecided: dict[str, tuple[list[Disagreement], int]] = {}
        self._merged: set[str] = set()  # documents whose agreed spans were merged
        self._segmenting: dict[str, float] = {}  # long documents being segmented: progress
        # Short documents the first frame showed before segmenting them (see
        # `_segment_deferred`): Punkt's import and training wait for the paint.
        self._deferred: set[str] = set()
        # Long documents the first frame showed before their paragraphs were found.
        self._paragraphs_due: set[str] = set()
        self._panes_dirty = False
        self._side_lists: dict[type, RelationList | OrphanList | SuggestionList] = {}
        self._views: list[ArticleView] | None = None  # set on mount (see `views`)
        self._doc_edges, self._related_ids = {}, {}
        self._done: dict[str, bool] = {}  # per document: marked done (read once, kept)
        labels = workspace.config.labels
        self._label_styles = {label.name: (i, label.color) for i, label in enumerate(labels)}
        # The project's [keys], by binding id (checked by tui.keymap before start).
        self.keys = keymap(workspace.config)
        self.set_keymap(self.keys)
        self._listener: Any = None  # a ChangeListener on a shared store
        self._listen_tried = 0.0
        self.sub_title = safe(f"store {workspace.location}")
        if workspace.read_only:
            self.sub_title += " (read-only)"

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """Every notification is plain text: messages name files, queries and notes.

        Textual reads a notification as markup by default, where a query
        such as `re:\\d+[/-]\\d+` raised and `[Reuters]` vanished.
        """
        super().notify(safe(message, one_line=False), title=safe(title), severity=severity,
                       timeout=timeout, markup=False)

    # -- layout ----------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield TitleBar("✎")
        # The panes sit in #main beside the side panel, with no container of
        # their own: each container under a pane was composed again with it
        # on every key that repainted it (~0.4 ms a page down).
        with PaneRow(id="main"):
            panes = self._initial_panes()
            for index, (doc, cursor, focused) in enumerate(panes):
                if focused:
                    self._focused_pane = f"pane-{index}"
                yield self._make_view(doc, cursor, f"pane-{index}")
            with SidePanel(id="side"):
                yield AnnotationList(id="annotation-list")
                # The lists hidden while empty (relations, orphans, suggestions:
                # ~4 ms to mount) join after the first frame, unless it shows one.
                first = next((doc.id for doc, _, focused in panes if focused), panes[0][0].id)
                if self.workspace.orphans(first) or self._document_edges(first):
                    lists = self._make_side_lists()
                    self._side_lists = {type(found): found for found in lists}
                    yield from lists
                yield DocumentList(id="document-list")
        # Mounted with the rest, not after the first frame (~13 ms sooner):
        # keys typed with a / before it was mounted went to the article as
        # commands ("/spending" marked the document done).
        yield ArticleStyles()  # what the panes draw spans with (drawn nowhere)
        yield PromptBar(self._prompt_answered, id="prompt")
        yield StatusBar(id="status")
        yield KeyBar()

    def _initial_panes(self) -> list[tuple[Document, int, bool]]:
        """The last session's pane documents, each in its pane with its cursor and
        whether it had the focus, if they were given again; the other panes get
        the first documents given."""
        ws = self.workspace
        # (slot, document, cursor, focused): a document restored keeps its
        # side, so a file given first now is not pushed right by one restored there.
        chosen: list[tuple[int, Document, int, bool]] = []
        by_path: dict[str, int] | None = None  # built only if a pane's article is unread
        saved = ws.panes()
        # Where the cursor was in documents shown before, in any session: a
        # document opened again starts there (it started at the top unless
        # it was in a pane the very last time).
        # Those in panes last time are the latest (see `_save_panes`).
        self._positions.update((p.doc_id, p.cursor) for p in sorted(saved, key=lambda p: p.shown))
        for slot, pane in enumerate([p for p in saved if p.shown][:MAX_PANES]):
            doc = ws.documents.get(pane.doc_id)
            if doc is None and by_path is None:
                by_path = {e.source: i for i, e in enumerate(ws.entries) if e.source is not None}
            if doc is None and by_path and pane.path in by_path:
                doc = ws.load(by_path[pane.path])
            if doc is not None and doc.id == pane.doc_id and all(
                doc is not c[1] for c in chosen
            ):
                chosen.append((slot, doc, pane.cursor, pane.focused))
        free = [slot for slot in range(MAX_PANES) if all(slot != c[0] for c in chosen)]
        for doc in ws.order:
            if not free:
                break
            if all(doc is not c[1] for c in chosen):
                chosen.append((free.pop(0), doc, self._positions.get(doc.id, 0), False))
        return [(doc, cursor, focused)
                for _, doc, cursor, focused in sorted(chosen, key=lambda c: c[0])]

    def _make_view(self, doc: Document, cursor: int, view_id: str) -> ArticleView:
        return ArticleView(
            doc,
            self._segmentation_for(doc, first_paint=True),
            self.workspace.annotations(doc.id),
            label_styles=self._label_styles,
            cursor=cursor,
            id=view_id,
            heading=self.workspace.names.heading,
        )

    def get_default_screen(self) -> Screen:
        """The reader's screen, holding the label keys (tui/reader_screen.py)."""
        return reader_screen([Binding(label.key, f"app.tag('{label.name}')", label.name)
                              for label in self.workspace.config.labels])

    def on_mount(self) -> None:
        self._views = list(self.query(ArticleView))
        # The pane that had the focus when the reader last closed has it again.
        self.active_view = next((v for v in self._views if v.id == self._focused_pane),
                                self._views[0])
        for view in self._views:
            self.watch(view, "caret", partial(self._cursor_moved, view), init=False)
        self._left_focus: Widget | None = None  # where the focus was before it moved
        self.watch(self.screen, "focused", self._focus_moved, init=False)
        # Mounted with the screen and never replaced: asked on every status
        # refresh (which of its row or the pane's span the keys act on).
        self._annotation_list = listed = self.query_one(AnnotationList)
        self.watch(listed, "highlighted",
                   lambda: self.screen.focused is listed and self._refresh_status(), init=False)
        # At once, not after the queued events as focus() does: a search typed
        # the moment the reader started (/, the words, Enter) opened the prompt,
        # and then this focus came and took the Enter to the article.
        self.screen.set_focus(self.active_view)
        if self.size.width < NARROW:
            self.query_one("#side").display = False
            self._panel_hidden_by_width = True
        self._fit_panes()
        for view in self.views:
            self._remember_pane(view)
            if self.adjudicating:
                self._merge_agreed(view)
            if self.show_others:
                self._show_others(view)
            self._show_relations(view.document.id)
        # Where each pane is, saved every few seconds rather than on every
        # key: it is a convenience, and each save is an fsync.
        self.set_interval(PANES_SAVE_SECONDS, self._save_panes)
        # A shared (PostgreSQL) store: others' changes arrive by NOTIFY.
        if self.workspace.shared:
            with contextlib.suppress(NewsmarkError):
                self._listener = self.workspace.listen()
            self.set_interval(TEAM_POLL_SECONDS, self._heard_from_team)
        self._compare_panes()
        self._refresh_panel()
        self._refresh_documents()
        self._refresh_status()
        for notice in self.notices:
            self.notify(notice, severity="warning", timeout=10)
        self.call_after_refresh(resume_collection)  # paused by `newsmark open`
        self.call_after_refresh(self._mount_side_lists)
        # New articles' texts, registered for the first frame but not yet
        # written (`Workspace(write_new_documents_later=True)`); a save that
        # comes first writes them first.
        self.call_after_refresh(self._write_registered)
        # A trained model (newsmark train, or T) joins the suggestions; it
        # is loaded after the first paint, in the background.
        self.call_after_refresh(self.load_model_if_any)
        for doc_id, report in self.workspace.reanchor_reports.items():
            name = self.workspace.names.name(self.workspace.documents[doc_id])
            where = " Orphans wait in the side panel (p)." if report.orphaned else ""
            self.notify(f"{name} changed since it was tagged: {report.summary()}.{where}",
                        severity="warning", timeout=15)

    def _write_registered(self) -> None:
        # On this thread, not in a worker: the store's catalogue is shared
        # state (the texts' fsyncs take a few ms once, after the frame).
        try:
            self.workspace.write_registered()
        except NewsmarkError as err:
            # Nothing is lost (nothing can be saved before they are); the
            # next save tries again and fails with this message if it must.
            self.notify(str(err), severity="error", timeout=15)

    def on_unmount(self) -> None:
        self._save_panes()
        if self._listener is not None:
            self._listener.close()

    def _remember_pane(self, view: ArticleView) -> None:
        """Note where a pane is; written to the store now and then, and on exit."""
        self._panes[view.id or ""] = Pane(view.document.id, view.document.meta.path, view.cursor)
        self._panes_dirty = True

    @property
    def views(self) -> list[ArticleView]:
        # The panes are made once, in compose, and never removed (a pane
        # not shown is hidden): a DOM query on every key cost ~0.1 ms.
        if self._views is None:
            return list(self.query(ArticleView))
        return list(self._views)

    # -- reacting --------------------------------------------------------

    def _focus_moved(self, focused: Widget | None) -> None:
        """The screen's focus moved (watched from on_mount): a pane given it
        becomes the active one at once. The Focus message comes behind the
        keys already read in the same burst ("Tab 4", "Tab /" typed fast, a
        paste), which must act on the pane Tab moved to."""
        if isinstance(focused, ArticleView) and focused is not self.active_view:
            self._take_over(focused)
        elif isinstance(focused, AnnotationList) or isinstance(self._left_focus, AnnotationList):
            # The status line names what x, r, m and = act on: the list's row
            # while the list has the focus, the pane's span again after.
            self._refresh_status()
        self._left_focus = focused

    def _take_over(self, view: ArticleView) -> None:
        """`view` becomes the active pane: the panel, the list and the status follow."""
        left, self.active_view = self.active_view, view  # first: what follows asks for it
        self._clear_search(left)
        self._panes_dirty = True  # which pane has the focus is kept too
        try:
            self._refresh_panel()
        except NewsmarkError as err:  # what a store whose server went away never read
            self.notify(str(err), severity="warning", timeout=10)
        self._refresh_documents()
        self._refresh_status()

    def _cursor_moved(self, view: ArticleView) -> None:
        """A pane's cursor or selection changed (its `caret`, watched from on_mount)."""
        self._remember_pane(view)
        if view is self.active_view:
            self._show_counterparts(view)
            self._refresh_status()

    def _state_changed(self) -> None:
        if hasattr(self, "active_view"):  # set on mount
            self._refresh_status()

    watch_pending = watch_follow = watch_search_query = watch_saved = _state_changed
    watch_model_status = _state_changed

    def on_cancelled(self, message: Cancelled) -> None:
        self.action_cancel_pending()

    def action_cancel_pending(self) -> None:
        """Esc: drop a pending mode (relate, relabel) and the search."""
        self.pending, self._relating = "", None
        self._clear_search()

    def on_annotation_chosen(self, message: AnnotationChosen) -> None:
        view = self._view_showing(message.doc_id)
        if view is not None:
            view.move_to(message.start)
            # The row's span, not the innermost there: a claim and the quote
            # that opens it start at one word.
            if message.annotation_id is not None:
                view.point_at(message.annotation_id)
            view.focus()
            self._refresh_status()

    def action_point_next(self) -> None:
        """;: of the spans under the cursor, point at the next wider one (x, r, m,
        = and c act on it); the innermost again after the widest."""
        if isinstance(self.focused, VirtualList):
            self.notify("; acts on the article's cursor (a list's row is one annotation)",
                        timeout=3)
            return
        count = self.active_view.point_next()
        if count < 2:
            self.notify("No annotation under the cursor" if not count else
                        "Only one annotation here", timeout=2)
        self._refresh_status()

    def on_document_chosen(self, message: DocumentChosen) -> None:
        doc = self._load_entry(message.index)
        if doc is None:
            return
        shown = self._view_showing(doc.id)
        if shown is not None and shown.display:
            # Already in a pane: go there (it was loaded into both panes).
            shown.focus()
            return
        self._show_document(doc)
        self.active_view.focus()

    def _load_entry(self, index: int) -> Document | None:
        """Read entry `index` if needed; an unreadable file is said, not raised."""
        entry = self.workspace.entries[index]
        doc = self.workspace.load(index)
        if doc is None:
            self.notify(entry.error or f"{self.workspace.entry_name(index)} cannot be opened",
                        severity="error", timeout=8)
            self._refresh_documents()
        return doc

    def on_orphan_chosen(self, message: OrphanChosen) -> None:
        self.pending = "place"
        self._placing = message.orphan_id
        view = self.active_view
        orphan = next((o for o in self.workspace.orphans(message.doc_id)
                       if o.id == message.orphan_id), None)
        if orphan is not None and view.document.id == message.doc_id:
            # Near where it was in the old text: where it belongs is usually close.
            view.move_to(min(orphan.start, len(view.text)))
        view.focus()
        self.notify("Select where it belongs and press a label key (Esc cancels)", timeout=6)

    def on_orphan_dropped(self, message: OrphanDropped) -> None:
        try:
            self.workspace.drop_orphan(message.doc_id, message.orphan_id)
        except NewsmarkError as err:
            return self._failed(err)
        self.notify("Dropped from the list (still in the old version's record)", timeout=3)
        self._say_saved("dropped an orphan")
        self._refresh_panel()
        self._refresh_status()

    def _place_orphan(
        self, doc_id: str, cursor: int, selection: tuple[int, int] | None, label: str
    ) -> Annotation | None:
        span = self.workspace.target(doc_id, cursor, selection)
        if span is None:
            return None
        return self.workspace.place_orphan(doc_id, self._placing, *span, label)

    def _prompt_answered(self, purpose: str, value: str | None) -> None:
        """The prompt bar answered (`value`) or dismissed (None), in the key's turn."""
        self.screen.set_focus(self.active_view)  # at once: see PromptBar.ask
        self._refresh_status()  # it said what the prompt asked
        if value is None:
            return
        if purpose == "search":
            self._run_search(value)
        elif purpose == "note":
            self._save_note(value)
        elif purpose.startswith("export:"):
            self._export(purpose.removeprefix("export:"), value)

    # -- tagging and editing ---------------------------------------------

    def action_tag(self, label: str) -> None:
        if self._still_segmenting():
            return
        if self.pending == "relabel":
            self.pending = ""
            return self._relabel(label)
        tag = self.workspace.tag
        verb = "tagged"
        if self.pending == "place":
            self.pending, tag, verb = "", self._place_orphan, "placed"
        view = self.active_view
        doc_id = view.document.id
        try:
            ann = tag(doc_id, view.cursor, view.selection, label)
        except NewsmarkError as err:
            return self._failed(err)
        if ann is None:
            self.notify("Already tagged so, or nothing to tag here", timeout=2)
            return
        view.clear_selection()
        if not ann.start <= view.cursor < ann.end:
            # A selection leaves the cursor just past its end: keep it on what
            # was just tagged, so that m, r, x and L act on it straight away.
            view.move_to(ann.end - 1)
        # A placed orphan leaves the orphan list; a plain tag changes only its row.
        self._after_change(doc_id, f"{verb} {label}", added=[ann], orphans=verb == "placed")

    def action_remove_annotation(self) -> None:
        ann = self._annotation_under_cursor()
        if ann is None:
            return
        # Spans whose relations point at it lose them in the same step.
        pointed_at = bool(relations.pointing_at(self.active_view.annotations, ann.id))
        try:
            removed = self.workspace.remove(ann.doc_id, ann.id)
        except NewsmarkError as err:
            return self._failed(err)
        if removed is not None:
            # Read again when others changed too; else the one row is redrawn.
            self._after_change(ann.doc_id, f"removed {removed.label}",
                               removed=None if pointed_at else [removed])

    def action_relabel(self) -> None:
        if self._annotation_under_cursor() is None:
            return
        self.pending = "relabel"
        keys = "  ".join(f"{label.key} {label.name}" for label in self.workspace.config.labels)
        self.notify(f"Relabel as: {keys}  (Esc cancels)", timeout=4)

    def _relabel(self, label: str) -> None:
        ann = self._annotation_under_cursor()
        if ann is None or ann.label == label:
            self._refresh_status()
            return
        try:
            changed = self.workspace.relabel(ann, label)
        except NewsmarkError as err:
            return self._failed(err)
        if changed is None:
            self.notify(f"This span is tagged {label} already", timeout=3)
            self._refresh_status()
            return
        old, dropped, dropped_values = changed
        gone = " and ".join(([plural(dropped, "relation")] if dropped else [])
                            + ([plural(dropped_values, "attribute value")]
                               if dropped_values else []))
        what = f"relabelled {ann.label} as {label}" + (
            f", with {gone} a {label} cannot have removed" if gone else "")
        if gone:  # others' rows, or this one's values, changed too: read again
            self._after_change(ann.doc_id, what)
        else:
            self._after_change(ann.doc_id, what, removed=[old],
                               added=[old.with_changes(label=label)])

    def action_note(self) -> None:
        ann = self._annotation_under_cursor()
        if ann is not None:
            self._noted = ann
            self._ask("note", f"Note on the {ann.label} span (Enter saves)", ann.note)

    def _save_note(self, note: str) -> None:
        ann = self._noted
        if note == ann.note:
            return
        noted = ann.with_changes(note=note)
        try:
            old = self.workspace.update(noted)
        except NewsmarkError as err:
            return self._failed(err)
        if old is None:  # gone meanwhile: show what the store holds
            self._after_change(ann.doc_id, "noted")
            return
        self._after_change(ann.doc_id, "noted" if note else "cleared note",
                           removed=[old], added=[noted])

    def action_undo(self) -> None:
        self._replay(self.workspace.undo, "undid", "Nothing to undo")

    def action_redo(self) -> None:
        self._replay(self.workspace.redo, "redid", "Nothing to redo")

    def _replay(self, step: Callable[[], Change | None], verb: str, nothing: str) -> None:
        try:
            change = step()
        except NewsmarkError as err:
            return self._failed(err)
        if change is None:
            self.notify(nothing, timeout=2)
            return
        if change.link is not None:
            self._after_link_change(f"{verb} {change.kind} ({change.link.label})")
            return
        ann, doc_id = change.annotation, change.doc_id
        if self._view_showing(doc_id) is None and doc_id in self.workspace.documents:
            self._show_document(self.workspace.documents[doc_id])
        if self._view_showing(doc_id) is None:
            # Undo reaches across restarts, into documents this session did
            # not open: the change is real, so say where it was made.
            self.notify(f"{change_done(verb, change)} in {self.workspace.document_name(doc_id)}, "
                        "which is not open here", timeout=8)
        if change.kind == "group" and change.steps <= 1:  # several annotations at once
            view = self._view_showing(doc_id)
            if view is not None:
                view.move_to(ann.start)
            if change.before is None:  # an accepted quote with its speaker and said_by
                what = f"the {ann.label} tag with its relations"
            elif change.after is None:
                what = f"removing {article(ann.label)} with its relations"
            else:
                what = f"change of {ann.label} with its relations"
            self._after_change(doc_id, f"{verb} {what}")
            return
        view = self._view_showing(doc_id)
        if view is not None:
            if ann.doc_id == doc_id:  # a dropped orphan's offsets are its old text's
                view.move_to(ann.start)
            # To the pane, to show the change; but an undo in the Annotations
            # list of that document stays there, as x, r and = there do.
            if not view.has_focus and not (self.screen.focused is self._annotation_list
                                           and view is self.active_view):
                view.focus()
        if change.steps > 1:  # a group (A): the document's annotations are read again
            self._after_change(doc_id, change_done(verb, change))
            return
        if change.kind == "reject":  # a suggestion, not an annotation, comes or goes
            gone, back = None, None
        elif change.kind in ("place", "drop"):  # `before` is an orphan: the list's, not the text's
            gone, back = (change.after, None) if verb == "undid" else (None, change.after)
        else:  # undo takes `after` away and puts `before` back; redo the reverse
            gone, back = (change.after, change.before) if verb == "undid" else (
                change.before, change.after)
        self._after_change(doc_id, change_done(verb, change),
                           removed=[a for a in (gone,) if a is not None],
                           added=[a for a in (back,) if a is not None])

    # -- moving around ---------------------------------------------------

    def action_next(self) -> None:
        self._step(forward=True)

    def action_previous(self) -> None:
        self._step(forward=False)

    def _step(self, *, forward: bool) -> None:
        """n / N: the next search match while a search is on, else the next annotation."""
        view = self.active_view
        if self.search_query:
            starts = [s for s, _ in self.search_matches]
        elif self.adjudicating:  # the disagreements still to decide, a stop each
            from annotations.adjudication import stops

            starts = stops(self._disagreements(view.document.id)[0])
        else:
            starts = view.annotation_starts  # 10,000 of them: bisected, not scanned
        target, wrapped = step_from(starts, view.cursor, forward=forward)
        if target is None:
            if self.adjudicating and not self.search_query:
                self.notify("No disagreement left to decide in this document", timeout=3)
            return
        view.move_to(target)
        if self.search_query:
            # The match is selected, as `"` selects a quotation: a label key
            # tags just it (`/Maria Lopez⏎` then the speaker's key), a motion
            # drops it. The cursor stays at its start, for n, N and the count.
            end = next((e for s, e in self.search_matches if s == target), target)
            if end > target:
                view.select(target, end, cursor_at_start=True)
            if wrapped and len(starts) > 1:
                self.notify("Search wrapped to the " + ("top" if forward else "bottom"),
                            timeout=2)
            self._refresh_status()

    def action_search(self) -> None:
        self._ask(
            "search", "Search this document (re: for a regular expression)", self.search_query,
            replace=True,
        )

    def _run_search(self, query: str) -> None:
        from annotations.search import find  # at the first search, not before the first frame

        view = self.active_view
        try:
            found = find(view.text, query)
        except NewsmarkError as err:
            self.notify(str(err), severity="error", timeout=6)
            return
        matches = found.matches
        self.search_matches, self.search_query = matches, query
        view.set_matches(matches)
        if found.only_empty:  # re:^, re:\b: found, but nothing to highlight or go to
            self.notify(f"{query} matches only empty text: nothing to show", timeout=3)
        elif not matches:
            self.notify(f"Not found: {query}", timeout=3)
        else:
            self._step(forward=True)
        self._refresh_status()

    def _search_position(self, cursor: int) -> str:
        """'match 3 of 12' while the cursor is on a match, else how many there are."""
        matches = self.search_matches
        index = bisect_right(matches, (cursor, len(self.active_view.text) + 1)) - 1
        if 0 <= index and matches[index][0] <= cursor < max(matches[index][1],
                                                              matches[index][0] + 1):
            return f"match {index + 1} of {len(matches)} (n/N)"
        return f"{len(matches)} found (n/N)"

    def _clear_search(self, view: ArticleView | None = None) -> None:
        """Forget the search, and its matches shown in `view` (the active pane's)."""
        if self.search_query:
            (view or self.active_view).set_matches([])
            self.search_matches, self.search_query = [], ""

    def action_next_document(self) -> None:
        self._cycle_document(1)

    def action_previous_document(self) -> None:
        self._cycle_document(-1)

    def _cycle_document(self, step: int) -> None:
        entries = self.workspace.entries
        if len(entries) < 2:
            self.notify("Only one document is open", timeout=2)
            return
        index = self.workspace.index_of(self.active_view.document.id)
        # The article in the other pane is skipped: two panes on one text
        # compare nothing.
        elsewhere = {v.document.id for v in self.views if v is not self.active_view}
        skip = elsewhere if len(entries) > 1 + len(elsewhere) else set()
        for _ in range(len(entries) - 1):
            index = (index + step) % len(entries)
            shown = entries[index].document
            if shown is not None and shown.id in skip:
                continue
            if entries[index].error is None:
                doc = self._load_entry(index)
                if doc is not None:
                    self._show_document(doc)
                    return

    def _show_document(self, doc: Document) -> None:
        view = self.active_view
        self._positions.pop(view.document.id, None)  # the latest last (see `_save_panes`)
        self._positions[view.document.id] = view.cursor
        self._clear_search()
        view.load(doc, self._segmentation_for(doc), self.workspace.annotations(doc.id),
                  cursor=self._positions.get(doc.id, 0))
        if self.adjudicating:
            self._merge_agreed(view)
        if self.show_others:
            self._show_others(view)
        self._remember_pane(view)
        self._show_relations(doc.id)
        if doc.id in self._suggesting:
            self._show_suggestions(view, self._suggestions_for(doc.id))
        self._compare_panes()
        self._refresh_panel()
        self._refresh_documents()
        self._refresh_status()

    def action_toggle_done(self) -> None:
        doc_id = self.active_view.document.id
        done = self.workspace.status(doc_id) == "done"
        try:
            self.workspace.set_status(doc_id, "in progress" if done else "done")
        except NewsmarkError as err:
            return self._failed(err)
        self._done[doc_id] = not done
        self.notify("Marked in progress" if done else "Marked done", timeout=2)
        # Saved like any change (the status line said "nothing changed yet").
        self._say_saved("marked in progress" if done else "marked done")
        self._refresh_documents()
        self._refresh_status()

    def action_toggle_panel(self) -> None:
        # `display`, not a class: a class restyled the panel and every list
        # in it (~2.5 ms of the key's frame); nothing else looks different.
        side = self.query_one("#side")
        side.display = not side.display
        self._panel_hidden_by_width = False  # the person's choice stands
        if self.size.width < NARROW:  # and is what a narrow terminal gets from now on
            self._panel_when_narrow = side.display
        self._fit_panes()

    def _fit_panes(self, width: int | None = None) -> None:
        """On a narrow terminal, the side panel shares the width with one pane, not two."""
        width = width or self.size.width
        panel = self.query_one("#side").display
        one_pane = panel and width < ONE_PANE_WITH_PANEL
        for view in self.views:
            # `display`, not a class: a class restyled the pane (its fifteen
            # component styles, ~1.6 ms) though nothing in it changes.
            view.display = not (one_pane and view is not self.active_view)
        # At 80 columns the key bar was cut off at the second label key: a
        # narrow one drops its spacing and the palette's key (still ctrl+p,
        # and in the help), so that every label key shows.
        key_bar = self.query_one(KeyBar)
        key_bar.compact = width < NARROW
        key_bar.show_command_palette = width >= NARROW
        # A list that had the focus, put away with the panel: nothing had it
        # (no cursor anywhere, the keys did nothing) until Tab.
        focused = self.screen.focused
        if focused is not None and not all(node.display for node in focused.ancestors_with_self):
            self.screen.set_focus(self.active_view)

    def on_resize(self, event: events.Resize) -> None:
        if hasattr(self, "active_view"):  # the first resize comes before on_mount
            # The event's size: `self.size` is changed after this handler runs.
            width, side = event.size.width, self.query_one("#side")
            # Narrowed as if started narrow: two panes, the panel put away
            # (and back when widened again), unless `p` showed it while narrow.
            if (width < NARROW <= self.size.width and side.display
                    and not self._panel_when_narrow):
                side.display = False
                self._panel_hidden_by_width = True
            elif width >= NARROW > self.size.width and self._panel_hidden_by_width:
                side.display = True
                self._panel_hidden_by_width = False
            self._fit_panes(width)

    def action_help(self) -> None:
        labels = [(label.key, label.name) for label in self.workspace.config.labels]
        from tui.help_screen import HelpScreen

        self.push_screen(HelpScreen(labels, self.keys))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """The command palette offers every action by name."""
        yield from super().get_system_commands(screen)
        for label in self.workspace.config.labels:
            yield SystemCommand(markup_escaped(f"Tag {label.name}"),
                                markup_escaped(f"Key {label.key}"),
                                lambda name=label.name: self.action_tag(name))
        from annotations.formats import EXPORT_FORMATS

        for fmt in EXPORT_FORMATS:
            target = "a folder" if fmt == "brat" else "a file"  # brat writes a folder
            yield SystemCommand(f"Export as {fmt}", f"The whole store, to {target} you name "
                                "(as newsmark export --format " + fmt + ")",
                                lambda fmt=fmt: self._ask_export(fmt))
        for binding in [*ARTICLE_VIEW_BINDINGS, *APP_BINDINGS]:
            if binding.action in ("quit", "help") or binding.id.startswith("extend-"):
                continue
            target = self if binding in APP_BINDINGS else None
            yield SystemCommand(
                markup_escaped(binding.tooltip or binding.description),
                markup_escaped(f"Key {key_display(self.keys.get(binding.id, binding.key))}"),
                lambda b=binding, t=target: self._run_from_palette(b.action, t),
            )

    @staticmethod
    def _make_side_lists() -> list[RelationList | OrphanList | SuggestionList]:
        from tui.orphan_list import OrphanList
        from tui.suggestion_list import SuggestionList

        return [RelationList(id="relation-list"), OrphanList(id="orphan-list"),
                SuggestionList(id="suggestion-list")]

    async def _mount_side_lists(self) -> None:
        if self._side_lists:
            return
        lists = self._make_side_lists()
        try:
            await self.query_one("#side").mount(*lists, before=self.query_one(DocumentList))
        except MountError:
            return  # the app is closing: an app that quits at its first frame has no screen left
        self._side_lists = {type(found): found for found in lists}
        self._refresh_panel()

    def _side_list(self, kind: type[_SideList]) -> _SideList | None:
        """One of the lists hidden while empty; None until mounted (nothing to show then)."""
        found = self._side_lists.get(kind)
        return found if isinstance(found, kind) else None

    def _document_edges(self, doc_id: str) -> list[Any]:
        if doc_id not in self._doc_edges:
            self._doc_edges[doc_id] = self.workspace.edges(doc_id)
        return self._doc_edges[doc_id]

    def _prompt_bar(self) -> PromptBar:
        return self.query_one(PromptBar)

    def _ask(self, purpose: str, question: str, value: str = "", *,
             replace: bool = False) -> None:
        """Open the prompt; the status line says what it asks (a prompt holding a
        value, a path offered or a note to edit, hides its placeholder)."""
        self._prompt_bar().ask(purpose, question, value, replace=replace)
        self._refresh_status()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # / and m are priority bindings (see tui/bindings.py): inside a prompt
        # they are typed, and on the help or link screen they do nothing.
        if action in ("search", "note"):
            return not isinstance(self.focused, Input) and len(self.screen_stack) == 1
        if action in ("focus_next", "focus_previous"):
            # The reader's own (see UNLISTED_APP_BINDINGS); on another screen its own Tab.
            return len(self.screen_stack) == 1
        if action in ("remove_annotation", "relabel"):
            # They act on the article or the Annotations list: from another
            # list (documents, suggestions) the key bar offered x and r, and
            # they only said so.
            return not isinstance(self.focused, VirtualList) or isinstance(
                self.focused, AnnotationList)
        return True

    def _ask_export(self, fmt: str) -> None:
        from tui.export_report import default_target

        # Selected: a path typed replaces the one offered (it was appended
        # to it: ".../newsmark-export.jsonlout/x.jsonl").
        self._ask(f"export:{fmt}", f"Export {fmt} to (Enter writes)",
                  str(default_target(fmt, Path.cwd())), replace=True)

    def _export(self, fmt: str, target: str) -> None:
        """Export the whole store as `newsmark export --format FMT --out TARGET` does."""
        from annotations.export import ExportOptions, check_target
        from tui.export_report import report

        if not target.strip():
            self.notify("Nothing exported: no file named", timeout=3)
            return
        path = Path(target.strip()).expanduser()
        # One process: forking worker processes from inside the reader is not worth it.
        options = ExportOptions(format=fmt, jobs=1)
        if path.exists():
            self.notify(f"{path} exists: nothing exported; give another name", severity="error",
                        timeout=8)
            return
        try:
            options.check(path)
            check_target(path, fmt, force=False)
            counts = self.workspace.export(options, path)
        except NewsmarkError as err:
            self.notify(str(err), severity="error", timeout=10)
            return
        lines = report(counts, options, path)
        self.notify("\n".join(f"{kind}: {text}" if kind else text for kind, text in lines),
                    severity="warning" if any(kind == "warning" for kind, _ in lines)
                    else "information", timeout=10)

    async def _run_from_palette(self, action: str, target: App | None) -> None:
        # run_action is a coroutine: the palette awaits what its callback
        # returns, so this must be awaited here (not merely called).
        await self.run_action(action, target or self.active_view)

    # -- comparing two outlets -------------------------------------------

    # -- long articles: text first, sentences and tokens in the background --

    def _segmentation_for(self, doc: Document, *, first_paint: bool = False) -> Segmentation:
        """The document's segmentation, or paragraphs only while Punkt runs on it.

        The first frame draws no sentence, so it gets none (`unknown`):
        a short article is segmented right after that paint (importing NLTK
        and training Punkt cost ~0.3 s), a long one gets its paragraphs then
        (a pass over the whole text, ~3 ms a MB) while Punkt runs in the
        background; either before the first key if one comes sooner.
        """
        if not self.workspace.segments_slowly(doc.id):
            if not first_paint or self.workspace.is_segmented(doc.id):
                seg = self.workspace.segmentation(doc.id)
                if self.workspace.warnings or self.workspace.cleaning_notes:
                    self.call_later(self._report_warnings)
                return seg
            if not self._deferred:
                self.call_after_refresh(self._segment_deferred)
            self._deferred.add(doc.id)
            return Segmentation.unknown(doc.text)
        if doc.id not in self._segmenting:
            self._segmenting[doc.id] = 0.0
            # After the first paint: the worker shares the GIL with drawing.
            self.call_after_refresh(self._segment_in_background, doc.id)
        if first_paint:
            if not self._paragraphs_due:
                self.call_after_refresh(self._show_paragraphs)
            self._paragraphs_due.add(doc.id)
            return Segmentation.unknown(doc.text)
        return Segmentation.provisional(doc.text)

    def _show_paragraphs(self) -> None:
        """Paragraphs for the long articles the first frame showed with nothing found."""
        due, self._paragraphs_due = self._paragraphs_due, set()
        for view in self.views:
            doc_id = view.document.id
            if doc_id in due:
                # Punkt may be done already, its message not handled yet.
                view.set_segmentation(self.workspace.segmentation(doc_id)
                                      if self.workspace.is_segmented(doc_id)
                                      else Segmentation.provisional(view.text))
        self._refresh_status()

    # A failing worker must not stop the reader: its error is shown
    # (on_worker_state_changed) and the text stays readable.
    def _segment_in_background(self, doc_id: str) -> None:
        self._segment(self.workspace.segmentation_job(doc_id))

    @work(thread=True, group="segment", exit_on_error=False)
    def _segment(self, job: SegmentationJob) -> None:
        # Reads only the job: the workspace keeps what it found, on this
        # app's thread (`on_segmentation_ready`; annotations/worker_jobs.py).
        def segment(stop: Callable[[], bool]) -> SegmentationDone:
            def progress(fraction: float) -> None:
                if stop():
                    raise WorkStopped  # the next start segments it again
                self.post_message(SegmentationProgress(job.doc_id, fraction))

            return job.run(progress)

        if (done := unless_cancelled(segment)) is not None:
            self.post_message(SegmentationReady(done))

    def on_segmentation_progress(self, message: SegmentationProgress) -> None:
        if message.doc_id not in self._segmenting:
            return  # finished already: a late progress report
        self._segmenting[message.doc_id] = message.fraction
        if self.active_view.document.id == message.doc_id:
            self._refresh_status()

    def on_segmentation_ready(self, message: SegmentationReady) -> None:
        doc_id = message.done.doc_id
        seg = self.workspace.keep_segmentation(message.done)
        self._segmenting.pop(doc_id, None)
        self._report_warnings()
        for view in self.views:
            if view.document.id == doc_id:
                view.set_segmentation(seg)
        self._compare_panes()
        self._refresh_status()

    def _segment_deferred(self) -> None:
        """Segment the short documents the first frame showed with paragraphs only."""
        if not self._deferred:
            return
        pending, self._deferred = self._deferred, set()
        for view in self.views:
            if view.document.id in pending:
                view.set_segmentation(self.workspace.segmentation(view.document.id))
        self._report_warnings()
        self._compare_panes()
        self._refresh_status()

    async def on_event(self, event: events.Event) -> None:
        # A key typed before the deferred segmentation ran must see real
        # sentences and words (motions and tags use them).
        if isinstance(event, events.Key):
            if self._paragraphs_due:
                self._show_paragraphs()
            if self._deferred:
                self._segment_deferred()
        await super().on_event(event)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A background job that failed is named; the reader goes on without it."""
        if event.state != WorkerState.ERROR:
            return
        what = {"align": "Comparing the two panes", "segment": "Finding sentences"}.get(
            event.worker.group, "A background job")
        error = event.worker.error
        where = self._log_crash("".join(traceback.format_exception(error)))
        self.notify(f"{what} failed ({type(error).__name__}); the text stays readable. {where}",
                    severity="error", timeout=10, markup=False)

    def _report_warnings(self) -> None:
        """What the workspace got past without losing anything (a damaged stored
        segmentation, a file not read as UTF-8), then what cleaning took out of
        the files: news, shown for less time (they covered a pane for 10 s)."""
        while self.workspace.warnings:
            self.notify(self.workspace.warnings.pop(0), severity="warning", timeout=10)
        while self.workspace.cleaning_notes:
            self.notify(self.workspace.cleaning_notes.pop(0), timeout=5)

    def _still_segmenting(self) -> bool:
        """Tagging needs sentences and tokens: say so while they are being found."""
        self._segment_deferred()
        fraction = self._segmenting.get(self.active_view.document.id)
        if fraction is None:
            return False
        self.notify(f"Still finding sentences and words ({fraction:.0%}); "
                    "you can read and scroll meanwhile", timeout=3)
        return True

    def _compare_panes(self) -> None:
        """Align the two panes' sentences, in a worker: long articles take seconds."""
        views = self.views
        if any(view.document.id in self._segmenting or view.document.id in self._deferred
               for view in views):
            return  # called again when segmentation is done
        if len(views) < 2 or views[0].document.id == views[1].document.id:
            self._alignment = None
            for view in views:
                view.set_margin([], self._linked_spans(view))
                view.set_counterparts([])
            return
        a_id, b_id = views[0].document.id, views[1].document.id
        known = self.workspace.known_alignment(a_id, b_id)
        if known is not None:
            self.post_message(AlignmentReady(a_id, b_id, known))
        else:
            self._align(self.workspace.alignment_job(a_id, b_id))

    @work(thread=True, exclusive=True, group="align", exit_on_error=False)
    def _align(self, job: AlignmentJob) -> None:
        # Cancelled when the reader closes, or when another alignment
        # replaces this one (`exclusive`): the thread stops too.
        if (alignment := unless_cancelled(job.run)) is not None:  # reads only the job
            self.post_message(AlignmentReady(job.a_id, job.b_id, alignment))

    def on_alignment_ready(self, message: AlignmentReady) -> None:
        a_id, b_id = message.a_id, message.b_id
        alignment = self.workspace.keep_alignment(a_id, b_id, message.alignment)
        a, b = self.views[:2]
        if (a.document.id, b.document.id) != (a_id, b_id):
            return  # a pane moved on while this was computed
        self._alignment = (a_id, b_id, alignment)
        a.set_margin([a.segmentation.sentences[i] for i in alignment.unmatched_a()],
                     self._linked_spans(a))
        b.set_margin([b.segmentation.sentences[i] for i in alignment.unmatched_b()],
                     self._linked_spans(b))
        self._show_counterparts(self.active_view)

    def _show_counterparts(self, view: ArticleView) -> None:
        if self._alignment is None:
            return
        views = self.views
        side = "a" if view is views[0] else "b"
        other = views[1] if side == "a" else views[0]
        spans = self._alignment[2].counterpart_spans(side, view.cursor)
        view.set_counterparts([])
        other.set_counterparts(spans)
        if self.follow and spans and not spans[0][0] <= other.cursor < spans[-1][1]:
            # Its cursor goes there too: Tab into the pane lands on the
            # counterpart, not on a cursor the scrolling left off screen.
            other.move_to(spans[0][0])

    def action_toggle_follow(self) -> None:
        self.follow = not self.follow
        self.notify("Follow on: the other pane keeps up" if self.follow else "Follow off",
                    timeout=2)
        self._show_counterparts(self.active_view)

    def _linked_spans(self, view: ArticleView) -> list[tuple[int, int]]:
        doc_id = view.document.id
        ends = {end for link in self.workspace.links(doc_id)
                for end in ((link.a_doc, link.a_ann), (link.b_doc, link.b_ann))}
        return [(a.start, a.end) for a in view.annotations if (doc_id, a.id) in ends]

    def action_link(self) -> None:
        views = self.views
        if len(views) < 2 or views[0].document.id == views[1].document.id:
            self.notify("Open two different articles to link across them", timeout=3)
            return
        ends = [self._link_end(view) for view in views[:2]]
        if not all(ends):
            self.notify("Put each pane's cursor on an annotation first", timeout=3)
            return
        a, b = ends[0][0], ends[1][0]
        from tui.link_screen import LinkScreen

        self.push_screen(
            LinkScreen(f"{a.label}: {excerpt(a.text)}", f"{b.label}: {excerpt(b.text)}"),
            lambda relation: self._make_link(a, b, relation),
        )

    @staticmethod
    def _link_end(view: ArticleView) -> list[Annotation]:
        # `)` stops on a sentence's opening quote mark, just outside the quote.
        found = view.under_cursor()
        if not found and view.text[view.cursor : view.cursor + 1] in "“‘\"'«„":
            found = view.annotations_at(view.cursor + 1)
        return found

    def _make_link(self, a: Annotation, b: Annotation, relation: str | None) -> None:
        if relation is None:
            return
        try:
            link = self.workspace.link(a, b, relation)
        except NewsmarkError as err:
            return self._failed(err)
        if link is None:
            self.notify("They are linked so already", timeout=2)
        else:
            self._after_link_change(f"linked: {link.label}")

    def _after_link_change(self, what: str) -> None:
        for view in self.views:
            view.set_linked(self._linked_spans(view))
        self._say_saved(what)
        self._refresh_panel()
        self._refresh_status()

    def _say_saved(self, what: str | None) -> None:
        """The status line after a change (`what`; None: after trying to send the
        outbox): saved, or (server away) kept in the outbox."""
        pending = self.workspace.unsent_changes
        if pending:
            # Counted as the person sees them: work, not where the panes stand.
            edits = self.workspace.unsent_edits
            waiting = plural(edits, "change")
            if what:
                self.saved = (f"NOT SAVED on the server: {what} kept on this machine "
                              f"({waiting} waiting to be sent)")
            elif edits:
                self.saved = (f"NOT SAVED on the server: {waiting} kept on this machine, "
                              "waiting to be sent")
            else:
                self.saved = ("server unreachable: where you are in the documents is kept "
                              "on this machine until it is back")
            self._error = True
        else:
            self.saved = f"saved ✓ {what} at {datetime.now():%H:%M:%S}"
            self._error = False

    # -- helpers ---------------------------------------------------------

    def _annotation_under_cursor(self) -> Annotation | None:
        """What x, r and m act on (`_spans_in_focus`): in the annotation list,
        its highlighted row; in an article, the span under the cursor that `;`
        points at (else the innermost)."""
        if isinstance(self.focused, VirtualList) and self.focused is not self._annotation_list:
            # Another list (relations, orphans, documents) has the focus: the
            # article's cursor is out of sight, and a remapped key falling
            # through from that list removed a span there without a word.
            self.notify("This acts on the article or the Annotations list, not this list",
                        timeout=3)
            return None
        found, listed = self._spans_in_focus(self.active_view)
        if not found:
            self.notify("The list has no annotation" if listed else
                        "No annotation under the cursor", timeout=2)
            return None
        return found[0]

    def _view_showing(self, doc_id: str) -> ArticleView | None:
        return next((v for v in self.views if v.document.id == doc_id), None)

    def _save_panes(self) -> None:
        if self.workspace.read_only or not self._panes_dirty:
            return
        active = self.active_view.id
        panes = [replace(self._panes[key], focused=key == active) for key in sorted(self._panes)]
        shown = {pane.doc_id for pane in panes}
        # The cursors of the documents left, the latest last, kept to a bound.
        left = [(doc_id, cursor) for doc_id, cursor in self._positions.items()
                if doc_id not in shown][-MAX_REMEMBERED_CURSORS:]
        panes += [Pane(doc_id, cursor=cursor, shown=False) for doc_id, cursor in left]
        try:
            self.workspace.save_panes(panes)
            self._panes_dirty = False
        except NewsmarkError:
            pass  # where the panes were is a convenience, not work to lose

    def _after_change(
        self,
        doc_id: str,
        what: str,
        *,
        removed: Iterable[Annotation] | None = None,
        added: Iterable[Annotation] | None = None,
        orphans: bool = True,
    ) -> None:
        """Show a saved change. Given what was `removed` and `added` (either),
        only their rows are redrawn; else the document's annotations are re-read."""
        incremental = removed is not None or added is not None
        removed, added = list(removed or ()), list(added or ())
        self._undecided.pop(doc_id, None)
        linked = bool(self.workspace.links(doc_id))
        for view in self.views:
            if view.document.id != doc_id:
                continue
            if incremental:
                view.change_annotations(removed, added)
            else:
                view.set_annotations(self.workspace.annotations(doc_id))
            if linked:  # a linked annotation may have gone or come back
                view.set_linked(self._linked_spans(view))
            if doc_id in self._suggesting:  # an undone accept or reject shows again
                self._show_suggestions(view, self._suggestions_for(doc_id))
        self._relations_touched(doc_id, [*removed, *added] if incremental else None)
        self._say_saved(what)
        self._refresh_panel(orphans=orphans or not incremental)
        self._refresh_document_row(doc_id)
        self._refresh_status()

    def _failed(self, err: NewsmarkError) -> None:
        self._undecided.clear()
        self._error = True
        self.saved = "NOT SAVED: see the message"
        self.notify(str(err), severity="error", timeout=15)
        # The screen shows what the store holds, whatever part of the change
        # reached the disk (a change saved whose undo step was not, say).
        with contextlib.suppress(NewsmarkError):
            for view in self.views:
                view.set_annotations(self.workspace.annotations(view.document.id))
            self._refresh_panel()
        self._refresh_status()

    def _refresh_panel(self, *, orphans: bool = True) -> None:
        doc_id = self.active_view.document.id
        links: dict[str, str] = {}
        for link in self.workspace.links(doc_id):
            for end_doc, end_ann in ((link.a_doc, link.a_ann), (link.b_doc, link.b_ann)):
                if end_doc == doc_id:
                    links[end_ann] = link.label
        # A virtual list: showing costs the rows on screen, not the count.
        self.query_one(AnnotationList).show(doc_id, self.active_view.annotations, links)
        if not self._side_lists:
            return  # the lists hidden while empty join after the first frame
        from tui.orphan_list import OrphanList
        from tui.suggestion_list import SuggestionList

        relation_list = self._side_list(RelationList)
        if relation_list is not None:
            relation_list.show(doc_id, self._document_edges(doc_id))
        orphan_list = self._side_list(OrphanList)
        if orphans and orphan_list is not None:
            orphan_list.show(doc_id, self.workspace.orphans(doc_id))
        view = self.active_view
        suggestion_list = self._side_list(SuggestionList)
        if suggestion_list is not None:
            suggestion_list.show(doc_id, view.text, view.suggestions)

    def _heard_from_team(self) -> None:
        """Others changed documents: show their spans and statuses (cheap when none did).

        Changes kept while the server was away are sent from here too, and
        a listener lost with the connection is made again (every
        RELISTEN_SECONDS at most: connecting to a host that is down waits).
        """
        ws = self.workspace
        if ws.unsent_changes:
            with contextlib.suppress(NewsmarkError):
                ws.send_unsent_changes()
            self._say_saved(None if ws.unsent_changes else "sent the changes kept meanwhile")
            self._refresh_status()
        changed: set[str] | None = None
        if self._listener is None:
            if ws.unsent_changes or time.monotonic() - self._listen_tried < RELISTEN_SECONDS:
                return
            self._listen_tried = time.monotonic()
            try:
                self._listener = ws.listen()
            except NewsmarkError:
                return
            changed = {view.document.id for view in self.views}  # missed meanwhile
        else:
            try:
                changed = self._listener.changed(timeout=0)
            except Exception:  # the listener's connection went away: heard again later
                self.notify("lost the connection to the store: others' changes are not shown "
                            "until it is back", severity="warning")
                self._listener.close()
                self._listener = None
                self._listen_tried = time.monotonic()
                return
        if not changed:
            return
        self.workspace.refresh_team()
        with contextlib.suppress(NewsmarkError):
            for view in self.views:
                if view.document.id in changed:
                    view.set_annotations(self.workspace.annotations(view.document.id))
                    self._undecided.pop(view.document.id, None)
                    if self.show_others:  # others' layers, when shown, are live too
                        self._show_others(view)
            self._refresh_panel(orphans=False)
        self._refresh_documents()
        self._refresh_status()  # the legend of others' marks, a new one among them

    def _refresh_documents(self) -> None:
        current = self.workspace.index_of(self.active_view.document.id)
        self.query_one(DocumentList).show(len(self.workspace.entries), self._document_row,
                                          current)

    def _refresh_document_row(self, doc_id: str) -> None:
        """A change alters one document's counts and status: redraw its row only."""
        index = self.workspace.entry_index(doc_id)
        if index is not None:  # undo may reach a document not given this time
            self.query_one(DocumentList).refresh_row(index)

    def _document_row(self, index: int) -> tuple[Text, Text]:
        """Drawn only for the rows on screen: unread articles cost nothing."""
        entry = self.workspace.entries[index]
        name = self.workspace.entry_name(index)
        if entry.error is not None:
            return describe_document(name, "unreadable", None)
        if entry.document is None:
            return describe_document(name, self.workspace.last_status(index), None)
        doc_id = entry.document.id
        return describe_document(name, self.workspace.status(doc_id),
                                 self.workspace.counts(doc_id), self.workspace.team_status(doc_id))

    def _spans_in_focus(self, view: ArticleView) -> tuple[list[Annotation], bool]:
        """What x, r, m, = and c act on, first (the rest under the cursor after
        it), and whether it is the Annotations list's highlighted row."""
        listed = self._annotation_list
        # The screen's focus, not `has_focus`: that follows the Blur message,
        # after the focus watcher has asked.
        if self.screen.focused is listed:
            row = listed.highlighted_annotation
            return ([] if row is None else [row]), True
        return view.under_cursor(), False

    def _under_cursor(self, view: ArticleView) -> str:
        """The annotation (or suggestion) under the cursor: label, note, how it was found.

        Notes were readable only through m; a fuzzy-matched span could not be
        told apart once the message about it was gone; a suggestion's label
        was unknown until it was accepted.
        """
        found, listed = self._spans_in_focus(view)
        if found:
            ann = found[0]
            parts = [f"on {ann.label}" + (" (the list's row)" if listed else "")]
            if len(found) > 1:  # which of them x, r, m, = and c act on
                place = view.annotations_at(view.cursor).index(ann) + 1
                parts.append(f"({place} of {len(found)} here: {short(ann.text, 24)} · "
                             "; for the next)")
            if ann.note:
                parts.append(f"✎ {ann.note}")
            if ann.reanchored == "fuzzy":
                parts.append("≈ found approximately in the changed text (a confirms)")
            return " ".join(parts)
        suggestion = view.suggestion_at(view.cursor) if view.suggestions else None
        if suggestion is not None:
            by = f"model {suggestion.score:.2f}" if suggestion.origin == "model" else "rule"
            return f"suggested {suggestion.label}: a accepts, R rejects ({by})"
        return ""

    def _refresh_status(self) -> None:
        view = self.active_view
        if not view.is_attached:
            return  # the reader is closing (its widgets go first): a worker's late report
        seg = view.segmentation
        index = seg.sentence_at(view.cursor)
        selection = view.selection
        modes = []
        prompt = self._prompt_bar()
        if prompt.purpose:
            modes.append(f"{prompt.placeholder} · Esc cancels")
        if self.pending == "relabel":
            modes.append("RELABEL: press a label key")
        if self.pending == "place":
            modes.append("PLACE ORPHAN: select, then press a label key")
        if self.pending == "relate":
            modes.append("RELATE: go to the other span, press c")
        if self.search_query:
            modes.append(f"search “{self.search_query}”: " + self._search_position(view.cursor))
        if (under := self._under_cursor(view)):
            modes.append(under)
        if (related := self._cursor_relations()):  # its values and relations
            modes.append(related)
        if self.follow:
            modes.append("FOLLOW")
        doc_id = view.document.id
        if doc_id not in self._done:
            self._done[doc_id] = self.workspace.status(doc_id) == "done"
        if self._done[doc_id]:
            modes.append("DONE ✓ (d: not done)")
        if self.adjudicating:
            modes.append(self._adjudication_status())
        if self.show_others and self._other_marks:
            legend = [f"{mark}={safe(name)}" for name, mark in sorted(self._other_marks.items())]
            if len(legend) > 1:
                legend.append(f"{SEVERAL_MARK}=several")
            modes.append("others: " + " ".join(legend))
        if (fraction := self._segmenting.get(view.document.id)) is not None:
            modes.append(f"finding sentences {fraction:.0%}…")
        if self.model_status:
            modes.append(self.model_status)
        self.query_one(StatusBar).show(
            counts=view.label_counts,
            labels=[label.name for label in self.workspace.config.labels],
            sentence=None if index is None else (index, len(seg.sentences)),
            selection=0 if selection is None else selection[1] - selection[0],
            selecting=view.selecting,
            mode=" · ".join(modes),
            saved=self.saved,
            error=self._error,
            annotator=self.workspace.annotator,
        )

    # -- never a traceback on the screen ---------------------------------

    def _log_crash(self, details: str) -> str:
        """Append `details` to the crash log; a sentence saying where they are."""
        # A PostgreSQL store has no folder: the log goes to the current one.
        log = (self.workspace.folder or Path.cwd()) / CRASH_LOG
        try:
            with log.open("a", encoding="utf-8") as out:
                out.write(f"--- {datetime.now().isoformat()}\n{details}\n")
        except OSError:
            return "The details could not be written down."
        return f"The details are in {log}."

    def _fatal_error(self) -> None:
        """An unexpected error: keep the details in a log, tell the person plainly.

        Every change was saved when it was made, so nothing is lost by
        stopping; a traceback on the screen would only hide that.

        Textual 8.2 calls this (private) method on an unhandled exception and
        offers no public hook for it: it is overridden here only, its body
        uses public calls (`panic`), Textual is pinned to 8.2.x, and
        `tests/test_app.py` checks the log and the exit.
        """
        where = self._log_crash(traceback.format_exc())
        self.bell()
        self.panic(Text(
            "newsmark stopped on an internal error. Every change you made before it is saved. "
            f"{where} Please report it.", style="bold"))
