"""The article view: one document, a cursor, a selection and coloured spans.

A Line-API `ScrollView` (as Textual's `Log` and the toolong viewer): the
text is wrapped into rows once per width, and only the rows on screen are
ever styled, each cached as a `Strip` until something on it changes. So a
key press costs the rows it touches, not the length of the article.

Article text is untrusted: it is drawn as plain `rich.text.Text` (never
parsed as markup), and control characters were neutralised on loading.
"""

from __future__ import annotations

import operator
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from rich.cells import cell_len
from rich.control import strip_control_codes
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.geometry import Size
from textual.reactive import var
from textual.scrollbar import ScrollBar
from textual.strip import Strip

from annotations.graphemes import cluster_at, cluster_start, next_boundary, previous_boundary
from annotations.model import Annotation, Document
from annotations.segmentation import Segmentation
from annotations.selection import expand, quotation_at
from annotations.span_index import SpanIndex
from tui.article_styles import LABEL_STYLES, ArticleStyles
from tui.bindings import ARTICLE_VIEW_BINDINGS
from tui.focus_edge import FocusShownOnTopEdge
from tui.literal import literal_content
from tui.messages import Cancelled
from tui.row_index import RowIndex
from tui.scroll_bar import vertical_scrollbar_of
from tui.scrolling import PaintedWholeWhenLaidOut, set_virtual_size
from tui.terminal_width import agreed_cells, agreed_form, agreed_text
from tui.wrap import wrap_offsets

if TYPE_CHECKING:
    from annotations.suggest import Suggestion  # imported when suggestions are first shown

MARGIN = 1  # cells of the left margin that marks unmatched and linked rows
# The margin's mark of a row holding spans of several other annotators (one
# cell holds one initial; the status line names who is under the cursor).
# Not a letter or digit: `layers.initials` never gives it.
SEVERAL_MARK = "+"
MAX_CACHED_ROWS = 2_000  # finished rows kept; a few screens' worth
MAX_WRAPPED_LINES = 20_000  # lines whose row offsets are kept
MAX_RELOCATIONS = 16  # re-counts while finding a row whose line's estimate was off


def _own_heading(document: Document) -> str:
    return document.heading


