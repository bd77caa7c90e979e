"""The reader driven with real key presses: the screen and the store after each."""

from __future__ import annotations

from pathlib import Path

from annotations.export import document_records
from tui.app import NewsmarkApp
from tui.article_view import ArticleView

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


async def test_tab_moves_to_the_other_pane(make_workspace) -> None:
    ws = make_workspace()
    app = NewsmarkApp(ws)
    async with app.run_test(size=SIZE) as pilot:
        left = app.query_one("#pane-0", ArticleView)
        right = app.query_one("#pane-1", ArticleView)
        assert left.has_focus
        await pilot.press("tab")
        assert right.has_focus
        await pilot.press("down", "down", "4")
        assert ws.store.annotations(left.document.id) == []
        [ann] = ws.store.annotations(right.document.id)
        assert ann.label == "opinion"
        # The side panel follows the focused document.
        panel = app.query_one("#annotation-list")
        assert panel.row_count == 1


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
