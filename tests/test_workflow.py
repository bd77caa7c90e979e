"""The annotation workflow from the keyboard: motions, quick selections,
snapping, overlaps, relabel, notes, undo across restarts, search, documents."""

from __future__ import annotations

import re
from pathlib import Path

from annotations.labels import Config
from tui.app import NewsmarkApp
from tui.article_view import ArticleView
from tui.help_screen import HelpScreen

SIZE = (140, 36)


def left_view(app: NewsmarkApp) -> ArticleView:
    return app.query_one("#pane-0", ArticleView)


async def test_word_sentence_paragraph_and_document_motions(make_workspace) -> None:
    app = NewsmarkApp(make_workspace())
    async with app.run_test(size=SIZE) as pilot:
        view = left_view(app)
        text = view.text
        # The first frame may show paragraphs only (segmentation waits for
        # the paint); the first key must still move by real words.
        seg = app.workspace.segmentation(view.document.id)
        await pilot.press("w")
        assert view.segmentation is seg
        assert view.cursor == seg.tokens[1][0]
        await pilot.press("b")
        assert view.cursor == 0
        await pilot.press("right_parenthesis")
        assert view.cursor == seg.sentences[1][0]
        await pilot.press("left_parenthesis")
        assert view.cursor == 0
        await pilot.press("right_curly_bracket")
        assert view.cursor == seg.paragraphs[1][0]
        await pilot.press("G")
        assert view.cursor == len(text)
        await pilot.press("g", "l", "l", "h")
        assert view.cursor == 1
        await pilot.press("j")
        assert view._row_of(view.cursor) == 1


async def test_v_w_w_selects_a_two_word_term(make_workspace) -> None:
    ws = make_workspace()
    app = NewsmarkApp(ws)
    async with app.run_test(size=SIZE) as pilot:
        view = left_view(app)
        view.move_to(view.text.index("Ash river"))
        await pilot.press("v", "w", "w")
        assert view.selecting
        await pilot.press("3")
        [ann] = ws.store.annotations(view.document.id)
        assert (ann.label, ann.text) == ("terms", "Ash river")
        assert not view.selecting and view.selection is None


async def test_quote_key_selects_inside_the_quotation(make_workspace) -> None:
    ws = make_workspace()
    app = NewsmarkApp(ws)
    async with app.run_test(size=SIZE) as pilot:
        view = left_view(app)
        view.move_to(view.text.index("cheapest"))
        await pilot.press("quotation_mark", "2")
        [ann] = ws.store.annotations(view.document.id)
        assert ann.text == "This is the cheapest flood defence we have,"


async def test_s_and_e_select_sentence_and_grow(make_workspace) -> None:
    app = NewsmarkApp(make_workspace())
    async with app.run_test(size=SIZE) as pilot:
        view = left_view(app)
        view.move_to(view.text.index("rushed"))
        await pilot.press("s")
        start, end = view.selection
        assert view.text[start:end] == "Critics called the vote rushed."
        await pilot.press("escape")
        assert view.selection is None
        view.move_to(view.text.index("rushed"))
        await pilot.press("e")
        start, end = view.selection
        assert view.text[start:end] == "rushed"
        await pilot.press("e", "e")
        start, end = view.selection
        assert view.text[start:end].startswith("Critics called") and "Dr. Lee" in view.text[
            start:end]


async def test_snapping_can_be_turned_off(make_workspace) -> None:
    ws = make_workspace(config=Config(snap=False))
    app = NewsmarkApp(ws)
    async with app.run_test(size=SIZE) as pilot:
        view = left_view(app)
        view.move_to(view.text.index("council"))
        await pilot.press(*["shift+right"] * 4, "1")
        [ann] = ws.store.annotations(view.document.id)
        assert ann.text == "coun"


async def test_overlapping_spans_and_no_duplicates(make_workspace) -> None:
    ws = make_workspace()
    app = NewsmarkApp(ws)
    async with app.run_test(size=SIZE) as pilot:
        view = left_view(app)
        view.move_to(view.text.index("Ash river"))
        await pilot.press("1")  # the whole sentence
        await pilot.press("v", "w", "w", "3")  # a term inside it
        view.move_to(view.text.index("Ash river"))
        await pilot.press("1")  # the same sentence, same label: no duplicate
        labels = sorted(a.label for a in ws.store.annotations(view.document.id))
        assert labels == ["claim", "terms"]
        # The inner span is the one under the cursor.
        assert view.annotations_at(view.cursor)[0].label == "terms"


