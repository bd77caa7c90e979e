"""The reader driven with real key presses: the screen and the store after each."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from annotations.export import document_records
from tests.pilot_wait import until
from tui.app import NewsmarkApp
from tui.article_view import ArticleView
from tui.prompt_bar import PromptBar

SIZE = (140, 36)


def screen_text(view: ArticleView) -> str:
    """What the view shows, row by row, as plain text."""
    return "\n".join(view.render_line(y).text for y in range(view.size.height))


async def test_select_with_shift_arrows_and_tag(make_workspace) -> None:
    ws = make_workspace()
    app = NewsmarkApp(ws)
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one("#pane-0", ArticleView)
        doc = view.document
        start = doc.text.index("The council")
        view.move_to(start)
        await pilot.press(*["shift+right"] * 5, "1")
        await pilot.pause()
        [ann] = ws.store.annotations(doc.id)
        # "The c" snaps outward to whole tokens.
        assert (ann.label, ann.text) == ("claim", "The council")
        assert doc.text[ann.start : ann.end] == ann.text
        assert view.selection is None
        assert "claim 1" in str(app.query_one("#status").render())


async def test_label_key_without_selection_tags_the_sentence(make_workspace) -> None:
    ws = make_workspace()
    app = NewsmarkApp(ws)
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one("#pane-0", ArticleView)
        view.move_to(view.document.text.index("cheapest"))
        await pilot.press("2")
        [ann] = ws.store.annotations(view.document.id)
        assert ann.label == "quote"
        assert ann.text == "“This is the cheapest flood defence we have,” he told reporters."


async def test_a_tag_and_its_undo_redraw_only_the_rows_of_the_span(make_workspace) -> None:
    ws = make_workspace()
    app = NewsmarkApp(ws)
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one("#pane-0", ArticleView)
        view.move_to(view.document.text.index("cheapest"))
        await pilot.pause()
        rows = range(view.size.height)
        spans = [view._row_span(round(view.scroll_y) + y) for y in rows]
        before = [view.render_line(y) for y in rows]
        quote_bg = view._label_style("quote").bgcolor

        def coloured(strip) -> bool:
            return any(seg.style is not None and seg.style.bgcolor == quote_bg for seg in strip)

        assert not any(coloured(strip) for strip in before)
        await pilot.press("2")  # the sentence under the cursor
        [ann] = ws.store.annotations(view.document.id)
        after = [view.render_line(y) for y in rows]
        for (start, end), old, new in zip(spans, before, after, strict=True):
            if end < ann.start or start > ann.end:
                assert new is old  # kept from the cache, not drawn again
            elif start < ann.end and end > ann.start:
                assert coloured(new)
        await pilot.press("u")
        assert ws.store.annotations(view.document.id) == []
        undone = [view.render_line(y) for y in rows]
        assert not any(coloured(strip) for strip in undone)
        assert [s.text for s in undone] == [s.text for s in before]
        assert "quote 0" in str(app.query_one("#status").render())


async def test_the_annotation_list_keeps_drawn_rows_when_a_tag_shifts_them(
    make_workspace,
) -> None:
    from tui.annotation_list import AnnotationList

    ws = make_workspace()
    app = NewsmarkApp(ws)
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one("#pane-0", ArticleView)
        panel = app.query_one(AnnotationList)
        text = view.document.text
        for word in ("cheapest", "The council"):
            view.move_to(text.index(word))
            await pilot.press("1")
        drawn = {panel._annotations[y].id: panel.render_line(y) for y in range(panel.row_count)}
        view.move_to(0)
        await pilot.press("2")  # sorts first: every other row moves down one
        assert panel.row_count == 3 and panel._annotations[0].label == "quote"
        for y in range(1, 3):
            assert panel.render_line(y) is drawn[panel._annotations[y].id]
        assert "quote" in panel.render_line(0).text


async def test_remove_under_cursor(make_workspace) -> None:
    ws = make_workspace()
    app = NewsmarkApp(ws)
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one("#pane-0", ArticleView)
        await pilot.press("3")
        assert len(ws.store.annotations(view.document.id)) == 1
        await pilot.press("x")
        assert ws.store.annotations(view.document.id) == []
        await pilot.press("x")  # nothing left: a notice, no crash
        assert ws.store.annotations(view.document.id) == []


@pytest.mark.parametrize("burst", [False, True])
async def test_tab_moves_to_the_other_pane(make_workspace, burst: bool) -> None:
    # In one burst (fast typing, a paste) Tab's focus message comes behind
    # the keys already read: "Tab 4" tagged the pane just left.
    from textual import events

    ws = make_workspace()
    app = NewsmarkApp(ws)
    async with app.run_test(size=SIZE) as pilot:
        left = app.query_one("#pane-0", ArticleView)
        right = app.query_one("#pane-1", ArticleView)
        assert left.has_focus
        keys = ("tab", "down", "down", "4")
        if burst:
            for key in keys:
                app.post_message(events.Key(key, {"tab": "\t", "4": "4"}.get(key)))
            await pilot.pause()
        else:
            await pilot.press("tab")
            assert right.has_focus
            await pilot.press(*keys[1:])
        assert right.has_focus
        assert ws.store.annotations(left.document.id) == []
        [ann] = ws.store.annotations(right.document.id)
        assert ann.label == "opinion"
        # The side panel follows the focused document.
        panel = app.query_one("#annotation-list")
        assert panel.row_count == 1


async def test_a_search_typed_with_tab_in_one_burst_searches_the_new_pane(
        make_workspace) -> None:
    # "Tab /" read at once: the / (a priority key) opened its prompt, then the
    # Tab took the focus from it, and the prompt took no key after.
    from textual import events

    ws = make_workspace()
    app = NewsmarkApp(ws)
    async with app.run_test(size=SIZE) as pilot:
        right = app.query_one("#pane-1", ArticleView)
        word = next(w for w in right.text.split() if w.isalpha() and len(w) > 4)
        keys = [("tab", "\t"), ("slash", "/"), *((c, c) for c in word), ("enter", "\r")]
        for key, character in keys:
            app.post_message(events.Key(key, character))
        await until(pilot, lambda: bool(app.search_query), seconds=5)
        assert app.search_query == word and app.search_matches
        assert app.focused is right and right.text[right.cursor:].startswith(word)


async def test_choosing_in_the_side_panel_moves_the_cursor(make_workspace) -> None:
    ws = make_workspace()
    app = NewsmarkApp(ws)
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one("#pane-0", ArticleView)
        target = view.document.text.index("Critics")
        view.move_to(target)
        await pilot.press("1", "g")
        assert view.cursor == 0
        panel = app.query_one("#annotation-list")
        panel.focus()
        panel.highlighted = 0
        await pilot.press("enter")
        assert view.has_focus
        assert view.cursor == target


async def test_markup_and_escapes_in_articles_are_shown_literally(
    tmp_path: Path, make_workspace
) -> None:
    hostile = tmp_path / "hostile.txt"
    hostile.write_text(
        "Click [@click=app.quit]here[/] and [bold]bold[/bold].\n\n"
        "A bell \x07 and \x1b[31mred\x1b[0m.\n",
        encoding="utf-8",
    )
    ws = make_workspace([hostile])
    app = NewsmarkApp(ws)
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one("#pane-0", ArticleView)
        shown = screen_text(view)
        assert "[@click=app.quit]here[/]" in shown
        assert "[bold]bold[/bold]" in shown
        assert "\x1b" not in shown and "\x07" not in shown
        await pilot.click(ArticleView, offset=(8, 0))  # on the would-be link
        assert app.is_running


async def test_every_change_is_in_the_export(make_workspace) -> None:
    ws = make_workspace()
    app = NewsmarkApp(ws)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("1", "tab", "2")
    records = {r["id"]: r for r in document_records(ws.store)}
    assert len(records) == 2
    for record in records.values():
        [span] = record["spans"]
        assert record["text"][span["start"] : span["end"]] == span["text"]
        assert span["annotator"] == "tester"


async def test_mouse_click_moves_and_drag_selects(make_workspace) -> None:
    ws = make_workspace()
    app = NewsmarkApp(ws)
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one("#pane-1", ArticleView)
        await pilot.click(view, offset=(6, 1))  # inside the border and padding
        assert view.has_focus
        clicked = view.cursor
        assert clicked > 0 and view.selection is None
        await pilot.mouse_down(view, offset=(3, 1))
        await pilot.hover(view, offset=(13, 1))
        await pilot.mouse_up(view, offset=(13, 1))
        assert view.selection is not None
        start, end = view.selection
        assert end - start == 10


async def test_a_store_that_cannot_be_written_is_reported_in_the_app(
    make_workspace, monkeypatch
) -> None:
    from annotations.errors import StoreError

    ws = make_workspace()
    app = NewsmarkApp(ws)

    def refuse(*args, **kwargs):
        raise StoreError("cannot write to the store: disk full")

    async with app.run_test(size=SIZE) as pilot:
        monkeypatch.setattr(ws.store, "add", refuse)
        await pilot.press("1")
        await pilot.pause()
        status = str(app.query_one("#status").render())
        assert "NOT SAVED" in status
        assert any("disk full" in str(n.message) for n in app._notifications)
        assert app.is_running


async def test_each_pane_names_its_outlet_and_date_under_the_text(make_workspace) -> None:
    ws = make_workspace()
    app = NewsmarkApp(ws)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        left = app.query_one("#pane-0", ArticleView)
        # OUTLET_A's dateline "date 2025-03-02 (TOWNWIRE)" became metadata.
        assert left.border_subtitle == "TOWNWIRE · 2025-03-02"
        assert "TOWNWIRE" in app.export_screenshot()  # drawn on the pane's bottom border


async def test_keys_in_the_annotation_list_act_on_its_highlighted_row(make_workspace) -> None:
    ws = make_workspace()
    app = NewsmarkApp(ws)
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one("#pane-0", ArticleView)
        text = view.document.text
        for phrase in ("The council", "Critics called"):
            view.move_to(text.index(phrase))
            await pilot.press("1")
        view.move_to(0)  # on no annotation
        listed = app.query_one("#annotation-list")
        listed.focus()
        await pilot.press("j", "r", "4")  # the second row: relabelled
        await pilot.pause()
        labels = {a.text[:14]: a.label for a in ws.store.annotations(view.document.id)}
        assert labels == {"The council vo": "claim", "Critics called": "opinion"}
        await pilot.press("k", "x")  # the first row: removed
        await pilot.pause()
        [kept] = ws.store.annotations(view.document.id)
        assert kept.text.startswith("Critics called")
        assert listed.has_focus


async def test_motions_selections_and_tags_move_by_grapheme_cluster(
    tmp_path: Path, make_workspace
) -> None:
    from annotations.labels import Config

    family = "👨\u200d👩\u200d👧"
    article = tmp_path / "emoji.txt"
    article.write_text(f"A {family} and 👍🏽 went out.\n", encoding="utf-8")
    ws = make_workspace([article], config=Config(snap=False))
    app = NewsmarkApp(ws)
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one("#pane-0", ArticleView)
        text = view.document.text
        seen = []
        for _ in range(6):
            await pilot.press("l")
            seen.append(view.cursor)
        at = text.index(family)
        assert seen[:4] == [1, at, at + len(family), at + len(family) + 1]
        thumb = text.index("👍")
        view.move_to(thumb)
        await pilot.press("h", "l")
        assert view.cursor == thumb
        await pilot.press("shift+right", "3")  # the thumb and its skin tone, whole
        [ann] = ws.store.annotations(view.document.id)
        assert ann.text == "👍🏽"
        # The cursor is drawn over the whole cluster: one piece for the terminal.
        view.move_to(at)
        await pilot.pause()
        row = view.render_line(0)
        assert any(seg.text == family for seg in row)
        # Rows keep the pane's width as Rich counts cells: the border stays put.
        assert all(view.render_line(y).cell_length == view._content_width for y in range(3))


async def test_emoji_terminals_measure_differently_are_drawn_in_their_agreed_form(
    tmp_path: Path, make_workspace
) -> None:
    # tmux 3.3 draws "👍🏽" 4 cells wide and "❤️" 1, Rich counts 2 and 2: the
    # border moved. Drawn without the skin tone and the selector, every
    # terminal and Rich agree; the text and the tag keep them.
    article = tmp_path / "emoji.txt"
    article.write_text("Fans 👍🏽 and ❤️ it: 👍🏽👍🏽👍🏽 ❤️❤️ " * 6 + "\n", encoding="utf-8")
    ws = make_workspace([article])
    app = NewsmarkApp(ws)
    async with app.run_test(size=(60, 20)) as pilot:
        view = app.query_one("#pane-0", ArticleView)
        view.move_to(view.text.index("👍"))
        await pilot.press("shift+right", "3")
        await pilot.pause()
        [ann] = ws.store.annotations(view.document.id)
        assert ann.text == "👍🏽"
        drawn = "".join(seg.text for y in range(4) for seg in view.render_line(y))
        assert "👍" in drawn and "\U0001f3fd" not in drawn and "\ufe0f" not in drawn
        assert all(view.render_line(y).cell_length == view._content_width for y in range(4))
        # The side panel's row of the span and the status line's note too: a
        # skin tone there moved the list's border and left a cell behind.
        await pilot.press("m")
        await pilot.pause()
        app.focused.value = "ok 👍🏽"  # keys carry no emoji; the note field does
        await pilot.press("enter")
        await pilot.resize_terminal(120, 20)  # room for the side panel
        await pilot.pause()
        from screen_text import screen

        shown = screen(app)
        assert "terms" in shown and "ok 👍" in shown, shown
        assert "\U0001f3fd" not in shown and "\ufe0f" not in shown


async def test_a_folded_run_of_emoji_breaks_rows_between_clusters(
    tmp_path: Path, make_workspace
) -> None:
    from annotations.graphemes import cluster_start

    family = "👨\u200d👩\u200d👧"
    article = tmp_path / "emoji.txt"
    article.write_text("Run: " + family * 40 + "\n", encoding="utf-8")
    app = NewsmarkApp(make_workspace([article]))
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.pause()
        view = app.query_one("#pane-0", ArticleView)
        starts = [view._row_span(row)[0] for row in range(4)]
        assert all(cluster_start(view.text, s) == s for s in starts), starts
        assert all(view.render_line(y).cell_length == view._content_width for y in range(4))


async def test_notifications_never_cover_the_save_state(make_workspace) -> None:
    from screen_text import screen

    ws = make_workspace()
    app = NewsmarkApp(ws)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        view = app.query_one("#pane-0", ArticleView)
        view.move_to(view.document.text.index("cheapest"))
        await pilot.press("2", "f", "d", "S")  # a tag, then three notifications
        await pilot.pause()
        assert len(app._notifications) >= 3
        rows = screen(app).splitlines()
        status = next(row for row in rows if "│ saved ✓" in row)
        assert re.search(r"saved ✓ .*at \d\d:\d\d:\d\d", status), status
        # On a narrow terminal the counts are shortened, not the save state.
        await pilot.resize_terminal(60, 24)
        await pilot.pause()
        status = next(row for row in screen(app).splitlines() if "│ saved ✓" in row)
        assert re.search(r"saved ✓ .*at \d\d:\d\d:\d\d", status), status


async def test_a_notification_reaches_the_screens_right_edge(make_workspace) -> None:
    # The toasts' rack kept a hidden scrollbar gutter: the side panel's
    # border showed through in each toast's last two columns ("…text  ─╯").
    from screen_text import screen

    app = NewsmarkApp(make_workspace())
    async with app.run_test(size=(140, 40), notifications=True) as pilot:
        app.notify("A notice long enough to wrap onto two rows of its toast, then a third "
                   "one, then some more words to be sure of it", timeout=30)
        await pilot.pause()
        rows = screen(app).splitlines()
        toast = [row for row in rows if "A notice long" in row or "some more words" in row]
        assert toast, rows
        assert all(not row.rstrip().endswith(("╯", "╮", "│")) for row in toast), toast


async def test_search_says_which_match_and_when_it_wraps(make_workspace) -> None:
    ws = make_workspace()
    app = NewsmarkApp(ws)
    async with app.run_test(size=SIZE) as pilot:
        assert app.query_one("#pane-0", ArticleView).has_focus
        await pilot.press("slash", *"the", "enter")
        count = len(app.search_matches)
        assert count >= 3
        status = app.query_one("#status")
        assert f"match 1 of {count} (n/N)" in str(status.render())
        await pilot.press("n")
        assert f"match 2 of {count}" in str(status.render())
        await pilot.press("N", "N")  # from the first back to the last: wraps
        assert f"match {count} of {count}" in str(status.render())
        assert any("wrapped to the bottom" in str(n.message) for n in app._notifications)


async def test_a_label_key_after_a_search_tags_the_match(make_workspace) -> None:
    # Found trying the reader: `/Dr. Lee⏎` then a label key tagged the whole
    # sentence, since the match was not selected.
    ws = make_workspace()
    app = NewsmarkApp(ws)
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one("#pane-0", ArticleView)
        text = view.document.text
        await pilot.press("slash", *"Dr. Lee", "enter")
        await pilot.pause()
        start = text.index("Dr. Lee")
        assert view.selection == (start, start + 7) and view.cursor == start
        await pilot.press("1")  # claim: what the first label key tags
        await pilot.pause()
        [ann] = ws.store.annotations(view.document.id)
        assert (ann.start, ann.end) == (start, start + 7)
        # A motion drops the selection; n selects the next match.
        await pilot.press("slash", *"the", "enter", "l")
        assert view.selection is None
        await pilot.press("n")
        first = view.cursor
        assert view.selection == (first, first + 3)
        await pilot.press("N")
        assert view.cursor < first and view.selection == (view.cursor, view.cursor + 3)


async def test_a_second_quote_key_with_nothing_wider_says_so(make_workspace) -> None:
    ws = make_workspace()
    app = NewsmarkApp(ws)
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one("#pane-0", ArticleView)
        view.move_to(view.document.text.index("cheapest"))
        await pilot.press("quotation_mark")
        first = view.selection
        assert first is not None
        await pilot.press("quotation_mark")  # the same quotation with its marks
        assert view.selection == (first[0] - 1, first[1] + 1)
        text = view.document.text
        assert text[first[0] - 1] == "“" and text[first[1]] == "”"
        with_marks = view.selection
        await pilot.press("quotation_mark")
        assert view.selection == with_marks
        assert any("No wider quotation" in str(n.message) for n in app._notifications)


async def test_done_shows_in_the_status_line_and_the_document_list(make_workspace) -> None:
    ws = make_workspace()
    app = NewsmarkApp(ws)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("d")
        await pilot.pause()
        assert "DONE ✓" in str(app.query_one("#status").render())
        assert "saved ✓ marked done at" in str(app.query_one("#status").render())
        listed = app.query_one("#document-list")
        assert "done ✓" in listed.render_line(0).text
        await pilot.press("d")
        await pilot.pause()
        assert "DONE" not in str(app.query_one("#status").render())
        assert "done ✓" not in listed.render_line(0).text


async def test_the_status_line_names_the_suggestion_or_note_under_the_cursor(
    make_workspace,
) -> None:
    ws = make_workspace()
    app = NewsmarkApp(ws)
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one("#pane-0", ArticleView)
        await pilot.press("S")
        assert view.suggestions
        first = view.suggestions[0]
        view.move_to(first.start)
        await pilot.pause()
        status = str(app.query_one("#status").render())
        assert f"suggested {first.label}: a accepts" in status
        # Hidden with S (it steps through the labels, then hides them), the
        # suggestion is no longer named: the status line went on naming it.
        for _ in range(10):
            if not view.suggestions:
                break
            await pilot.press("S")
        assert "suggested" not in str(app.query_one("#status").render())
        for _ in range(10):  # and S shows them all again
            await pilot.press("S")
            if len(view.suggestions) > 1:
                break
        view.move_to(first.start)
        await pilot.pause()
        await pilot.press("a", "m", *"see p2", "enter")
        await pilot.pause()
        assert "see p2" in str(app.query_one("#status").render())
        assert f"on {first.label} ✎ " in str(app.query_one("#status").render())


async def test_a_narrow_terminal_shows_one_pane_beside_the_side_panel(make_workspace) -> None:
    ws = make_workspace()
    app = NewsmarkApp(ws)
    async with app.run_test(size=(80, 24)) as pilot:
        a, b = app.query_one("#pane-0", ArticleView), app.query_one("#pane-1", ArticleView)
        side = app.query_one("#side")
        await pilot.pause()
        assert not side.display and a.display and b.display
        await pilot.press("p")
        await pilot.pause()
        assert side.display and a.display and not b.display
        assert a.size.width >= 45  # not ~23 columns
        await pilot.press("p")
        await pilot.pause()
        assert not side.display and a.display and b.display
        # Wide enough for both panes and the panel: nothing is hidden.
        await pilot.resize_terminal(140, 36)
        await pilot.press("p")
        await pilot.pause()
        assert side.display and a.display and b.display
        # Narrowed with the panel open: as if started narrow, two panes and the
        # panel put away (it was one pane and the panel), and back when widened.
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert not side.display and a.display and b.display
        await pilot.resize_terminal(140, 36)
        await pilot.pause()
        assert side.display and a.display and b.display
        # Opened with p while narrow, it stays open: one pane beside it, and
        # so again after a round trip through a wide terminal.
        await pilot.resize_terminal(80, 24)
        await pilot.press("p")
        await pilot.pause()
        assert side.display and a.display and not b.display
        await pilot.resize_terminal(100, 30)
        await pilot.pause()
        assert side.display and not b.display
        await pilot.resize_terminal(140, 36)
        await pilot.pause()
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert side.display and a.display and not b.display


async def test_export_from_the_command_palette(make_workspace, tmp_path, monkeypatch) -> None:
    import json

    monkeypatch.chdir(tmp_path)
    ws = make_workspace()
    app = NewsmarkApp(ws)
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one("#pane-0", ArticleView)
        view.move_to(view.document.text.index("cheapest"))
        await pilot.press("2", "ctrl+p", *"export", "space", *"as", "space", *"jsonl")
        await pilot.pause(0.3)
        await pilot.press("enter")  # the command
        await pilot.pause()
        prompt = app.query_one("#prompt")
        assert prompt.value == str(tmp_path / "newsmark-export.jsonl")
        await pilot.press("enter")  # the file name offered
        await pilot.pause()
        [record] = [json.loads(line) for line in
                    (tmp_path / "newsmark-export.jsonl").read_text().splitlines()]
        assert [s["label"] for s in record["spans"]] == ["quote"]
        assert any("wrote 1 jsonl record (1 span, 1 document)" in str(n.message)
                   for n in app._notifications)
        # A path typed replaces the one offered (it was appended to it).
        await pilot.press("ctrl+p", *"export", "space", *"as", "space", *"jsonl")
        await pilot.pause(0.3)
        await pilot.press("enter", *"mine.jsonl", "enter")
        await pilot.pause()
        assert (tmp_path / "mine.jsonl").exists()


async def test_an_internal_error_is_logged_and_explained_not_shown_as_a_traceback(
    make_workspace, monkeypatch
) -> None:
    import pytest

    from tui.app import CRASH_LOG

    ws = make_workspace()

    def broken(*args, **kwargs):
        raise RuntimeError("a bug in tagging")

    monkeypatch.setattr(ws, "tag", broken)
    app = NewsmarkApp(ws)
    with pytest.raises(RuntimeError, match="a bug in tagging"):  # pilot re-raises it
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("1")
            await pilot.pause()
    log = Path(ws.store.root) / CRASH_LOG
    assert "RuntimeError: a bug in tagging" in log.read_text(encoding="utf-8")
    assert app.return_code  # the CLI turns it into exit 70


async def test_one_undo_takes_back_every_suggestion_a_single_A_accepted(make_workspace) -> None:
    ws = make_workspace()
    app = NewsmarkApp(ws)
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one("#pane-0", ArticleView)
        await pilot.press("S")
        on_screen = len(view.suggestions)
        assert on_screen >= 2
        view.move_to(0)
        view.move_to(view.document.text.index("cheapest"))
        await pilot.press("2")  # a tag before: not part of the group
        before = len(ws.store.annotations(view.document.id))
        await pilot.press("A")
        accepted = len(ws.store.annotations(view.document.id)) - before
        assert accepted >= 2
        await pilot.press("u")
        assert len(ws.store.annotations(view.document.id)) == before
        # As many suggestions as annotations, less the speakers a quote came with (issue 15).
        status = str(app.query_one("#status").render())
        found = re.search(r"undid accepting (\d+) suggestions", status)
        assert found and 2 <= int(found[1]) <= accepted
        await pilot.press("ctrl+r")
        assert len(ws.store.annotations(view.document.id)) == before + accepted
        await pilot.press("u", "u")  # the group, then the tag
        assert len(ws.store.annotations(view.document.id)) == before - 1


async def test_undoing_an_accepted_quote_says_the_quote_went(make_workspace) -> None:
    # It read "undid change of quote with its relations" (found trying the reader).
    ws = make_workspace()
    app = NewsmarkApp(ws)
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one("#pane-0", ArticleView)
        await pilot.press("S", "S")  # quotes only
        quote = view.suggestions[0]
        assert quote.label == "quote" and quote.speaker is not None
        view.move_to(quote.start + 1)
        await pilot.press("a")
        assert len(ws.store.annotations(view.document.id)) == 2  # with its speaker
        await pilot.press("u")
        await pilot.pause()
        assert ws.store.annotations(view.document.id) == []
        assert "undid the quote tag with its relations" in str(
            app.query_one("#status").render())


async def test_the_side_panel_lists_suggestions_with_their_labels(make_workspace) -> None:
    from tui.suggestion_list import SuggestionList

    ws = make_workspace()
    app = NewsmarkApp(ws)
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one("#pane-0", ArticleView)
        await pilot.pause()  # the list joins the side panel after the first frame
        listed = app.query_one(SuggestionList)
        assert not listed.display
        await pilot.press("S")
        await pilot.pause()
        assert listed.display and listed.row_count == len(view.suggestions)
        second = view.suggestions[1]
        # Label and position first: two suggestions of one word are told apart.
        assert listed.render_line(1).text.startswith(
            f"{second.label} {second.start}–{second.end} ")
        listed.focus()
        await pilot.press("j", "a")  # keys in the list act on its highlighted row
        # (a quote comes with its speaker when one was found: issue 15)
        [ann] = [a for a in ws.store.annotations(view.document.id) if a.label == second.label]
        assert (ann.start, ann.end, ann.label) == (second.start, second.end, second.label)


async def test_a_status_line_drops_the_labels_counted_0_first() -> None:
    # Six labels' counts: those at 0 go, from the last one back, before the
    # counts that say something, the position or the mode.
    from collections import Counter

    from textual.app import App, ComposeResult

    from tui.status_bar import StatusBar

    class Line(App[None]):
        def compose(self) -> ComposeResult:
            yield StatusBar(id="status")

    labels = ["claim", "quote", "terms", "opinion", "speaker", "source"]
    app = Line()
    async with app.run_test(size=(84, 3)) as pilot:
        bar = app.query_one(StatusBar)
        bar.show(counts=Counter(quote=2, speaker=1), labels=labels, sentence=(0, 5),
                 selection=0, selecting=False, mode="RELATE", saved="saved ✓", annotator="ana")
        await pilot.pause()
        line = str(bar.render())
        assert "quote 2" in line and "speaker 1" in line and "sentence 1/5" in line, line
        assert "RELATE" in line and "ana" in line and line.endswith("saved ✓"), line
        assert "claim 0" in line and "source 0" not in line, line  # the first is kept longest


async def test_a_narrow_status_line_drops_the_counts_before_the_mode(make_workspace) -> None:
    from screen_text import screen

    ws = make_workspace()
    app = NewsmarkApp(ws)
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one("#pane-0", ArticleView)
        view.move_to(view.document.text.index("cheapest"))
        await pilot.press("2", "r")
        await pilot.pause()
        status = next(row for row in screen(app).splitlines() if "RELABEL" in row)
        assert "press a label key" in status and re.search(r"saved ✓ .*\d\d:\d\d:\d\d", status)
        assert "claim 0" not in status  # the counts made room


async def test_a_narrow_key_bar_shows_every_label_key_it_can(make_workspace) -> None:
    from screen_text import screen

    ws = make_workspace()
    app = NewsmarkApp(ws)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        keys = screen(app).splitlines()[-1]
        # Spaced and with the palette's key, it stopped at "2 q".
        assert "6 source" in keys and "palette" not in keys  # every label key of the defaults
        await pilot.resize_terminal(140, 36)
        await pilot.pause()
        assert "palette" in screen(app).splitlines()[-1]


async def test_x_in_the_document_list_removes_nothing_in_the_article(make_workspace) -> None:
    """x (or the key remove is remapped to) falling through from another list
    removed the span under the article's cursor, out of sight."""
    from screen_text import screen

    from tui.document_list import DocumentList

    ws = make_workspace()
    app = NewsmarkApp(ws)
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one("#pane-0", ArticleView)
        view.move_to(view.document.text.index("cheapest"))
        await pilot.press("1")
        assert len(ws.store.annotations(view.document.id)) == 1
        app.query_one(DocumentList).focus()
        await pilot.pause()
        await pilot.press("x")
        assert len(ws.store.annotations(view.document.id)) == 1
        # Nor is it offered there (tests/test_key_bar.py).
        assert "x Remove" not in screen(app).splitlines()[-1]


