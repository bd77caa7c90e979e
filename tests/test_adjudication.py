"""Adjudication: agreed spans merged into gold, disagreements walked and decided, undoable."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from annotations.adjudication import (
    MERGED,
    Disagreement,
    agreed,
    disagreements,
    innermost,
    merged_into_gold,
    resolved,
    stops,
)
from annotations.documents import load_documents
from annotations.model import Annotation, Document
from annotations.store import LocalStore
from annotations.workspace import Workspace
from tests.pilot_wait import until_notified
from tui.app import NewsmarkApp
from tui.article_view import ArticleView
from tui.cli import main

DOC = Document("The mayor said the bridge opens in June. Critics called it late and costly.")


def tag(who: str, piece: str, label: str, extra: int = 0) -> Annotation:
    start = DOC.text.index(piece)
    return Annotation.tag(DOC, start, start + len(piece) + extra, label, annotator=who)


def test_agreed_spans_and_disagreements_by_hand() -> None:
    anns = [
        tag("ana", "The mayor", "source"), tag("ben", "The mayor", "source"),
        tag("ana", "the bridge opens", "claim"), tag("ben", "the bridge opens", "claim", 8),
        tag("ben", "Critics", "source"),
        tag("gold", "late", "opinion"),  # the curator's own: not a coder
    ]
    assert [(a.start, a.label) for a in agreed(anns)] == [(0, "source")]
    first, second = disagreements(anns)
    assert [v.annotator for v in first.versions] == ["ana", "ben"]
    assert (first.start, first.end) == (DOC.text.index("the bridge"),
                                        DOC.text.index("the bridge") + 24)
    assert second.describe() == f"ben source {DOC.text.index('Critics')}-" \
                                f"{DOC.text.index('Critics') + 7}"
    gold = [tag("gold", "bridge", "claim")]
    assert resolved(first, gold, set()) and not resolved(second, gold, set())
    key = (second.versions[0].start, second.versions[0].end, "source")
    assert resolved(second, [], {key})
    # A merged span is not a decision.
    merged = merged_into_gold(DOC, anns)
    assert [(m.label, m.source, m.annotator) for m in merged] == [("source", MERGED, "gold")]
    assert not resolved(first, merged, set())
    assert merged_into_gold(DOC, [*anns, *merged]) == []


def test_a_term_inside_a_claim_is_a_decision_of_its_own() -> None:
    # Found trying adjudication: ben's claim and ana's term inside it were one
    # disagreement, and taking the claim decided the term: it never reached gold.
    claim = tag("ben", "the bridge opens in June", "claim")
    term = tag("ana", "bridge", "terms")
    opinion = tag("ana", "the bridge opens in Jun", "opinion")  # one sentence, two labels
    other_claim = tag("ana", "bridge opens in June", "claim")  # one label: any overlap
    groups = disagreements([claim, term, opinion, other_claim])
    assert [sorted(v.label for v in g.versions) for g in groups] == [
        ["claim", "claim", "opinion"], ["terms"]]
    taken_claim = tag("gold", "the bridge opens in June", "claim")
    assert resolved(groups[0], [taken_claim], set())
    assert not resolved(groups[1], [taken_claim], set())
    # Tagging anew with another label over most of it decides it too.
    assert resolved(groups[0], [tag("gold", "bridge opens in June", "opinion")], set())


def test_n_stops_once_at_each_disagreement_even_two_of_one_start() -> None:
    # Found trying adjudication: a Source and the sentence around it (tagged
    # a quote by one, a claim by two others) began at one offset, and n
    # stopped only at the Source's: the sentence's was reachable by hand only.
    sentence = "The mayor said the bridge opens in June."
    anns = [tag("ana", "The mayor", "source"),
            tag("cy", sentence, "quote"),
            tag("ben", "the bridge opens", "claim"),
            tag("ana", "the bridge opens in June", "claim"),
            tag("ben", "Critics", "source")]
    groups = disagreements(anns)
    # The source; the quote and the claims over most of it; Critics.
    assert sorted((g.start, len(g.versions)) for g in groups) == [
        (0, 1), (0, 3), (DOC.text.index("Critics"), 1)]
    at = stops(groups)
    assert len(at) == len(groups)
    assert sorted(id(innermost(groups, offset)) for offset in at) == sorted(map(id, groups))
    assert at[:2] == [0, len("The mayor")]  # the quote's stop: just after the source


def test_one_annotator_has_nothing_to_adjudicate() -> None:
    assert disagreements([tag("ana", "The mayor", "source")]) == []


def _story_store(tmp_path: Path) -> tuple[Document, LocalStore]:
    """DOC opened from a file, as the reader opens it, in a new store at tmp_path/s."""
    path = tmp_path / "story.txt"
    path.write_text(DOC.text + "\n", encoding="utf-8")
    [doc], errors = load_documents([path])
    assert not errors
    store = LocalStore(tmp_path / "s")
    store.register(doc)
    return doc, store


def _tagger(doc: Document) -> Callable[..., Annotation]:
    """`at(who, piece, label, extra=0)`: `piece` of `doc` (and `extra` characters
    more) tagged `label` in `who`'s layer."""
    def at(who: str, piece: str, label: str, extra: int = 0) -> Annotation:
        start = doc.text.index(piece)
        return Annotation.tag(doc, start, start + len(piece) + extra, label, annotator=who)
    return at


