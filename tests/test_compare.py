"""Two outlets side by side: aligned sentences, links across panes, suggestions."""

from __future__ import annotations

from annotations.export import document_records
from tui.app import NewsmarkApp
from tui.article_view import ArticleView
from tui.link_screen import LinkScreen

SIZE = (140, 36)


async def settled(app: NewsmarkApp, pilot) -> None:
    await app.workers.wait_for_complete()
    await pilot.pause()


async def test_counterparts_and_unmatched_sentences(make_workspace) -> None:
    app = NewsmarkApp(make_workspace())
    async with app.run_test(size=SIZE) as pilot:
        await settled(app, pilot)
        left = app.query_one("#pane-0", ArticleView)
        right = app.query_one("#pane-1", ArticleView)
        left.move_to(left.text.index("The council voted"))
        await pilot.pause()
        shown = [right.text[s:e] for s, e in right._counterparts]
        assert any("7–2 vote on Tuesday" in text for text in shown), shown
        # Each outlet says something the other does not: marked in the margin.
        assert left._unmatched and right._unmatched
        assert any("Dr. Lee" in left.text[s:e] for s, e in left._unmatched) or any(
            "four hundred pages" in right.text[s:e] for s, e in right._unmatched
        )
        await pilot.press("f")
        assert app.follow and "FOLLOW" in str(app.query_one("#status").render())


async def test_follow_takes_the_other_panes_cursor_to_the_counterpart(make_workspace) -> None:
    """Follow only scrolled the other pane: Tab into it then found its cursor where
    it had been, off screen."""
    app = NewsmarkApp(make_workspace())
    async with app.run_test(size=SIZE) as pilot:
        await settled(app, pilot)
        left = app.query_one("#pane-0", ArticleView)
        right = app.query_one("#pane-1", ArticleView)
        await pilot.press("f")
        left.move_to(left.text.index("The council voted"))
        await pilot.pause()
        start, end = right._counterparts[0]
        assert start <= right.cursor < end and "7–2 vote" in right.text[start:end]
        await pilot.press("tab")
        assert app.active_view is right and start <= right.cursor < end
        # Follow off: the other pane's cursor stays where it is.
        await pilot.press("tab", "f")
        left.move_to(0)
        await pilot.pause()
        assert start <= right.cursor < end


async def open_link_window(app: NewsmarkApp, pilot) -> tuple[ArticleView, ArticleView]:
    """A claim tagged in each pane, then `L`: the link window is open over them."""
    await settled(app, pilot)
    left = app.query_one("#pane-0", ArticleView)
    right = app.query_one("#pane-1", ArticleView)
    left.move_to(left.text.index("Critics called"))
    await pilot.press("1", "tab")
    right.move_to(right.text.index("Opponents say"))
    await pilot.press("1", "L")
    assert isinstance(app.screen, LinkScreen)
    return left, right


async def test_link_two_quotes_undo_and_export(make_workspace) -> None:
    ws = make_workspace()
    app = NewsmarkApp(ws)
    async with app.run_test(size=SIZE) as pilot:
        left, right = await open_link_window(app, pilot)
        await pilot.press("1")
        [link] = ws.links(left.document.id)
        assert link.relation == "same-claim"
        assert left._linked_index and right._linked_index
        records = {r["id"]: r for r in document_records(ws.store)}
        assert records[left.document.id].get("links")
        await pilot.press("u")
        assert ws.links(left.document.id) == []
        await pilot.press("ctrl+r")
        assert len(ws.links(left.document.id)) == 1


async def test_a_choice_window_takes_arrows_and_enter_too(make_workspace) -> None:
    """Before: only the number keys chose, and nothing on screen said so."""
    from annotations.links import RELATIONS

    ws = make_workspace()
    app = NewsmarkApp(ws)
    async with app.run_test(size=SIZE) as pilot:
        left, right = await open_link_window(app, pilot)
        window = str(app.screen.query_one("Static").render())
        assert "↑ ↓ Enter" in window and "▸ 1" in window  # the first is Enter's
        await pilot.press("down", "down", "up")
        assert "▸ 2" in str(app.screen.query_one("Static").render())
        await pilot.press("enter")
        [link] = ws.links(left.document.id)
        assert link.relation == list(RELATIONS)[1]


