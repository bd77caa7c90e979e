"""A local store's format: its marker, the migrations between formats, and the backups.

`newsmark.json` says `{"format": n, "app": "newsmark"}`. A store older than
`FORMAT` is copied to `backup-format-<n>-<time>/` (byte for byte), then
brought forward one format at a time by `MIGRATIONS`; a newer one is
refused (upgrade newsmark), and a read-only open of an older one is
refused too (it cannot be upgraded without writing).
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path
from typing import Any

from annotations.errors import StoreError
from annotations.store.files import TMP_RE, damaged, fsync_dir, write_json_atomic
from annotations.store.lock import LOCK
from annotations.store.session import migrate_format_2 as migrate_session
from annotations.store.statuses import migrate_format_2 as migrate_statuses
from annotations.store.tinydb_storage import AtomicJSONStorage
from annotations.store.write_lock import WRITE_LOCK

FORMAT = 3
MARKER = "newsmark.json"
DOCUMENTS = "documents.json"
DOCS_DIR = "docs"
BACKUP_PREFIX = "backup-format-"


def _migrate_0_to_1(root: Path) -> None:
    """Format 0: stores written before the format marker existed.

    Their files already have format 1's layout; document rows may lack a
    status. (The marker itself is written by `migrate`.)
    """
    path = root / DOCUMENTS
    storage = AtomicJSONStorage(path)
    data = storage.read()
    if not data:
        return
    rows = data.get("documents", {})
    if all("status" in row for row in rows.values()):
        return
    for row in rows.values():
        row.setdefault("status", "untouched")
    storage.write(data)


def _migrate_1_to_2(root: Path) -> None:
    """Format 2 adds the logs beside the snapshots (`annotations.journal`).

    A format 1 file is a format 2 snapshot of generation 0 with no log, so
    nothing is rewritten. The number changes so that an older newsmark,
    which would not read the logs, refuses the store instead of missing
    the changes in them.
    """


def _migrate_2_to_3(root: Path) -> None:
    """Format 3 keeps session state as typed tables with a log (`store.session`), and
    saves annotations and undo steps as TinyDB changes (`store.journal_storage`).

    `session.json` is rewritten from format 2's key/value rows into the
    tables, `status.json` from a table keyed by document id into rows.
    Annotation and history files are read as they are (their format-2 log
    lines are understood); the number changes so that an older
    newsmark, which would not read the new log lines, refuses the store
    instead of missing the changes in them.
    """
    migrate_session(root / "session.json")
    migrate_statuses(root / "status.json", root / "status.log")


# format n -> the function that turns a store of format n into format n + 1.
# A store older than FORMAT runs them in turn, after a copy of its folder is
# kept as `backup-format-<n>-<time>/`.
MIGRATIONS: dict[int, Any] = {0: _migrate_0_to_1, 1: _migrate_1_to_2, 2: _migrate_2_to_3}


def check_format(root: Path) -> int:
    """The store's format: its marker's, 0 for a store without one, FORMAT if new."""
    path = root / MARKER
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return 0 if (root / DOCUMENTS).exists() else FORMAT
    except OSError as err:
        raise StoreError(f"cannot read {path}: {err.strerror or err}") from err
    try:
        marker = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as err:
        raise damaged(path, err) from err
    if not isinstance(marker, dict) or not isinstance(marker.get("format"), int):
        raise damaged(path, "no format number")
    if marker.get("app") != "newsmark":
        raise StoreError(f"{root} is not a newsmark store ({path} says otherwise)")
    if marker["format"] > FORMAT:
        raise StoreError(
            f"the store {root} was made by a newer newsmark "
            f"(format {marker['format']}); upgrade newsmark"
        )
    if marker["format"] < 0:
        raise damaged(path, f"format {marker['format']}")
    return int(marker["format"])


def migrate(root: Path, found: int) -> str:
    """Bring a store of format `found` to FORMAT, keeping a copy of it first."""
    backup = _backup(root, found)
    try:
        for fmt in range(found, FORMAT):
            MIGRATIONS[fmt](root)
        write_json_atomic(root / MARKER, {"format": FORMAT, "app": "newsmark"})
    except (OSError, StoreError) as err:
        raise StoreError(
            f"could not upgrade the store {root} from format {found} ({err}); "
            f"its previous state is in {backup}"
        ) from err
    return str(backup)


def _backup(root: Path, found: int) -> Path:
    """Copy the store's files to `backup-format-<n>-<time>/`; returns that folder."""
    import shutil
    import time

    stamp = time.strftime("%Y%m%dT%H%M%S")
    target = root / f"{BACKUP_PREFIX}{found}-{stamp}"
    n = 1
    while target.exists():
        n += 1
        target = root / f"{BACKUP_PREFIX}{found}-{stamp}-{n}"
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    try:
        partial.mkdir()
        for entry in os.scandir(root):
            name = entry.name
            # Locks (the store's, each annotator's, the write lock) are not the store's data.
            if (name in (LOCK, WRITE_LOCK) or name.startswith((f"{LOCK}.", BACKUP_PREFIX, "."))
                    or TMP_RE.search(name)):
                continue
            if entry.is_dir(follow_symlinks=False):
                shutil.copytree(entry.path, partial / name)
            elif entry.is_file(follow_symlinks=False):
                shutil.copy2(entry.path, partial / name)
        os.replace(partial, target)
    except OSError as err:
        shutil.rmtree(partial, ignore_errors=True)
        raise StoreError(
            f"cannot back up the store {root} before upgrading it: "
            f"{err.strerror or err}; nothing was changed"
        ) from err
    fsync_dir(root)
    return target


def write_marker_if_missing(root: Path) -> None:
    if not (root / MARKER).exists():
        write_json_atomic(root / MARKER, {"format": FORMAT, "app": "newsmark"})


def clean_tmp_files(root: Path) -> None:
    """Remove temp files a killed write left (each write's own is removed on failure)."""
    for folder in (root, root / DOCS_DIR):
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            if TMP_RE.search(entry.name) and entry.is_file(follow_symlinks=False):
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)
