"""Files of a local store: the one atomic writer, fsyncs, and the damage message.

Every whole file of a store is written by `write_atomic`: a temporary file
is written and fsynced, then renamed over the old one, and the folder is
fsynced, so a crash or `kill -9` leaves either the old or the new version,
never half of one. A file written more than once keeps its previous
version as `<name>.bak` (a hard link: it costs nothing) to restore from.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import threading
from pathlib import Path
from typing import Any

from annotations.errors import StoreError

# A temp file of `write_atomic` (`<name>.<thread>.<pid>.tmp`): a killed write leaves one.
TMP_RE = re.compile(r"\.\d+\.tmp$")


def sync_data(fd: int) -> None:
    # fdatasync skips the inode times an append need not make durable; the
    # file's new size is made durable either way. (Looked up per call, so a
    # test can make it fail.)
    getattr(os, "fdatasync", os.fsync)(fd)


def fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def stat_key(path: Path) -> tuple[int, int, int] | None:
    """What changes when a file is replaced or written to (None: no file)."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns)


class CannotWrite(StoreError):
    """A store file could not be written; `where` names it."""

    def __init__(self, message: str, where: Path) -> None:
        super().__init__(message)
        self.where = where


def cannot_write(path: Path, err: OSError) -> StoreError:
    """The one message for a store write that failed (disk full, permissions)."""
    return CannotWrite(
        f"cannot write {path}: {err.strerror or err}; this change was not saved, "
        "what was saved before is safe (make room or fix the folder's permissions and "
        "do it again; `newsmark export --out` elsewhere works meanwhile)",
        path,
    )


# What brings back a damaged file that has no .bak, for files that can be
# rebuilt: documents.json lists the documents, whose annotations are kept
# in docs/ and come back as each document is registered again.
REBUILD = {
    "documents.json": "move it away (mv {path} {path}.damaged), then open your articles "
                      "again (newsmark ARTICLES...) and import again what you had imported: "
                      "each document comes back with its annotations, kept in {docs}",
}


def damaged(path: Path, err: object) -> StoreError:
    bak = path.with_name(f"{path.name}.bak")
    # Only files written more than once have a .bak: name it only if it is there.
    if bak.exists():
        restore = f"Restore it from {bak} or move it away."
    elif path.name in REBUILD:
        restore = "There is no .bak: " + REBUILD[path.name].format(
            path=path, docs=path.parent / "docs") + "."
    else:
        restore = "Move it away."
    return StoreError(f"{path} is damaged ({err}); newsmark will not overwrite it. {restore}")


def write_atomic(path: Path, data: bytes, *, keep_backup: bool = True) -> None:
    """Replace `path` by `data`: temp file, fsync, rename, fsync the folder.

    The one atomic writer of a store. With `keep_backup`, the version
    replaced stays as `<name>.bak`. OSError becomes StoreError (`cannot_write`),
    and the temp file is removed.
    """
    # Thread and process in the name: two panes' workers may write at once.
    tmp = path.with_name(f"{path.name}.{threading.get_ident()}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if keep_backup:
            # Keep the current (good) version as .bak: a hard link costs nothing.
            bak = path.with_name(f"{path.name}.bak")
            with contextlib.suppress(FileNotFoundError):
                os.unlink(bak)
            with contextlib.suppress(OSError):
                os.link(path, bak)
        os.replace(tmp, path)
    except OSError as err:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise cannot_write(path, err) from err
    fsync_dir(path.parent)


def dumps(data: Any) -> str:
    """Compact JSON, non-ASCII kept as is (the form of every store file and log line)."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def write_json_atomic(path: Path, data: Any) -> None:
    """`write_atomic` of `data` as JSON, keeping the previous version as `.bak`."""
    write_atomic(path, dumps(data).encode("utf-8"))
