"""Two newsmarks on one store: the second reads only, says so, and changes nothing;
`newsmark export` reads a consistent store while another process writes to it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from click.testing import CliRunner

from annotations.documents import load_documents
from annotations.formats.validate import validate
from annotations.store import LocalStore
from annotations.workspace import Workspace
from tui.app import NewsmarkApp
from tui.cli import main

REPO = Path(__file__).resolve().parent.parent
SIZE = (140, 36)


def _snapshot(root: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_second_newsmark_opens_read_only_and_says_which_process_holds_it(
    tmp_path: Path, article_paths: list[Path], monkeypatch
) -> None:
    import tui.app
    import tui.cli

    shown: list[tuple[Workspace, list[str]]] = []

    class Recorder:
        def __init__(self, workspace: Workspace, notices=(), **options) -> None:  # type: ignore[no-untyped-def]
            shown.append((workspace, list(notices)))
            self.return_code = 0

        def run(self) -> None:
            pass

    monkeypatch.setattr(tui.app, "NewsmarkApp", Recorder)

    monkeypatch.setattr(tui.cli, "has_terminal", lambda: True)
    root = tmp_path / "store"
    with LocalStore(root) as first:  # the first newsmark, still running
        before = _snapshot(root)
        result = CliRunner().invoke(main, ["open", "--store", str(root),
                                           *map(str, article_paths)])
        assert result.exit_code == 0, result.output
        ((workspace, notices),) = shown
        assert workspace.store.read_only
        assert any(f"process {os.getpid()}" in n and "read-only" in n for n in notices)
        assert _snapshot(root) == before  # the second wrote nothing, not even its documents
        assert json.loads((root / "lock").read_text())["pid"] == os.getpid()
        first.set_rejected("still", ["writable"])


async def test_the_read_only_reader_shows_it_and_refuses_changes(
    tmp_path: Path, article_paths: list[Path]
) -> None:
    root = tmp_path / "store"
    docs, _ = load_documents(article_paths)
    with LocalStore(root) as writer:
        Workspace(writer, docs)  # registered by the first newsmark
        before = _snapshot(root)
        with LocalStore(root, read_only=True) as viewer:
            ws = Workspace(viewer, docs)
            app = NewsmarkApp(ws, notices=["opened read-only"])
            async with app.run_test(size=SIZE) as pilot:
                assert "(read-only)" in app.sub_title
                await pilot.press("1")
                await pilot.pause()
                assert "NOT SAVED" in str(app.query_one("#status").render())
                assert any("read-only" in str(n.message) for n in app._notifications)
                await pilot.press("u", "x", "d")
                assert app.is_running
        assert _snapshot(root) == before


WRITER = textwrap.dedent(
    """
    import sys
    from annotations.model import Annotation, Document, DocumentMeta
    from annotations.store import LocalStore

    store = LocalStore(sys.argv[1])
    docs = [Document(f"Article {i}. " + "The council met on Tuesday. " * 80,
                     DocumentMeta(path=f"{i}.txt")) for i in range(3)]
    store.register_many(docs)
    print("ready", flush=True)
    i = 0
    while True:
        doc = docs[i % 3]
        start = (i * 7) % (len(doc.text) - 10)
        ann = Annotation.tag(doc, start, start + 9, "claim")
        store.add(ann)
        if i % 5 == 4:  # removals and relabels too, not only growth
            store.remove(doc.id, ann.id)
        elif i % 5 == 3:
            store.update(ann.with_changes(label="quote"))
        i += 1
        if i % 10 == 0:
            print(i, flush=True)  # ten more edits saved
    """
)


def test_export_while_another_process_writes_sees_a_consistent_store(tmp_path: Path) -> None:
    root = tmp_path / "store"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(root)], cwd=REPO, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert writer.stdout.readline() == "ready\n"
        counts: list[int] = []
        deadline = time.monotonic() + 30
        while len(counts) < 6 and time.monotonic() < deadline:
            writer.stdout.readline()  # the store has changed since the last export
            out = tmp_path / f"export-{len(counts)}.jsonl"
            result = CliRunner().invoke(main, ["export", "--store", str(root),
                                               "--out", str(out)])
            assert result.exit_code == 0, result.output
            report = validate(out, "jsonl")
            assert report.ok, report.errors
            records = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
            for record in records:
                ids = [span["id"] for span in record["spans"]]
                assert len(ids) == len(set(ids))
            counts.append(sum(len(r["spans"]) for r in records))
            assert writer.poll() is None, writer.stderr.read()
        assert len(counts) >= 2 and counts[-1] > counts[0]  # it really was writing
    finally:
        writer.kill()
        writer.wait()
    assert json.loads((root / "lock").read_text())["pid"] == writer.pid  # export took no lock
