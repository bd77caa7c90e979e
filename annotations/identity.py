"""Which document a file is: its text, and for a copy of a text another file holds, its path.

A document's id was the hash of its text, so two files with the same text
(syndicated wire copy: what comparing outlets is about) were one document,
with one set of annotations, one status and one export record. Each file
is its own document now; the text may be the same, the identity never is.

The scheme, and why:

- The first file seen with a text (and every document without a file,
  such as an imported record) keeps the text's hash as its id. Every store
  made before this rule filed its documents so: their ids stay valid and
  no store has to be rewritten.
- A later file with the same text at another path gets an id derived from
  the text's hash and the file's real path (`copy_id`). It is a pure
  function, so reopening the file finds the same document without a table
  to look it up in (and without a table that could be lost or disagree).
- A file whose text's holder was another path that no longer exists was
  renamed or moved: it keeps the holder's id, as it did before this rule.

The real path (symlinks and `./` resolved) is the one `anchoring.path_key`
uses for the paths the store remembers, so `a.txt` and `./a.txt` are one
file, and so one document.
"""

from __future__ import annotations

import hashlib
import os

from annotations.model import text_hash

__all__ = ["copy_id", "document_id", "path_key", "text_hash"]


def path_key(path: str | None) -> str | None:
    """The real path of a file (the key the store remembers paths by); None without one."""
    if not path:
        return None
    try:
        return os.path.realpath(path)
    except (OSError, ValueError):
        return path


def copy_id(text_id: str, path: str) -> str:
    """The id of a copy: the text's hash and the file's real path, hashed (16 hex digits)."""
    key = f"{text_id}\0{path_key(path)}"
    return hashlib.sha256(key.encode("utf-8", "surrogateescape")).hexdigest()[:16]


def document_id(
    text_id: str, path: str | None, holder_path: str | None, *, holder_known: bool,
    holder_open: bool = False,
) -> str:
    """The id of the document read from `path` whose text hashes to `text_id`.

    `holder_known`: some document (in the store or in this session) already
    has `text_id`; `holder_path` is the file it was read from (None: it has
    none, e.g. imported). `holder_open`: that document is open in this
    session from its file (so its file is not a renamed one, even if the
    path is gone by now).
    """
    if path is None or not holder_known or holder_path is None:
        return text_id
    if path_key(holder_path) == path_key(path):
        return text_id
    if not holder_open and not os.path.exists(holder_path):
        return text_id  # the holder's file was renamed or moved to `path`
    return copy_id(text_id, path)
