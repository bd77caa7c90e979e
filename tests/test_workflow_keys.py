"""The rest of the workflow's keys, driven as a person would: line, page and
word motions, extending with shift and in select mode, the wheel, overlap
markers on screen, regex search, the prompt and the palette, the status line
and the document list."""

from __future__ import annotations

from pathlib import Path

from rich.style import Style
from textual import events

from tui.app import NewsmarkApp
from tui.article_view import ArticleView
from tui.document_list import DocumentList
from tui.key_bar import KeyBar
from tui.prompt_bar import PromptBar
from tui.status_bar import StatusBar

SIZE = (140, 36)


def left_view(app: NewsmarkApp) -> ArticleView:
    return app.query_one("#pane-0", ArticleView)


def status(app: NewsmarkApp) -> str:
    return str(app.query_one(StatusBar).render())


def segmentation(app: NewsmarkApp, view: ArticleView):  # type: ignore[no-untyped-def]
    """The view's sentences and tokens (the first frame may show paragraphs only)."""
    return app.workspace.segmentation(view.document.id)


def cells(view: ArticleView, row: int) -> list[tuple[str, Style]]:
    """Each character drawn on screen row `row` of the view, with its style."""
    drawn: list[tuple[str, Style]] = []
    for segment in view.render_line(row):
        drawn += [(char, segment.style or Style()) for char in segment.text]
    return drawn[1:]  # the margin column


def long_article(tmp_path: Path) -> Path:
    path = tmp_path / "long.txt"
    paragraphs = [f"Paragraph {n} says the council met again. It voted once more." for n in
                  range(80)]
    path.write_text("\n\n".join(paragraphs) + "\n", encoding="utf-8")
    return path


async def test_line_page_and_ctrl_word_motions(make_workspace, tmp_path: Path) -> None:
    app = NewsmarkApp(make_workspace([long_article(tmp_path)]))
    async with app.run_test(size=SIZE) as pilot:
        view = left_view(app)
        seg = segmentation(app, view)
        await pilot.press("ctrl+right", "ctrl+right")
        assert view.cursor == seg.tokens[2][0]
        await pilot.press("ctrl+left")
        assert view.cursor == seg.tokens[1][0]
        await pilot.press("down", "down")
        assert view._row_of(view.cursor) == 2
        await pilot.press("k")
        assert view._row_of(view.cursor) == 1
        await pilot.press("up")
        assert view._row_of(view.cursor) == 0
        height = view.scrollable_content_region.height
        await pilot.press("pagedown")
        assert view._row_of(view.cursor) == height - 1
        assert view.scroll_y > 0  # the cursor stays in view
        await pilot.press("pageup")
        assert view._row_of(view.cursor) == 0
        await pilot.press("right_curly_bracket", "right_curly_bracket", "left_curly_bracket")
        assert view.cursor == seg.paragraphs[1][0]
        await pilot.press("end")
        assert view.cursor == seg.paragraphs[1][1]
        await pilot.press("home")
        assert view.cursor == seg.paragraphs[1][0]
        assert view.selection is None  # plain motions never select


async def test_shift_and_select_mode_extend_every_motion(make_workspace) -> None:
    app = NewsmarkApp(make_workspace())
    async with app.run_test(size=SIZE) as pilot:
        view = left_view(app)
        seg = segmentation(app, view)
        await pilot.press("shift+down")
        assert view.selection == (0, view.cursor) and view._row_of(view.cursor) == 1
        await pilot.press("shift+up")
        assert view.selection is None  # back where it started
        await pilot.press("ctrl+shift+right", "ctrl+shift+right")
        assert view.selection == (0, seg.tokens[2][0])
        await pilot.press("shift+end")
        assert view.selection == (0, view._row_span(0)[1])
        await pilot.press("escape")
        assert view.selection is None
        # In select mode the motions without a shifted key extend too.
        await pilot.press("g", "v", "right_parenthesis")
        assert view.selecting and view.selection == (0, seg.sentences[1][0])
        await pilot.press("right_curly_bracket")
        assert view.selection == (0, seg.paragraphs[2][0])
        await pilot.press("left_parenthesis")
        before = max(s for s, _ in seg.sentences if s < seg.paragraphs[2][0])
        assert view.selection == (0, before)
        await pilot.press("G")
        assert view.selection == (0, len(view.text))
        assert f"SELECT {len(view.text)} chars selected" in status(app)
        await pilot.press("escape")
        assert not view.selecting and view.selection is None
        await pilot.press("w")
        assert view.selection is None  # select mode is off again