async def test_keys_typed_right_after_enter_in_the_prompt_go_to_the_reader(make_workspace) -> None:
    """Keys sent in one burst (a fast typist, tmux, a paste): `/the⏎n`
    searched "the" and then the n went into the closed prompt, not to the
    next match (the focus came back to the article a message later)."""
    from textual import events

    ws = make_workspace()
    app = NewsmarkApp(ws)
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one("#pane-0", ArticleView)
        await pilot.press("slash", *"the")
        # One burst: no pause between the keys, as a terminal delivers them.
        app.post_message(events.Key("enter", "\r"))
        app.post_message(events.Key("n", "n"))
        await pilot.pause()
        status = str(app.query_one("#status").render())
        count = len(app.search_matches)
        assert count >= 3
        assert f"match 2 of {count}" in status, status
        assert view.has_focus
        assert app.query_one(PromptBar).value in ("", "the")  # the n was not typed there
        # Escape, then a key, in one burst: the key acts in the article.
        await pilot.press("slash", *"council")
        app.post_message(events.Key("escape", "\x1b"))
        app.post_message(events.Key("n", "n"))
        await pilot.pause()
        assert view.has_focus
        assert f"match 3 of {count}" in str(app.query_one("#status").render())


async def test_putting_the_panel_away_gives_a_list_s_focus_to_the_pane(make_workspace) -> None:
    """`p` (or a terminal narrowed) with a list focused left nothing focused:
    no cursor anywhere, and the keys did nothing until Tab."""
    from tui.document_list import DocumentList

    ws = make_workspace()
    app = NewsmarkApp(ws)
    async with app.run_test(size=(140, 36)) as pilot:
        view = app.active_view
        app.query_one(DocumentList).focus()
        await pilot.pause()
        await pilot.press("p")
        await pilot.pause()
        assert not app.query_one("#side").display
        assert app.focused is view
        await pilot.press("p")
        app.query_one(DocumentList).focus()
        await pilot.pause()
        await pilot.resize_terminal(80, 24)  # the panel is put away for the width
        await pilot.pause()
        assert not app.query_one("#side").display
        assert app.focused is view
        await pilot.press("2")  # and the keys act there
        assert [a.label for a in ws.store.annotations(view.document.id)] == ["quote"]



