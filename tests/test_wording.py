"""Messages read as English: counts, articles, and what undo did."""

from __future__ import annotations

from annotations.history import Change
from annotations.model import Annotation
from tui.app import NewsmarkApp
from tui.article_view import ArticleView
from tui.wording import article, change_done, plural, possessive, where_is


def test_plural_and_article() -> None:
    assert [plural(n, "link") for n in (0, 1, 2, 1000)] == [
        "0 links", "1 link", "2 links", "1,000 links"]
    assert plural(1, "jsonl record") == "1 jsonl record"
    assert [article(w) for w in ("claim", "opinion", "quote", "Event")] == [
        "a claim", "an opinion", "a quote", "an Event"]
    assert [possessive(n) for n in (0, 1, 2)] == ["their", "its", "their"]
    # The default label `terms` reads as a plural: "undid removing a terms" was the message.
    assert [article(w) for w in ("terms", "class", "status", "thesis")] == [
        "a terms span", "a class", "a status", "a thesis"]
    assert [where_is(w) for w in ("claim", "terms")] == [
        "where the claim is", "where the terms span is"]


def test_undo_says_what_changed_from_and_to() -> None:
    ann = Annotation(id="x", doc_id="d", start=0, end=4, label="opinion", text="Text")
    claim = ann.with_changes(label="claim")
    noted = ann.with_changes(note="check")
    assert change_done("undid", Change("update", ann, claim)) == "undid relabel opinion → claim"
    assert change_done("redid", Change("add", None, ann)) == "redid the opinion tag"
    assert change_done("undid", Change("remove", ann, None)) == "undid removing an opinion"
    assert change_done("undid", Change("update", ann, noted)) == "undid the note on the opinion"
    # An orphan placed with another label is named as it was, then as what it became.
    assert change_done("undid", Change("place", ann, claim, owner="d")) == (
        "undid placing the orphaned opinion (as claim)")
    assert change_done("undid", Change("place", ann, ann, owner="d")) == (
        "undid placing the orphaned opinion")
    assert change_done("redid", Change("drop", ann, None, owner="d")) == (
        "redid dropping the orphaned opinion")


def test_undo_tells_a_rejected_suggestion_from_a_disagreement_taken_as_none() -> None:
    # X in adjudication is kept as the curator's rejections: its undo read
    # "undid rejecting a quote suggestion" (found trying adjudication).
    ann = Annotation(id="x", doc_id="d", start=0, end=4, label="quote", text="Text")
    version = ann.with_changes(source="adjudicated", annotator="gold")
    assert change_done("undid", Change("reject", None, ann)) == (
        "undid rejecting a quote suggestion")
    assert change_done("undid", Change("reject", None, ann, group="g", steps=3)) == (
        "undid rejecting 3 suggestions")
    assert change_done("undid", Change("reject", None, version, group="g", steps=2)) == (
        "undid taking none of 2 versions")
    assert change_done("redid", Change("reject", None, version)) == (
        "redid taking none of 1 version")
    assert change_done("undid", Change("add", None, ann, group="g", steps=2)) == (
        "undid accepting 2 suggestions")


def test_undo_names_a_relation_or_an_attribute_not_a_move() -> None:
    # Both read "undid moving the claim" though nothing moved.
    from annotations.model import Relation

    quote = Annotation(id="q", doc_id="d", start=0, end=4, label="quote", text="Text")
    said = quote.with_changes(relations=(Relation("r", "said_by", "s"),))
    assert change_done("undid", Change("update", quote, said)) == (
        "undid relating the quote (said_by)")
    assert change_done("redid", Change("update", said, quote)) == (
        "redid unrelating the quote (said_by)")
    claim = quote.with_changes(label="claim")
    worthy = claim.with_changes(attrs={"checkworthy": "yes"})
    assert change_done("undid", Change("update", claim, worthy)) == (
        "undid checkworthy = yes on the claim")
    assert change_done("undid", Change("update", worthy, claim)) == (
        "undid clearing checkworthy on the claim")


async def test_the_status_line_names_a_relabel_undone(make_workspace) -> None:
    ws = make_workspace()
    app = NewsmarkApp(ws)
    async with app.run_test(size=(140, 36)) as pilot:
        view = app.query_one("#pane-0", ArticleView)
        view.move_to(view.document.text.index("cheapest"))
        await pilot.press("4", "r", "1", "u")
        assert "undid relabel opinion → claim" in str(app.query_one("#status").render())


def test_an_excerpt_ends_at_a_word_with_an_ellipsis() -> None:
    from tui.wording import excerpt

    text = "Officials said the change would save money for the council next year."
    short = excerpt(text, 50)
    assert short.endswith("…") and len(short) <= 50
    assert text.startswith(short[:-1]) and text[len(short) - 1] == " "  # a whole word
    assert excerpt("A short one.\nOn two lines.") == "A short one. On two lines."
    assert excerpt("x" * 80, 20) == "x" * 19 + "…"  # one long word is cut
