"""The reader's start: no garbage collection until its first frame is drawn.

Starting makes a few hundred thousand objects (Textual's modules, widgets
and styles, the articles' line and paragraph indexes) and none of them is
garbage yet, but CPython's cyclic collector walks them again and again as
they are made: ~100 ms of a 0.37 s start with two 1 MB articles, against
~18 ms in a bare Textual app (bench/NOTES.md). So the `newsmark` command
pauses the collector before its first import (tui/launch.py; `newsmark
open` does if nothing did before), every other command resumes it at
once, and the reader resumes it once its first frame is on screen,
after `gc.freeze()` has set everything made so far aside: later full
collections walk only what was made since, so they stay short while a
person types. (Reference counting frees almost all garbage meanwhile;
the collector is only for cycles.)

For the same reason the youngest generation is collected after 10,000
new objects rather than CPython's 700: a page down makes ~70,000 short-
lived objects (Textual's strips and their caches), which reference
counting frees, and the collector ran ~3 times a frame to find no cycles
among them, ~0.9 ms of a 9 ms frame at 1 MB (0.15 ms after; bench/NOTES.md).
"""

from __future__ import annotations

import gc

_paused = False
YOUNG_OBJECTS = 10_000  # new objects between collections of the youngest generation


def pause_collection() -> None:
    """Stop cyclic garbage collection until `resume_collection`."""
    global _paused
    if gc.isenabled():
        gc.disable()
        _paused = True


def resume_collection() -> None:
    """Set aside what exists and collect again (a no-op unless paused here)."""
    global _paused
    if _paused:
        _paused = False
        # The start's few cycles of garbage (~0.5 MB) are frozen too and
        # stay: collecting them first would be a 50 ms pause after the frame.
        gc.freeze()
        gc.set_threshold(YOUNG_OBJECTS, *gc.get_threshold()[1:])
        gc.enable()