async def test_choosing_a_document_already_in_a_pane_goes_to_that_pane(make_workspace) -> None:
    """Enter on the other pane's document loaded it into both panes."""
    from tui.document_list import DocumentList

    ws = make_workspace()
    app = NewsmarkApp(ws)
    async with app.run_test(size=SIZE) as pilot:
        left, right = app.query_one("#pane-0", ArticleView), app.query_one("#pane-1", ArticleView)
        documents = app.query_one(DocumentList)
        documents.focus()
        documents.highlighted = ws.index_of(right.document.id)
        await pilot.press("enter")
        assert right.has_focus
        assert left.document.id != right.document.id


async def test_the_status_line_says_what_the_prompt_asks(make_workspace) -> None:
    """A prompt holding a value (the export path offered, a note to edit)
    hides its placeholder: the export prompt stood there with no label."""
    ws = make_workspace()
    app = NewsmarkApp(ws)
    async with app.run_test(size=SIZE) as pilot:
        app._ask_export("jsonl")
        await pilot.pause()
        status = str(app.query_one("#status").render())
        assert "Export jsonl to (Enter writes) · Esc cancels" in status, status
        await pilot.press("escape")
        await pilot.pause()
        assert "Export jsonl" not in str(app.query_one("#status").render())


async def test_S_says_what_each_step_shows_and_when_a_label_has_none(make_workspace) -> None:
    # Found trying the reader: a label with no suggestion read "0 opinion
    # suggestions, dimmed in italics: a accepts, …".
    from annotations.suggest import LABELS

    ws = make_workspace()
    app = NewsmarkApp(ws)
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one("#pane-0", ArticleView)
        view.focus()
        await pilot.pause()
        said = []
        for _ in range(len(LABELS) + 2):
            app.clear_notifications()
            await pilot.press("S")
            await pilot.pause()
            said.append(" ".join(str(n.message) for n in app._notifications))
        counts = {label: sum(s.label == label for s in ws.suggestions(view.document.id))
                  for label in LABELS}
        assert said[0].startswith(f"{sum(counts.values())} suggestions, dimmed")
        for label, message in zip(LABELS, said[1:]):
            if counts[label]:
                assert message.startswith(f"{counts[label]} {label} suggestion"), message
            else:
                assert message.startswith(f"No {label} suggestions here; S: "), message
        assert said[-1] == "Suggestions hidden" and view.suggestions == []
        assert 0 in counts.values()  # the empty case was tried


