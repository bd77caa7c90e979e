"""Which store a `--store` value names, and opening it.

A `postgresql://` (or `postgres://`) URL names a PostgreSQL store
(`annotations.postgres`, which needs the `newsmark[postgres]` extra);
anything else is a store folder. The PostgreSQL engine is imported only
when a URL is given, so the folder store never needs the driver.
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
    return None if getattr(store, "engine", "folder") == "postgresql" else Path(store.root)


def spec_of(store: Any) -> str:
    """What opens `store` again (its URL, password included, or its folder)."""
    return store.url if getattr(store, "engine", "folder") == "postgresql" else str(store.root)


def open_store(spec: StoreSpec, *, read_only: bool = False, annotator: str | None = None,
               existing: bool = False) -> Any:
    """Open the store `spec` names. `existing`: a folder must be there already."""
    if is_remote(spec):
        driver()  # one line naming the extra, before the engine's own imports need it
        from annotations.postgres.store import PostgresStore

        return PostgresStore(str(spec), read_only=read_only, annotator=annotator,
                             create=not existing)
    from annotations.store import Store

    folder = Path(spec)
    if existing and not folder.is_dir():
        raise StoreError(f"no store at {folder}; open some articles first, or pass --store")
    return Store(folder, read_only=read_only)
