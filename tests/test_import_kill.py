"""An import killed at any moment leaves each document whole or absent, and says which."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from annotations.store import LocalStore

REPO = Path(__file__).resolve().parents[1]
DOCS, SPANS = 400, 12

CHILD = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from annotations.formats import importing
    from annotations.store import LocalStore

    from annotations.store import import_batch

    importing.BATCH = 40  # many batches, so kills land inside them
    pause_at = int(sys.argv[3])  # the write of a batch's files to be killed at
    write_unsynced = import_batch.write_unsynced
    writes = 0

    def counted(*args, **kwargs):
        # A quiet machine imports all of this in ~0.1 s: timed kills alone
        # can all land between batches. Here the parent kills the child
        # while it waits at a chosen write, half-way through a batch.
        global writes
        writes += 1
        if writes == pause_at:
            print("paused", flush=True)
            import time
            time.sleep(60)
        return write_unsynced(*args, **kwargs)

    import_batch.write_unsynced = counted
    store = LocalStore(sys.argv[1])
    print("ready", flush=True)
    importing.import_file(store, Path(sys.argv[2]), "jsonl")
    store.close()
    print("done", flush=True)
    """
)


def records(path: Path) -> dict[str, list[tuple[int, int, str]]]:
    """Write DOCS records of SPANS spans each; returns text -> its spans."""
    rng = random.Random(7)
    expected = {}
    with path.open("w", encoding="utf-8") as out:
        for i in range(DOCS):
            words = [f"w{i}x{j}" for j in range(SPANS * 2)]
            text = " ".join(words)
            spans, pos = [], 0
            for j, word in enumerate(words):
                if j % 2 == 0:
                    spans.append((pos, pos + len(word), rng.choice(["claim", "quote"])))
                pos += len(word) + 1
            expected[text] = spans
            out.write(json.dumps({"text": text, "spans": [
                {"start": s, "end": e, "label": label} for s, e, label in spans]}) + "\n")
    return expected


def test_kill_9_during_import_leaves_documents_whole_or_absent(tmp_path: Path) -> None:
    source = tmp_path / "records.jsonl"
    expected = records(source)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    seen_interrupted = 0
    # (the write to be killed at, or 0 for none; then a pause): within the
    # first batch, within a later one, then at moments left to chance.
    for attempt, (pause_at, delay) in enumerate(((7, 0.0), (250, 0.0), (0, 0.05), (0, 0.15),
                                                 (0, 0.3))):
        root = tmp_path / f"store{attempt}"
        proc = subprocess.Popen([sys.executable, "-c", CHILD, str(root), str(source),
                                 str(pause_at)], stdout=subprocess.PIPE, text=True, env=env)
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        if pause_at:
            assert proc.stdout.readline().strip() == "paused"
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        with LocalStore(root) as store:
            if store.interrupted_import is not None:
                seen_interrupted += 1
                whole, absent, names = store.interrupted_import
                registered = {r["id"] for r in store.documents()}
                assert set(whole) <= registered and not set(absent) & registered
                # Each absent document is named as it was in the imported file.
                assert all(names[doc_id] for doc_id in absent)
                for doc_id in absent:  # nothing of it left behind
                    assert not list((root / "docs").glob(f"{doc_id}.*"))
            for record in store.documents():
                text = store.load_text(record["id"])
                assert text in expected, "a document without its whole text"
                spans = [(a.start, a.end, a.label) for a in store.annotations(record["id"])]
                assert sorted(spans) == sorted(expected[text]), "a document half imported"
            assert not (root / "import.pending").exists()
        with LocalStore(root) as store:  # said once, then the store is clean
            assert store.interrupted_import is None
    assert seen_interrupted >= 2  # at least the two kills inside a batch were said


def test_the_next_import_names_what_a_killed_one_left_absent(tmp_path: Path) -> None:
    """By what each record was called (its title or first words), not by internal ids."""
    from click.testing import CliRunner

    from annotations.store import import_batch
    from tui.cli import main

    root = tmp_path / "store"
    LocalStore(root).close()
    (root / "docs").mkdir(exist_ok=True)
    # What a kill between the batch's start and its commit leaves behind.
    import_batch.begin(root, {"d1a2b3": "Harlow dam [vote]", "e4f5a6": "“The ferry runs…”"})
    (root / "docs" / "d1a2b3.text.json").write_text('{"text": "half"}', encoding="utf-8")
    again = tmp_path / "again.jsonl"
    again.write_text(json.dumps({"text": "The council voted.", "spans": []}) + "\n",
                     encoding="utf-8")
    result = CliRunner().invoke(main, ["import", str(again), "--store", str(root)])
    assert result.exit_code == 0, result.output
    assert (f"newsmark: an import into {root} was stopped before it finished: 0 documents "
            "of its last batch are stored whole; 2 absent (not stored: import them again): "
            "Harlow dam [vote]; “The ferry runs…”") in result.stderr
    assert not (root / "docs" / "d1a2b3.text.json").exists()