async def claim_opened_by_a_quote(pilot, view: ArticleView) -> int:  # type: ignore[no-untyped-def]
    """Tag a sentence as claim and the quotation it opens with as quote: two
    spans that start at one character, which is returned."""
    text = view.document.text
    start = text.index("“This is the cheapest")
    view.move_to(start + 3)
    await pilot.press("1")  # the sentence, as claim
    view.select(start, text.index("” he told") + 1)
    await pilot.press("2")  # the quotation, as quote
    return start


async def highlight_row(pilot, app: NewsmarkApp, label: str) -> None:  # type: ignore[no-untyped-def]
    """Focus the Annotations list and highlight the row of the span labelled `label`."""
    listed = app.query_one("#annotation-list")
    listed.focus()
    await pilot.pause()
    listed.highlighted = next(i for i, a in enumerate(listed._annotations) if a.label == label)


async def test_semicolon_points_at_the_wider_of_two_spans_that_start_together(
        make_workspace) -> None:
    # A claim sentence that opens with the quote inside it: both start at the
    # quotation mark, and x, r, m, = and c acted on the quote alone there.
    ws = make_workspace()
    app = NewsmarkApp(ws)
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one("#pane-0", ArticleView)
        start = await claim_opened_by_a_quote(pilot, view)
        view.move_to(start)
        await pilot.pause()
        status = app.query_one("#status")
        assert "on quote (1 of 2 here" in str(status.render())
        await pilot.press("semicolon")
        assert "on claim (2 of 2 here" in str(status.render())
        await pilot.press("x")
        [kept] = ws.store.annotations(view.document.id)
        assert kept.label == "quote"
        await pilot.press("u")  # the claim back; the cursor moved: the innermost again
        await pilot.pause()
        view.move_to(start)
        await pilot.press("semicolon", "semicolon", "x")  # round to the quote again
        [kept] = ws.store.annotations(view.document.id)
        assert kept.label == "claim"