async def test_the_curator_walks_every_disagreement_to_gold(tmp_path: Path) -> None:
    doc, store = _story_store(tmp_path)
    text = doc.text
    at = _tagger(doc)

    for ann in (at("ana", "The mayor", "source"), at("ben", "The mayor", "source"),
                at("ana", "the bridge opens", "claim"),
                at("ben", "the bridge opens", "claim", 8),
                at("ben", "Critics", "source")):
        assert store.add(ann)
    ws = Workspace(store, [doc], annotator="gold")
    app = NewsmarkApp(ws, adjudicating=True)
    try:
        # Wide: the status line names every version under the cursor.
        async with app.run_test(size=(240, 36)) as pilot:
            view = app.query_one("#pane-0", ArticleView)
            view.focus()
            await until_notified(pilot, app, "every annotator marked alike is in gold")
            status = lambda: str(app.query_one("#status").render())  # noqa: E731
            [merged] = [a for a in store.annotations(doc.id) if a.annotator == "gold"]
            assert (merged.source, merged.text) == (MERGED, "The mayor")
            said = [str(n.message) for n in app._notifications]
            assert any("1 span every annotator marked alike is in gold" in m for m in said), said
            assert "ADJUDICATING: 2 of 2 disagreements left" in status()
            assert len(view.others) == 5  # every annotator's spans shown
            await pilot.press("n")
            assert view.cursor == text.index("the bridge")
            assert "here: ana claim" in status() and "ben claim" in status()
            await pilot.press("t")  # the innermost version: ana's
            await pilot.pause()
            gold = [a for a in store.annotations(doc.id) if a.annotator == "gold"]
            assert sorted(a.text for a in gold) == ["The mayor", "the bridge opens"]
            assert "1 of 2 disagreements left" in status()
            # t again takes the next version here gold lacks: ben's longer one
            # (it offered ana's again and did nothing); then there is none.
            await pilot.press("t")
            await pilot.pause()
            assert "took ben's claim" in status()
            await pilot.press("t")
            await until_notified(pilot, app, "Gold has every version here already")
            await pilot.press("u")
            await pilot.pause()
            assert "undid taking the claim into gold" in status()
            gold = [a for a in store.annotations(doc.id) if a.annotator == "gold"]
            assert sorted(a.text for a in gold) == ["The mayor", "the bridge opens"]
            await pilot.press("n")
            assert view.cursor == text.index("Critics")
            await pilot.press("X")  # none of ben's version
            await pilot.pause()
            assert "0 of 2 disagreements left" in status()
            await pilot.press("u")  # the decision comes back
            await pilot.pause()
            assert "1 of 2 disagreements left" in status()
            assert "undid taking none of 1 version" in status()
            await pilot.press("ctrl+r")
            await pilot.pause()
            assert "0 of 2 disagreements left" in status()
            await pilot.press("n")  # nothing left: said, not silent
            await until_notified(pilot, app, "No disagreement left")
    finally:
        store.close()
    result = CliRunner().invoke(main, ["export", "--store", str(tmp_path / "s"),
                                       "--annotator", "gold"])
    [record] = [json.loads(line) for line in result.stdout.splitlines()]
    assert sorted((s["text"], s["source"]) for s in record["spans"]) == [
        ("The mayor", "merged"), ("the bridge opens", "adjudicated")]