async def test_accept_and_reject_suggestions(make_workspace) -> None:
    ws = make_workspace()
    app = NewsmarkApp(ws)
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one("#pane-0", ArticleView)
        await pilot.press("S")
        quotes = [s for s in view.suggestions if s.label == "quote"]
        assert quotes, view.suggestions
        # Drawn dimmed (and in italics), apart from what is tagged.
        drawn = [seg for y in range(view.size.height) for seg in view.render_line(y)]
        suggested = [seg for seg in drawn if seg.style and seg.style.italic]
        assert suggested and all(seg.style.dim for seg in suggested)
        assert any(seg.text.strip() and not (seg.style and seg.style.dim) for seg in drawn)
        view.move_to(quotes[0].start)
        await pilot.press("a")
        accepted = [a for a in ws.store.annotations(view.document.id) if a.source == "suggested"]
        # A quote whose speaker was found comes with it, joined by said_by (issue 15).
        with_speaker = quotes[0].speaker is not None
        assert sorted(a.label for a in accepted) == (["quote", "speaker"] if with_speaker
                                                     else ["quote"])
        (quote,) = [a for a in accepted if a.label == "quote"]
        assert [r.type for r in quote.relations] == (["said_by"] if with_speaker else [])
        assert all(s.key != quotes[0].key for s in view.suggestions)
        before = len(view.suggestions)
        if before:
            view.move_to(view.suggestions[0].start)
            await pilot.press("R")
            assert len(view.suggestions) == before - 1
        await pilot.press("A")
        assert view.suggestions == [] or all(
            s.start >= view.visible_range()[1] for s in view.suggestions
        )


async def test_s_steps_through_one_label_at_a_time(make_workspace) -> None:
    ws = make_workspace()
    app = NewsmarkApp(ws)
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one("#pane-0", ArticleView)
        await pilot.press("S")
        everything = list(view.suggestions)
        labels = {s.label for s in everything}
        assert "quote" in labels and len(labels) > 1, everything
        await pilot.press("S")
        assert view.suggestions and {s.label for s in view.suggestions} == {"quote"}
        # A with the quotes alone shown accepts the quotes (with the speakers
        # found for them, issue 15), nothing else.
        speakers = any(s.speaker for s in view.suggestions)
        await pilot.press("A")
        accepted = ws.store.annotations(view.document.id)
        assert accepted and {a.label for a in accepted} == (
            {"quote", "speaker"} if speakers else {"quote"})
        assert all(a.source == "suggested" for a in accepted)
        assert view.suggestions == []
        for label in ("claim", "opinion", "terms"):
            await pilot.press("S")
            assert {s.label for s in view.suggestions} <= {label}
        await pilot.press("S")
        assert view.suggestions == [] and view.document.id not in app._suggesting
        # Shown again from the start: all labels but the quotes already taken.
        await pilot.press("S")
        assert {s.label for s in view.suggestions} == labels - {"quote"}


async def test_reject_and_accept_are_undone_with_u(make_workspace) -> None:
    ws = make_workspace()
    app = NewsmarkApp(ws)
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one("#pane-0", ArticleView)
        await pilot.press("S", "S")  # the quotes alone
        first = view.suggestions[0]
        view.move_to(first.start)
        await pilot.press("R")
        assert first not in view.suggestions
        await pilot.press("u")
        assert first in view.suggestions  # proposed again, and drawn
        await pilot.press("ctrl+r")
        assert first not in view.suggestions
        await pilot.press("u")
        view.move_to(first.start)
        await pilot.press("a")
        # The quote, and its speaker when one was found (issue 15): one step.
        assert [a.source for a in ws.store.annotations(view.document.id)] == (
            ["suggested"] * (2 if first.speaker else 1))
        await pilot.press("u")
        assert ws.store.annotations(view.document.id) == [] and first in view.suggestions


async def test_link_from_the_opening_quote_mark(make_workspace) -> None:
    # `)` lands on a sentence's opening quote mark, one character before the
    # quote's span: L takes the quote there too.
    ws = make_workspace()
    app = NewsmarkApp(ws)
    async with app.run_test(size=SIZE) as pilot:
        await settled(app, pilot)
        left = app.query_one("#pane-0", ArticleView)
        right = app.query_one("#pane-1", ArticleView)
        left.move_to(left.text.index("This is the cheapest"))
        await pilot.press("quotation_mark", "2", "escape")
        left.move_to(left.text.index("“This is the cheapest"))
        await pilot.press("tab")
        right.move_to(right.text.index("We were given"))
        await pilot.press("quotation_mark", "2", "escape")
        right.move_to(right.text.index("“We were given"))
        assert not left.annotations_at(left.cursor) and not right.annotations_at(right.cursor)
        await pilot.press("L")
        assert isinstance(app.screen, LinkScreen)
        await pilot.press("4")
        [link] = ws.links(left.document.id)
        assert link.relation == "contradicts"
        assert {ws.store.annotations(d)[0].label for d in (link.a_doc, link.b_doc)} == {"quote"}
