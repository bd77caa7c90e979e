"""Losing the PostgreSQL server mid-session: retried, else kept in the outbox, never lost.

Each test starts a server of its own (pgserver, about 0.6 s) and stops the
real thing under the store: no connection is faked.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from annotations.history import History
from annotations.model import Annotation, Document, DocumentMeta
from annotations.postgres.store import PostgresStore
from annotations.store import Pane
from tests.postgres_server import start_test_server

REPO = Path(__file__).resolve().parent.parent
TEXT = "The minister said the plan would cost more. Critics called it rushed."


@pytest.fixture
def server():
    with start_test_server(shared=False) as own:
        yield own


@pytest.fixture
def url(server) -> str:
    with server.fresh_database() as fresh:
        yield fresh


def doc() -> Document:
    return Document(TEXT, DocumentMeta(path="a.txt"))


def until_sent(store: PostgresStore, seconds: float = 10) -> int:
    deadline = time.monotonic() + seconds
    while store.flush() and time.monotonic() < deadline:
        time.sleep(0.2)
    return store.pending


def test_a_restarted_server_gets_the_change_on_the_retry(server, url, tmp_path) -> None:
    d = doc()
    with PostgresStore(url, outbox=tmp_path / "outbox.jsonl") as store:
        store.register(d)
        store.add(Annotation.tag(d, 4, 12, "claim"))
        server.stop()
        server.start()
        second = Annotation.tag(d, 13, 17, "quote")
        assert store.add(second)  # the old connection died; one retry on a new one
        assert store.pending == 0
    with PostgresStore(url, outbox=tmp_path / "other.jsonl") as fresh:
        assert second in fresh.annotations(d.id)


def test_changes_wait_in_the_outbox_and_are_sent_on_reconnect(server, url, tmp_path) -> None:
    d = doc()
    outbox = tmp_path / "outbox.jsonl"
    first = Annotation.tag(d, 4, 12, "claim")
    with PostgresStore(url, outbox=outbox) as store:
        store.register(d)
        history = History(store)
        history.add(first)
        assert store.annotations(d.id) == [first]
        assert store.document_record(d.id)["status"] == "in progress"  # as the reader shows
        server.stop()
        second = Annotation.tag(d, 13, 17, "quote")
        assert history.add(second)
        assert store.pending == 1  # the annotation with its undo step: one transaction
        assert history.remove(d.id, first.id) == first  # the removal, then its step
        store.set_status(d.id, "done")
        store.set_panes([Pane(d.id)])
        assert store.pending == 5
        assert len(outbox.read_text().splitlines()) == 5
        assert store.annotations(d.id) == [second]  # memory shows what waits
        assert store.document_record(d.id)["status"] == "done"
        assert not store.add(second)
        server.start()
        assert until_sent(store) == 0
        assert not outbox.exists()
        assert history.undo().kind == "remove"  # the undo steps kept offline came along
        assert history.redo().kind == "remove"
        history.close()
    with PostgresStore(url, outbox=tmp_path / "other.jsonl") as fresh:
        assert fresh.annotations(d.id) == [second]
        assert fresh.document_record(d.id)["status"] == "done"
        assert fresh.panes() == [Pane(d.id)]


def test_links_relations_and_attributes_wait_in_the_outbox(server, url, tmp_path) -> None:
    from annotations.model import Link, Relation

    d = doc()
    other = Document("Critics called the plan rushed on Tuesday.", DocumentMeta(path="b.txt"))
    outbox = tmp_path / "outbox.jsonl"
    claim = Annotation.tag(d, 4, 12, "claim")
    quote = Annotation.tag(d, 13, 17, "quote")
    echo = Annotation.tag(other, 0, 7, "claim")
    with PostgresStore(url, outbox=outbox) as store:
        store.register_many([d, other])
        history = History(store)
        for ann in (claim, quote, echo):
            assert history.add(ann)
        kept = Link.between(claim, echo, "paraphrase")
        assert history.link(kept)
        assert store.annotations(other.id) == [echo]
        assert store.annotations(d.id) == [claim, quote]  # read: shown while away
        server.stop()
        made = Link.between(quote, echo, "paraphrase")
        assert history.link(made)  # kept here: in the outbox, and in memory
        assert not history.link(Link.between(quote, echo, "paraphrase"))  # twice: refused
        assert history.unlink(kept.id) == kept
        related = quote.with_changes(relations=(Relation("r1", "said_by", claim.id),),
                                     attrs={"checkworthy": "yes"})
        assert history.update(related) == quote
        assert store.pending == 6  # link, its step; unlink, its step; update, its step
        assert [link.id for link in store.links()] == [made.id]  # memory shows what waits
        server.start()
        assert until_sent(store) == 0
        assert [link.id for link in store.links()] == [made.id]
        assert history.undo().kind == "update"  # the steps kept offline came along
        assert history.undo().kind == "unlink"
        assert {link.id for link in store.links()} == {made.id, kept.id}
        history.close()
    with PostgresStore(url, outbox=tmp_path / "other.jsonl") as fresh:
        assert {link.id for link in fresh.links()} == {made.id, kept.id}
        saved = {a.id: a for a in fresh.annotations(d.id)}
        assert saved[quote.id] == quote  # the update was undone, on the server too


CHILD = """
import sys, time
from pathlib import Path
from annotations.model import Annotation, Document, DocumentMeta, Link
from annotations.postgres.store import PostgresStore
from annotations.store import Pane

