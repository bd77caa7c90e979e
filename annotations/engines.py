"""The command line's view of `--store`: a folder, or a PostgreSQL URL.

`annotations.store.open_store` opens any store by its location (the
PostgreSQL engine is listed in `annotations.store.engines.ENGINES`). This
adds what the commands need on top: whether a value names a server, how to
show it (a URL without its password), and opening with the options only a
PostgreSQL store has (whose layer to write). The engine and its driver are
imported only when a URL is given, so the folder store never needs them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from annotations.errors import StoreError
from annotations.postgres.url import driver, is_postgres_url, redact

StoreSpec = str | Path


def is_remote(spec: object) -> bool:
    """True if `spec` names a PostgreSQL store rather than a folder."""
    return is_postgres_url(spec)


def describe(spec: StoreSpec) -> str:
    """`spec` as messages may show it (a URL without its password)."""
    return redact(str(spec)) if is_remote(spec) else str(spec)


def folder_of(store: Any) -> Path | None:
    """The folder a store lives in (None for a PostgreSQL store)."""
    return None if is_remote(store.location) else Path(store.location)


def has_documents(spec: StoreSpec) -> bool:
    """Whether a folder store is at `spec` with documents listed (a URL: not known offline)."""
    from annotations.store.migrations import DOCUMENTS

    return not is_remote(spec) and (Path(spec) / DOCUMENTS).is_file()


def open_store(spec: StoreSpec, *, read_only: bool = False, annotator: str | None = None,
               existing: bool = False) -> Any:
    """Open the store `spec` names. `existing`: a folder must be there already;
    `annotator`: the layer a PostgreSQL store writes (default: its role); a folder
    store lets one newsmark per annotator write it at once."""
    if is_remote(spec):
        driver()  # one line naming the extra, before the engine's own imports need it
        from annotations.postgres.store import PostgresStore

        return PostgresStore(str(spec), read_only=read_only, annotator=annotator,
                             create=not existing)
    from annotations.store import open_store as open_location

    folder = Path(spec)
    if existing and not folder.is_dir():
        raise StoreError(f"no store at {folder}; open some articles first, or pass --store")
    return open_location(folder, read_only=read_only, annotator=annotator)
