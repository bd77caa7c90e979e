"""Which engine opens a store, by its location.

A location with a URI scheme (`postgresql://...`) names the engine whose
opener `ENGINES` lists for it (imported only when used); anything else is
a folder, opened by the embedded `LocalStore`. An engine added here plugs
in everywhere a store is opened (the CLI, export workers) and nowhere else.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path

from annotations.errors import StoreError
from annotations.store.protocol import Store

# scheme -> "module:function" taking (location, read_only=...) -> Store.
ENGINES: dict[str, str] = {
    # A team's shared store (the `newsmark[postgres]` extra; annotations/postgres/).
    "postgresql": "annotations.postgres.store:open_postgres",
    "postgres": "annotations.postgres.store:open_postgres",
}

_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*)://", re.IGNORECASE)


def open_store(location: str | Path, *, read_only: bool = False,
               annotator: str | None = None) -> Store:
    """Open the store at `location` (a folder, or a URI an engine is listed for);
    a folder for `annotator`: one writer per annotator (see `LocalStore`)."""
    text = str(location)
    match = _SCHEME.match(text)
    if match is None:
        from annotations.store.local import LocalStore

        return LocalStore(location, read_only=read_only, annotator=annotator)
    scheme = match.group(1).lower()
    target = ENGINES.get(scheme)
    if target is None:
        raise StoreError(f"no store engine for {scheme}:// locations; use a folder")
    module_name, _, function = target.partition(":")
    opener = getattr(importlib.import_module(module_name), function)
    store: Store = opener(text, read_only=read_only)
    return store