class ArticleView(PaintedWholeWhenLaidOut, FocusShownOnTopEdge, can_focus=True):
    BINDINGS = ARTICLE_VIEW_BINDINGS

    DEFAULT_CSS = """
    ArticleView {
        width: 1fr;
        height: 1fr;
        border: round $panel-lighten-2;
        border-title-color: $text-muted;
        padding: 0 1;
        scrollbar-size-vertical: 1;
        overflow-x: hidden;  /* rows are wrapped: nothing to scroll sideways */
    }
    /* The focus lights the top edge and the title only: a change of the
       focus then repaints that row, not the pane (tui/focus_edge.py). */
    ArticleView:focus {
        border-top: round $accent;
        border-title-color: $accent;
        border-title-style: bold;
    }
    """

    selecting: var[bool] = var(False, init=False)
    """Selection mode (`v`): every motion extends the selection (drawn nowhere in
    the pane: a `var`, so switching it does not repaint it)."""

    caret: var[tuple[int, int | None, bool]] = var((0, None, False), init=False)
    """The cursor, the selection's anchor and selection mode, set after each move.

    The app watches it and redraws the status line as the key runs: a message
    reached the app after the screen had painted the key, and the status
    line took a frame of its own.
    """

    @property
    def vertical_scrollbar(self) -> ScrollBar:
        # Its rows are kept between paints (tui/scroll_bar.py).
        return vertical_scrollbar_of(self)

    def __init__(
        self,
        document: Document,
        segmentation: Segmentation,
        annotations: Iterable[Annotation] = (),
        *,
        label_styles: dict[str, tuple[int, str | None]] | None = None,
        cursor: int = 0,
        id: str | None = None,
        heading: Callable[[Document], str] | None = None,
    ) -> None:
        super().__init__(id=id)
        # What the pane's title calls a document: the session's name for it
        # (`annotations.shown_names`: files sharing a name told apart).
        self._heading = heading or _own_heading
        self._label_styles = label_styles or {}
        # Finished rows keyed by the offset they start at: a key that stays
        # right when rows above are re-counted.
        self._cache: dict[int, Strip] = {}
        self._line_starts: list[int] = [0]
        self._line_rows: dict[int, list[int]] = {}  # line -> its rows' start offsets
        self._rows = RowIndex([1])
        self._wrap_width = 0
        # The width before, with its rows, wrapped lines and finished rows
        # (see `_estimate_rows`).
        self._wrapping_before: (
            tuple[int, RowIndex, dict[int, list[int]], dict[int, Strip]] | None) = None
        self._size_update_pending = False
        self._preferred_column: int | None = None
        # Of several spans under the cursor (a claim and the quote inside it
        # starting at one word), the one `;` pointed at: what x, r, m, = and c
        # act on. None: the innermost. Dropped when the cursor moves.
        self._pointed_id: str | None = None
        # Every kind of span drawn is kept in a SpanIndex (sorted starts and
        # the longest span: a row looks only at the spans near it).
        ranges = SpanIndex.of_ranges
        self._matches = ranges(())
        self._counterparts: list[tuple[int, int]] = []
        self._counterpart_index = ranges(())
        self._unmatched: list[tuple[int, int]] = []
        self._unmatched_index, self._linked_index, self._fuzzy = ranges(()), ranges(()), ranges(())
        self._suggestions: SpanIndex[Suggestion] = SpanIndex()
        # Ends of relations between spans: heads marked →, tails ←, both ↔.
        self._heads: SpanIndex[tuple[int, int]] = SpanIndex.of_ranges(())
        self._tails: SpanIndex[tuple[int, int]] = SpanIndex.of_ranges(())
        # Other annotators' spans, shown on request: drawn apart, never edited.
        self._others: SpanIndex[Annotation] = SpanIndex()
        self._other_marks: dict[str, str] = {}
        self._style: Style | None = None
        self._component_styles: dict[tuple[str, bool], Style] = {}
        self._styles_source: ArticleStyles | None = None
        self._styles_seen = -1  # the ArticleStyles generation the rows were drawn with
        self._drawn_with: Style | None = None  # the base style the rows kept were drawn in
        self._content_width = 0
        self._height = 0  # the rows the view showed when it was last fitted
        self.load(document, segmentation, annotations, cursor=cursor)

    # -- state -----------------------------------------------------------

    def load(
        self,
        document: Document,
        segmentation: Segmentation,
        annotations: Iterable[Annotation] = (),
        *,
        cursor: int = 0,
    ) -> None:
        """Show another document (or the same one afresh)."""
        self.document = document
        self.segmentation = segmentation
        self.text = document.text
        self.cursor = max(0, min(cursor, len(self.text)))
        self.anchor: int | None = None
        self.selecting = False
        self._matches = SpanIndex.of_ranges(())
        self._counterparts, self._unmatched = [], []
        self._counterpart_index = SpanIndex.of_ranges(())
        self._unmatched_index = self._linked_index = SpanIndex.of_ranges(())
        self._suggestions = SpanIndex()
        self._heads = self._tails = SpanIndex.of_ranges(())
        self._others = SpanIndex()
        # A str title is read as markup: a file named "[@click=app.quit]x.txt"
        # showed as "x.txt" (and a click on it quit). Content is literal.
        self.border_title = literal_content(self._heading(document))
        # The outlet and date from the dateline: two outlets side by side are
        # told apart at a glance even when a file has no title.
        meta = document.meta
        self.border_subtitle = literal_content(
            " · ".join(part for part in (meta.source, meta.date) if part))
        self._index_lines()
        self._wrapping_before = None  # another text's
        if self._wrap_width:
            self._estimate_rows(self._wrap_width)
        else:
            # Before the first resize there is no width: a row per line until
            # then, and rows are estimated at the real width (an estimate at
            # width 1, thrown away, cost ~2 ms a MB; wrapping at width 1 put a
            # row per character and looked for grapheme clusters in them).
            self._rows = RowIndex([1] * len(self._line_starts))
            # Tall, as the text will be: a scrollbar from the first layout on.
            self.virtual_size = Size(1, max(len(self.text), 1))
            self._invalidate()
        self.set_annotations(annotations)
        if self.is_mounted:
            self._place_cursor(None)

    def set_segmentation(self, segmentation: Segmentation) -> None:
        """Sentences and tokens arrived (long articles are segmented in the background)."""
        self.segmentation = segmentation
        self.mutate_reactive(ArticleView.caret)  # the sentence under the cursor is known now

    @property
    def annotations(self) -> list[Annotation]:
        """The document's annotations, sorted by start (do not change the list)."""
        return self._spans.items

    @property
    def annotation_starts(self) -> list[int]:
        """The annotations' starts, ascending (do not change the list)."""
        return self._spans.starts

    @property
    def suggestions(self) -> list[Suggestion]:
        """The suggestions shown, sorted by start."""
        return self._suggestions.items

    def set_annotations(self, annotations: Iterable[Annotation]) -> None:
        self._spans: SpanIndex[Annotation] = SpanIndex(annotations)
        self.label_counts = Counter(a.label for a in self.annotations)
        self._index_fuzzy()
        self._invalidate()

    def _index_fuzzy(self) -> None:
        # Spans found only approximately after the article changed: marked
        # ≈ in the margin until a person confirms them (few, if any).
        self._fuzzy = SpanIndex.of_ranges(
            (a.start, a.end) for a in self.annotations if a.reanchored == "fuzzy")

    def change_annotations(
        self, removed: Iterable[Annotation] = (), added: Iterable[Annotation] = ()
    ) -> None:
        """Apply one change (a tag, a removal, a relabel): only its rows are redrawn.

        `removed` are matched by id. A key press on an article with 10,000
        annotations then costs the rows the span covers, not a re-sort of
        the list and a redraw of the screen.
        """
        # Matched by id, and an added one replaces its namesake: applying a
        # change the view already shows (reloaded meanwhile) changes nothing.
        removed, added = list(removed), list(added)
        fuzzy = any(a.reanchored == "fuzzy" for a in [*removed, *added])
        # An edit that keeps the span (a note, a relabel) keeps its place
        # among the spans of the same extent: put last, the status line and
        # the next `m` went to its twin.
        for ann in [a for a in added if any(r.id == a.id for r in removed)]:
            old = self._spans.replace_where(ann, lambda a, id=ann.id: a.id == id)
            if old is not None:
                self.label_counts[old.label] -= 1
                self.label_counts[ann.label] += 1
                self._invalidate_range(ann.start, ann.end)
                removed = [r for r in removed if r.id != ann.id]
                added.remove(ann)
        for ann in [*removed, *added]:
            old = self._spans.pop_where(ann.start, lambda a, id=ann.id: a.id == id)
            if old is not None:
                fuzzy = fuzzy or old.reanchored == "fuzzy"
                self.label_counts[old.label] -= 1
                self._invalidate_range(old.start, old.end)
        for ann in added:
            self._spans.insert(ann)
            self.label_counts[ann.label] += 1
            self._invalidate_range(ann.start, ann.end)
        self.label_counts = +self.label_counts  # drop labels counted down to 0
        if fuzzy:
            self._index_fuzzy()
            self._invalidate()

    def set_margin(
        self, unmatched: list[tuple[int, int]], linked: list[tuple[int, int]]
    ) -> None:
        """Mark rows of sentences the other outlet lacks, and of linked spans."""
        self._unmatched = list(unmatched)
        self._unmatched_index = SpanIndex.of_ranges(unmatched)
        self._linked_index = SpanIndex.of_ranges(linked)
        self._invalidate()

    def set_related(self, heads: list[tuple[int, int]], tails: list[tuple[int, int]]) -> None:
        """Mark in the margin the rows of relations' heads and tails."""
        if (sorted(heads), sorted(tails)) != (list(self._heads), list(self._tails)):
            self._heads, self._tails = SpanIndex.of_ranges(heads), SpanIndex.of_ranges(tails)
            self._invalidate()

    def set_linked(self, linked: list[tuple[int, int]]) -> None:
        """Mark the rows of linked spans (a link made or undone), keeping the rest."""
        self.set_margin(self._unmatched, linked)

    def set_counterparts(self, spans: list[tuple[int, int]]) -> None:
        """Highlight the other pane's sentences that say what the cursor's does."""
        if spans != self._counterparts:
            self._counterparts = list(spans)
            self._counterpart_index = SpanIndex.of_ranges(spans)
            self._invalidate()

    def set_suggestions(self, suggestions: list[Suggestion]) -> None:
        self._suggestions = SpanIndex(suggestions)
        self._invalidate()

    def set_others(self, others: Iterable[Annotation], marks: dict[str, str]) -> None:
        """Show other annotators' spans (dimmed, underlined; `marks[annotator]` in the margin)."""
        self._others = SpanIndex(others)
        self._other_marks = marks
        self._invalidate()

    @property
    def others(self) -> list[Annotation]:
        """Other annotators' spans shown, in order of start."""
        return self._others.items

    def others_at(self, offset: int) -> list[Annotation]:
        """Other annotators' spans covering `offset`, innermost first."""
        return sorted(self._others.overlapping(offset, offset + 1),
                      key=lambda a: a.end - a.start)

    def suggestion_at(self, offset: int) -> Suggestion | None:
        found = self._suggestions.overlapping(offset, offset + 1)
        return min(found, key=lambda s: s.end - s.start) if found else None

    def visible_range(self) -> tuple[int, int]:
        """Text offsets of the first and last rows on screen."""
        top = round(self.scroll_y)
        bottom = max(top, top + self.scrollable_content_region.height - 1)
        return self._row_span(top)[0], self._row_span(bottom)[1]

    def scroll_offset_into_view(self, offset: int) -> None:
        """Scroll (without moving the cursor) so `offset` is on screen."""
        row = self._row_of(offset)
        top, height = round(self.scroll_y), self.scrollable_content_region.height
        if not top <= row < top + height:
            self._scroll_to_row(max(0, row - height // 3))

    def set_matches(self, matches: list[tuple[int, int]]) -> None:
        self._matches = SpanIndex.of_ranges(matches)
        self._invalidate()

    @property
    def selection(self) -> tuple[int, int] | None:
        """The selected range, end exclusive, or None."""
        if self.anchor is None or self.anchor == self.cursor:
            return None
        return (min(self.anchor, self.cursor), max(self.anchor, self.cursor))

    def annotations_at(self, offset: int) -> list[Annotation]:
        """Annotations covering `offset`, innermost first (of the same
        extent, in the order they were made: see `change_annotations`)."""
        return sorted(self._spans.overlapping(offset, offset + 1), key=lambda a: a.end - a.start)

    def under_cursor(self) -> list[Annotation]:
        """Annotations covering the cursor, the one pointed at first (`point_next`,
        `point_at`; else the innermost), then the rest innermost first."""
        found = self.annotations_at(self.cursor)
        pointed = next((i for i, a in enumerate(found) if a.id == self._pointed_id), 0)
        return found[pointed:pointed + 1] + found[:pointed] + found[pointed + 1:]

    def point_next(self) -> int:
        """Point at the next wider span under the cursor (after the widest, the
        innermost again); how many spans are under it."""
        found = self.annotations_at(self.cursor)
        if found:
            now = next((i for i, a in enumerate(found) if a.id == self._pointed_id), 0)
            self._pointed_id = found[(now + 1) % len(found)].id
        return len(found)

    def point_at(self, annotation_id: str) -> None:
        """Point at one of the spans under the cursor (a row chosen in the list)."""
        self._pointed_id = annotation_id

    # -- moving ----------------------------------------------------------

    def move_to(
        self, offset: int, *, extend: bool = False, keep_column: bool = False, scroll: bool = True
    ) -> None:
        """Put the cursor at `offset`; extend the selection or drop it.

        The cursor (and so a selection's ends) sits only at the start of a
        grapheme cluster: never on the joiner inside "👨‍👩‍👧" or on a skin tone alone.
        """
        offset = cluster_start(self.text, max(0, min(offset, len(self.text))))
        extend = extend or self.selecting
        old_range = self._selected_or_cursor_range()
        if extend and self.anchor is None:
            self.anchor = self.cursor
        elif not extend:
            self.anchor = None
        self.cursor = offset
        if not keep_column:
            self._preferred_column = None
        self._invalidate_range(*old_range)
        self._invalidate_range(*self._selected_or_cursor_range())
        if scroll:  # else the caller scrolls (a page key turns the page)
            self._scroll_cursor_into_view()
        self._moved()

    def _moved(self) -> None:
        self._pointed_id = None
        self.caret = (self.cursor, self.anchor, self.selecting)

    def select(self, start: int, end: int, *, cursor_at_start: bool = False) -> None:
        """Select [start, end) with the cursor at its end (or its start)."""
        old_range = self._selected_or_cursor_range()
        self.anchor, self.cursor = (end, start) if cursor_at_start else (start, end)
        self._invalidate_range(*old_range)
        self._invalidate_range(start, end)
        self._scroll_cursor_into_view()
        self._moved()

    def action_move(self, motion: str, extend: bool = False) -> None:
        target = getattr(self, f"_target_{motion}")()
        paging = motion in ("page_up", "page_down")
        on_screen = self._row_of(self.cursor) - round(self.scroll_y)
        self.move_to(target, extend=extend, keep_column=motion in ("up", "down") or paging,
                     scroll=not paging)
        if paging:
            # A page key turns the page: the view moves with the cursor,
            # which keeps its place on the screen (else the first PgDn only
            # took the cursor to the bottom row and nothing scrolled).
            self._scroll_to_row(max(0, self._row_of(self.cursor) - on_screen))

    def action_toggle_selecting(self) -> None:
        self.selecting = not self.selecting
        if self.selecting:
            self.anchor = self.cursor
        self._moved()

    def clear_selection(self) -> None:
        self.selecting = False
        if self.anchor is not None:
            old_range = self._selected_or_cursor_range()
            self.anchor = None
            self._invalidate_range(*old_range)
        self._moved()

    def action_clear_selection(self) -> None:
        self.clear_selection()
        self.post_message(Cancelled())

    def action_select_sentence(self) -> None:
        index = self.segmentation.sentence_at(self.cursor)
        if index is not None:
            self.select(*self.segmentation.sentences[index])

    def action_select_quote(self) -> None:
        span = quotation_at(self.text, self.segmentation, self.cursor, self.selection)
        if span is None and self.selection is not None:
            self.notify("No wider quotation around the selection", timeout=2)
        elif span is None:
            self.notify("The cursor is not inside quotation marks", timeout=2)
        else:
            self.select(*span)

    def action_expand_selection(self) -> None:
        span = expand(self.segmentation, self.selection or (self.cursor, self.cursor))
        if span is None:
            self.notify("e grows a selection up to its paragraph: nothing larger", timeout=3)
        else:
            self.select(*span)

    def _target_left(self) -> int:
        return previous_boundary(self.text, self.cursor)

    def _target_right(self) -> int:
        return next_boundary(self.text, self.cursor)

    def _target_up(self) -> int:
        return self._vertical_target(-1)

    def _target_down(self) -> int:
        return self._vertical_target(1)

    def _target_page_up(self) -> int:
        return self._vertical_target(-max(1, self.scrollable_content_region.height - 1))

    def _target_page_down(self) -> int:
        return self._vertical_target(max(1, self.scrollable_content_region.height - 1))

    def _target_line_start(self) -> int:
        return self._row_span(self._row_of(self.cursor))[0]

    def _target_line_end(self) -> int:
        return self._row_span(self._row_of(self.cursor))[1]

    def _target_top(self) -> int:
        return 0

    def _target_bottom(self) -> int:
        return len(self.text)

    def _target_word_next(self) -> int:
        return self.segmentation.next_word_start(self.cursor)

    def _target_word_prev(self) -> int:
        return self.segmentation.prev_word_start(self.cursor)

    def _target_sentence_next(self) -> int:
        return _next_start(self.segmentation.sentences, self.cursor, len(self.text))

    def _target_sentence_prev(self) -> int:
        return _previous_start(self.segmentation.sentences, self.cursor)

    def _target_paragraph_next(self) -> int:
        return _next_start(self.segmentation.paragraphs, self.cursor, len(self.text))

    def _target_paragraph_prev(self) -> int:
        return _previous_start(self.segmentation.paragraphs, self.cursor)

    def _vertical_target(self, rows: int) -> int:
        row = self._row_of(self.cursor)
        if self._preferred_column is None:
            self._preferred_column = self.cursor - self._row_span(row)[0]
        target = max(0, min(row + rows, self._rows.total - 1))
        if target == row:
            return 0 if rows < 0 else len(self.text)
        start, end = self._row_span(target)
        return min(start + self._preferred_column, end)

    # -- layout ----------------------------------------------------------

    def _index_lines(self) -> None:
        """Where each line starts: one pass of str.find, no wrapping yet."""
        text, starts = self.text, [0]
        index = text.find("\n")
        while index != -1:
            starts.append(index + 1)
            index = text.find("\n", index + 1)
        self._line_starts = starts
        self._line_ends = [s - 1 for s in starts[1:]] + [len(text)]

    def _estimate_rows(self, width: int) -> None:
        """Guess every line's rows from its length; exact counts come on demand.

        The wrapping at the width left is kept: `p` toggles the side panel
        between two widths, and estimating every line of a 10 MB article
        again cost ~8 ms of each toggle.
        """
        kept = self._wrapping_before
        if self._wrap_width and self._wrap_width != width:
            self._wrapping_before = (self._wrap_width, self._rows, self._line_rows, self._cache)
        self._wrap_width = width
        if kept is not None and kept[0] == width:
            # With its finished rows: what changed meanwhile was dropped from
            # them too (`_invalidate_range`, `_forget_rows`), and drawing the
            # pane's rows again was a third of the toggle's frame.
            _, self._rows, self._line_rows, self._cache = kept
        else:
            self._line_rows, self._cache = {}, {}
            # ceil(length / width), at least 1 (an empty line is a row).
            self._rows = RowIndex([(length + width - 1) // width or 1 for length in
                                   map(operator.sub, self._line_ends, self._line_starts)])
        # Not `self.virtual_size = ...`: in a layout pass (`laid_out`)
        # that asked for a second one.
        set_virtual_size(self, Size(width, self._rows.total), repaint=False)
        self.refresh()

    def _wrapped(self, line: int) -> list[int]:
        """Start offsets of `line`'s screen rows, wrapping it if not done yet."""
        rows = self._line_rows.get(line)
        if rows is None:
            start, end = self._line_starts[line], self._line_ends[line]
            if not self._wrap_width:
                return [start]  # no width yet (see `load`): one row a line
            rows = [start]
            if end > start:
                # Tabs count one cell here and are drawn as one space.
                breaks = wrap_offsets(self.text[start:end], self._wrap_width)
                rows += [start + brk for brk in breaks]
            if len(self._line_rows) >= MAX_WRAPPED_LINES:
                self._line_rows.clear()  # the counts stay exact in the RowIndex
            self._line_rows[line] = rows
            if self._rows.set(line, len(rows)):
                self._schedule_size_update()
        return rows

    def _schedule_size_update(self) -> None:
        # A corrected estimate changes the scrollable height; apply it once
        # after this round of drawing rather than in the middle of it.
        if not self._size_update_pending:
            self._size_update_pending = True
            self.call_after_refresh(self._apply_size_update)

    def _apply_size_update(self) -> None:
        if self._size_update_pending:  # not done already (see `_scroll_to_row`)
            self._size_update_pending = False
            set_virtual_size(self, Size(self._wrap_width, self._rows.total))

    def _scroll_to_row(self, row: int) -> None:
        """Scroll so `row` is the top one, in this frame.

        Textual's `scroll_to` waits for the next paint by default: a key
        that scrolled then cost two frames (the cursor moved on the old
        page, then the new page), and a third when the rows first wrapped
        there corrected the height after the paint. Here the scroll is
        done now and the rows that will show are wrapped now, exactly as
        drawing them would wrap them, so one frame shows the key whole.
        """
        self._apply_size_update()  # a corrected height first: scrolling is clamped to it
        self.scroll_to(y=row, animate=False, immediate=True)
        # The lines that will show, from the one at the top row down.
        line, sub = self._locate(round(self.scroll_y))
        shown, height = len(self._wrapped(line)) - sub, self.scrollable_content_region.height
        while shown < height and line + 1 < len(self._rows):
            line += 1
            shown += len(self._wrapped(line))
        self._apply_size_update()

    def _line_of(self, offset: int) -> int:
        return max(0, bisect_right(self._line_starts, offset) - 1)

    def _row_of(self, offset: int) -> int:
        line = self._line_of(offset)
        rows = self._wrapped(line)
        return self._rows.first_row(line) + bisect_right(rows, offset) - 1

    def _locate(self, row: int) -> tuple[int, int]:
        """(line, row within it) for a screen row, wrapping lines as needed."""
        for _ in range(MAX_RELOCATIONS):
            line, sub = self._rows.find(row)
            rows = self._wrapped(line)
            if sub < len(rows):
                return line, sub
        return line, len(rows) - 1

    def _row_span(self, row: int) -> tuple[int, int]:
        """Start and end offsets (end exclusive, newline excluded) of a screen row."""
        line, sub = self._locate(row)
        rows = self._wrapped(line)
        end = rows[sub + 1] if sub + 1 < len(rows) else self._line_ends[line]
        return rows[sub], end

    def laid_out(self) -> None:
        # Re-wrapped in the layout pass (see `PaintedWholeWhenLaidOut`): the
        # frame after `p` drew the old rows cut at the new width, then laid
        # out and drew the screen again for the corrected height.
        self._fit_width()

    def on_resize(self, event: events.Resize) -> None:
        self._fit_width()  # done already in the layout pass, unless Textual changed

    def _fit_width(self) -> None:
        """Wrap at the width and height the view has now, the cursor's row kept
        in view at the same height on screen, in proportion to the view's."""
        self._content_width = self.scrollable_content_region.width
        # A margin column on the left, and one cell free on the right so
        # the cursor can sit after a row's last character.
        width = max(1, self._content_width - MARGIN - 1)
        height = max(1, self.content_region.height)
        if width == self._wrap_width and height == self._height:
            return
        # Where the cursor was on screen, measured in the old wrapping (none
        # before the first fit: the view was never drawn).
        on_screen = None
        if self._wrap_width:
            on_screen = self._row_of(self.cursor) - round(self.scroll_y)
            if self._height > 1 and 0 <= on_screen < self._height:
                # Three quarters down a 40-row view is three quarters down a 24-row one.
                on_screen = round(on_screen * (height - 1) / (self._height - 1))
        self._height = height
        if width != self._wrap_width:
            self._estimate_rows(width)
        self._place_cursor(on_screen)

    def _place_cursor(self, on_screen: int | None) -> None:
        """After a re-wrap: scroll so the cursor's row is `on_screen` rows from the top.

        Clamped to the view; with None (a document just opened), the first
        page stays put if the cursor is on it, else the cursor goes a third
        of the way down. The lines above the cursor that will be on screen
        are wrapped exactly first: when they were only estimated, drawing
        them made them longer and pushed the cursor's row out of view.
        """
        if not self._wrap_width:
            return
        # Not scrollable_content_region: in a resize, the old (wider) virtual
        # size briefly counts a horizontal scrollbar that never shows.
        height = max(1, self.content_region.height)
        line = self._line_of(self.cursor)
        above = bisect_right(self._wrapped(line), self.cursor) - 1
        while above < height and line > 0:
            line -= 1
            above += len(self._wrapped(line))
        row = self._row_of(self.cursor)
        if on_screen is None:
            on_screen = row if row < height else height // 3
        on_screen = max(0, min(on_screen, height - 1))
        # The corrected height now, not after the next refresh: scrolling
        # is clamped to it.
        set_virtual_size(self, Size(self._wrap_width, self._rows.total))
        # Now, not after the next paint (Textual's default): in the layout
        # pass, that paint showed the new wrapping at the old scroll and a
        # second one followed.
        self.scroll_to(y=max(0, row - on_screen), animate=False, immediate=True)

    def _scroll_cursor_into_view(self) -> None:
        if not self._wrap_width:
            return
        row = self._row_of(self.cursor)
        height = self.scrollable_content_region.height
        top = round(self.scroll_y)
        if row < top:
            self._scroll_to_row(row)
        elif height and row >= top + height:
            self._scroll_to_row(row - height + 1)

    def _invalidate(self) -> None:
        self._forget_rows()
        self.refresh()

    def _forget_rows(self) -> None:
        """Drop every finished row, at this width and at the one kept."""
        self._cache.clear()
        if self._wrapping_before is not None:
            self._wrapping_before[3].clear()

    def _invalidate_range(self, start: int, end: int) -> None:
        if self._wrapping_before is not None:
            # Rows kept at the other width: any starting on `start`'s line up
            # to `end` may show it (their starts differ from this width's).
            kept, first = self._wrapping_before[3], self._line_starts[self._line_of(start)]
            for key in [k for k in kept if first <= k <= end]:
                del kept[key]
        first_row, last_row = self._row_of(start), self._row_of(end)
        if last_row - first_row < len(self._cache):
            # The rows' own starts (a key or two, not a scan of every kept row).
            for row in range(first_row, last_row + 1):
                self._cache.pop(self._row_span(row)[0], None)
        else:
            first = self._row_span(first_row)[0]
            for key in [k for k in self._cache if first <= k <= end]:
                del self._cache[key]
        # Only these rows are painted again, not the whole pane.
        self.refresh_lines(first_row, last_row - first_row + 1)

    def _selected_or_cursor_range(self) -> tuple[int, int]:
        return self.selection or (self.cursor, self.cursor)

    def notify_style_update(self) -> None:
        # Cached rows carry resolved colours: a theme or CSS change redraws
        # them. Gaining or losing the focus restyles the pane too, for its
        # border alone: its rows' colours, and the spans' (`ArticleStyles`),
        # are the same, so the rows drawn stay (the cursor's row is redrawn
        # by on_focus / on_blur).
        super().notify_style_update()
        self._style = None  # looked up again, and compared, when next drawn

    def _article_styles(self) -> ArticleStyles:
        # The screen's one holder of the spans' styles (see tui/article_styles.py).
        if self._styles_source is None:
            self._styles_source = self.screen.query_one(ArticleStyles)
        return self._styles_source

    def _styles_generation(self) -> int:
        return self._article_styles().generation if self.is_attached else -1

    @property
    def _base_style(self) -> Style:
        # Widget.rich_style walks every ancestor's styles; per drawn row
        # that was the largest cost of a key press on a long article.
        if self._style is None:
            # After a restyle, when next drawn (the screen's other widgets,
            # ArticleStyles among them, are restyled by then).
            self._style = self.rich_style
            styles = self._styles_generation()
            if styles != self._styles_seen:  # a theme changed the spans' styles
                self._component_styles.clear()
                self._forget_rows()
                self._styles_seen = styles
            if self._style != self._drawn_with:  # rows drawn in other colours
                self._forget_rows()
                self._drawn_with = self._style
        return self._style

    def on_focus(self) -> None:
        self._invalidate_range(self.cursor, self.cursor)

    def on_blur(self) -> None:
        self._invalidate_range(self.cursor, self.cursor)

    # -- mouse -----------------------------------------------------------

    def _offset_at(self, event: events.MouseEvent) -> int:
        """The text offset under the mouse (clamped to the text area)."""
        content = event.get_content_offset_capture(self)
        start, end = self._row_span(round(self.scroll_y) + max(0, content.y))
        cells, index = 0, start
        while index < end:
            after = min(end, next_boundary(self.text, index))
            # A cluster's cells as drawn ("👨‍👩‍👧" is 2, not 6; see terminal_width).
            cells += agreed_cells(self.text[index:after])
            if cells > content.x - MARGIN:
                return index
            index = after
        return end

    def on_mouse_down(self, event: events.MouseDown) -> None:
        if event.button != 1:
            return
        self.focus()
        self.selecting = False
        if not event.shift:
            self.anchor = None
        self.move_to(self._offset_at(event), extend=event.shift)
        self.anchor = self.anchor if event.shift else self.cursor
        self.capture_mouse()

    def on_mouse_move(self, event: events.MouseMove) -> None:
        if self.app.mouse_captured is self:
            self.move_to(self._offset_at(event), extend=True)

    def on_mouse_up(self, event: events.MouseUp) -> None:
        if self.app.mouse_captured is self:
            self.release_mouse()
        if self.anchor == self.cursor:
            self.anchor = None

    # -- drawing ---------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        row = round(self.scroll_y) + y
        width, base = self._content_width, self._base_style  # first: it may drop the rows kept
        if row >= self._rows.total or not self._wrap_width:
            return Strip.blank(width, base)
        start, end = self._row_span(row)
        strip = self._cache.get(start)
        if strip is None:
            if len(self._cache) >= MAX_CACHED_ROWS:
                self._cache.clear()
            strip = self._render_row(start, end)
            if strip.cell_length != width:
                strip = strip.crop_extend(0, width, base)
            self._cache[start] = strip
        return strip

    def _plain(self, start: int, end: int) -> bool:
        """Nothing but the text on this row: no span, match, selection or cursor."""
        if start <= self.cursor <= end or self._spans.touches(start, end):
            return False
        if (selected := self.selection) is not None and selected[0] < end and selected[1] > start:
            return False
        # Most of these are empty most of the time: asked only when not.
        for drawn in (self._suggestions, self._matches, self._others, self._counterpart_index):
            if drawn and drawn.touches(start, end):
                return False
        return True

    def _render_row(self, start: int, end: int) -> Strip:
        text = strip_control_codes(self.text[start:end].replace("\t", " "))
        if self._plain(start, end):
            # Most rows of a page: one segment, without rich's span machinery
            # (a page down draws ~50 new rows; this halves their cost).
            text = agreed_form(text)
            cells = cell_len(text) + MARGIN
            padding = max(0, self._content_width - cells)
            return Strip([self._margin_mark(start, end),
                          Segment(text + " " * padding, self._base_style)], cells + padding)
        line = Text(text, end="")
        line.stylize(self._base_style)
        self._stylize_annotations(line, start, end)
        other_style = self._component("other", partial=True)
        for other in self._others.overlapping(start, end):
            line.stylize(other_style, max(other.start, start) - start,
                         min(other.end, end) - start)
        suggestion_style = self._component("suggestion", partial=True)
        for sug in self._suggestions.overlapping(start, end):
            line.stylize(suggestion_style, max(sug.start, start) - start,
                         min(sug.end, end) - start)
        for c_start, c_end in self._counterpart_index.clipped(start, end):
            line.stylize(self._component("counterpart", partial=True), c_start - start,
                         c_end - start)
        for m_start, m_end in self._matches.clipped(start, end):
            line.stylize(self._component("match", partial=True), m_start - start,
                        m_end - start)
        if (selected := self.selection) is not None:
            s_start, s_end = max(selected[0], start), min(selected[1], end)
            if s_start < s_end:
                line.stylize(self._component("selection"), s_start - start, s_end - start)
        last_row_of_line = end == self._line_ends[self._line_of(start)]
        if start <= self.cursor < end or (self.cursor == end and last_row_of_line):
            if self.cursor == end:
                line.append(" ")
            name = "cursor" if self.has_focus else "cursor-blurred"
            # The whole cluster under the cursor: a style change inside one
            # would split it into pieces the terminal draws apart.
            under = max(self.cursor + 1, min(cluster_at(self.text, self.cursor)[1], end))
            line.stylize(self._component(name), self.cursor - start, under - start)
        line = agreed_text(line)
        # Padded to the full width here, so a cached row is returned as it is
        # (a crop per drawn row built a new Strip with its own caches).
        cells = line.cell_len + MARGIN
        padding = max(0, self._content_width - cells)
        if padding:
            line.append(" " * padding, self._base_style)
        segments = [self._margin_mark(start, end), *line.render(self.app.console)]
        return Strip(segments, cells + padding)

    def _margin_mark(self, start: int, end: int) -> Segment:
        # Each kind of mark is looked for only when the view has some.
        if self._linked_index and self._linked_index.touches(start, end):
            return Segment("⇄", self._base_style + self._component("margin-linked", partial=True))
        if self._counterpart_index and self._counterpart_index.touches(start, end):
            return Segment("▶", self._base_style + self._component("margin-counterpart",
                                                                    partial=True))
        if self._others and (others := self._others.overlapping(start, max(end, start + 1))):
            # Whose span it is: the annotator's mark (the status line has the
            # legend), or SEVERAL_MARK where spans of more than one annotator
            # share the row. Asked for with `o`, so it wins over the unmatched mark.
            whose = {a.annotator for a in others}
            mark = SEVERAL_MARK if len(whose) > 1 else self._other_marks.get(whose.pop(), "?")
            return Segment(mark, self._base_style + self._component("margin-other",
                                                                     partial=True))
        if len(self._heads):
            head = self._heads.touches(start, end)
            tail = self._tails.touches(start, end)
            if head or tail:
                mark = "↔" if head and tail else "→" if head else "←"
                return Segment(mark, self._base_style + self._component("margin-related",
                                                                         partial=True))
        if self._fuzzy and self._fuzzy.touches(start, end):
            return Segment("≈", self._base_style + self._component("margin-fuzzy", partial=True))
        if self._unmatched_index and self._unmatched_index.touches(start, end):
            return Segment("▎", self._base_style + self._component("margin-unmatched",
                                                                    partial=True))
        return Segment(" ", self._base_style)

    def _stylize_annotations(self, line: Text, start: int, end: int) -> None:
        spans = self._spans.overlapping(start, end)
        # Outer spans first so the inner span's colour wins where they nest.
        for ann in sorted(spans, key=lambda a: a.end - a.start, reverse=True):
            line.stylize(self._label_style(ann.label), max(ann.start, start) - start,
                         min(ann.end, end) - start)
        if len(spans) > 1:
            for o_start, o_end in _overlaps(spans):
                line.stylize(self._component("overlap", partial=True), max(o_start, start) - start,
                             min(o_end, end) - start)

    def _component(self, name: str, *, partial: bool = False) -> Style:
        # Whole styles blend translucent theme colours over the background;
        # partial ones (underline, bold) leave the colours beneath alone.
        # Looked up per drawn row, so kept until the styles change.
        key = (name, partial)
        style = self._component_styles.get(key)
        if style is None:
            style = self._component_styles[key] = self._article_styles().component_style(
                name, partial=partial)
        return style

    def _label_style(self, label: str) -> Style:
        index, colour = self._label_styles.get(label, (LABEL_STYLES - 1, None))
        if colour:
            return Style(bgcolor=colour, color="black")
        return self._component(f"label-{index % LABEL_STYLES}")


def _next_start(ranges: list[tuple[int, int]], offset: int, length: int) -> int:
    """Start of the first range that begins after `offset`, else the end."""
    index = bisect_right(ranges, (offset, length + 1))
    return ranges[index][0] if index < len(ranges) else length


def _previous_start(ranges: list[tuple[int, int]], offset: int) -> int:
    """Start of the last range that begins before `offset`, else 0."""
    index = bisect_left(ranges, (offset, -1)) - 1
    return ranges[index][0] if index >= 0 else 0


def _overlaps(spans: list[Annotation]) -> list[tuple[int, int]]:
    """Ranges covered by two or more of `spans`."""
    events_: list[tuple[int, int]] = []
    for ann in spans:
        events_.append((ann.start, 1))
        events_.append((ann.end, -1))
    events_.sort()
    depth, previous, found = 0, 0, []
    for offset, step in events_:
        if depth >= 2 and offset > previous:
            found.append((previous, offset))
        depth += step
        previous = offset
    return found
