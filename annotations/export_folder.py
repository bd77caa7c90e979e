"""Where an export may write: a folder (brat) or a file, never over anything it did not write.

A brat export writes a folder of `<id>.txt`/`<id>.ann` files. It goes into
a folder that does not exist yet, or an empty one. It leaves a marker file
(`MARKER`) listing the files it wrote with a SHA-256 of each, so that
`--force` can tell a folder that holds a previous export as it was written
and nothing else (replaced) from any other folder (refused, naming what
is in the way): a folder of the user's own articles, one holding the
store, or an export whose .ann files were corrected by hand.

A file export (`--out train.jsonl`) never writes over a folder, nor inside
the store it reads.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Callable
from pathlib import Path

from annotations.errors import StoreError

MARKER = ".newsmark-brat-export"
_MARKER_HEADER = (
    "# Written by `newsmark export --format brat`. `--force` replaces this folder only\n"
    "# while it holds nothing but the files below, as they were written (and this one).\n"
)


def absolute(path: Path) -> Path:
    """`path` made absolute without resolving links, so `.` and `..` have a name."""
    return Path(os.path.abspath(path))


def check_not_in_store(out_path: Path, store_root: Path | None) -> None:
    """Refuse an --out that is the store's folder, or inside it, or holds it."""
    if store_root is None:
        return
    out, root = out_path.resolve(), Path(store_root).resolve()
    if out == root or root in out.parents:
        raise StoreError(f"{out_path} is inside the store {store_root}; "
                         "export to a file or folder outside it")


def written_files(folder: Path) -> dict[str, set[str]]:
    """The files the export that marked `folder` wrote there, each with the
    SHA-256 of what it wrote (two, while an export was being put in place;
    none if the folder is not marked)."""
    try:
        lines = (folder / MARKER).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return {}
    written: dict[str, set[str]] = {}
    for line in lines:
        digest, _, name = line.partition("  ")
        # Plain names only: a marker never makes newsmark touch anything outside the folder.
        if (line.startswith("#") or len(digest) != 64 or not name or "/" in name
                or os.sep in name or name in (".", "..")):
            continue
        written.setdefault(name, set()).add(digest)
    return written


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def check_folder(folder: Path, force: bool) -> None:
    """Refuse a folder a brat export may not write: one holding anything it did not write."""
    folder = absolute(folder)
    if not folder.exists():
        return
    if not folder.is_dir():
        raise StoreError(f"{folder} is a file; brat writes a folder")
    try:
        entries = sorted(os.listdir(folder))
    except OSError as err:
        raise StoreError(f"cannot read {folder}: {err.strerror or err}") from err
    if not entries:
        return
    if MARKER not in entries:
        raise StoreError(
            f"{folder} is not empty (it holds {_some(entries)}) and is not a newsmark brat "
            "export; export into a new or empty folder")
    written = written_files(folder)
    foreign = [name for name in entries if name != MARKER
               and (name not in written or not _plain_file(folder / name))]
    if foreign:
        raise StoreError(
            f"{folder} holds {_some(foreign)}, which no newsmark export wrote; move it away, "
            "or export into a new or empty folder")
    # A file of the earlier export edited since (an .ann corrected by hand)
    # is work of its own: --force would have replaced it without a word.
    try:
        edited = [name for name in entries if name != MARKER
                  and _digest(folder / name) not in written[name]]
    except OSError as err:
        raise StoreError(f"cannot read {folder}: {err.strerror or err}") from err
    if edited:
        raise StoreError(
            f"{folder} holds {_some(edited)}, changed since newsmark exported it; move it "
            "away, or export into a new or empty folder")
    if not force:
        raise StoreError(f"{folder} holds an earlier brat export; add --force to replace it")


def write_folder(folder: Path, fill: Callable[[Path], bool]) -> None:
    """Fill a temporary folder with `fill`, then put its files in `folder` and mark it.

    Nothing is put in place when `fill` returns False (it wrote no record).

    `check_folder` must have passed: `folder` is absent, empty, or holds only
    an earlier export, whose files that this one does not write again are removed.
    """
    folder = absolute(folder)
    if not folder.exists():
        tmp = folder.with_name(f".{folder.name}.{os.getpid()}.tmp")
        try:
            if tmp.exists():
                shutil.rmtree(tmp)
            tmp.mkdir(parents=True)
            if not fill(tmp):
                return
            _mark(tmp, {name: {_digest(tmp / name)} for name in os.listdir(tmp)})
            os.replace(tmp, folder)
        finally:
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)
        return
    # An existing folder (maybe the working directory) stays where it is: the
    # new files are made inside it, then moved into place one by one.
    tmp = folder / f".newsmark-export.{os.getpid()}.tmp"
    try:
        tmp.mkdir()
        if not fill(tmp):
            return
        new = {name: {_digest(tmp / name)} for name in os.listdir(tmp)}
        old = written_files(folder)
        # Marked first with both: a crash half way leaves a folder --force
        # still replaces (whichever of the two versions a file is in).
        _mark(folder, {name: old.get(name, set()) | new.get(name, set())
                       for name in old.keys() | new.keys()})
        for name in sorted(new):
            os.replace(tmp / name, folder / name)
        for name in sorted(old.keys() - new.keys()):
            (folder / name).unlink(missing_ok=True)
        _mark(folder, new)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def _mark(folder: Path, files: dict[str, set[str]]) -> None:
    """Write the marker: a line per file and version, its SHA-256 and its name
    (the format of `sha256sum`, so `sha256sum -c` checks a folder by hand)."""
    lines = [f"{digest}  {name}\n" for name, digests in sorted(files.items())
             for digest in sorted(digests)]
    tmp = folder / f"{MARKER}.{os.getpid()}.tmp"
    tmp.write_text(_MARKER_HEADER + "".join(lines), encoding="utf-8")
    os.replace(tmp, folder / MARKER)


def _plain_file(path: Path) -> bool:
    return path.is_file() and not path.is_symlink()


def _some(names: list[str]) -> str:
    shown = ", ".join(names[:3])
    return shown + (f" and {len(names) - 3} more" if len(names) > 3 else "")
