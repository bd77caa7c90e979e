"""The other members of an ensemble, each trained in a process of its own.

The issue's budget is "the whole train split in 15 minutes on 2 cores",
and one training loop keeps one core busy: spaCy's updates run in one
thread. So `training.train(..., processes=2)` trains a second pipeline of
the same labels, with another seed (its own initial weights and its own
order of batches), in a second process over the same documents, for the
same wall-clock time; prediction averages the two `ner`s' action
probabilities at every state (`span_decoding.decode_together`).

This module is only the plumbing: start a member (spawned, never forked:
the reader trains in a thread, and a forked copy of a threaded process
may hang), tell it to stop when the main loop stops, and take its best
pipeline back. What a member does is `training._member_main`.

Ctrl+C reaches every process of the terminal's process group: a member
then keeps its best epoch and sends it, as the main process does. A
member that fails or dies is left out (the main process's pipeline
remains a whole model), with a note.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

# Characters of training text below which one process trains alone: a member
# spends about 5 s starting (spawning, importing spaCy), which a training of
# seconds (a few articles: 5 tiny ones train in 1.5 s) never wins back.
# 200,000 characters are about 50 news articles, minutes of training.
MIN_CHARACTERS = 200_000


def default_processes(characters: int) -> int:
    """How many processes `newsmark train` uses unless told: two where there are
    two cores and enough text to train for minutes, else one."""
    return 2 if usable_cores() >= 2 and characters >= MIN_CHARACTERS else 1


def usable_cores() -> int:
    """Cores this process may run on (its affinity where the system says)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


@dataclass(slots=True)
class MemberOutcome:
    """What a member sent back: its best pipeline's bytes and how it went,
    or why there is none (`failure`)."""

    pipeline: bytes | None = None
    best_epoch: int = 0
    epochs_run: int = 0
    interrupted: bool = False
    cpu_seconds: float = 0.0
    failure: str | None = None


@dataclass(slots=True)
class Member:
    """A member training in its own process."""

    process: Any
    connection: Any
    stop_event: Any
    outcome: MemberOutcome | None = field(default=None)

    @classmethod
    def start(cls, target: Callable[..., None], job: Any) -> Member:
        """Spawn `target(connection, job, stop_event)` in a new process."""
        context = multiprocessing.get_context("spawn")
        ours, theirs = context.Pipe(duplex=False)
        stop_event = context.Event()
        process = context.Process(target=target, args=(theirs, job, stop_event),
                                  name="newsmark-train-member", daemon=True)
        process.start()
        theirs.close()  # only the member writes to it: EOF when it is gone
        return cls(process, ours, stop_event)

    def stop(self) -> None:
        """Ask the member to end its loop (it keeps and sends its best epoch)."""
        self.stop_event.set()

    def result(self) -> MemberOutcome:
        """Wait for what the member sends (it stops within a training step and a
        scoring pass of being told to); a failure when it died without sending."""
        if self.outcome is None:
            try:
                sent = self.connection.recv()
                self.outcome = sent if isinstance(sent, MemberOutcome) else MemberOutcome(
                    failure="it sent nothing usable")
            except (EOFError, OSError):
                self.outcome = MemberOutcome(failure="its process ended without a model")
            finally:
                self.close()
        return self.outcome

    def close(self) -> None:
        """End the member's process if it still runs, and free the pipe."""
        self.stop_event.set()
        self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(timeout=5)
        self.connection.close()
