"""JSON-lines export on every core: worker processes format documents, this one writes them.

Exporting spends its time per document: reading its annotations (JSON),
text and stored segmentation, and formatting its record. Documents are
independent, so with more than one core and a store of many documents,
forked worker processes (each with the store opened read-only) turn
chunks of document records into lines while this process writes them,
in store order: the file is byte for byte the one a single process
writes (a test compares them). At most two chunks per worker are in
flight, so memory stays bounded whatever the size of the store.

A worker's `NewsmarkError` (a damaged store file, a span that does not
match its text) comes back as data and is raised here, with its message,
as the same kind of error.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Any

from annotations.errors import NewsmarkError, StoreError
from annotations.export_lines import ExportOptions, document_lines
from annotations.formats import FormatError
from annotations.formats.records import Counts
from annotations.store import Store, open_store

# Below this many documents the workers' start (a fork each, ~20 ms)
# costs more than it saves.
MIN_DOCUMENTS = 64
CHUNK = 16  # documents per task: big enough to cover the task's overhead
MAX_JOBS = 8
IN_FLIGHT_PER_JOB = 2

Links = dict[str, list[dict[str, Any]]]


def usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not on Linux
        return os.cpu_count() or 1


def jobs_for(asked: int, *, many: bool) -> int:
    """How many workers to use: `asked` if given (>= 1), else one per core for `many` documents."""
    if "fork" not in multiprocessing.get_all_start_methods():
        return 1  # spawning a process per worker re-imports everything: not worth it
    if asked >= 1:
        return min(asked, MAX_JOBS)
    return min(usable_cores(), MAX_JOBS) if many else 1


@dataclass
class _Failed:
    """A worker's error, sent back as data (its exception types need not pickle)."""

    kind: str  # "format" or "store"
    message: str


# One worker's state, set by `_start` in each worker process.
_worker: dict[str, Any] = {}


def _start(location: str, options: ExportOptions) -> None:
    # Ctrl+C is for the exporting process, which stops the workers: a
    # worker's own KeyboardInterrupt would only print a traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _worker["location"] = location
    _worker["options"] = options


def _store() -> Store:
    # Opened by the first task, not by `_start`: a pool whose initializer
    # raises starts new workers forever, while a task's error comes back.
    if "store" not in _worker:
        _worker["store"] = open_store(_worker["location"], read_only=True)
    store: Store = _worker["store"]
    return store


def _format_chunk(task: tuple[list[dict[str, Any]], Links]) -> tuple[list[str], Counts] | _Failed:
    records, links = task
    counts = Counts()
    lines: list[str] = []
    try:
        store = _store()
        for record in records:
            lines += document_lines(store, record, _worker["options"], links, counts)
    except NewsmarkError as err:
        return _Failed("format" if isinstance(err, FormatError) else "store", str(err))
    return lines, counts


def lines(
    store: Store,
    options: ExportOptions,
    records: Iterable[dict[str, Any]],
    links: Links,
    counts: Counts,
    jobs: int,
) -> Iterator[str]:
    """The lines of `records`, in order, formatted by `jobs` worker processes."""
    context = multiprocessing.get_context("fork")
    pending: deque[Any] = deque()
    remaining = iter(records)
    with context.Pool(jobs, initializer=_start, initargs=(store.location, options)) as pool:
        while True:
            chunk = list(islice(remaining, CHUNK))
            if chunk:
                chunk_links = {r["id"]: links[r["id"]] for r in chunk if r["id"] in links}
                pending.append(pool.apply_async(_format_chunk, ((chunk, chunk_links),)))
            if pending and (not chunk or len(pending) >= IN_FLIGHT_PER_JOB * jobs):
                yield from _taken(pending.popleft().get(), counts)
            elif not chunk:
                break


def _taken(result: tuple[list[str], Counts] | _Failed, counts: Counts) -> list[str]:
    if isinstance(result, _Failed):
        raise (FormatError if result.kind == "format" else StoreError)(result.message)
    chunk_lines, chunk_counts = result
    counts.add(chunk_counts)
    return chunk_lines
