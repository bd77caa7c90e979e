"""A team on one PostgreSQL store: each role writes only its own layer, the server says so."""

from __future__ import annotations

import psycopg
import pytest
from click.testing import CliRunner

from annotations.engines import open_store
from annotations.errors import StoreError
from annotations.model import Annotation, Document, DocumentMeta
from annotations.postgres.listener import ChangeListener
from tests.postgres_server import as_role
from tui.cli import main

TEXT = "The minister said the plan would cost more. Critics called it rushed."


def run(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture
def team(pg_url: str) -> str:
    """A store set up for a team: ana and bob annotate, cora curates."""
    assert run("store", "init", pg_url, "--team").exit_code == 0
    for name, extra in (("ana", []), ("bob", []), ("cora", ["--curator"])):
        result = run("store", "add-annotator", pg_url, name, *extra)
        assert result.exit_code == 0, result.output
    with open_store(pg_url) as owner:
        owner.register(Document(TEXT, DocumentMeta(path="a.txt")))
    return pg_url


def doc() -> Document:
    return Document(TEXT, DocumentMeta(path="a.txt"))


def test_each_role_writes_its_own_layer_and_sees_the_others(team: str) -> None:
    d = doc()
    with open_store(as_role(team, "ana")) as ana, open_store(as_role(team, "bob")) as bob:
        assert (ana.annotator, bob.annotator) == ("ana", "bob")
        hers = Annotation.tag(d, 4, 12, "claim", annotator="ana")
        his = Annotation.tag(d, 4, 12, "claim", annotator="bob")  # the same span: his layer
        assert ana.add(hers) and bob.add(his)
        assert {a.annotator for a in ana.annotations(d.id)} == {"ana", "bob"}
        with pytest.raises(StoreError, match="only its own layer"):
            bob.remove(d.id, hers.id)
        with pytest.raises(StoreError, match="only its own layer"):
            bob.update(hers.with_changes(label="quote"))
        with pytest.raises(StoreError, match="own layer"):
            bob.add(Annotation.tag(d, 0, 3, "terms", annotator="ana"))
        with pytest.raises(StoreError, match="own layer"):
            bob.add(Annotation.tag(d, 0, 3, "terms", annotator="gold"))
        assert ana.annotations(d.id) == bob.annotations(d.id)
        assert hers in ana.annotations(d.id)
        ana.set_status(d.id, "done")
        assert bob.team_statuses()[d.id] == {"ana": "done", "bob": "in progress"}
        assert bob.document_record(d.id)["status"] == "in progress"
    with open_store(as_role(team, "cora")) as cora:
        assert cora.add(Annotation.tag(d, 0, 3, "terms", annotator="gold"))


def test_a_tag_and_its_undo_step_in_one_call_under_the_teams_rules(team: str) -> None:
    """newsmark_add runs as its caller: the row-level security holds inside it too."""
    from annotations.history import History

    d = doc()
    with open_store(as_role(team, "ana")) as ana:
        history = History(ana)
        hers = Annotation.tag(d, 4, 12, "claim", annotator="ana")
        assert history.add(hers)
        assert ana.history()[1] == 1
        assert history.undo().annotation == hers and ana.annotations(d.id) == []
        assert history.redo().annotation == hers
    with psycopg.connect(as_role(team, "bob"), autocommit=True) as bob:
        bob.execute("SET ROLE bob")
        forged = Annotation.tag(d, 13, 17, "quote", annotator="ana")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            bob.execute(  # ana's layer and ana's history, from bob's role
                "SELECT * FROM newsmark_add(%s, %s, 'ana', 13, 17, 'quote', %s, %s, true, "
                "'ana', %s, 1000)", (d.id, forged.id, forged.created,
                                     psycopg.types.json.Json(forged.to_dict()),
                                     psycopg.types.json.Json({"seq": 2, "kind": "add"})))
    with open_store(as_role(team, "ana")) as ana:
        assert [a.id for a in ana.annotations(d.id)] == [hers.id]
        assert ana.history()[1] == 1


def test_full_table_rights_and_hand_written_sql_cannot_touch_anothers_spans(team: str) -> None:
    d = doc()
    with open_store(as_role(team, "ana")) as ana:
        hers = Annotation.tag(d, 4, 12, "claim", annotator="ana")
        ana.add(hers)
    with psycopg.connect(team, autocommit=True) as owner:
        owner.execute("GRANT ALL ON ALL TABLES IN SCHEMA public TO bob")
    with psycopg.connect(as_role(team, "bob"), autocommit=True) as bob:
        assert bob.execute("DELETE FROM annotations WHERE layer = 'ana'").rowcount == 0
        assert bob.execute("DELETE FROM annotations").rowcount == 0
        assert bob.execute("UPDATE annotations SET label = 'quote', layer = 'bob'").rowcount == 0
        for statement in (
            "INSERT INTO annotations (doc_id, id, layer, start, \"end\", label, created, body) "
            "SELECT doc_id, 'x', 'ana', 0, 3, 'terms', '', '{}' FROM documents",
            "INSERT INTO annotations (doc_id, id, layer, start, \"end\", label, created, body) "
            "SELECT doc_id, 'y', 'gold', 0, 3, 'terms', '', '{}' FROM documents",
            "TRUNCATE annotations CASCADE",
            "ALTER TABLE annotations DISABLE ROW LEVEL SECURITY",
            "DROP POLICY annotations_delete ON annotations",
            "SET row_security = off",
        ):
            with pytest.raises(psycopg.Error):
                bob.execute(statement)
                # row_security = off is accepted, and then any policed query fails
                bob.execute("SELECT count(*) FROM annotations")
        bob.execute("RESET row_security")
        assert bob.execute("SELECT count(*) FROM annotations").fetchone() == (1,)
    with open_store(team, read_only=True) as owner:
        assert owner.annotations(d.id) == [hers]


def test_a_listener_hears_anothers_change(team: str) -> None:
    d = doc()
    with ChangeListener(as_role(team, "bob")) as listener, \
            open_store(as_role(team, "ana")) as ana:
        assert listener.changed(timeout=0) == set()
        ana.add(Annotation.tag(d, 4, 12, "claim", annotator="ana"))
        assert listener.changed(timeout=5) == {d.id}
        ana.set_status(d.id, "done")
        assert listener.changed(timeout=5) == {d.id}


async def test_the_reader_shows_anothers_spans_and_status_live(team: str) -> None:
    from annotations.labels import Config
    from annotations.workspace import Workspace
    from tui.app import NewsmarkApp
    from tui.article_view import ArticleView
    from tui.document_list import DocumentList

    d = doc()
    with open_store(as_role(team, "ana")) as ana, open_store(as_role(team, "bob")) as bob:
        ws = Workspace(bob, [d], config=Config(), annotator=bob.annotator)
        app = NewsmarkApp(ws)
        async with app.run_test(size=(140, 36)) as pilot:
            view = app.query_one("#pane-0", ArticleView)
            assert view.annotations == []
            await pilot.press("o")  # others' layers shown (blind annotation hides them)
            hers = Annotation.tag(d, 4, 12, "claim", annotator="ana")
            ana.add(hers)
            ana.set_status(d.id, "done")
            listed = app.query_one(DocumentList)

            def rows() -> str:
                return "\n".join(listed.render_line(y).text for y in range(listed.size.height))

            for _ in range(30):
                await pilot.pause(0.1)
                if view.others and "ana●" in rows():
                    break
            assert view.others == [hers]
            assert view.annotations == []  # hers, never editable from bob's layer
            assert "ana●" in rows(), rows()
            # The margin's marks are named in the status line as they arrive.
            assert "others: A=ana" in str(app.query_one("#status").render())


def test_a_cached_document_sees_every_others_change(team: str) -> None:
    d = doc()
    with open_store(as_role(team, "ana")) as ana, open_store(as_role(team, "bob")) as bob:
        hers = Annotation.tag(d, 4, 12, "claim", annotator="ana")
        assert ana.add(hers)
        assert ana.annotations(d.id) == [hers]  # read and kept
        his = Annotation.tag(d, 0, 3, "terms", annotator="bob")
        assert bob.add(his)
        assert ana.annotations(d.id) == [his, hers]  # her cache noticed his layer's change
        mine = Annotation.tag(d, 13, 17, "quote", annotator="ana")
        assert ana.add(mine)
        bob.remove(d.id, his.id)
        assert ana.annotations(d.id) == [hers, mine]
        assert bob.annotations(d.id) == [hers, mine]
        assert ana.counts(d.id) == {"claim": 1, "quote": 1}


def test_a_curator_adjudicates_as_gold_and_an_annotator_may_not(team: str) -> None:
    # `newsmark adjudicate` opens the store as `gold`: the curator keeps gold's
    # status, session state and undo history there, as gold's spans.
    from annotations.history import History
    from annotations.store import Pane

    d = doc()
    with open_store(as_role(team, "cora"), annotator="gold") as cora:
        history = History(cora)
        taken = Annotation.tag(d, 4, 12, "claim", annotator="gold")
        assert history.add(taken)
        cora.set_status(d.id, "done")
        cora.set_panes([Pane(d.id, "a.txt", 4)])
        assert history.undo() and cora.annotations(d.id) == []
        assert history.redo() and cora.annotations(d.id) == [taken]
        assert cora.team_statuses()[d.id]["gold"] == "done"
    # An annotator who is no curator is told so at once, not at a first write.
    with pytest.raises(StoreError, match="role ana may not work as annotator gold .* "
                                         r"\(gold: a curator's\); connect as gold"):
        open_store(as_role(team, "ana"), annotator="gold")
    with pytest.raises(StoreError, match="role ana may not work as annotator bob"):
        open_store(as_role(team, "ana"), annotator="bob")
    with open_store(as_role(team, "ana"), annotator="ana") as ana, \
            open_store(team, annotator="ana") as owner:  # the owner may (copies, imports)
        assert ana.annotator == owner.annotator == "ana"


def test_a_team_store_made_before_migration_4_lets_its_curators_adjudicate(team: str) -> None:
    from annotations.postgres import schema

    with psycopg.connect(team, autocommit=True) as owner:  # the policies as they were
        for table, column in (("statuses", "annotator"), ("session_state", "owner")):
            owner.execute(f"DROP POLICY {table}_own ON {table}")
            owner.execute(f"CREATE POLICY {table}_own ON {table} FOR ALL "
                          f"USING ({column} = current_user) WITH CHECK ({column} = current_user)")
        owner.execute("DELETE FROM newsmark_schema WHERE version = 4")
    with pytest.raises(StoreError, match="its owner must run `newsmark store init"):
        open_store(as_role(team, "cora"), annotator="gold")
    with open_store(team) as owner:  # the owner opens it: upgraded
        assert owner.upgraded is not None and owner.upgraded[0] == 3
    assert schema.LATEST == 4
    with open_store(as_role(team, "cora"), annotator="gold") as cora:
        cora.set_status(doc().id, "done")
        assert cora.team_statuses()[doc().id]["gold"] == "done"