async def test_a_row_chosen_in_the_list_is_what_the_pane_then_acts_on(make_workspace) -> None:
    ws = make_workspace()
    app = NewsmarkApp(ws)
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one("#pane-0", ArticleView)
        start = await claim_opened_by_a_quote(pilot, view)
        await highlight_row(pilot, app, "claim")
        await pilot.press("enter")
        assert view.has_focus and view.cursor == start
        await pilot.press("r", "4")  # relabelled: the claim, not the quote inside it
        await pilot.pause()
        assert sorted(a.label for a in ws.store.annotations(view.document.id)) == [
            "opinion", "quote"]


async def test_the_status_line_names_the_list_row_keys_act_on_while_the_list_has_focus(
        make_workspace) -> None:
    # Found by a new user: with the claim's row highlighted, r said "RELABEL
    # … on quote" (the pane's span) and then relabelled the claim.
    ws = make_workspace()
    app = NewsmarkApp(ws)
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one("#pane-0", ArticleView)
        start = await claim_opened_by_a_quote(pilot, view)
        view.move_to(start)
        await highlight_row(pilot, app, "claim")
        await pilot.press("r")
        status = str(app.query_one("#status").render())
        assert "RELABEL" in status and "on claim (the list's row)" in status, status
        await pilot.press("4")
        assert sorted(a.label for a in ws.store.annotations(view.document.id)) == [
            "opinion", "quote"]
        # An undo in the list keeps the list's focus (it went to the pane,
        # and the next arrow moved the article's cursor).
        await pilot.press("u")
        await pilot.pause()
        assert app.screen.focused is app.query_one("#annotation-list")
        assert "on claim (the list's row)" in str(app.query_one("#status").render())
        view.focus()  # back in the pane: its span again
        await pilot.pause()
        assert "on quote (1 of 2 here" in str(app.query_one("#status").render())