async def test_the_wheel_scrolls_without_moving_the_cursor(make_workspace, tmp_path: Path) -> None:
    app = NewsmarkApp(make_workspace([long_article(tmp_path)]))
    async with app.run_test(size=SIZE) as pilot:
        view = left_view(app)
        for _ in range(3):
            view.post_message(events.MouseScrollDown(view, 5, 5, 0, 0, 0, False, False, False))
        await pilot.pause()
        assert view.scroll_y > 0
        assert view.cursor == 0
        scrolled = view.scroll_y
        view.post_message(events.MouseScrollUp(view, 5, 5, 0, 0, 0, False, False, False))
        await pilot.pause()
        assert view.scroll_y < scrolled


async def test_overlaps_are_marked_and_the_inner_colour_wins(make_workspace) -> None:
    ws = make_workspace()
    app = NewsmarkApp(ws)
    async with app.run_test(size=SIZE) as pilot:
        view = left_view(app)
        start = view.text.index("The council")
        view.move_to(start)
        await pilot.press("1")  # the sentence as a claim
        view.move_to(start)
        await pilot.press("v", "w", "w", "3")  # "The council" inside it as a term
        view.move_to(view.text.index("Critics"))  # cursor and selection out of the way
        await pilot.pause()
        row = view._row_of(start) - round(view.scroll_y)
        row_start = view._row_span(view._row_of(start))[0]
        drawn = cells(view, row)
        term = range(start - row_start, start - row_start + len("The council"))
        claim_only = term.stop + 5
        assert "".join(drawn[i][0] for i in term) == "The council"
        assert all(drawn[i][1].underline for i in term)  # where the two overlap
        assert not drawn[claim_only][1].underline
        term_bg = view._label_style("terms").bgcolor
        claim_bg = view._label_style("claim").bgcolor
        assert term_bg != claim_bg
        assert drawn[term.start][1].bgcolor == term_bg  # the inner span's colour
        assert drawn[claim_only][1].bgcolor == claim_bg


async def test_regex_search_and_n_N_step_through_matches_only(make_workspace) -> None:
    ws = make_workspace()
    app = NewsmarkApp(ws)
    async with app.run_test(size=SIZE) as pilot:
        view = left_view(app)
        view.move_to(view.text.index("Critics"))
        await pilot.press("1")  # an annotation n would visit without a search
        await pilot.press("g", "slash", *r"re:\bth[a-z]+", "enter")
        words = [view.text[s:e] for s, e in app.search_matches]
        assert words and all(w.lower().startswith("th") for w in words)
        assert "thin" in words and "the" in words
        first = view.cursor
        assert first == app.search_matches[0][0]
        await pilot.press("n", "n", "N")
        assert view.cursor == app.search_matches[1][0]
        await pilot.press("N", "N")  # past the first: round to the last match
        assert view.cursor == app.search_matches[-1][0]
        assert f"of {len(words)} (n/N)" in status(app)
        await pilot.press("escape", "g", "n")  # search over: n is the next annotation
        assert view.cursor == view.text.index("Critics")


async def test_the_prompt_is_on_screen_while_typing(make_workspace) -> None:
    app = NewsmarkApp(make_workspace())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", *"weir")
        prompt = app.query_one(PromptBar)
        assert prompt.has_focus and prompt.value == "weir"
        region = prompt.region
        assert region.height == 1
        # Nothing is drawn over it: not the footer, not the status line.
        for widget in (app.query_one(KeyBar), app.query_one(StatusBar)):
            assert not widget.region.overlaps(region)
        widget, _ = app.screen.get_widget_at(region.x + 2, region.y)
        assert widget is prompt
        await pilot.press("escape")
        assert not prompt.display and left_view(app).has_focus


async def test_the_palette_runs_actions_by_name(make_workspace) -> None:
    ws = make_workspace()
    app = NewsmarkApp(ws)
    async with app.run_test(size=SIZE) as pilot:
        view = left_view(app)
        doc_id = view.document.id

        async def run(name: str) -> None:
            await pilot.press("ctrl+p", *name)
            await pilot.pause(0.3)
            await pilot.press("enter")
            await pilot.pause()

        await run("next sentence")
        assert view.cursor == segmentation(app, view).sentences[1][0]
        await run("tag claim")
        assert [a.label for a in ws.store.annotations(doc_id)] == ["claim"]
        await run("undo the last change")
        assert ws.store.annotations(doc_id) == []
        commands = {c.title: c.help for c in app.get_system_commands(app.screen)}
        assert commands["Next sentence"] == "Key )"
        assert commands["Bottom of document"] == "Key G / Ctrl+End"


