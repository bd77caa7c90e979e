"""Run an app until its first frame is painted, then exit (a bench driver).

    python -m bench.firstpaint OUT floor
    python -m bench.firstpaint OUT floor-text FILE
    python -m bench.firstpaint OUT [--wait-workers] newsmark [newsmark open args]

The app runs headless at 160x50; its first frame is still composed and
serialised to terminal codes as a real terminal would receive it (headless
Textual skips only the write). On that first frame this writes a JSON line
to OUT: the wall-clock time of the paint, the CPU time used so far, and the
peak resident memory.
The parent measures from just before it started this process.
"""

from __future__ import annotations

import importlib.machinery
import json
import resource
import sys
import time

SIZE = (160, 50)


def peak_rss_mb() -> float:
    """This process's peak resident memory (VmHWM).

    Not `ru_maxrss`: Linux carries that over fork and exec, so a child of
    a big parent reports the parent's peak.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _report(out: str, **fields: object) -> None:
    fields["maxrss_mb"] = peak_rss_mb()
    # CPU seconds of this process so far, interpreter start included (on a
    # busy machine wall time mostly measures the wait for a core), and of its
    # children ended by then (the articles read ahead: annotations/prefetch.py).
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    fields["cpu"] = time.process_time() + children.ru_utime + children.ru_stime
    with open(out, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(fields) + "\n")


def _patch(out: str, wait_workers: bool) -> None:
    from textual._compositor import CompositorUpdate
    from textual.app import App

    original_run = App.run
    original_display = App._display
    state = {"painted": False}

    def run(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        kwargs["headless"] = True
        kwargs["size"] = SIZE
        return original_run(self, *args, **kwargs)

    def display(self, screen, renderable):  # type: ignore[no-untyped-def]
        original_display(self, screen, renderable)
        if renderable is None or state["painted"] or self._batch_count:
            return
        if isinstance(renderable, CompositorUpdate):
            renderable.render_segments(self.console)  # what a terminal would be sent
        state["painted"] = True
        _report(out, event="paint", t=time.time())
        if wait_workers:
            async def finish() -> None:
                # Background work may start after the first frame: wait until
                # no worker has run for a whole second.
                import asyncio

                last_busy = time.time()
                while time.time() - last_busy < 1.0:
                    await asyncio.sleep(0.05)
                    if any(w.is_running or not w.is_finished for w in self.workers
                           if w.name != "bench-finish"):
                        last_busy = time.time()
                _report(out, event="workers-done", t=last_busy)
                self.exit()

            self.call_later(lambda: self.run_worker(finish(), name="bench-finish",
                                                    exclusive=False))
        else:
            self.exit()

    App.run = run  # type: ignore[method-assign]
    App._display = display  # type: ignore[method-assign]


class _PatchOnImport:
    """Patch Textual when the program imports it, not before.

    `newsmark` imports Textual late, and does work of its own meanwhile
    (annotations/prefetch.py): importing it here first would run the start
    in another order than a user's. A finder on `sys.meta_path` by duck
    typing: `importlib.abc` would import `importlib.resources` and more,
    which neither the floor nor newsmark imports otherwise.
    """

    def __init__(self, out: str, wait_workers: bool) -> None:
        self.out, self.wait_workers = out, wait_workers

    def find_spec(self, name, path, target=None):  # type: ignore[no-untyped-def]
        if name != "textual.app":
            return None
        sys.meta_path.remove(self)
        spec = importlib.machinery.PathFinder.find_spec(name, path, target)
        if spec is None or spec.loader is None:
            return spec
        spec.loader = _PatchingLoader(spec.loader, self.out, self.wait_workers)
        return spec


class _PatchingLoader:
    """Textual's own loader of `textual.app`, then `_patch`."""

    def __init__(self, loader, out: str, wait_workers: bool) -> None:  # type: ignore[no-untyped-def]
        self.loader, self.out, self.wait_workers = loader, out, wait_workers

    def create_module(self, spec):  # type: ignore[no-untyped-def]
        return self.loader.create_module(spec)

    def exec_module(self, module) -> None:  # type: ignore[no-untyped-def]
        self.loader.exec_module(module)
        _patch(self.out, self.wait_workers)


def main(argv: list[str]) -> None:
    out, argv = argv[0], argv[1:]
    wait_workers = False
    if argv and argv[0] == "--wait-workers":
        wait_workers, argv = True, argv[1:]
    mode, args = argv[0], argv[1:]
    if mode == "newsmark":
        # What the `newsmark` command's entry (tui/launch.py) does before any
        # import of its own.
        from tui.startup import pause_collection

        pause_collection()
    sys.meta_path.insert(0, _PatchOnImport(out, wait_workers))
    if mode in ("floor", "floor-text"):
        from textual.app import App, ComposeResult
        from textual.content import Content
        from textual.widgets import Static

        if mode == "floor":
            text = "The council voted 7–2 on Tuesday to fund a new weir on the Ash river."
        else:
            with open(args[0], encoding="utf-8") as handle:
                text = handle.read()

        class Floor(App[None]):
            def compose(self) -> ComposeResult:
                yield Static(Content(text))

        Floor().run()
    elif mode == "newsmark":
        import tui.cli
        from tui.cli import main as newsmark

        # The reader refuses to start without a terminal; here it runs
        # headless, drawing each frame as a terminal would receive it.
        tui.cli.has_terminal = lambda: True  # type: ignore[assignment]
        newsmark(["open", *args], standalone_mode=False)
    else:
        raise SystemExit(f"unknown mode {mode}")


if __name__ == "__main__":
    main(sys.argv[1:])
