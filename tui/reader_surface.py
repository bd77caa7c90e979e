"""What the reader's action mixins use of the app, declared once.

`NewsmarkApp` is assembled from mixins, one per concern (relations,
suggestions, adjudication, the model), kept apart from app.py. A mixin
does not import `tui.app` (the tui modules import each other without
cycles), so the app's state and helpers it calls are named here, for the
reader and for type checkers; the app provides them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from annotations.workspace import Workspace
    from tui.article_view import ArticleView


class ReaderSurface:
    """The app's parts an action mixin may use (annotations only: no values)."""

    workspace: Workspace
    active_view: ArticleView  # the focused pane (else the first)
    notify: Any
    query: Any
    query_one: Any
    push_screen: Any
    _still_segmenting: Any  # says so and returns True while the pane's text is segmented
    _side_list: Any  # one of the side panel's lists, if mounted
    _annotation_under_cursor: Any
    _spans_in_focus: Any  # what x, r, m, = act on first: the list's row or the pane's span
    _view_showing: Any  # the pane showing a document, if any
    _refresh_status: Any
    _failed: Any  # reports a NewsmarkError on the status line
    _after_change: Any  # redraws what a saved change touched and says it was saved
