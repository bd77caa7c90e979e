"""PostgreSQL store: save at 1,000,000 annotations, 16 writers at once, export, copy.

A PostgreSQL 16 is started for the run with pgserver (its own binaries, a
Unix socket, data under the bench cache so fsync costs what it costs), or
the server at NEWSMARK_BENCH_PG is used (a URL whose role may create
databases). Every figure is wall time against that local server.

- save: `PostgresStore.add` (one committed statement) with 1,000,000
  annotations stored in 1,000 documents; `History.add` (a tag: the
  annotation and its undo step, one commit: `add_with_step`) beside it.
- writers: 16 processes, each its own annotator and connection, each
  making 1,000 tags (`History.add`) on 16 shared documents, all at once;
  tags per second over the whole run, then every annotation counted: none
  lost, none twice. Beside it, the CPU each change cost: the writers'
  (process time, their notice threads included) and the server's (its
  processes' times from /proc, when it runs here), and how many notice
  batches went out per change.
- copy: `newsmark store copy` of a session-made folder store (1,000
  documents, 100,000 annotations, segmentations) into an empty database.
- export: that copy exported to JSONL as `newsmark export --out` does
  (read-only store: one server-side cursor streams the documents), spans
  per second; and its peak memory growth, with 10,000 spans beside it.
"""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from bench.common import spans_for, temp_dir
from bench.stats import Figure, summary
from bench.textgen import article, cache_dir

SAVE_TARGET_MS = 5.0
WRITERS_TARGET = 2_000.0
EXPORT_TARGET = 50_000.0
COPY_TARGET_S = 10.0


@contextlib.contextmanager
def _server() -> Iterator[str]:
    """A server URL (its `postgres` database) for the run."""
    url = os.environ.get("NEWSMARK_BENCH_PG")
    if url:
        yield url
        return
    import pgserver

    folder = Path(tempfile.mkdtemp(prefix="newsmark-bench-pg-", dir=cache_dir()))
    try:
        handle = pgserver.get_server(folder / "data", cleanup_mode="stop")
        try:
            yield handle.get_uri()
        finally:
            handle.cleanup()
    finally:
        import shutil

        shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def _database(server: str, name: str) -> Iterator[str]:
    import psycopg
    from psycopg import sql

    from annotations.postgres.url import with_database

    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
            sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield with_database(server, name)
    finally:
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(name)))


def _documents(count: int, size: int, seed: int) -> list:
    from annotations.model import Document

    return [Document(text=article(size + (i % 7) * 97, seed + i)) for i in range(count)]


def _save(server: str, folder: Path, quick: bool) -> list[Figure]:
    from annotations.history import History
    from annotations.postgres.store import PostgresStore

    docs, per_doc = (100, 1_000) if quick else (1_000, 1_000)
    runs = 25 if quick else 60
    with _database(server, "bench_save") as url:
        t0 = time.perf_counter()
        store = PostgresStore(url, annotator="bench", outbox=folder / "save.outbox")
        try:
            documents = _documents(docs, 4000, 20_000)
            store.register_many(documents)
            batch: list = []
            for i, doc in enumerate(documents):
                batch.extend(spans_for(doc, per_doc, seed=i))
                if len(batch) >= 50_000:
                    store.add_many(batch)
                    batch = []
            store.add_many(batch)
            stored = store._one("SELECT count(*) FROM annotations")[0]
            store._run("VACUUM ANALYZE annotations")
            setup = time.perf_counter() - t0
            history = History(store)
            fresh = []
            for i in range(2 * runs + 4):
                doc = documents[(i * 37) % len(documents)]
                fresh.extend(spans_for(doc, 1, seed=900_000 + i))
            store_ms, history_ms = [], []
            for i, ann in enumerate(fresh):
                t1 = time.perf_counter()
                if i % 2:
                    history.add(ann)
                else:
                    store.add(ann)
                ms = (time.perf_counter() - t1) * 1000
                if i >= 4:
                    (history_ms if i % 2 else store_ms).append(ms)
            history.close()
        finally:
            store.close()
    note = f"set-up {setup:.0f} s"
    return [
        Figure(group="pg", name=f"PostgresStore.add, {stored:,} ann. in {docs:,} docs",
               unit="ms", value=summary(store_ms), target=SAVE_TARGET_MS, note=note),
        Figure(group="pg", name="History.add (a tag: annotation + undo step)", unit="ms",
               value=summary(history_ms)),
    ]


