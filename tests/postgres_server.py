"""A real PostgreSQL server for the tests: pgserver's binaries, or NEWSMARK_TEST_PG.

`pgserver` (in the test extra) ships PostgreSQL 16's own binaries and starts
a server on a Unix socket in about 0.6 s, as root too. When NEWSMARK_TEST_PG
names a server (a URL whose role may create databases and roles), that one
is used instead and nothing is started. Each test that wants a database gets
a fresh one, dropped afterwards.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psycopg
from psycopg import sql

from annotations.postgres.url import with_database

_names = itertools.count(1)


class TestServer:
    """A PostgreSQL server the tests may create databases (and roles) on."""

    __test__ = False  # not a test class, whatever its name

    def __init__(self, url: str, handle: object | None = None) -> None:
        self.url = url
        self.handle = handle  # pgserver's server object, when we started it

    def admin(self) -> psycopg.Connection:
        return psycopg.connect(self.url, autocommit=True)

    @contextlib.contextmanager
    def fresh_database(self) -> Iterator[str]:
        name = f"newsmark_test_{os.getpid()}_{next(_names)}"
        with self.admin() as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        try:
            yield with_database(self.url, name)
        finally:
            with self.admin() as conn:
                conn.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
                )

    # Stopping and starting: only for a server of our own (the fault tests).

    def stop(self) -> None:
        from pgserver._commands import pg_ctl

        handle = self._own()
        pg_ctl(["-w", "-m", "immediate", "stop"], pgdata=handle.pgdata, user=handle.system_user)

    def start(self) -> None:
        handle = self._own()
        with handle._lock:
            handle.ensure_postgres_running()
        assert handle.get_uri() == self.url, "the restarted server moved its socket"

    def _own(self):  # type: ignore[no-untyped-def]
        if self.handle is None:
            raise RuntimeError("this server was not started by the tests (NEWSMARK_TEST_PG)")
        return self.handle


@contextlib.contextmanager
def start_test_server(*, shared: bool = True) -> Iterator[TestServer]:
    """NEWSMARK_TEST_PG's server when set (and `shared`), else a pgserver of our own.

    Its data folder is made under the system's temporary folder, not pytest's:
    the server runs as another user (pgserver's, when we are root), and pytest
    makes its own base folder private again at every start.
    """
    url = os.environ.get("NEWSMARK_TEST_PG")
    if url and shared:
        yield TestServer(url)
        return
    try:
        import pgserver
    except ImportError as err:  # a clear failure, never a silent skip
        raise RuntimeError(
            "the PostgreSQL tests need pgserver: .venv/bin/pip install -e '.[test]' "
            "(or set NEWSMARK_TEST_PG to a server's URL)"
        ) from err
    folder = Path(tempfile.mkdtemp(prefix="newsmark-pg-"))
    try:
        handle = pgserver.get_server(folder / "data", cleanup_mode="stop")
        try:
            yield TestServer(handle.get_uri(), handle)
        finally:
            handle.cleanup()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def as_role(url: str, role: str) -> str:
    """`url` connecting as `role` (the test server trusts its socket: no password)."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    host = parts.netloc.rsplit("@", 1)[-1]
    return urlunsplit((parts.scheme, f"{role}@{host}", parts.path, parts.query, parts.fragment))


_shared: dict[str, object] = {}


def shared_server() -> TestServer:
    """The run's one server (started on first use, stopped when the run ends)."""
    if "server" not in _shared:
        import atexit

        context = start_test_server()
        _shared["server"] = context.__enter__()
        _shared["dbs"] = []

        def stop() -> None:
            server = _shared["server"]
            for db in _shared["dbs"]:  # type: ignore[attr-defined]
                with contextlib.suppress(Exception):
                    db.__exit__(None, None, None)
            context.__exit__(None, None, None)
            assert isinstance(server, TestServer)

        atexit.register(stop)
    server = _shared["server"]
    assert isinstance(server, TestServer)
    return server


def database_for_the_run() -> str:
    """A fresh database on the shared server, dropped when the run ends."""
    db = shared_server().fresh_database()
    url = db.__enter__()
    _shared["dbs"].append(db)  # type: ignore[attr-defined]
    return url
