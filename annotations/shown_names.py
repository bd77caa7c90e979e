"""What the reader calls each document: files that share a name told apart.

A folder per outlet (`reuters/story.txt`, `ap/story.txt`) made two documents
both called "story.txt" in the panes, the document list and the messages.
As editors do, a file is shown by the shortest trailing part of its path
that no other file of the session ends with ("reuters/story.txt",
"ap/story.txt"); a file whose name is unique keeps its plain name.

`ShownNames` is the one place the pane titles, the document list and the
notifications take a document's name from (`Document.heading` and
`Document.name` are what a document alone is called, e.g. by the command
line). Names are untrusted text: the reader renders them literally.
"""

from __future__ import annotations

import os
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from annotations.model import Document

__all__ = ["ShownNames", "distinct_tails", "file_name", "path_parts"]


def path_parts(path: str) -> list[str]:
    """`path`'s folders and file name (either slash on Windows; `.` and empty parts dropped)."""
    if os.altsep:
        path = path.replace(os.altsep, os.sep)
    return [part for part in path.split(os.sep) if part not in ("", ".")]


def file_name(path: str) -> str:
    """The last part of `path`: "ap/story.txt" -> "story.txt" (either slash on Windows)."""
    if os.altsep:
        path = path.replace(os.altsep, os.sep)
    return path.rpartition(os.sep)[2]


def distinct_tails(paths: Iterable[str]) -> dict[str, str]:
    """Each of `paths` -> the fewest trailing parts that no other path ends with.

    Paths are compared as absolute ones (`b.txt` given from inside `news/`
    and `sub/b.txt` read "news/b.txt" and "sub/b.txt"); a path that is a
    whole other path's tail (no folder above it to tell them apart) shows
    whole. Paths with the same name only; others are left out of the answer.
    """
    parts = {path: path_parts(os.path.abspath(path)) for path in dict.fromkeys(paths)}
    out: dict[str, str] = {}
    undecided = list(parts)
    depth = 1
    while undecided:
        tails = {path: tuple(parts[path][-depth:]) for path in undecided}
        # A tail that another path shares (a decided path shares its longer tails
        # with nobody left, so only the undecided ones are counted).
        seen: dict[tuple[str, ...], int] = defaultdict(int)
        for tail in tails.values():
            seen[tail] += 1
        still = []
        for path in undecided:
            if seen[tails[path]] == 1 or depth >= len(parts[path]):
                out[path] = "/".join(tails[path])
            else:
                still.append(path)
        undecided = still
        depth += 1
    return out


class ShownNames:
    """The names of a session's documents, files sharing a name told apart.

    `paths` is called when a name is first asked for (a folder of 100,000
    articles opens before anything is named); only files whose name
    another file shares are worked on.
    """

    def __init__(self, paths: Callable[[], Iterable[str]]) -> None:
        self._paths = paths
        self._shared: dict[str, list[str]] | None = None  # a shared file name -> its paths
        self._tails: dict[str, dict[str, str]] = {}  # worked out per name when first shown

    def _namesakes(self, name: str) -> list[str] | None:
        """The session's files called `name`, when more than one is."""
        if self._shared is None:
            # The first frame names its panes and list rows: one pass in C
            # over the session's paths (~20 ms for 100,000 on this machine).
            paths = list(self._paths())
            names = [file_name(path) for path in paths] if os.altsep else [
                path.rpartition("/")[2] for path in paths]
            shared: dict[str, list[str]] = defaultdict(list)
            if len(set(names)) < len(names):
                counts = Counter(names)
                for path, each in zip(paths, names):
                    if counts[each] > 1:
                        shared[each].append(path)
            self._shared = dict(shared)
        return self._shared.get(name)

    def file(self, path: str | None) -> str:
        """How to call the file at `path`: its name, with as many folders as tell it apart."""
        if not path:
            return ""
        name = file_name(path)
        group = self._namesakes(name)
        if group is None:
            return name
        tails = self._tails.get(name)
        if tails is None:
            tails = self._tails[name] = distinct_tails(group)
        tail = tails.get(path)
        if tail is None:  # a file not of this session (an undo reached it): against its namesakes
            tail = distinct_tails([*group, path])[path]
        return tail

    def heading(self, doc: Document) -> str:
        """`Document.heading` with the file's distinct name (a pane's title, the document list)."""
        return doc.heading_with(self.file(doc.meta.path))

    def name(self, doc: Document) -> str:
        """`Document.name` with the file's distinct name (messages)."""
        return doc.name_with(self.file(doc.meta.path))
