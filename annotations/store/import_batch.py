"""Writing a batch of new documents at once (import), whole or absent after a crash.

Saving documents one by one costs several fsyncs each (its text, its log,
its status), so an import of 1,000 documents spent most of its time
waiting on the disk. A batch is written instead:

1. `import.pending` lists the batch's document ids (written atomically,
   fsynced): from here a crash is noticed.
2. Each document's text and annotations (a snapshot of its TinyDB) are
   written without an fsync each.
3. One `os.sync()` makes all of them durable at once.
4. The documents list (`documents.json`) gets the batch's rows in one
   atomic, fsynced write: this is the moment the documents exist.
5. `import.pending` is removed.

A crash before 4 leaves files no document list names: the next open
(`recover`) removes them and says which documents are absent; after 4,
every document is whole, and the next open says so. Either way no
document is half there.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import threading
from pathlib import Path
from typing import NamedTuple

from annotations.errors import StoreError
from annotations.store.files import cannot_write, dumps, fsync_dir, write_atomic

PENDING = "import.pending"
_DOC_ID = re.compile(r"^[A-Za-z0-9_-]{1,128}$")

# Files a document may have in `docs/` (removed when its batch did not commit).
_SUFFIXES = (".text.json", ".json", ".log", ".seg", ".json.bak")


class InterruptedImport(NamedTuple):
    """What a killed import left: documents stored whole, and ones absent."""

    whole: list[str]
    absent: list[str]
    # What each document was called where it came from (its title, file or
    # first words): ids alone tell a user nothing about what to import again.
    names: dict[str, str]


def begin(root: Path, names: dict[str, str]) -> None:
    """Mark a batch as begun: its documents' ids, and what each is called."""
    write_atomic(root / PENDING, dumps({"documents": list(names), "names": names}).encode("utf-8"),
                 keep_backup=False)


def write_unsynced(path: Path, data: bytes) -> None:
    """Write `path` by a rename (never half a file under its name), but without an fsync:
    the batch's one sync makes it durable."""
    tmp = path.with_name(f"{path.name}.{threading.get_ident()}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except OSError as err:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise cannot_write(path, err) from err


def sync_all(folder: Path) -> None:
    """Make everything written so far durable: one sync for the whole batch."""
    os.sync()
    fsync_dir(folder)


def finish(root: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(root / PENDING)


def recover(root: Path, docs_dir: Path, registered: set[str]) -> InterruptedImport | None:
    """After a crash during an import: what it left, or None.

    The files of absent documents are removed (no list names them); the
    marker is removed once that is done.
    """
    path = root / PENDING
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as err:
        raise StoreError(f"cannot read {path}: {err.strerror or err}") from err
    names: dict[str, str] = {}
    try:
        marker = json.loads(raw.decode("utf-8"))
        ids = [str(i) for i in marker["documents"]]
        ids = [i for i in ids if _DOC_ID.match(i)]  # only names of docs/ files, nothing else
        given = marker.get("names")  # absent from markers of older versions
        if isinstance(given, dict):
            names = {i: str(given[i]) for i in ids if i in given}
    except (UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError):
        ids = []  # the marker itself was being written: nothing after it was
    whole = [i for i in ids if i in registered]
    absent = [i for i in ids if i not in registered]
    for doc_id in absent:
        for suffix in _SUFFIXES:
            with contextlib.suppress(OSError):
                os.unlink(docs_dir / f"{doc_id}{suffix}")
    finish(root)
    return InterruptedImport(whole, absent, names)