url, outbox, text = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
d = Document(text, DocumentMeta(path="a.txt"))
store = PostgresStore(url, outbox=outbox)
store.register(d)
store.annotations(d.id)
store.links()
print("ready", flush=True)
sys.stdin.readline()  # the server is stopped now
made = [Annotation.tag(d, start, end, "claim") for start, end in ((0, 3), (4, 12), (13, 17))]
for ann in made:
    assert store.add(ann)
assert store.add_link(Link.between(made[0], made[2], "paraphrase"))
print(store.pending, flush=True)
time.sleep(60)
"""


def test_a_kill_while_disconnected_loses_nothing_the_outbox_holds(server, url,
                                                                 tmp_path) -> None:
    outbox = tmp_path / "outbox.jsonl"
    child = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(CHILD), url, str(outbox), TEXT],
        cwd=REPO, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "ready"
        server.stop()
        child.stdin.write("go\n")
        child.stdin.flush()
        assert child.stdout.readline().strip() == "4"  # three tags and a link
        os.kill(child.pid, signal.SIGKILL)
        child.wait(10)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(10)
    server.start()
    d = doc()
    with PostgresStore(url, outbox=outbox) as store:  # sends what the dead one kept
        assert store.pending == 0
        assert [(a.start, a.end) for a in store.annotations(d.id)] == [(0, 3), (4, 12),
                                                                       (13, 17)]
        (link,) = store.links()
        assert (link.a_ann, link.b_ann) == (store.annotations(d.id)[0].id,
                                            store.annotations(d.id)[2].id)


async def test_the_status_line_says_not_saved_then_saved(server, url, tmp_path) -> None:
    from annotations.labels import Config
    from annotations.workspace import Workspace
    from tui.app import NewsmarkApp
    from tui.article_view import ArticleView

    d = doc()
    with PostgresStore(url, outbox=tmp_path / "outbox.jsonl") as store:
        ws = Workspace(store, [d], config=Config(), annotator="ana")
        app = NewsmarkApp(ws)
        async with app.run_test(size=(140, 36)) as pilot:
            view = app.query_one("#pane-0", ArticleView)
            view.move_to(TEXT.index("minister"))
            server.stop()
            await pilot.press("1")
            await pilot.pause()
            status = str(app.query_one("#status").render())
            assert "NOT SAVED on the server: tagged claim kept on this machine (1 change " \
                "waiting to be sent)" in status, status
            assert len(view.annotations) == 1  # on screen, kept on this machine
            server.start()
            for _ in range(50):
                await pilot.pause(0.1)
                if store.pending == 0 and "saved ✓" in str(app.query_one("#status").render()):
                    break
            assert store.pending == 0
            assert "saved ✓ sent the changes kept meanwhile" in str(
                app.query_one("#status").render())
    with PostgresStore(url, outbox=tmp_path / "other.jsonl") as fresh:
        assert [a.text for a in fresh.annotations(d.id)] == [view.annotations[0].text]


async def test_moving_to_the_other_pane_while_the_server_is_away(server, url, tmp_path) -> None:
    # The other pane's session state (its orphans) was never read before the
    # server went away: it is served as read when the store opened.
    from annotations.labels import Config
    from annotations.workspace import Workspace
    from tui.app import NewsmarkApp
    from tui.article_view import ArticleView

    first, second = doc(), Document(TEXT + " A second outlet.", DocumentMeta(path="b.txt"))
    with PostgresStore(url, outbox=tmp_path / "outbox.jsonl") as store:
        ws = Workspace(store, [first, second], config=Config(), annotator="ana")
        app = NewsmarkApp(ws)
        async with app.run_test(size=(160, 36)) as pilot:
            await pilot.pause()
            server.stop()
            await pilot.press("tab")
            await pilot.pause()
            right = app.query_one("#pane-1", ArticleView)
            assert app.focused is right and app.is_running
            right.move_to(TEXT.index("Critics"))
            await pilot.press("1")
            await pilot.pause()
            assert "NOT SAVED on the server" in str(app.query_one("#status").render())
            server.start()
            assert until_sent(store) == 0
    with PostgresStore(url, outbox=tmp_path / "other.jsonl") as fresh:
        assert [a.label for a in fresh.annotations(second.id)] == ["claim"]


def test_where_the_panes_stand_is_not_counted_as_a_change_waiting(server, url,
                                                                  tmp_path) -> None:
    # The status line said "2 changes kept" of one tag and a move between panes.
    d = doc()
    with PostgresStore(url, outbox=tmp_path / "outbox.jsonl") as store:
        store.register(d)
        assert store.annotations(d.id) == []  # read: a change to it may wait
        server.stop()
        store.set_panes([Pane(d.id, "a.txt", 5)])
        store.remember_paths({"a.txt": d.id})
        assert store.pending == 2 and store.pending_edits == 0
        assert store.add(Annotation.tag(d, 4, 12, "claim"))
        store.set_orphans(d.id, [Annotation.tag(d, 13, 17, "quote")])  # work, kept
        assert store.pending == 4 and store.pending_edits == 2
        server.start()
        assert until_sent(store) == 0 and store.pending_edits == 0
