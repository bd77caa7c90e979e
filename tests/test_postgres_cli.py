"""The PostgreSQL store from the command line: init, --store URL, faults at start, copy."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from click.testing import CliRunner

from annotations.engines import open_store
from annotations.errors import EXIT_STORE, EXIT_STORE_UNREACHABLE
from annotations.history import History
from annotations.links import Link, LinkStore
from annotations.model import Annotation, Document, DocumentMeta
from annotations.postgres import schema
from annotations.segmentation import Segmenter
from annotations.store import Pane
from tui.cli import main

REPO = Path(__file__).resolve().parent.parent
TEXT = "“Quote” at 0, 👍🏽 emoji, 東京 and שלום.\nLast line ends here"
OTHER = "The council voted 7–2 on Tuesday. Critics called the vote rushed."


def run(*args: str, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, list(args), catch_exceptions=False, env=env)


def fill(store) -> None:  # type: ignore[no-untyped-def]
    """Two documents, two layers, a note, a link, statuses, state, history."""
    doc = Document(text=TEXT, meta=DocumentMeta(title="CLI"))
    other = Document(text=OTHER, meta=DocumentMeta(path="b.txt"))
    store.register_many([doc, other])
    history = History(store)
    quote = Annotation.tag(doc, 0, 7, "quote", annotator="ann")
    history.add(quote)
    history.add(Annotation.tag(doc, 0, 7, "quote", annotator="bob"))  # same span, bob's layer
    history.add(Annotation.tag(doc, TEXT.index("東京"), TEXT.index("東京") + 2, "terms",
                               annotator="bob"))
    last = Annotation.tag(doc, TEXT.index("Last"), len(TEXT), "claim", annotator="ann",
                          note="at the very end")
    history.add(last)
    vote = Annotation.tag(other, 4, 11, "claim", annotator="ann")
    history.add(vote)
    history.link(Link.between(quote, vote, "paraphrase"))
    history.update(last.with_changes(label="opinion"))
    history.close()
    store.set_status(other.id, "done")
    store.save_segmentation(doc.id, Segmenter.default().segment(TEXT))
    store.set_panes([Pane(doc.id, None, 3)])
    store.remember_paths({"/x/a.txt": doc.id})
    store.set_orphans(other.id, [Annotation.tag(other, 0, 3, "terms")])
    store.set_rejected(doc.id, ["0:7:quote"])


def test_store_init_creates_then_finds_the_schema_up_to_date(pg_url: str) -> None:
    first = run("store", "init", pg_url)
    assert first.exit_code == 0, first.output
    numbers = [number for number, _what, _statements in schema.MIGRATIONS]
    assert f"schema {schema.LATEST}, applied migrations {', '.join(map(str, numbers))}" \
        in first.stderr
    again = run("store", "init", pg_url)
    assert again.exit_code == 0 and "already up to date" in again.stderr
    with psycopg.connect(pg_url) as conn:
        assert conn.execute("SELECT version FROM newsmark_schema ORDER BY version"
                            ).fetchall() == [(number,) for number in numbers]


def test_a_newer_schema_is_refused_untouched(pg_url: str) -> None:
    assert run("store", "init", pg_url).exit_code == 0
    with psycopg.connect(pg_url) as conn:
        conn.execute("INSERT INTO newsmark_schema (version, what) VALUES (99, 'future')")
    result = run("stats", "--store", pg_url)
    assert result.exit_code == EXIT_STORE
    assert "newer newsmark" in result.stderr


def test_an_unreachable_server_is_one_line_without_the_password(tmp_path: Path) -> None:
    url = f"postgresql://ana:s3cr%40t@/team?host={tmp_path}/nowhere"
    for args in (["stats", "--store", url], ["export", "--store", url],
                 ["store", "init", url]):
        result = run(*args)
        assert result.exit_code == EXIT_STORE_UNREACHABLE == 7, result.output
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1, lines
        assert "postgresql://ana@/team" in lines[0]
        assert "s3cr" not in result.output and "s3cr" not in result.stderr
    by_env = run("stats", env={"NEWSMARK_STORE": url})
    assert by_env.exit_code == EXIT_STORE_UNREACHABLE


def test_without_the_driver_the_message_names_the_extra(tmp_path: Path) -> None:
    code = ("import sys; sys.modules['psycopg'] = None\n"
            "from tui.cli import main\n"
            "main(['stats', '--store', 'postgresql://ana@/team'])")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=REPO, timeout=60)
    assert result.returncode == EXIT_STORE, result.stderr
    assert "newsmark[postgres]" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_import_stats_and_export_through_a_url(pg_url: str, tmp_path: Path) -> None:
    folder = tmp_path / "store"
    with open_store(folder) as store:
        fill(store)
    exported = run("export", "--store", str(folder))
    source = tmp_path / "records.jsonl"
    source.write_text(exported.stdout, encoding="utf-8")
    imported = run("import", str(source), "--format", "jsonl", "--store", pg_url)
    assert imported.exit_code == 0, imported.output
    assert "5 spans" in imported.stderr  # bob's quote is his layer's, beside ann's
    stats = run("stats", env={"NEWSMARK_STORE": pg_url})
    assert stats.exit_code == 0 and "2 documents" in stats.output
    again = run("export", "--store", pg_url)
    assert again.exit_code == 0
    assert again.stdout == exported.stdout


@pytest.mark.parametrize("fmt", ["jsonl", "conll", "doccano"])
def test_store_copy_round_trips_byte_identical(pg_url: str, tmp_path: Path, fmt: str) -> None:
    folder = tmp_path / "store"
    with open_store(folder) as store:
        fill(store)
    original = run("export", "--store", str(folder), "--format", fmt, "--jobs", "1")
    assert original.exit_code == 0
    there = run("store", "copy", str(folder), pg_url)
    assert there.exit_code == 0, there.output
    assert "5 annotations, 1 link" in there.stderr
    assert run("export", "--store", pg_url, "--format", fmt).stdout == original.stdout
    back = tmp_path / "back"
    assert run("store", "copy", pg_url, str(back)).exit_code == 0
    assert run("export", "--store", str(back), "--format", fmt).stdout == original.stdout
    with open_store(back, read_only=True) as copied, open_store(folder, read_only=True) as orig:
        assert copied.documents() == orig.documents()
        doc_id, other_id = (r["id"] for r in orig.documents())
        assert copied.panes() == orig.panes() and copied.paths() == orig.paths()
        assert copied.orphans(other_id) == orig.orphans(other_id)
        assert copied.rejected(doc_id) == orig.rejected(doc_id) == {"0:7:quote"}
        assert copied.load_segmentation(doc_id, TEXT) is not None
        with LinkStore(copied) as a, LinkStore(orig) as b:
            assert a.all() == b.all()
    with open_store(back) as copied:
        history = History(copied)
        assert history.undo().kind == "update"  # the undo history came along
        assert history.undo().kind == "link"
        history.close()


def test_store_copy_refuses_a_target_with_documents(pg_url: str, tmp_path: Path) -> None:
    folder = tmp_path / "store"
    with open_store(folder) as store:
        fill(store)
    assert run("store", "copy", str(folder), pg_url).exit_code == 0
    again = run("store", "copy", str(folder), pg_url)
    assert again.exit_code == EXIT_STORE
    assert "already holds documents" in again.stderr


def test_no_sql_is_built_from_strings() -> None:
    """Every statement the engine runs is a constant or psycopg.sql: no f-string, no %."""
    import re

    calls = re.compile(r"(?:execute|_run|_one|_all)\(\s*(f?)([\"']{1,3})")
    for path in (REPO / "annotations" / "postgres").glob("*.py"):
        source = path.read_text(encoding="utf-8")
        for call in calls.finditer(source):
            assert call.group(1) != "f", f"{path.name}: SQL from an f-string at {call.start()}"
        assert not re.search(r"[\"']\s*%\s*\(", source), f"{path.name}: SQL built with %"


def test_add_annotator_says_how_that_person_connects(pg_url: str) -> None:
    from annotations.postgres.url import as_role

    assert CliRunner().invoke(main, ["store", "init", pg_url, "--team"]).exit_code == 0
    result = CliRunner().invoke(main, ["store", "add-annotator", pg_url, "ana"])
    assert result.exit_code == 0, result.output
    told = result.stderr.strip()
    assert told == f"ana may now connect as role ana: newsmark --store {as_role(pg_url, 'ana')}"
    assert "ana@" in told and "postgres@" not in told
    assert as_role("postgresql://o:pw@db:5432/news?password=x&user=o&sslmode=require", "ana") \
        == "postgresql://ana@db:5432/news?sslmode=require"
