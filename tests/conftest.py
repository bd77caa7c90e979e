"""Shared fixtures: every test works in its own folders, never the user's."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotations.documents import load_documents
from annotations.labels import Config
from annotations.store import LocalStore
from annotations.workspace import Workspace

# Two outlets' takes on one story, written for the tests: quotes, curly
# apostrophes, abbreviations, and the debris scrapers leave behind.
OUTLET_A = """Town Hall Daily

Council backs the river plan, mayor says

date 2025-03-02 (TOWNWIRE) The council voted 7–2 on Tuesday to fund a new weir on the Ash river, Mr. Patel said. “This is the cheapest flood defence we have,” he told reporters.

Critics called the vote rushed. Dr. Lee of the U.S. Geological Survey said the study was “thin at best.”

Comments are closed.
"""

OUTLET_B = """Weir vote splits council

The Ash river weir won a 7–2 vote on Tuesday. Opponents say the study behind it was thin.

“We were given a week to read four hundred pages,” one councillor said — a complaint the mayor dismissed.

This website uses cookies to improve your experience. Accept Read More
"""


@pytest.fixture
def article_paths(tmp_path: Path) -> list[Path]:
    a = tmp_path / "outlet-a.txt"
    b = tmp_path / "outlet-b.txt"
    a.write_text(OUTLET_A, encoding="utf-8")
    b.write_text(OUTLET_B, encoding="utf-8")
    return [a, b]


@pytest.fixture
def store_dir(tmp_path: Path) -> Path:
    return tmp_path / "store"


@pytest.fixture
def make_workspace(article_paths: list[Path], store_dir: Path):
    """Build a Workspace on the test articles (or given paths); closes its stores."""
    stores: list[LocalStore] = []

    def make(paths: list[Path] | None = None, config: Config | None = None) -> Workspace:
        docs, errors = load_documents(paths or article_paths)
        assert not errors, errors
        store = LocalStore(store_dir)
        stores.append(store)
        return Workspace(store, docs, config=config, annotator="tester")

    yield make
    for store in stores:
        store.close()


# ------------------------------------------------------------------ PostgreSQL
# One real PostgreSQL server for the whole run (pgserver's own binaries, or
# the server at NEWSMARK_TEST_PG), and a fresh database for each test that
# asks for one. No test of the PostgreSQL store runs against a mock.


@pytest.fixture(scope="session")
def pg_server():
    """A PostgreSQL server on which the tests may create databases (and roles)."""
    from tests.postgres_server import shared_server

    return shared_server()  # one for the run (tests/store_engines.py uses it too)


@pytest.fixture
def pg_url(pg_server) -> str:
    """The URL of a fresh, empty database on the test server (dropped after the test)."""
    with pg_server.fresh_database() as url:
        yield url


@pytest.fixture(params=["folder", "postgresql"])
def store_spec(request: pytest.FixtureRequest, tmp_path: Path) -> Path | str:
    """A store of each engine: a folder, and a fresh PostgreSQL database's URL."""
    if request.param == "folder":
        return tmp_path / "store"
    return request.getfixturevalue("pg_url")


@pytest.fixture
def open_any(store_spec: Path | str):
    """Open the test's store (of the engine `store_spec` is), as many times as asked."""
    from annotations.engines import open_store

    def open_(read_only: bool = False):  # type: ignore[no-untyped-def]
        return open_store(store_spec, read_only=read_only)

    open_.spec = store_spec
    return open_


@pytest.fixture(autouse=True, scope="session")
def _outbox_away_from_home(tmp_path_factory: pytest.TempPathFactory):
    """A PostgreSQL store's outbox (changes waiting for the server) never in the user's files."""
    import os

    os.environ["NEWSMARK_OUTBOX"] = str(tmp_path_factory.mktemp("outbox"))
    yield