async def test_t_again_takes_the_other_annotators_values_of_one_span(tmp_path: Path) -> None:
    doc, store = _story_store(tmp_path)
    at = _tagger(doc)
    for who, worth in (("ana", "no"), ("ben", "yes")):
        assert store.add(at(who, "the bridge opens", "claim").with_changes(
            attrs={"checkworthy": worth}))
    ws = Workspace(store, [doc], annotator="gold")
    app = NewsmarkApp(ws, adjudicating=True)
    try:
        async with app.run_test(size=(240, 36)) as pilot:
            view = app.query_one("#pane-0", ArticleView)
            view.focus()
            await pilot.pause()
            await pilot.press("n", "t")
            await pilot.pause()
            await pilot.press("t")
            await pilot.pause()
            assert "took ben's claim (its values)" in str(app.query_one("#status").render())
            [gold] = [a for a in store.annotations(doc.id) if a.annotator == "gold"]
            assert dict(gold.attrs) == {"checkworthy": "yes"}
            assert [a.id for a in view.annotations_at(gold.start)] == [gold.id]  # one row
    finally:
        store.close()


async def test_n_visits_two_disagreements_of_one_start_in_the_reader(tmp_path: Path) -> None:
    doc, store = _story_store(tmp_path)
    at = _tagger(doc)

    for ann in (at("ana", "The mayor", "source"),
                at("cy", "The mayor said the bridge opens in June.", "quote"),
                at("ben", "the bridge opens", "claim")):
        assert store.add(ann)
    app = NewsmarkApp(Workspace(store, [doc], annotator="gold"), adjudicating=True)
    try:
        async with app.run_test(size=(240, 36)) as pilot:
            app.query_one("#pane-0", ArticleView).focus()
            await pilot.pause()
            status = lambda: str(app.query_one("#status").render())  # noqa: E731
            here = []
            for _ in range(3):  # from the top: the quote (after the source), the claim, the source
                await pilot.press("n")
                here.append(status().split("here: ", 1)[1].split(" · others", 1)[0])
            assert here == ["cy quote 0-40", "ben claim 15-31", "ana source 0-9"]
    finally:
        store.close()


def test_adjudicate_is_a_command() -> None:
    result = CliRunner().invoke(main, ["adjudicate", "--help"])
    assert result.exit_code == 0 and "--curator" in result.output


def test_adjudicate_opens_the_stored_documents_as_the_curator(tmp_path: Path,
                                                               monkeypatch) -> None:
    import tui.app
    import tui.cli

    seen = []

    class FakeApp:
        return_code = 0

        def __init__(self, workspace, notices=(), **options) -> None:  # type: ignore[no-untyped-def]
            seen.append((workspace, options))

        def run(self) -> None:
            pass

    monkeypatch.setattr(tui.app, "NewsmarkApp", FakeApp)

    monkeypatch.setattr(tui.cli, "has_terminal", lambda: True)
    with LocalStore(tmp_path / "s") as store:
        store.register(DOC)
        store.add(tag("ana", "The mayor", "source"))
    result = CliRunner().invoke(main, ["adjudicate", "--store", str(tmp_path / "s"),
                                       "--curator", "lead"])
    assert result.exit_code == 0, result.output
    [(workspace, options)] = seen
    assert workspace.annotator == "lead" and options == {"adjudicating": True}
    assert [e.stored.doc_id for e in workspace.entries if e.stored is not None] == [DOC.id]
    workspace.store.close()


