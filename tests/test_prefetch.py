"""Articles read ahead in a forked child are exactly the ones the workspace would read.

The child is forked only from a process with one thread, which pytest's
need not be: each case runs in a fresh interpreter of its own.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

from annotations.documents import Decoding
from annotations.prefetch import ArticlePrefetch

ROOT = Path(__file__).resolve().parent.parent


def run_alone(script: str, folder: Path) -> dict:
    """Run `script` in a fresh interpreter in `folder`; its last line of output, as JSON."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    # Ctrl+C as a terminal leaves it for a program: a test run started in the
    # background of a script inherits SIGINT ignored, and Python then keeps
    # it ignored rather than installing its own handler.
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(script)], cwd=folder, env=env,
                          capture_output=True, text=True, timeout=120, check=False,
                          preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def articles(folder: Path) -> None:
    (folder / "a.txt").write_text("The council voted 7–2 on Tuesday.\n\nIt funds a weir.\n",
                                  encoding="utf-8")
    (folder / "b.txt").write_bytes("Caf\xe9 owners said the levy was \xabthin\xbb.\n"
                                   .encode("latin-1"))
    (folder / "binary.txt").write_bytes(b"\x00\x01\x02" * 100)
    (folder / "empty.txt").write_text("   \n", encoding="utf-8")


def test_the_child_reads_what_load_document_reads(tmp_path: Path) -> None:
    articles(tmp_path)
    result = run_alone("""
        import json, os
        from annotations.documents import Decoding, load_document
        from annotations.prefetch import ArticlePrefetch

        paths = ["a.txt", "b.txt", "binary.txt", "empty.txt"]
        decoding = Decoding(fallback="latin-1")
        ahead = ArticlePrefetch.start(paths, decoding=decoding)
        other = ahead.take("a.txt", raw=True, decoding=decoding)  # not how it was read
        got = {path: ahead.take(path, raw=False, decoding=decoding) for path in paths}
        again = ahead.take("a.txt", raw=False, decoding=decoding)  # taken once
        try:
            os.waitpid(-1, os.WNOHANG)
            children = "left"
        except ChildProcessError:
            children = "none"
        print(json.dumps({
            "other": other is None, "again": again is None, "taken": ahead.taken,
            "pid": ahead.pid, "children": children,
            "same": {path: doc == load_document(path, decoding=decoding)
                     for path, doc in got.items() if doc is not None},
            "missing": [path for path, doc in got.items() if doc is None],
        }))
    """, tmp_path)
    assert result["same"] == {"a.txt": True, "b.txt": True}
    # Unreadable files are left to the workspace, which reports them as always.
    assert result["missing"] == ["binary.txt", "empty.txt"]
    assert result["taken"] == ["a.txt", "b.txt"]
    assert result["other"] and result["again"]
    assert result["pid"] == 0 and result["children"] == "none"


def test_the_workspace_takes_the_read_ahead_documents(tmp_path: Path) -> None:
    articles(tmp_path)
    result = run_alone("""
        import json
        from annotations.documents import Decoding
        from annotations.engines import open_store
        from annotations.prefetch import ArticlePrefetch
        from annotations.workspace import Workspace

        paths = ["a.txt", "b.txt", "binary.txt"]
        decoding = Decoding(fallback="latin-1")
        ahead = ArticlePrefetch.start(paths, decoding=decoding)
        with_child = Workspace(open_store("one"), paths, decoding=decoding, prefetched=ahead)
        alone = Workspace(open_store("two"), paths, decoding=decoding)
        print(json.dumps({
            "taken": ahead.taken, "pid": ahead.pid,
            "documents": [list(with_child.documents.values())
                          == list(alone.documents.values())],
            "errors": ([str(e) for e in with_child.load_errors]
                       == [str(e) for e in alone.load_errors]),
            "warnings": with_child.warnings == alone.warnings and bool(alone.warnings),
            "stored": with_child.store.paths() == alone.store.paths() != {},
        }))
    """, tmp_path)
    assert result == {"taken": ["a.txt", "b.txt"], "pid": 0, "documents": [True],
                      "errors": True, "warnings": True, "stored": True}


