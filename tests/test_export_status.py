"""An export of one annotator's layer gives that annotator's own progress.

Each annotator keeps their own status of a document; a document record
alone gives the connecting role's (PostgreSQL) or the last one's to mark it
(folder store), which made `export --annotator root` say "in progress" of a
document root had marked done.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from annotations.export import ExportOptions, export
from annotations.formats.records import Filters
from annotations.labels import Config
from annotations.model import Document, DocumentMeta
from annotations.store import LocalStore
from annotations.workspace import Workspace

TEXT = "The minister said the plan would cost more. Critics called it rushed."


def _folder(tmp_path: Path):  # type: ignore[no-untyped-def]
    return lambda annotator: LocalStore(tmp_path / "store", annotator=annotator)


def _postgres(tmp_path: Path):  # type: ignore[no-untyped-def]
    from annotations.postgres.store import PostgresStore
    from tests.postgres_server import database_for_the_run

    url = database_for_the_run()
    return lambda annotator: PostgresStore(url, annotator=annotator,
                                           outbox=tmp_path / f"outbox-{annotator}.jsonl")


@pytest.fixture(params=["folder", "postgresql"])
def open_as(request, tmp_path: Path):  # type: ignore[no-untyped-def]
    return {"folder": _folder, "postgresql": _postgres}[request.param](tmp_path)


def _exported(store, *annotators: str, done_only: bool = False) -> list[str]:  # type: ignore[no-untyped-def]
    out = io.StringIO()
    export(store, ExportOptions(filters=Filters(frozenset(), frozenset(annotators), done_only)),
           stream=out)
    return [json.loads(line)["status"] for line in out.getvalue().splitlines()]


def test_one_annotators_export_gives_their_own_status(open_as) -> None:  # type: ignore[no-untyped-def]
    doc = Document(TEXT, DocumentMeta(path="a.txt"))
    for annotator, done in (("root", True), ("ana", False)):
        with open_as(annotator) as store:
            ws = Workspace(store, [doc], config=Config(), annotator=annotator)
            assert ws.tag(doc.id, 0, (0, 43), "claim") is not None
            if done:
                ws.set_status(doc.id, "done")
    with open_as("root") as store:
        assert _exported(store, "root") == ["done"]
        assert _exported(store, "root", done_only=True) == ["done"]
        assert _exported(store, "ana") == ["in progress"]
        assert _exported(store, "ana", done_only=True) == []
