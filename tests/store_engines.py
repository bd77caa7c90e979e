"""The store engines the contract (`tests/test_store_contract.py`) runs against.

An engine joins by adding an entry to `ENGINES`: a name, and a function
that makes a new, empty, writable store for one test (given the test's
temporary folder) or calls `pytest.skip` when it cannot (say, no server).
The contract reopens a store with `annotations.store.open_store(store.location)`,
so the engine's locations must be ones `open_store` knows
(`annotations.store.engines.ENGINES`).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from annotations.store import LocalStore, Store


def local_store(tmp_path: Path) -> Store:
    return LocalStore(tmp_path / "store")


def postgres_store(tmp_path: Path) -> Store:
    """A fresh database on the run's PostgreSQL (pgserver, or NEWSMARK_TEST_PG)."""
    from annotations.postgres.store import PostgresStore
    from tests.postgres_server import database_for_the_run

    return PostgresStore(database_for_the_run(), outbox=tmp_path / "outbox.jsonl")


ENGINES: dict[str, Callable[[Path], Store]] = {
    "local": local_store,
    "postgresql": postgres_store,
}
