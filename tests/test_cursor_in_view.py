"""After any re-wrap (reopening, resizing) the cursor's row stays on screen.

Rows are estimated from line lengths until a line is drawn; the rows drawn
above the cursor then came out longer than estimated and pushed it down,
out of view (issue 18, defect 5).
"""

from __future__ import annotations

from pathlib import Path

from annotations.documents import load_documents
from annotations.store import LocalStore
from annotations.workspace import Workspace
from tui.app import NewsmarkApp
from tui.article_view import ArticleView

WORDS = ("council river weir flood defence budget study vote mayor critics pages "
         "hydrology extraordinarily a an of").split()


def long_article() -> str:
    """20 one-sentence paragraphs whose words wrap well short of the estimate."""
    paragraphs = []
    for n in range(20):
        words = [WORDS[(n * 7 + i * 3) % len(WORDS)] for i in range(35 + n % 5 * 6)]
        paragraphs.append(f"Sentence {n + 1} says the " + " ".join(words) + ".")
    return "\n\n".join(paragraphs) + "\n"


def workspace(path: Path, store_dir: Path) -> Workspace:
    docs, errors = load_documents([path])
    assert not errors
    return Workspace(LocalStore(store_dir), docs, annotator="tester")


def reader_on_long_article(tmp_path: Path) -> tuple[Workspace, NewsmarkApp]:
    """The reader on `long_article()` in tmp_path (written on the first call),
    with its store there: a second call reopens both."""
    article = tmp_path / "long.txt"
    if not article.exists():
        article.write_text(long_article(), encoding="utf-8")
    ws = workspace(article, tmp_path / "store")
    return ws, NewsmarkApp(ws)


def calls_to(monkeypatch, cls: type, name: str) -> list[int]:  # type: ignore[no-untyped-def]
    """A list that grows by one at each call of `cls.name` from now on."""
    calls: list[int] = []
    original = getattr(cls, name)

    def counted(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(1)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(cls, name, counted)
    return calls


def cursor_screen_row(view: ArticleView) -> int | None:
    """The screen row (0 = top) the cursor is drawn on, or None if off screen."""
    top = round(view.scroll_y)
    for y in range(view.scrollable_content_region.height):
        view.render_line(y)  # drawing a row wraps its line exactly, as the screen did
        start, end = view._row_span(top + y)
        line_end = view.text.find("\n", start)
        if start <= view.cursor < end or view.cursor == end == (
                len(view.text) if line_end == -1 else line_end):
            return y
    return None


async def test_reopening_shows_the_cursor_where_it_was_left(tmp_path: Path) -> None:
    ws, app = reader_on_long_article(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one("#pane-0", ArticleView)
        await pilot.press(*[")"] * 12)  # sentence 13 of 20
        await pilot.pause()
        cursor = view.cursor
        assert view.text[cursor:].startswith("Sentence 13")
    ws.store.close()

    ws, app = reader_on_long_article(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        view = app.query_one("#pane-0", ArticleView)
        assert view.cursor == cursor
        assert cursor_screen_row(view) is not None
    ws.store.close()


async def test_resizing_keeps_the_cursor_at_its_place_on_screen(tmp_path: Path) -> None:
    ws, app = reader_on_long_article(tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        view = app.query_one("#pane-0", ArticleView)
        await pilot.press(*[")"] * 12, "j", "j")
        await pilot.pause()
        before = cursor_screen_row(view)
        assert before is not None and before > 5
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        await pilot.pause()
        after = cursor_screen_row(view)
        height = view.scrollable_content_region.height
        assert after == min(before, height - 1)
        await pilot.resize_terminal(140, 40)
        await pilot.pause()
        await pilot.pause()
        assert cursor_screen_row(view) == min(before, height - 1)
    ws.store.close()


async def test_the_side_panel_rewraps_the_panes_in_the_frame_that_shows_it(
    tmp_path: Path, monkeypatch
) -> None:
    """`p` changes the panes' width: one layout and one paint draw them at it.

    Before, the frame after `p` drew the old rows cut at the new width, and
    a second layout and paint followed for the corrected height (the pane's
    wrapping waited for its Resize event; its scrollbar asked for a layout),
    then a third paint for the repaints asked for meanwhile. The hooks are
    Textual's private `_size_updated`: a release that renames it fails here,
    as the counts go back up.
    """
    from textual._compositor import Compositor
    from textual.screen import Screen

    from tests.screen_text import screen

    ws, app = reader_on_long_article(tmp_path)
    async with app.run_test(size=(140, 24)) as pilot:
        view = app.query_one("#pane-0", ArticleView)
        # Every sentence tagged: the annotation list is longer than its box,
        # so it has a scrollbar of its own to draw when the panel shows.
        for _ in range(20):
            await pilot.press("s", "1", ")")
        await pilot.press("g", *[")"] * 12, "j", "j")
        await pilot.pause()
        assert app.query_one("#annotation-list").show_vertical_scrollbar
        before = cursor_screen_row(view)
        layouts = calls_to(monkeypatch, Screen, "_refresh_layout")
        paints = calls_to(monkeypatch, Compositor, "render_update")
        rows_at_first = view._rows
        for shown in (False, True):
            layouts.clear()
            paints.clear()
            wrapped_at = view._wrap_width
            await pilot.press("p")
            await pilot.pause()
            assert app.query_one("#side").display is shown
            assert len(layouts) == 1 and len(paints) == 1
            assert view._wrap_width != wrapped_at
            assert view._wrap_width == view.scrollable_content_region.width - 2
            assert not view.show_horizontal_scrollbar
            assert cursor_screen_row(view) == before
            # What the one paint put on the screen is the new wrapping: the
            # cursor's row, as the view draws it now, is on it.
            start, end = view._row_span(round(view.scroll_y) + before)
            assert view.text[start:end].strip() in screen(app)
        # Back at the first width, its rows are the ones kept, not estimated
        # again (every line of a 10 MB article: ~8 ms a toggle).
        assert view._rows is rows_at_first
    ws.store.close()


async def test_the_rows_drawn_at_a_width_are_kept_for_the_next_p(monkeypatch, tmp_path) -> None:
    """`p` back to a width draws the rows kept there, except those that
    changed meanwhile: drawing every row again was a third of the toggle."""
    ws, app = reader_on_long_article(tmp_path)
    async with app.run_test(size=(140, 24)) as pilot:
        view = app.query_one("#pane-0", ArticleView)
        await pilot.press("p")  # the panel hidden: the wide rows drawn
        await pilot.pause()
        await pilot.press("p")  # shown again: the narrow rows drawn
        await pilot.pause()
        drawn = calls_to(monkeypatch, ArticleView, "_render_row")
        await pilot.press("p")
        await pilot.pause()
        assert drawn == []
        # Tagged while narrow: the wide rows showing the span are drawn anew.
        await pilot.press("p", "s", "1")
        await pilot.pause()
        assert view.annotations_at(view.cursor)
        drawn.clear()
        await pilot.press("p")
        await pilot.pause()
        assert drawn  # the rows of the new span, at the wide width
        height = view.scrollable_content_region.height
        shown = [view.render_line(y) for y in range(height)]
        view._forget_rows()
        assert shown == [view.render_line(y) for y in range(height)]
    ws.store.close()
