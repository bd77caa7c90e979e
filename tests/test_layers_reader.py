"""Blind annotation in the reader: your layer only, others' on request, never editable."""

from __future__ import annotations

from annotations.layers import initials
from annotations.model import Annotation
from tui.app import NewsmarkApp
from tui.article_view import ArticleView

SIZE = (140, 36)


def test_initials_are_distinct_one_cell_marks() -> None:
    assert initials(["ana", "alex", "ben", "Ünal"]) == {"alex": "A", "ana": "N", "ben": "B",
                                                       "Ünal": "L"}
    assert initials(["a", "A"]) == {"A": "A", "a": "1"}


async def test_others_layers_are_hidden_then_shown_dimmed_and_never_edited(
    make_workspace,
) -> None:
    ws = make_workspace()  # the annotator is "tester"
    doc = next(iter(ws.documents.values()))
    council = doc.text.index("The council")
    critics = doc.text.index("Critics")
    mine = Annotation.tag(doc, council, council + 11, "claim", annotator="tester")
    ben = Annotation.tag(doc, critics, critics + 7, "quote", annotator="ben")
    ben_same = Annotation.tag(doc, council, council + 11, "claim", annotator="ben")
    unassigned = Annotation.tag(doc, 0, 4, "terms")  # an imported pre-annotation
    for ann in (mine, ben, ben_same, unassigned):
        assert ws.store.add(ann)
    app = NewsmarkApp(ws)
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one("#pane-0", ArticleView)
        assert view.document.id == doc.id
        assert {a.id for a in view.annotations} == {mine.id, unassigned.id}
        assert view.others == []
        view.focus()
        await pilot.press("o")
        await pilot.pause()
        assert {a.id for a in view.others} == {ben.id, ben_same.id}
        assert "others: B=ben" in str(app.query_one("#status").render())
        row = view._row_of(critics)
        rendered = "".join(segment.text for segment in view.render_line(
            row - round(view.scroll_y)))
        assert rendered.startswith("B")  # ben's mark in the margin
        # x on ben's span removes nothing: it is not in this layer.
        view.move_to(critics + 2)
        await pilot.press("x")
        await pilot.pause()
        assert {a.id for a in ws.store.annotations(doc.id)} == {
            mine.id, ben.id, ben_same.id, unassigned.id}
        await pilot.press("o")
        await pilot.pause()
        assert view.others == []
        assert "others:" not in str(app.query_one("#status").render())


async def test_a_row_with_spans_of_several_others_is_marked_so(make_workspace) -> None:
    # One margin cell showed the first annotator's initial only.
    ws = make_workspace()
    doc = next(iter(ws.documents.values()))
    critics = doc.text.index("Critics")
    for who in ("ben", "cy"):
        assert ws.store.add(Annotation.tag(doc, critics, critics + 7, "quote", annotator=who))
    council = doc.text.index("The council")
    assert ws.store.add(Annotation.tag(doc, council, council + 11, "claim", annotator="cy"))
    app = NewsmarkApp(ws)
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one("#pane-0", ArticleView)
        view.focus()
        await pilot.press("o")
        await pilot.pause()

        def margin(offset: int) -> str:
            row = view._row_of(offset) - round(view.scroll_y)
            return "".join(segment.text for segment in view.render_line(row))[:1]

        assert view._row_of(critics) != view._row_of(council)
        assert (margin(critics), margin(council)) == ("+", "C")
        assert "others: B=ben C=cy +=several" in str(app.query_one("#status").render())


def test_suggestions_and_counts_tell_nothing_of_others_layers(make_workspace) -> None:
    # Found trying the reader as a new annotator: a colleague's quote took
    # the rules' quote suggestion away from everyone, and the document list
    # counted every layer's spans.
    ws = make_workspace()  # the annotator is "tester"
    doc = next(iter(ws.documents.values()))
    quotes = [s for s in ws.suggestions(doc.id) if s.label == "quote"]
    assert quotes
    ben = quotes[0].to_annotation(doc, annotator="ben")
    assert ws.store.add(ben)
    assert ws.store.add(Annotation.tag(doc, 0, 4, "terms", annotator="ben"))
    assert [s for s in ws.suggestions(doc.id) if s.label == "quote"] == quotes
    assert ws.counts(doc.id) == {}
    # Their own spans, and spans of no annotator, count and are not suggested.
    mine = quotes[0].to_annotation(doc, annotator="tester")
    assert ws.store.add(mine)
    assert ws.store.add(Annotation.tag(doc, 5, 9, "terms"))
    assert [s for s in ws.suggestions(doc.id) if s.label == "quote"] == quotes[1:]
    assert ws.counts(doc.id) == {"quote": 1, "terms": 1}
    # A session of no annotator (a script) sees and counts every layer.
    ws.annotator = ""
    assert ws.counts(doc.id) == {"quote": 2, "terms": 2}


def test_a_rejection_is_the_annotators_own(make_workspace) -> None:
    ws = make_workspace()  # "tester"
    doc = next(iter(ws.documents.values()))
    first, second, *_ = [s for s in ws.suggestions(doc.id) if s.label == "quote"]
    ws.reject(doc.id, first)
    assert first not in ws.suggestions(doc.id)
    ws.annotator = "ben"  # a colleague on the same store still gets it
    assert first in ws.suggestions(doc.id)
    ws.reject(doc.id, second)
    ws.annotator = "tester"
    assert second in ws.suggestions(doc.id)
    # A name is stored whole, whatever it holds.
    ws.annotator = 'a"b[c]:1'
    ws.reject(doc.id, second)
    assert second not in ws.suggestions(doc.id)
    ws.history.undo()  # undone: that rejection only (ben's stays)
    assert second in ws.suggestions(doc.id)
    ws.annotator = "ben"
    assert second not in ws.suggestions(doc.id) and first in ws.suggestions(doc.id)


def test_rejections_made_before_layers_stay_everyones_and_can_be_undone(
    make_workspace,
) -> None:
    from annotations.suggest import SuggestionState

    ws = make_workspace()
    doc = next(iter(ws.documents.values()))
    first = next(s for s in ws.suggestions(doc.id) if s.label == "quote")
    ws.store.set_rejected(doc.id, {first.key, '["not json'})  # as an older store holds them
    assert first not in ws.suggestions(doc.id)
    ws.annotator = "ben"
    assert first not in ws.suggestions(doc.id)
    # The undo of such a rejection (its history from before) proposes it again.
    SuggestionState(ws.store).unreject(doc.id, first, "ben")
    assert first in ws.suggestions(doc.id)
    assert ws.store.rejected(doc.id) == {'["not json'}


def test_taking_none_in_adjudication_hides_nothing_from_annotators(make_workspace) -> None:
    ws = make_workspace()
    doc = next(iter(ws.documents.values()))
    quote = next(s for s in ws.suggestions(doc.id) if s.label == "quote")
    ana = quote.to_annotation(doc, annotator="ana")
    ben = Annotation.tag(doc, ana.start, ana.end - 2, "quote", annotator="ben")
    assert ws.store.add(ana) and ws.store.add(ben)
    ws.annotator = "gold"
    [group], total = ws.disagreements_left(doc.id)
    assert ws.take_none(doc.id, group) == 2
    assert ws.disagreements_left(doc.id) == ([], total)
    ws.annotator = "cy"  # a third annotator is still offered the quote
    assert quote in ws.suggestions(doc.id)
