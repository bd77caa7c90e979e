"""Relations and attributes in the reader, driven by real keys (issue 15)."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from tui.app import NewsmarkApp
from tui.article_view import ArticleView
from tui.relation_list import RelationList
from tui.status_bar import StatusBar

SIZE = (140, 36)
QUOTE = "The bridge will open in June,"  # what " selects inside the quotation marks
ARTICLE = ("“The bridge will open in June,” Mayor Lindqvist said on Monday. "
           "Costs rose by a third, the council's auditor said.\n")


def _status(app: NewsmarkApp) -> str:
    return str(app.query_one(StatusBar).render())


def _view(app: NewsmarkApp) -> ArticleView:
    return app.query_one("#pane-0", ArticleView)


def _margin(view: ArticleView, row: int) -> str:
    return next(iter(view.render_line(row))).text


def _stored(app: NewsmarkApp) -> dict[str, object]:
    doc_id = _view(app).document.id
    return {a.text: a for a in app.workspace.annotations(doc_id)}


async def _search(pilot, text: str) -> None:  # type: ignore[no-untyped-def]
    await pilot.press("slash", *text, "enter")


async def test_tag_relate_set_attribute_undo_redo_reopen_export(
    make_workspace, tmp_path: Path, store_dir: Path
) -> None:
    article = tmp_path / "bridge.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    ws = make_workspace([article])
    app = NewsmarkApp(ws)
    async with app.run_test(size=SIZE) as pilot:
        view = _view(app)
        # The quote: inside its quotation marks, " selects it, 2 tags it.
        await pilot.press("l", "l", "quotation_mark", "2")
        # The speaker: found, selected over two words, tagged with 5.
        await _search(pilot, "Mayor")
        await pilot.press("v", "w", "w", "5")
        anns = _stored(app)
        assert anns[QUOTE].label == "quote"
        assert anns["Mayor Lindqvist"].label == "speaker"
        # c on the quote, n to the speaker, c, then 1: said_by (cue is offered second).
        await pilot.press("escape", "N", "N")
        assert view.annotations_at(view.cursor)[0].label == "quote"
        await pilot.press("c")
        assert "RELATE" in _status(app)
        await pilot.press("n", "c")
        screen = app.screen
        assert screen.types == ["said_by", "cue"]  # type: ignore[attr-defined]
        await pilot.press("1")
        quote = _stored(app)[QUOTE]
        speaker = _stored(app)["Mayor Lindqvist"]
        (rel,) = quote.relations  # type: ignore[attr-defined]
        assert (rel.type, rel.tail) == ("said_by", speaker.id)  # type: ignore[attr-defined]
        # Drawn: the side panel's line, the margin (head and tail on one row), the status line.
        relations = app.query_one(RelationList)
        assert relations.row_count == 1
        assert "said_by" in _status(app) and "Mayor Lindqvist" in _status(app)
        assert _margin(view, 0) == "↔"
        row = relations._row(0)
        assert str(row) == "“…bridge will open in June,” said_by Mayor Lindqvist"

        # The claim: the next sentence tagged with 1, then t and 1: checkworthy = yes.
        await pilot.press("right_parenthesis", "1", "equals_sign")
        await pilot.press("1")
        claim = next(a for a in _stored(app).values() if a.label == "claim")  # type: ignore[attr-defined]
        assert claim.attrs == {"checkworthy": "yes"}  # type: ignore[attr-defined]
        assert "checkworthy=yes" in _status(app)

        # Undo the value, the claim's tag and the relation; redo all three.
        await pilot.press("u")
        assert not next(a for a in _stored(app).values() if a.label == "claim").attrs  # type: ignore[attr-defined]
        await pilot.press("u", "u")
        assert not _stored(app)[QUOTE].relations  # type: ignore[attr-defined]
        assert relations.row_count == 0 and _margin(view, 0) == " "
        await pilot.press("ctrl+r", "ctrl+r", "ctrl+r")
        assert _stored(app)[QUOTE].relations  # type: ignore[attr-defined]
        assert relations.row_count == 1

        # x on the speaker takes its relation too; one u brings both back.
        await _search(pilot, "Lindqvist")
        await pilot.press("escape", "x")
        assert "Mayor Lindqvist" not in _stored(app)
        assert not _stored(app)[QUOTE].relations  # type: ignore[attr-defined]
        # The quote's row in the annotation list no longer shows the relation.
        listed = app.query_one("#annotation-list")
        rows = [str(listed._row(i)) for i in range(listed.row_count)]
        assert not [row for row in rows if "said_by" in row], rows
        assert not [a for a in view.annotations if a.relations]
        await pilot.press("u")
        assert _stored(app)[QUOTE].relations  # type: ignore[attr-defined]
        assert relations.row_count == 1 and _margin(view, 0) == "↔"
        await pilot.press("ctrl+q")

    # Quit and reopen: everything is there, drawn again.
    ws.store.close()
    app = NewsmarkApp(make_workspace([article]))
    async with app.run_test(size=SIZE) as pilot:
        relations = app.query_one(RelationList)
        assert relations.row_count == 1
        claim = next(a for a in _stored(app).values() if a.label == "claim")  # type: ignore[attr-defined]
        assert claim.attrs == {"checkworthy": "yes"}  # type: ignore[attr-defined]
        # x on the relation in the side panel removes it (and u brings it back).
        relations.focus()
        await pilot.press("x")
        assert relations.row_count == 0
        await pilot.press("u")
        assert relations.row_count == 1
        await pilot.press("ctrl+q")
    app.workspace.store.close()

    # Export: the relation and the value are in the native records.
    from tui.cli import main

    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(main, ["export", "--store", str(store_dir), "--out", str(out)])
    assert result.exit_code == 0, result.output
    (record,) = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    spans = {s["id"]: s for s in record["spans"]}
    assert [(spans[r["head"]]["text"], r["type"], spans[r["tail"]]["text"])
            for r in record["relations"]] == [
        (QUOTE, "said_by", "Mayor Lindqvist")]
    assert [s["attrs"] for s in record["spans"] if "attrs" in s] == [{"checkworthy": "yes"}]


async def test_only_allowed_types_are_offered_and_esc_cancels(
    make_workspace, tmp_path: Path
) -> None:
    article = tmp_path / "bridge.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    app = NewsmarkApp(make_workspace([article]))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("l", "l", "quotation_mark", "3")  # terms
        await _search(pilot, "Mayor")
        await pilot.press("v", "w", "w", "5", "escape", "N", "N", "c", "n", "c")
        # No type goes from terms to a speaker: nothing offered, nothing saved.
        assert app.screen is app.screen_stack[0]
        assert all(not a.relations for a in _stored(app).values())  # type: ignore[attr-defined]
        # t on a label without attributes says so; on a pending relation Esc cancels.
        await pilot.press("equals_sign")
        await pilot.press("c", "escape")
        assert "RELATE" not in _status(app)


async def test_a_relation_tried_backwards_says_which_way_it_goes(
    make_workspace, tmp_path: Path
) -> None:
    """From a speaker to a quote: the message sent people to a newsmark.toml they
    did not have, and not to the quote, where said_by starts."""
    article = tmp_path / "bridge.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    app = NewsmarkApp(make_workspace([article]))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("l", "l", "quotation_mark", "2")
        await _search(pilot, "Mayor")
        await pilot.press("v", "w", "w", "5", "escape", "N", "c", "N", "c")
        said = [str(n.message) for n in app._notifications]
        assert any("No relation goes from a speaker to a quote: said_by or cue goes from the "
                   "quote to the speaker: press c on the quote first" in m for m in said), said
        assert not any("newsmark.toml" in m for m in said)


async def test_accepting_a_suggested_quote_accepts_its_speaker_and_said_by(
    make_workspace, tmp_path: Path
) -> None:
    article = tmp_path / "bridge.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    app = NewsmarkApp(make_workspace([article]))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("l", "S", "a")
        anns = _stored(app)
        assert anns["Mayor Lindqvist"].label == "speaker"  # type: ignore[attr-defined]
        quote = next(a for a in anns.values() if a.label == "quote")  # type: ignore[attr-defined]
        assert quote.relations[0].type == "said_by"  # type: ignore[attr-defined]
        assert app.query_one(RelationList).row_count == 1
        await pilot.press("u")  # one step takes both back
        assert _stored(app) == {}
        assert app.query_one(RelationList).row_count == 0


def test_relation_rows_show_untrusted_text_literally() -> None:
    from annotations.labels import Config
    from annotations.model import Document
    from annotations.relations import edges, related
    from tui.relation_list import describe

    doc = Document("“[bold]open\x1b]0;owned\x07” [@click=app.quit] said.")
    quote = _tag(doc, "[bold]open\x1b]0;owned\x07", "quote")
    who = _tag(doc, "[@click=app.quit]", "speaker")
    (edge,) = edges([related(quote, who, "said_by", Config()), who])
    row = describe(edge)
    assert "\x1b" not in row.plain and "\x07" not in row.plain
    assert "[bold]" in row.plain and "[@click=app.quit]" in row.plain and not row.spans[1:]


def _tag(doc, piece: str, label: str):  # type: ignore[no-untyped-def]
    from annotations.model import Annotation

    start = doc.text.index(piece)
    return Annotation.tag(doc, start, start + len(piece), label)


def test_a_quote_tagged_with_its_quotation_marks_is_not_quoted_twice() -> None:
    from annotations.labels import Config
    from annotations.model import Document
    from annotations.relations import edges, related
    from tui.relation_list import describe

    doc = Document("“Russia must stop,” the minister said.")
    quote = _tag(doc, "“Russia must stop,”", "quote")
    who = _tag(doc, "the minister", "speaker")
    (edge,) = edges([related(quote, who, "said_by", Config()), who])
    assert describe(edge).plain == "“Russia must stop,” said_by the minister"  # not ,””


async def test_esc_in_a_side_list_drops_relate_mode(make_workspace, tmp_path: Path) -> None:
    # Esc cancelled relate mode only in a pane: from the Annotations list the
    # status line kept saying "RELATE: go to the other span".
    article = tmp_path / "bridge.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    app = NewsmarkApp(make_workspace([article]))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("l", "l", "quotation_mark", "2", "escape", "N", "c")
        assert "RELATE" in _status(app)
        await pilot.press("shift+tab")
        assert not isinstance(app.focused, ArticleView)
        await pilot.press("escape")
        assert "RELATE" not in _status(app)
        assert not isinstance(app.focused, ArticleView)  # Esc drops the mode, not the list