def _writer(url: str, index: int, tags: int, docs: list, start: object, outbox: str,
            done: object, with_history: bool) -> None:
    from annotations.history import History
    from annotations.postgres.store import PostgresStore

    store = PostgresStore(url, annotator=f"w{index:02d}", outbox=Path(outbox))
    history = History(store)
    todo = []
    per_doc = -(-tags // len(docs))
    for j, doc in enumerate(docs):
        for ann in spans_for(doc, per_doc, seed=index * 1000 + j):
            todo.append(ann.with_changes(annotator=store.annotator))
    todo = todo[:tags]
    todo.sort(key=lambda a: hash((a.id, index)))  # documents interleaved, as people work
    start.wait()  # type: ignore[attr-defined]
    save = history.add if with_history else store.add
    cpu = time.process_time()
    saved = sum(save(ann) for ann in todo)
    if store._notifier is not None:
        store._notifier.drain()
    cpu = time.process_time() - cpu  # this process's, its notice thread's included
    batches = store._notifier.batches if store._notifier is not None else 0
    done.put((index, saved, store.pending, cpu, batches))  # type: ignore[attr-defined]
    history.close()
    store.close()


def _server_cpu(url: str) -> float | None:
    """CPU seconds the local server has spent: the postmaster, its live children, and
    the children it reaped (their times land in its cutime/cstime). None if not local."""
    import psycopg

    tick = os.sysconf("SC_CLK_TCK")

    def times(pid: int) -> tuple[int, list[int]]:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return int(fields[1]), [int(x) for x in fields[11:15]]  # ppid; utime..cstime

    try:
        with psycopg.connect(url, autocommit=True) as conn:
            backend = conn.execute("SELECT pg_backend_pid()").fetchone()[0]
            master = times(backend)[0]
            total = sum(times(master)[1])
            for entry in Path("/proc").iterdir():
                if entry.name.isdigit() and int(entry.name) != backend:
                    try:
                        ppid, own = times(int(entry.name))
                    except (OSError, IndexError, ValueError):
                        continue
                    if ppid == master:
                        total += own[0] + own[1]
    except (OSError, IndexError, ValueError):
        return None
    return total / tick


def _writers(server: str, folder: Path, quick: bool, with_history: bool) -> Figure:
    from annotations.postgres.store import PostgresStore

    writers, tags = (4, 200) if quick else (16, 1_000)
    with _database(server, "bench_writers") as url:
        with PostgresStore(url, annotator="owner", outbox=folder / "w.outbox") as owner:
            documents = _documents(16, 3000, 30_000)
            owner.register_many(documents)
        context = multiprocessing.get_context("fork")
        start = context.Barrier(writers + 1)
        done = context.Queue()
        procs = [context.Process(target=_writer, args=(
            url, i, tags, documents, start, str(folder / f"w{i}.outbox"), done, with_history))
            for i in range(writers)]
        for proc in procs:
            proc.start()
        server_cpu = _server_cpu(url)
        start.wait()
        t0 = time.perf_counter()
        results = [done.get(timeout=600) for _ in procs]
        elapsed = time.perf_counter() - t0
        for proc in procs:
            proc.join(60)
        time.sleep(0.5)  # the writers' backends exit, and are reaped
        server_after = _server_cpu(url)
        with PostgresStore(url, annotator="owner", outbox=folder / "w.outbox") as owner:
            stored, distinct = owner._one(
                "SELECT count(*), count(DISTINCT (doc_id, id)) FROM annotations")
            per_layer = dict(owner._all("SELECT layer, count(*) FROM annotations GROUP BY layer"))
    saved = sum(r[1] for r in results)
    pending = sum(r[2] for r in results)
    expected = writers * tags
    intact = stored == distinct == saved == expected and pending == 0 and all(
        n == tags for n in per_layer.values())
    rate = expected / elapsed
    client_ms = sum(r[3] for r in results) / expected * 1000
    notices = sum(r[4] for r in results) / expected
    cost = f"CPU per change: writer {client_ms:.2f} ms"
    if server_cpu is not None and server_after is not None:
        cost += f", server {(server_after - server_cpu) / expected * 1000:.2f} ms"
    cost += f"; notice batches per change {notices:.2f}"
    what = "tags (History.add: annotation + undo step)" if with_history else "saves (store.add)"
    return Figure(
        group="pg", name=f"{writers} writer processes x {tags:,} {what} at once",
        unit="/s", value=summary([rate]) if intact else None,
        target=WRITERS_TARGET if with_history else None, higher_is_better=True,
        note=(f"{stored:,} stored, {distinct:,} distinct, {saved:,} reported saved, "
              f"{pending} waiting: " + ("none lost or twice" if intact else "MISMATCH")
              + f"; {cost}"),
    )


_EXPORT_CHILD = r"""
import json, sys
from pathlib import Path
from annotations.engines import open_store
from annotations.export import ExportOptions, export
from bench.firstpaint import peak_rss_mb
store = open_store(sys.argv[1], read_only=True, existing=True)
out = Path(sys.argv[2])
out.unlink(missing_ok=True)
before = peak_rss_mb()
counts = export(store, ExportOptions(jobs=1), out_path=out)
print(json.dumps({"spans": counts.spans, "growth": peak_rss_mb() - before}))
"""


def _export_growth(url: str, out: Path) -> float:
    root = Path(__file__).resolve().parent.parent
    proc = subprocess.run([sys.executable, "-c", _EXPORT_CHILD, url, str(out)],
                          capture_output=True, text=True, timeout=600, check=True, cwd=root)
    return float(json.loads(proc.stdout.strip().splitlines()[-1])["growth"])


def _copy_and_export(server: str, folder: Path, quick: bool) -> list[Figure]:
    from annotations.engines import open_store
    from annotations.export import ExportOptions, export
    from annotations.store_copy import copy_store
    from bench.export_ import build_session_store

    docs, per_doc = (100, 100) if quick else (1_000, 100)
    runs = 3 if quick else 5
    source = folder / "session"
    build_session_store(source, docs, per_doc).close()
    small = folder / "small"
    build_session_store(small, docs // 10, per_doc).close()
    figures = []
    with _database(server, "bench_copy") as url, _database(server, "bench_small") as small_url:
        t0 = time.perf_counter()
        report = copy_store(source, url)
        copy_s = time.perf_counter() - t0
        copy_store(small, small_url)
        figures.append(Figure(
            group="pg", name=f"store copy, folder -> PostgreSQL, {report.annotations:,} ann.",
            unit="s", value=summary([copy_s]), target=COPY_TARGET_S,
            note=f"{report.documents:,} documents, {report.segmentations:,} segmentations"))
        out = folder / "out.jsonl"
        rates = []
        for _ in range(runs):
            out.unlink(missing_ok=True)
            with open_store(url, read_only=True) as store:
                t0 = time.perf_counter()
                counts = export(store, ExportOptions(), out_path=out)
                rates.append(counts.spans / (time.perf_counter() - t0))
        figures.append(Figure(
            group="pg", name=f"export {counts.spans:,} spans to JSONL (server-side cursor)",
            unit="spans/s", value=summary(rates), target=EXPORT_TARGET, higher_is_better=True))
        big = _export_growth(url, out)
        little = _export_growth(small_url, out)
        # As the folder store's export figure: flat, within 1.5x the smaller run + 5 MB.
        figures.append(Figure(
            group="pg", name=f"export peak RSS growth, {counts.spans:,} spans", unit="MB",
            value=summary([big]), baseline=summary([little]),
            baseline_name=f"same, {counts.spans // 10:,} spans", target=1.5 * little + 5))
    return figures


def run(quick: bool = False) -> list[Figure]:
    figures: list[Figure] = []
    with _server() as server, temp_dir() as folder:
        figures += _save(server, folder, quick)
        figures.append(_writers(server, folder, quick, with_history=True))
        figures.append(_writers(server, folder, quick, with_history=False))
        figures += _copy_and_export(server, folder, quick)
    return figures
