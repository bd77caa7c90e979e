"""The reader's first articles, read in a second process while the first imports the UI.

Before its first frame the reader reads, decodes, sanitizes, cleans and
hashes the articles its panes show (~25 ms of CPU for two 1 MB articles),
and imports Textual and its own screens (~70 ms), one after the other on
one core. Neither needs the other, so `ArticlePrefetch.start` forks a
child that reads them with `load_document` while the parent goes on
importing; the `Workspace` then takes each document it would have read
(`take`), the same `Document` the parent would have made, or reads it
itself whenever the child has none for it. Nothing depends on the child:
it is only ever a head start, so every failure is the same as no child
(the parent reads the file and reports its problems as always).

The documents come back pickled through anonymous shared memory, sized
before the fork from the files' sizes, and only their length through a
pipe: a pipe alone holds 64 KB and made the parent wait ~5 ms for 2 MB.

The child is forked only from a process with one thread: a lock held by
another thread at the fork (the import lock, a logging lock) would stay
held in the child forever. It writes nothing to the terminal, touches no
store, and ends with `os._exit`, running nothing of the parent's (no
atexit, no buffered output flushed twice).
"""

from __future__ import annotations

import mmap
import os
import pickle
import select
import signal
import struct
import threading
from collections.abc import Sequence

from annotations.documents import Decoding, load_document
from annotations.errors import ArticleError
from annotations.model import Document

# A text decoded and sanitized takes at most 3 bytes of UTF-8 per byte read
# (a C1 control or a Latin-1 letter becomes a 2- or 3-byte character),
# plus the pickle's framing and the metadata of each document.
_BYTES_PER_BYTE_READ = 3
_PER_DOCUMENT = 64 * 1024
# Beyond this the head start is not worth reserving the memory for.
_MOST_BYTES = 512 * 1024 * 1024
# How long the parent waits for the child before reading the files itself:
# far beyond what reading them takes (~10 ms a MB), so only a child that is
# stuck (or stopped) is given up.
_WAIT_SECONDS = 10.0
_WAIT_SECONDS_PER_MB = 1.0
_LENGTH = struct.Struct("<Q")


class ArticlePrefetch:
    """Documents a forked child reads from files while this process does other work."""

    def __init__(self, paths: Sequence[str], raw: bool, decoding: Decoding,
                 pid: int, reader: int, shared: mmap.mmap, wait: float) -> None:
        self.paths = tuple(paths)
        self._raw, self._decoding = raw, decoding
        self.pid = pid  # the child's process id; 0 once it has ended and been reaped
        self._reader, self._shared, self._wait = reader, shared, wait
        self._documents: dict[str, Document] | None = None
        self.taken: list[str] = []  # the paths whose document came from the child

    @classmethod
    def start(cls, paths: Sequence[str], *, raw: bool = False,
              decoding: Decoding | None = None) -> ArticlePrefetch | None:
        """Fork a child reading `paths`; None where that cannot be done safely."""
        decoding = decoding or Decoding()
        if not paths or not hasattr(os, "fork") or threading.active_count() != 1:
            return None
        size = sum(_size(path) for path in paths)
        capacity = size * _BYTES_PER_BYTE_READ + _PER_DOCUMENT * len(paths)
        if capacity > _MOST_BYTES:
            return None
        shared = mmap.mmap(-1, capacity)  # anonymous and shared: the child's writes are seen
        reader, writer = os.pipe()
        # Ctrl+C is the parent's to handle (it stops the child): blocked over
        # the fork, so it cannot interrupt the child's at-fork hooks (which
        # printed "Exception ignored in: _after_at_fork_child_reinit_locks"),
        # and ignored in the child before it is unblocked.
        blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            pid = os.fork()
        except OSError:
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
            os.close(reader)
            os.close(writer)
            shared.close()
            return None
        if pid == 0:  # the child
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
            os.close(reader)
            _read_in_child(paths, raw, decoding, shared, writer)  # never returns
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
        os.close(writer)
        wait = _WAIT_SECONDS + _WAIT_SECONDS_PER_MB * size / 1e6
        return cls(paths, raw, decoding, pid, reader, shared, wait)

    def take(self, path: str, *, raw: bool, decoding: Decoding) -> Document | None:
        """The document of `path` as `load_document` reads it with these options,
        or None: not read by the child, read with other options, or unreadable."""
        if raw != self._raw or decoding != self._decoding:
            return None
        if self._documents is None:
            self._documents = self._receive()
        document = self._documents.pop(path, None)
        if document is not None:
            self.taken.append(path)
        return document

    def close(self) -> None:
        """Stop the child if it still runs, and free what it was given."""
        if self._documents is None:
            self._documents = {}
            self._end_child()

    def _receive(self) -> dict[str, Document]:
        try:
            ready, _, _ = select.select([self._reader], [], [], self._wait)
            header = os.read(self._reader, _LENGTH.size) if ready else b""
            length = _LENGTH.unpack(header)[0] if len(header) == _LENGTH.size else 0
            if not length:
                return {}
            with memoryview(self._shared) as view:
                documents = pickle.loads(view[:length])
        except Exception:  # anything the child left behind that is not its answer
            return {}
        finally:
            self._end_child()
        if not isinstance(documents, dict):
            return {}
        return {path: doc for path, doc in documents.items()
                if isinstance(path, str) and isinstance(doc, Document)}

    def _end_child(self) -> None:
        if self.pid:
            try:
                os.kill(self.pid, signal.SIGKILL)  # it has answered already, or is stuck
            except ProcessLookupError:
                pass
            try:
                os.waitpid(self.pid, 0)
            except ChildProcessError:
                pass
            self.pid = 0
            os.close(self._reader)
            self._shared.close()


def _size(path: str) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return 0  # gone: the child skips it, the parent reports it as always


def _read_in_child(paths: Sequence[str], raw: bool, decoding: Decoding,
                   shared: mmap.mmap, writer: int) -> None:
    length = 0
    try:
        # Nothing of the child's may reach the terminal the reader is about to draw on.
        quiet = os.open(os.devnull, os.O_WRONLY)
        os.dup2(quiet, 1)
        os.dup2(quiet, 2)
        documents: dict[str, Document] = {}
        for path in paths:
            try:
                documents[path] = load_document(path, raw=raw, decoding=decoding)
            except ArticleError:
                continue  # the parent reads it again and reports it
        data = pickle.dumps(documents, protocol=pickle.HIGHEST_PROTOCOL)
        if len(data) <= len(shared):
            shared[:len(data)] = data
            length = len(data)
    except BaseException:  # whatever it is, the parent reads the files itself
        length = 0
    try:
        os.write(writer, _LENGTH.pack(length))
    finally:
        os._exit(0)