async def test_next_previous_relabel_and_note(make_workspace) -> None:
    ws = make_workspace()
    app = NewsmarkApp(ws)
    async with app.run_test(size=SIZE) as pilot:
        view = left_view(app)
        first = view.text.index("The council")
        second = view.text.index("Critics")
        view.move_to(first)
        await pilot.press("1")
        view.move_to(second)
        await pilot.press("4", "g", "n")
        assert view.cursor == first
        await pilot.press("n")
        assert view.cursor == second
        await pilot.press("N")
        assert view.cursor == first
        await pilot.press("r", "2")
        assert {a.label for a in ws.store.annotations(view.document.id)} == {"quote", "opinion"}
        await pilot.press("m", *"weir cost", "enter")
        [noted] = [a for a in ws.store.annotations(view.document.id) if a.note]
        assert (noted.label, noted.note) == ("quote", "weir cost")
        assert view.has_focus


async def test_a_note_right_after_tagging_a_selection_lands_on_it(make_workspace) -> None:
    """shift+arrows end one past the span: m must not miss the span just made."""
    ws = make_workspace()
    app = NewsmarkApp(ws)
    async with app.run_test(size=SIZE) as pilot:
        view = left_view(app)
        view.move_to(view.text.index("Ash river"))
        await pilot.press(*["shift+right"] * 9, "3")
        [term] = ws.store.annotations(view.document.id)
        assert term.text == "Ash river"
        await pilot.press("m", *"a river", "enter")
        [noted] = ws.store.annotations(view.document.id)
        assert (noted.id, noted.note) == (term.id, "a river")


async def test_undo_and_redo_survive_a_restart(make_workspace) -> None:
    ws = make_workspace()
    app = NewsmarkApp(ws)
    async with app.run_test(size=SIZE) as pilot:
        doc_id = left_view(app).document.id
        await pilot.press("1", "r", "2")
    assert [a.label for a in ws.store.annotations(doc_id)] == ["quote"]
    ws.store.close()

    ws2 = make_workspace()
    app2 = NewsmarkApp(ws2)
    async with app2.run_test(size=SIZE) as pilot:
        await pilot.press("u")
        assert [a.label for a in ws2.store.annotations(doc_id)] == ["claim"]
        await pilot.press("u")
        assert ws2.store.annotations(doc_id) == []
        await pilot.press("ctrl+r")
        assert [a.label for a in ws2.store.annotations(doc_id)] == ["claim"]


async def test_search_highlights_and_steps_through_matches(make_workspace) -> None:
    app = NewsmarkApp(make_workspace())
    async with app.run_test(size=SIZE) as pilot:
        view = left_view(app)
        await pilot.press("slash", *"the", "enter")
        text = view.text.lower()
        starts = [i for i in range(len(text)) if text.startswith("the", i)]
        assert [s for s, _ in app.search_matches] == starts
        assert view.cursor == starts[0] or view.cursor == starts[1]
        first = view.cursor
        await pilot.press("n")
        assert view.cursor == min(s for s in starts if s > first)
        assert f"match {starts.index(view.cursor) + 1} of {len(starts)}" in str(
            app.query_one("#status").render())
        await pilot.press("escape")
        assert app.search_matches == []
        await pilot.press("slash", *"re:(", "enter")  # a broken regex: a message, no crash
        assert app.is_running


async def test_documents_next_previous_done_and_reopen_position(
    tmp_path: Path, article_paths, make_workspace
) -> None:
    third = tmp_path / "third.txt"
    third.write_text("A third outlet ran a short item.\n\nIt quoted nobody.\n", encoding="utf-8")
    paths = [*article_paths, third]
    ws = make_workspace(paths)
    app = NewsmarkApp(ws)
    async with app.run_test(size=SIZE) as pilot:
        view = left_view(app)
        names = [d.id for d in ws.order]
        # The second article is in the other pane: ] and [ step over it.
        await pilot.press("right_square_bracket")
        assert view.document.id == names[2]
        await pilot.press("left_square_bracket")
        assert view.document.id == names[0]
        await pilot.press("left_square_bracket")
        assert view.document.id == names[2]
        await pilot.press("d")
        assert ws.status(names[2]) == "done"
        await pilot.press("right_parenthesis")
        cursor = view.cursor
        assert cursor > 0
    ws.store.close()

    app2 = NewsmarkApp(make_workspace(paths))
    async with app2.run_test(size=SIZE):
        view = left_view(app2)
        assert view.document.id == names[2]
        assert view.cursor == cursor


async def test_help_lists_every_key_and_closes(make_workspace) -> None:
    app = NewsmarkApp(make_workspace())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Select the sentence" in titles and "Tag claim" in titles


async def test_relabel_onto_an_existing_span_and_label_is_refused(make_workspace) -> None:
    ws = make_workspace()
    app = NewsmarkApp(ws)
    async with app.run_test(size=SIZE) as pilot:
        view = left_view(app)
        await pilot.press("4", "2", "r", "2")  # the sentence as opinion and quote
        labels = sorted(a.label for a in ws.store.annotations(view.document.id))
        assert labels == ["opinion", "quote"]
        assert any("already" in str(n.message) for n in app._notifications)


