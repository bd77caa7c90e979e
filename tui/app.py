"""The newsmark app: article panes side by side, a side panel, a status line."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from textual.app import App, ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Footer, Header

from annotations.errors import NewsmarkError
from annotations.model import Annotation, Document
from annotations.workspace import Workspace
from tui.annotation_list import AnnotationList
from tui.article_view import ArticleView
from tui.bindings import APP_BINDINGS
from tui.document_list import DocumentList
from tui.messages import AnnotationChosen, CursorMoved, DocumentChosen
from tui.status_bar import StatusBar

MAX_PANES = 2
NARROW = 110  # below this many columns the side panel starts hidden


class NewsmarkApp(App[None]):
    TITLE = "newsmark"
    BINDINGS = APP_BINDINGS

    DEFAULT_CSS = """
    #main { height: 1fr; }
    #panes { width: 1fr; }
    #side { width: 30%; min-width: 30; max-width: 56; }
    #side.-hidden { display: none; }
    """

    def __init__(
        self,
        workspace: Workspace,
        *,
        notices: list[str] | None = None,
    ) -> None:
        super().__init__()
        self.workspace = workspace
        self.notices = notices or []
        self.saved = "nothing changed yet"
        self._error = False
        labels = workspace.config.labels
        self._label_styles = {label.name: (i, label.color) for i, label in enumerate(labels)}
        for label in labels:
            # Label keys come from the project's config, so they are bound
            # here rather than declared with the static bindings.
            self._bindings.bind(
                label.key, f"tag('{label.name}')", f"Tag {label.name}", show=True
            )
        self.sub_title = f"store {workspace.store.root}"
        if workspace.store.read_only:
            self.sub_title += " (read-only)"

    # -- layout ----------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header(icon="✎")
        with Horizontal(id="main"):
            with Horizontal(id="panes"):
                for index, doc in enumerate(self.workspace.order[:MAX_PANES]):
                    yield self._make_view(doc, f"pane-{index}")
            with Vertical(id="side"):
                yield AnnotationList(id="annotation-list")
                yield DocumentList(id="document-list")
        yield StatusBar(id="status")
        yield Footer()

    def _make_view(self, doc: Document, view_id: str) -> ArticleView:
        return ArticleView(
            doc,
            self.workspace.segmentation(doc.id),
            self.workspace.annotations(doc.id),
            label_styles=self._label_styles,
            id=view_id,
        )

    def on_mount(self) -> None:
        self.active_view = self.query(ArticleView).first()
        self.active_view.focus()
        if self.size.width < NARROW:
            self.query_one("#side").add_class("-hidden")
        self._refresh_panel()
        self._refresh_documents()
        self._refresh_status()
        for notice in self.notices:
            self.notify(notice, severity="warning", timeout=10)

    # -- reacting --------------------------------------------------------

    def on_descendant_focus(self, event) -> None:
        if isinstance(event.widget, ArticleView) and event.widget is not self.active_view:
            self.active_view = event.widget
            self._refresh_panel()
            self._refresh_status()

    def on_cursor_moved(self, message: CursorMoved) -> None:
        if message.view_id == self.active_view.id:
            self._refresh_status()

    def on_annotation_chosen(self, message: AnnotationChosen) -> None:
        view = self._view_showing(message.doc_id)
        if view is not None:
            view.move_to(message.start)
            view.focus()

    def on_document_chosen(self, message: DocumentChosen) -> None:
        view = self.active_view
        doc = self.workspace.documents[message.doc_id]
        view.load(doc, self.workspace.segmentation(doc.id), self.workspace.annotations(doc.id))
        view.focus()
        self._refresh_panel()
        self._refresh_status()

    # -- actions ---------------------------------------------------------

    def action_tag(self, label: str) -> None:
        view = self.active_view
        doc_id = view.document.id
        try:
            ann = self.workspace.tag(doc_id, view.cursor, view.selection, label)
        except NewsmarkError as err:
            return self._failed(err)
        if ann is None:
            self.notify("Already tagged with that label" if view.text else "Nothing to tag",
                        timeout=2)
            return
        view.action_clear_selection()
        self._after_change(doc_id, f"tagged {label}")

    def action_remove_annotation(self) -> None:
        view = self.active_view
        found = view.annotations_at(view.cursor)
        if not found:
            self.notify("No annotation under the cursor", timeout=2)
            return
        try:
            removed = self.workspace.remove(view.document.id, found[0].id)
        except NewsmarkError as err:
            return self._failed(err)
        if removed is not None:
            self._after_change(view.document.id, f"removed {removed.label}")

    def action_undo(self) -> None:
        self._replay(self.workspace.undo, "undid")

    def action_redo(self) -> None:
        self._replay(self.workspace.redo, "redid")

    def _replay(self, step, verb: str) -> None:
        try:
            change = step()
        except NewsmarkError as err:
            return self._failed(err)
        if change is None:
            self.notify(f"Nothing to {verb[:-1]}o" if verb == "undid" else "Nothing to redo",
                        timeout=2)
            return
        ann: Annotation = change.after or change.before  # type: ignore[assignment]
        view = self._view_showing(ann.doc_id)
        if view is not None:
            view.move_to(ann.start)
        self._after_change(ann.doc_id, f"{verb} {change.kind} {ann.label}")

    def action_next_annotation(self) -> None:
        view = self.active_view
        later = [a.start for a in view.annotations if a.start > view.cursor]
        if later:
            view.move_to(min(later))

    def action_previous_annotation(self) -> None:
        view = self.active_view
        earlier = [a.start for a in view.annotations if a.start < view.cursor]
        if earlier:
            view.move_to(max(earlier))

    def action_toggle_panel(self) -> None:
        self.query_one("#side").toggle_class("-hidden")

    def action_help(self) -> None:
        self.action_show_help_panel()

    # -- helpers ---------------------------------------------------------

    def _view_showing(self, doc_id: str) -> ArticleView | None:
        for view in self.query(ArticleView):
            if view.document.id == doc_id:
                return view
        return None

    def _after_change(self, doc_id: str, what: str) -> None:
        annotations = self.workspace.annotations(doc_id)
        for view in self.query(ArticleView):
            if view.document.id == doc_id:
                view.set_annotations(annotations)
        self.saved = f"saved ✓ {what} at {datetime.now():%H:%M:%S}"
        self._error = False
        self._refresh_panel()
        self._refresh_documents()
        self._refresh_status()

    def _failed(self, err: NewsmarkError) -> None:
        self.saved = "NOT SAVED: see the message"
        self._error = True
        self.notify(str(err), severity="error", timeout=15)
        self._refresh_status()

    def _refresh_panel(self) -> None:
        doc_id = self.active_view.document.id
        self.query_one(AnnotationList).show(doc_id, self.active_view.annotations)

    def _refresh_documents(self) -> None:
        ws = self.workspace
        rows = [(doc, ws.status(doc.id), ws.counts(doc.id)) for doc in ws.order]
        self.query_one(DocumentList).show(rows)

    def _refresh_status(self) -> None:
        view = self.active_view
        seg = view.segmentation
        index = seg.sentence_at(view.cursor)
        selection = view.selection
        self.query_one(StatusBar).show(
            counts=Counter(a.label for a in view.annotations),
            labels=[label.name for label in self.workspace.config.labels],
            sentence=None if index is None else (index, len(seg.sentences)),
            selection=0 if selection is None else selection[1] - selection[0],
            selecting=view.selecting,
            saved=self.saved,
            error=self._error,
        )