async def test_three_annotators_one_after_another_then_agree_and_adjudicate(
    tmp_path: Path, article_paths
) -> None:
    """As a team would: ana, ben and cy tag the same two articles in turn (keys pressed)."""
    docs, _ = load_documents(article_paths)
    store = LocalStore(tmp_path / "s")
    try:
        for who, keys in (("ana", ["1"]), ("ben", ["1"]), ("cy", ["2"])):
            ws = Workspace(store, docs, annotator=who)
            app = NewsmarkApp(ws)
            async with app.run_test(size=(140, 36)) as pilot:
                for pane in ("#pane-0", "#pane-1"):
                    view = app.query_one(pane, ArticleView)
                    view.focus()
                    view.move_to(0)
                    await pilot.press(*keys)  # the first sentence, as claim (cy: quote)
                    await pilot.pause()
    finally:
        store.close()
    result = CliRunner().invoke(main, ["agree", "--store", str(tmp_path / "s"), "--json"])
    data = json.loads(result.stdout)
    assert data["annotators"] == ["ana", "ben", "cy"]
    assert data["overall"]["documents"] == 2
    pairs = {(p["a"], p["b"]): p for p in data["overall"]["pairs"]}
    # ana and ben tagged the same sentences alike; cy labelled them otherwise.
    assert pairs["ana", "ben"]["exact"] == {"f1": 1.0, "matched": 2, "spans_a": 2, "spans_b": 2}
    assert pairs["ana", "cy"]["exact"]["f1"] == 0.0
    assert data["overall"]["exact_f1"] == pytest.approx(1 / 3)


def test_opening_as_gold_says_where_adjudication_is(tmp_path: Path, monkeypatch) -> None:
    """--annotator gold wrote the gold layer like any other, without a word."""
    import tui.app
    import tui.cli

    seen: list[list[str]] = []

    class FakeApp:
        return_code = 0

        def __init__(self, workspace, notices=(), **options) -> None:  # type: ignore[no-untyped-def]
            seen.append(list(notices))
            workspace.store.close()

        def run(self) -> None:
            pass

    monkeypatch.setattr(tui.app, "NewsmarkApp", FakeApp)
    monkeypatch.setattr(tui.cli, "has_terminal", lambda: True)
    article = tmp_path / "a.txt"
    article.write_text(DOC.text, encoding="utf-8")
    store = str(tmp_path / "s")
    for args in (["--annotator", "gold", str(article)], ["--annotator", "ana", str(article)],
                 ["adjudicate", str(article)]):
        result = CliRunner().invoke(main, [*args, "--store", store])
        assert result.exit_code == 0, result.output
    gold, ana, curating = seen
    assert any("gold layer directly" in n and "newsmark adjudicate" in n for n in gold)
    assert not any("gold layer" in n for n in ana + curating)


def test_taking_versions_carries_their_relations_into_gold(tmp_path: Path) -> None:
    # Found trying adjudication: root's quote and its speaker were both taken,
    # and gold had no `said_by` between them.
    from annotations.model import Relation

    text = "“The bridge opens in June,” the mayor said. Critics called it late."
    doc = Document(text)
    store = LocalStore(tmp_path / "s")
    store.register(doc)

    def span(who: str, piece: str, label: str) -> Annotation:
        start = text.index(piece)
        return Annotation.tag(doc, start, start + len(piece), label, annotator=who)

    speaker = span("ana", "the mayor", "speaker")
    quote = span("ana", "“The bridge opens in June,”", "quote")
    quote = quote.with_changes(relations=(Relation("r1", "said_by", speaker.id),))
    critics = span("ana", "Critics", "speaker")
    ben_quote = span("ben", "The bridge opens in June", "quote")
    for ann in (speaker, quote, critics, ben_quote):
        assert store.add(ann)
    try:
        ws = Workspace(store, [doc], annotator="gold")
        # The quote first: its speaker is not in gold yet, so nothing to carry.
        gold_quote = ws.take(doc.id, quote)
        assert gold_quote is not None and gold_quote.relations == ()
        gold_speaker = ws.take(doc.id, speaker)  # then the speaker: the quote points at it
        assert gold_speaker is not None
        [now] = [a for a in store.annotations(doc.id) if a.id == gold_quote.id]
        assert [(r.type, r.tail) for r in now.relations] == [("said_by", gold_speaker.id)]
        assert ws.take(doc.id, speaker) is None  # taken already: nothing doubled
        ws.history.undo()  # the speaker and the relation to it go in one step
        [now] = [a for a in store.annotations(doc.id) if a.id == gold_quote.id]
        assert now.relations == () and gold_speaker.id not in {
            a.id for a in store.annotations(doc.id)}
        ws.history.undo()  # the quote too
        # The other order: the speaker first, then the quote carries its relation.
        gold_speaker = ws.take(doc.id, speaker)
        gold_quote = ws.take(doc.id, quote)
        assert [(r.type, r.tail) for r in gold_quote.relations] == [
            ("said_by", gold_speaker.id)]
        assert ws.edges(doc.id)  # both ends present: a relation the reader draws
    finally:
        store.close()