async def test_a_restored_pane_keeps_its_side_and_new_files_fill_the_other(
    tmp_path: Path, article_paths, make_workspace
) -> None:
    """Before: the right pane's article, given again second, came back on the left,
    pushing the file given first to the right."""
    third = tmp_path / "third.txt"
    third.write_text("A third outlet ran a short item.\n\nIt quoted nobody.\n", encoding="utf-8")
    first, second = article_paths
    ws = make_workspace([first, second])
    async with NewsmarkApp(ws).run_test(size=SIZE):
        pass
    ws.store.close()
    ws = make_workspace([third, second])
    app = NewsmarkApp(ws)
    async with app.run_test(size=SIZE):
        names = [Path(view.document.meta.path).name for view in app.views]
        assert names == ["third.txt", second.name]


async def test_the_pane_that_had_the_focus_has_it_again_on_reopen(
    article_paths, make_workspace
) -> None:
    ws = make_workspace(article_paths)
    app = NewsmarkApp(ws)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("tab", "right_parenthesis")  # into the right pane, a sentence on
        right = app.query_one("#pane-1", ArticleView)
        assert app.active_view is right and right.has_focus
        cursor = right.cursor
    ws.store.close()
    ws = make_workspace(article_paths)
    app = NewsmarkApp(ws)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        right = app.query_one("#pane-1", ArticleView)
        assert app.active_view is right and right.has_focus and right.cursor == cursor
        await pilot.press("shift+tab")  # back to the left pane: that is kept too
    ws.store.close()
    ws = make_workspace(article_paths)
    app = NewsmarkApp(ws)
    async with app.run_test(size=SIZE):
        assert app.active_view is app.query_one("#pane-0", ArticleView)


async def test_an_undo_in_a_document_not_open_says_which_document(
    article_paths, make_workspace
) -> None:
    """Undo reaches across restarts: it changed a document this session had not
    opened, and the status line only said "undid the claim tag"."""
    first, second = article_paths
    ws = make_workspace([first, second])
    app = NewsmarkApp(ws)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("tab", "1")  # a claim in the second article
        assert len(ws.store.annotations(app.active_view.document.id)) == 1
        tagged = app.active_view.document.id
    ws.store.close()
    ws = make_workspace([first])  # opened alone this time
    app = NewsmarkApp(ws)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("u")
        await pilot.pause()
        assert ws.store.annotations(tagged) == []
        said = [str(n.message) for n in app._notifications]
        assert any("outlet-b.txt" in m and "not open" in m for m in said), said


async def test_a_and_u_with_nothing_to_act_on_say_so(make_workspace) -> None:
    app = NewsmarkApp(make_workspace())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("A", "u")
        said = [str(n.message) for n in app._notifications]
        assert "No suggestion on screen to accept (S shows them)" in said  # was silent
        assert "Nothing to undo" in said


async def test_a_note_on_one_of_two_spans_of_the_same_extent_stays_on_it(make_workspace) -> None:
    """Two labels on one sentence: the status line named the other span once
    the first had a note (the edited span moved behind its twin), and a
    second `m` opened the other span's note."""
    ws = make_workspace()
    app = NewsmarkApp(ws)
    async with app.run_test(size=SIZE) as pilot:
        view = left_view(app)
        view.move_to(view.text.index("Critics"))
        await pilot.press("s", "1", "escape", "s", "4", "escape")
        claim, opinion = sorted(ws.store.annotations(view.document.id), key=lambda a: a.label)
        assert (claim.start, claim.end) == (opinion.start, opinion.end)
        first = view.annotations_at(view.cursor)[0]
        await pilot.press("m", *"too fast", "enter")
        status = str(app.query_one("#status").render())
        assert re.search(rf"on {first.label} \(1 of 2 here: [^)]*\) ✎ too fast", status), status
        await pilot.press("m")
        assert app.query_one("#prompt").value == "too fast"


async def test_a_document_opened_again_later_starts_where_its_cursor_was(
    tmp_path: Path, make_workspace
) -> None:
    """The cursor was kept only for the last session's panes: open a, then b
    alone, then a again, and a started at the top."""
    first, other = tmp_path / "first.txt", tmp_path / "other.txt"
    first.write_text("".join(f"Sentence {i} of the first article.\n\n" for i in range(40)),
                     encoding="utf-8")
    other.write_text("Another outlet ran a short item.\n\nIt quoted nobody.\n",
                     encoding="utf-8")
    ws = make_workspace([first])
    app = NewsmarkApp(ws)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*[")"] * 12)
        cursor = left_view(app).cursor
        assert cursor > 0
    ws.store.close()
    ws = make_workspace([other])
    async with NewsmarkApp(ws).run_test(size=SIZE) as pilot:
        await pilot.press(")")
    ws.store.close()
    app = NewsmarkApp(make_workspace([first, other]))
    async with app.run_test(size=SIZE):
        [view] = [v for v in app.views if v.document.text.startswith("Sentence 0")]
        assert view.cursor == cursor
