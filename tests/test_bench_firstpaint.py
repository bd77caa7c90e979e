"""The start-up bench's driver paints the reader's first frame as a user's start does."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def first_paint(folder: Path, *args: str) -> dict:
    out = folder / "events.jsonl"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-m", "bench.firstpaint", str(out), *args],
                          cwd=folder, env=env, stdin=subprocess.DEVNULL, capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    events = [json.loads(line) for line in out.read_text().splitlines()]
    out.unlink()
    return next(event for event in events if event["event"] == "paint")


def test_the_driver_reports_the_first_frame_of_the_floor_and_of_the_reader(
        tmp_path: Path) -> None:
    for name in ("a.txt", "b.txt"):
        (tmp_path / name).write_text(f"{name} says the council voted on Tuesday.\n",
                                     encoding="utf-8")
    floor = first_paint(tmp_path, "floor")
    reader = first_paint(tmp_path, "newsmark", "--store", "store", "a.txt", "b.txt")
    for paint in (floor, reader):
        assert paint["cpu"] > 0 and paint["maxrss_mb"] > 0 and paint["t"] > 0
    # The reader really started (and its store with it), not just Textual.
    assert (tmp_path / "store").is_dir()
    assert reader["maxrss_mb"] > floor["maxrss_mb"]