def test_a_child_that_dies_or_hangs_is_only_a_lost_head_start(tmp_path: Path) -> None:
    articles(tmp_path)
    result = run_alone("""
        import json, os, signal, time
        from annotations import prefetch
        from annotations.documents import Decoding

        decoding = Decoding()
        # Children that cannot finish first: each blocks opening a pipe no one
        # writes. (Stopped or killed right after it started, a child reading a
        # small article could, on a busy machine, finish it first: the test
        # failed so.) One is killed there; the other hangs.
        os.mkfifo("never-written.txt")
        dead = prefetch.ArticlePrefetch.start(["never-written.txt"], decoding=decoding)
        os.kill(dead.pid, signal.SIGKILL)
        prefetch._WAIT_SECONDS, prefetch._WAIT_SECONDS_PER_MB = 0.3, 0.0
        stuck = prefetch.ArticlePrefetch.start(["never-written.txt"], decoding=decoding)
        began = time.monotonic()
        print(json.dumps({
            "dead": dead.take("never-written.txt", raw=False, decoding=decoding) is None,
            "stuck": stuck.take("never-written.txt", raw=False, decoding=decoding) is None,
            "waited": time.monotonic() - began,
            "reaped": [dead.pid, stuck.pid],
        }))
    """, tmp_path)
    assert result["dead"] and result["stuck"]
    assert result["waited"] < 5
    assert result["reaped"] == [0, 0]


def test_ctrl_c_is_the_parents_alone(tmp_path: Path) -> None:
    articles(tmp_path)
    result = run_alone("""
        import json, os, signal
        from annotations.documents import Decoding
        from annotations.prefetch import ArticlePrefetch

        ahead = ArticlePrefetch.start(["a.txt"], decoding=Decoding())
        os.kill(ahead.pid, signal.SIGINT)  # what a Ctrl+C sends the whole process group
        document = ahead.take("a.txt", raw=False, decoding=Decoding())
        print(json.dumps({"read": document is not None,
                          "parent": signal.getsignal(signal.SIGINT) is signal.default_int_handler,
                          "blocked": sorted(signal.pthread_sigmask(signal.SIG_BLOCK, set()))}))
    """, tmp_path)
    # The child read on (it ignores SIGINT; the parent stops it), and the
    # parent's own handling of Ctrl+C is as it was.
    assert result == {"read": True, "parent": True, "blocked": []}


def test_no_child_is_forked_beside_other_threads(tmp_path: Path) -> None:
    articles(tmp_path)
    release = threading.Event()
    other = threading.Thread(target=release.wait)
    other.start()
    try:
        # A lock another thread holds at the fork would stay held in the child.
        assert ArticlePrefetch.start([str(tmp_path / "a.txt")], decoding=Decoding()) is None
    finally:
        release.set()
        other.join()


def test_a_file_gone_before_the_start_is_left_to_the_workspace(tmp_path: Path) -> None:
    articles(tmp_path)
    result = run_alone("""
        import json
        from annotations.documents import Decoding
        from annotations.prefetch import ArticlePrefetch

        ahead = ArticlePrefetch.start(["gone.txt", "a.txt"], decoding=Decoding())
        print(json.dumps({
            "gone": ahead.take("gone.txt", raw=False, decoding=Decoding()) is None,
            "a": ahead.take("a.txt", raw=False, decoding=Decoding()) is not None,
        }))
    """, tmp_path)
    assert result == {"gone": True, "a": True}
    assert ArticlePrefetch.start([]) is None


def test_the_reader_command_reads_its_panes_articles_ahead(tmp_path: Path) -> None:
    articles(tmp_path)
    result = run_alone("""
        import json
        from textual.app import App
        import tui.cli
        from annotations import prefetch

        started = []
        start = prefetch.ArticlePrefetch.start.__func__
        def recorded(cls, *args, **kwargs):
            started.append(start(cls, *args, **kwargs))
            return started[-1]
        prefetch.ArticlePrefetch.start = classmethod(recorded)
        tui.cli.has_terminal = lambda: True
        def run(app, *args, **kwargs):
            print(json.dumps({
                "shown": [doc.meta.path for doc in app.workspace.documents.values()],
                "read ahead": started[0].paths, "taken": started[0].taken,
                "pid": started[0].pid,
            }))
        App.run = run
        tui.cli.main(["open", "--store", "store", "--encoding", "latin-1", "a.txt", "b.txt"],
                     standalone_mode=False)
    """, tmp_path)
    assert result == {"shown": ["a.txt", "b.txt"], "read ahead": ["a.txt", "b.txt"],
                      "taken": ["a.txt", "b.txt"], "pid": 0}
