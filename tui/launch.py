"""The `newsmark` command's entry point: the collector paused before any import.

The reader starts with cyclic garbage collection paused (tui/startup.py),
and most of what its start makes is modules: Textual's, Rich's, click's
and ours, imported before the first frame. Collections run as those are
made too (~12 ms of Textual's import alone here), so the pause begins
here, before the command's own imports, not in `newsmark open` after
them. Every other command resumes collection as soon as click has chosen
it (`tui.cli.main`), so only the reader's start runs without it.
"""

from __future__ import annotations

import sys

from annotations.errors import EXIT_INTERRUPTED
from tui.startup import pause_collection


def main() -> None:
    """Run the `newsmark` command line (the console script's target)."""
    pause_collection()  # resumed by the reader's first frame, or by any other command
    try:
        from tui.cli import main as command_line
    except KeyboardInterrupt:
        # Ctrl+C while the command is still being imported (each command
        # says so itself later on: tui.cli_common.reports_errors).
        sys.stderr.write("newsmark: interrupted\n")
        sys.exit(EXIT_INTERRUPTED)
    command_line()