def test_taking_the_other_version_of_one_span_takes_its_values(tmp_path: Path) -> None:
    # Found by a new user: ana's claim (checkworthy=no) taken, t again said
    # "Gold has every version here already" and bob's =yes could not be taken.
    text = "The council voted to remove the dam. Critics called it rushed."
    doc = Document(text)
    store = LocalStore(tmp_path / "s")
    store.register(doc)
    ana, bob = (Annotation.tag(doc, 0, 36, "claim", annotator=who).with_changes(
        attrs={"checkworthy": worth}) for who, worth in (("ana", "no"), ("bob", "yes")))
    for ann in (ana, bob):
        assert store.add(ann)
    try:
        ws = Workspace(store, [doc], annotator="gold")
        first = ws.take(doc.id, ana)
        assert first is not None and dict(first.attrs) == {"checkworthy": "no"}
        assert ws.take(doc.id, ana) is None  # that version is gold's already
        second = ws.take(doc.id, bob)
        assert second is not None and second.id == first.id  # the same span, bob's value
        [gold] = [a for a in store.annotations(doc.id) if a.annotator == "gold"]
        assert dict(gold.attrs) == {"checkworthy": "yes"}
        ws.history.undo()  # one step back: ana's value again
        [gold] = [a for a in store.annotations(doc.id) if a.annotator == "gold"]
        assert dict(gold.attrs) == {"checkworthy": "no"}
    finally:
        store.close()


@given(st.lists(st.tuples(st.integers(0, 60), st.integers(1, 30)), min_size=1, max_size=25))
def test_n_reaches_every_disagreement_that_is_innermost_anywhere(
        extents: list[tuple[int, int]]) -> None:
    groups = [Disagreement(start, start + length, ()) for start, length in extents]
    at = stops(groups)
    assert at == sorted(set(at))
    reachable = {id(g) for offset in range(100) if (g := innermost(groups, offset))}
    assert {id(innermost(groups, offset)) for offset in at} >= reachable


def test_what_all_agree_on_comes_into_gold_with_its_relations_and_values() -> None:
    # Found trying adjudication: an agreed quote, speaker and said_by came
    # into gold without the relation, and an agreed claim without its
    # `checkworthy`, where the annotators' values differed, was merged as if
    # they agreed (the difference never offered as a decision).
    from annotations.model import Relation

    anns = []
    for who, worth in (("ana", "yes"), ("ben", "no")):
        speaker = tag(who, "The mayor", "speaker")
        quote = tag(who, "the bridge opens in June", "quote").with_changes(
            relations=(Relation(f"r-{who}", "said_by", speaker.id),))
        claim = tag(who, "Critics called it late and costly", "claim").with_changes(
            attrs={"checkworthy": worth, "kind": "fact"})
        anns += [speaker, quote, claim]
    merged = {m.label: m for m in merged_into_gold(DOC, anns)}
    assert sorted(merged) == ["quote", "speaker"]
    assert [(r.type, r.tail) for r in merged["quote"].relations] == [
        ("said_by", merged["speaker"].id)]
    (decision,) = disagreements(anns)
    start = DOC.text.index("Critics")
    assert decision.describe() == (f"ana claim {start}-{start + 33} checkworthy=yes kind=fact · "
                                   f"ben claim {start}-{start + 33} checkworthy=no kind=fact")
    # Agreed values come along; one annotator without the relation: none.
    same = [a.with_changes(attrs={"kind": "fact"}) if a.label == "claim" else a for a in anns]
    same = [a.with_changes(relations=()) if a.annotator == "ben" else a for a in same]
    merged = {m.label: m for m in merged_into_gold(DOC, same)}
    assert merged["claim"].attrs == {"kind": "fact"} and merged["quote"].relations == ()
