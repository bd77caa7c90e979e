"""Agreement of a whole store, measured in a worker process per core.

Reading every layer (the JSON of each document's annotations) costs more
than the measures themselves. Documents are independent and every figure
is a sum (`agreement.Agreement.merge`), so with more than one core and a
store of many documents, forked workers (each with the store opened
read-only) measure chunks of documents and this process adds up what they
return. The figures are exactly those of one process: the sums are of
integers and exact fractions, whatever order the chunks come back in.
"""

from __future__ import annotations

import multiprocessing
import signal
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from annotations.agreement import Agreement, AgreementReport
from annotations.engines import open_store
from annotations.errors import StoreError
from annotations.export_workers import jobs_for
from annotations.layers import document_layers
from annotations.store import Store

# Below this many documents the workers' start costs more than it saves.
MIN_DOCUMENTS = 64
CHUNKS_PER_JOB = 4  # a few chunks each, so a slow chunk does not leave a core idle


@dataclass(frozen=True)
class Selection:
    """What to measure: label and annotator filters, and layers left out."""

    labels: frozenset[str] | None = None
    annotators: frozenset[str] | None = None
    leave_out: frozenset[str] = frozenset()


def _measure(store: Store, records: Sequence[dict[str, Any]], selection: Selection) -> Agreement:
    agreement = Agreement(selection.labels, selection.annotators)
    for doc in document_layers(store, records, leave_out=selection.leave_out):
        agreement.add(doc)
    return agreement


# One worker's store, opened by its first task (a pool whose initializer
# raises starts new workers forever, while a task's error comes back).
_worker: dict[str, Any] = {}


def _ignore_interrupt() -> None:
    # Ctrl+C is for the measuring process, which stops the workers.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _measure_chunk(task: tuple[str, list[dict[str, Any]], Selection]) -> Agreement | str:
    root, records, selection = task
    try:
        if _worker.get("root") != root:
            _worker["store"] = open_store(root, read_only=True)
            _worker["root"] = root
        return _measure(_worker["store"], records, selection)
    except StoreError as err:
        return str(err)  # raised again in the measuring process, with its message


def measure_store(
    store: Store,
    records: Sequence[dict[str, Any]],
    selection: Selection,
    *,
    jobs: int = 0,
) -> AgreementReport:
    """The agreement of `records`' layers; `jobs` as export's (0: one per core if many)."""
    jobs = jobs_for(jobs, many=len(records) >= MIN_DOCUMENTS)
    if jobs <= 1:
        return _measure(store, records, selection).report()
    size = max(1, -(-len(records) // (jobs * CHUNKS_PER_JOB)))
    tasks = [(store.location, list(records[i : i + size]), selection)
             for i in range(0, len(records), size)]
    total = Agreement(selection.labels, selection.annotators)
    context = multiprocessing.get_context("fork")
    with context.Pool(jobs, initializer=_ignore_interrupt) as pool:
        for result in pool.imap_unordered(_measure_chunk, tasks):
            if isinstance(result, str):
                raise StoreError(result)
            total.merge(result)
    return total.report()
