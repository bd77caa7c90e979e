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
        # Down to sentence 13 (the view follows, the cursor on its last row),
        # then back up ten rows: about three quarters down the view.
        await pilot.press(*[")"] * 12, "j", "j", *["k"] * 10)
        await pilot.pause()
        tall = view.content_region.height
        before = cursor_screen_row(view)
        assert before is not None and before > tall // 2

        async def resized(width: int, height: int) -> tuple[int | None, int]:
            await pilot.resize_terminal(width, height)
            await pilot.pause()
            await pilot.pause()
            return cursor_screen_row(view), view.content_region.height

        # As far down the view as before, in proportion: not at its bottom edge.
        after, short = await resized(80, 24)
        assert after is not None
        assert abs(after - before * (short - 1) / (tall - 1)) <= 1
        assert after < short - 1
        # Narrower only: the same row on screen.
        narrow, _ = await resized(70, 24)
        assert narrow == after
        back, _ = await resized(140, 40)
        assert back is not None and abs(back - before) <= 1
    ws.store.close()