async def test_status_line_shows_counts_sentence_selection_and_saved(make_workspace) -> None:
    app = NewsmarkApp(make_workspace())
    async with app.run_test(size=SIZE) as pilot:
        view = left_view(app)
        total = len(segmentation(app, view).sentences)
        await pilot.pause()  # the sentences found just after the first frame
        assert f"sentence 1/{total}" in status(app)
        assert "nothing changed yet" in status(app)
        await pilot.press("right_parenthesis", "right_parenthesis")
        assert f"sentence 3/{total}" in status(app)
        await pilot.press("shift+right")
        assert "1 char selected" in status(app)  # not "1 chars"
        await pilot.press("shift+right", "shift+right")
        assert "3 chars selected" in status(app)
        await pilot.press("2")
        line = status(app)
        assert "claim 0  quote 1  terms 0  opinion 0" in line
        assert "saved ✓ tagged quote" in line and "chars selected" not in line


async def test_document_list_shows_progress_and_counts(
    tmp_path: Path, article_paths, make_workspace
) -> None:
    long_title = tmp_path / "long-title.txt"
    long_title.write_text(
        "A very long headline about the river weir that goes on and on past any panel\n\n"
        "The council met. It voted.\n", encoding="utf-8")
    ws = make_workspace([*article_paths, long_title])
    app = NewsmarkApp(ws)
    async with app.run_test(size=SIZE) as pilot:
        listing = app.query_one(DocumentList)

        def rows() -> list[str]:
            return [listing.render_line(y).text.rstrip() for y in range(3)]

        assert [row[0] for row in rows()] == ["·", "·", "·"]
        await pilot.press("right_square_bracket", "1", "right_parenthesis", "3")
        await pilot.pause()
        third = rows()[2]
        assert third.startswith("◐ long-title.txt — A v")  # the file, then its title
        assert third.endswith("claim 1, terms 1")  # the title is shortened, not the counts
        assert "…" in third
        await pilot.press("d")
        assert rows()[2].startswith("● ")
        await pilot.press("d")  # and back
        assert rows()[2].startswith("◐ ")


async def test_unread_articles_of_a_big_folder_show_their_last_progress(
    tmp_path: Path, article_paths, store_dir: Path
) -> None:
    from annotations.store import LocalStore
    from annotations.workspace import Workspace

    third = tmp_path / "third.txt"
    third.write_text("A third outlet ran a short item.\n", encoding="utf-8")
    paths = [*article_paths, third]
    with LocalStore(store_dir) as store:
        ws = Workspace(store, paths)
        doc = ws.load(2)
        store.set_status(doc.id, "done")
    with LocalStore(store_dir) as store:
        # As in a folder too big to read at once: only the panes' articles are read.
        ws = Workspace(store, paths, preload=2, eager_up_to=2)
        assert ws.entries[2].document is None
        assert ws.last_status(2) == "done"
        app = NewsmarkApp(ws)
        async with app.run_test(size=SIZE):
            row = app.query_one(DocumentList).render_line(2).text
            assert row.startswith("● third.txt")
        assert ws.entries[2].document is None  # drawing it read nothing


async def test_undo_reaches_back_into_another_document(
    tmp_path: Path, article_paths, make_workspace
) -> None:
    third = tmp_path / "third.txt"
    third.write_text("A third outlet ran a short item.\n\nIt quoted nobody.\n", encoding="utf-8")
    ws = make_workspace([*article_paths, third])
    app = NewsmarkApp(ws)
    async with app.run_test(size=SIZE) as pilot:
        view = left_view(app)
        first = view.document.id
        await pilot.press("1", "right_square_bracket")
        assert view.document.id != first
        await pilot.press("u")  # the tag in the first article: the pane goes back to it
        assert view.document.id == first and ws.store.annotations(first) == []
        await pilot.press("right_square_bracket", "ctrl+r")
        assert view.document.id == first
        assert [a.label for a in ws.store.annotations(first)] == ["claim"]


async def test_a_new_search_replaces_the_last_one_offered_in_the_prompt(make_workspace) -> None:
    # The last query is offered again, selected: typing replaces it (it was
    # appended to: "see [/] here" + "vote" searched "see [/] herevote").
    app = NewsmarkApp(make_workspace())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("/", *"council", "enter")
        assert app.search_query == "council" and app.search_matches
        await pilot.press("/")
        prompt = app.query_one(PromptBar)
        assert prompt.value == "council"
        await pilot.press(*"mayor", "enter")
        assert app.search_query == "mayor"
        await pilot.press("/", "end", *"s", "enter")  # a motion keeps it to edit
        assert app.search_query == "mayors"
