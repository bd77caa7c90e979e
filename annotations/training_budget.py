"""How long a training may run, all of it: the loop and every step after it.

The issue's budget (the whole train split in 15 minutes) is for the whole
of `newsmark train`, not for its loop alone. After the loop come steps
whose cost depends on the data, not on how long the loop ran: scoring
the last epoch on the held-out documents, trying each opening shift
(`model_bias`: the documents encoded once, then decoded once per shift
and once with the shifts chosen, each decoding about a fifth of a
scoring pass), choosing how far
span ends move (`model_boundaries.learn_knobs`), scoring once more, and
choosing which quotations to join and which to cut (`model_joins`).
On PolNeAR (67 held-out documents of 670) one scoring pass costs about
5.5 CPU s and the knob search 7 s: together about 80 s, which a loop
given the whole budget ran over (923 CPU s for 900).

So the loop stops while what follows still fits: `reserve()` is the cost
of those steps, from measurements of this very training: the last
training step (the loop stops before one more would eat into the
reserve), the last scoring pass (before the first epoch ends: a sample
of the held-out documents, scaled by their characters, with the share of
it that decoding took) and, before the
loop, two knob settings tried on that sample's gold spans (scaled the
same way; the knob search after the loop then measures its own settings
as it goes). The boundary scorers are fitted before the loop, inside the
budget. Each step after the loop also asks
`affords(cost)` before it starts, so that an estimate short of the truth
drops a shift or a knob setting rather than run over.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from annotations.model_bias import GRID as SHIFT_GRID
from annotations.model_boundaries import GRID as KNOB_GRID
from annotations.model_joins import GRID as JOIN_GRID

# Scoring passes over the held-out documents after the loop: the epoch it
# stopped in, in full; then the documents made and encoded once and decoded
# once per opening shift and once more with the shifts chosen
# (`decoding_share` of a pass each); then the moved spans, in full.
DECODINGS_AFTER_LOOP = len(SHIFT_GRID) + 1
FULL_PASSES_AFTER_SHIFTS = 1
# Knob settings `learn_knobs` tries: the model's own spans, then its grid.
KNOB_SETTINGS = 1 + len(KNOB_GRID)
# Gaps `learn_joins` and `learn_carries` try, and `learn_cuts`'s one trial,
# each counted as a knob setting (they cost less: string tests on the spans,
# where a knob setting scores each span's moves).
JOIN_SETTINGS = 2 * len(JOIN_GRID) + 1


@dataclass(slots=True)
class TrainingBudget:
    """`seconds` of `clock` from `started` for a whole training (None: no limit)."""

    seconds: float | None
    clock: Callable[[], float]
    started: float
    # Measured as training goes: one scoring pass over the held-out documents,
    # the share of it that is decoding (the rest is making and encoding the
    # documents), and one knob setting tried over their predicted spans.
    scoring: float = 0.0
    decoding_share: float = 1.0
    knob_setting: float = 0.0
    # The last training step.
    step: float = 0.0
    # Whether the steps after the loop run at all (not with nothing held out).
    after_loop: bool = True
    # Pipelines each scoring pass after the loop runs (an ensemble trained in
    # several processes, training_members.py) for the one the loop times.
    members: int = 1

    def elapsed(self) -> float:
        return self.clock() - self.started

    def left(self) -> float:
        return math.inf if self.seconds is None else self.seconds - self.elapsed()

    def reserve(self) -> float:
        """Seconds the steps after the loop are expected to take."""
        if not self.after_loop:
            return 0.0
        # The epoch the loop stopped in is scored by each pipeline alone (at
        # once, in their processes); every later pass runs them all.
        share = self.decoding_share
        passes = (1 - share) + DECODINGS_AFTER_LOOP * share + FULL_PASSES_AFTER_SHIFTS
        return ((1 + passes * self.members) * self.scoring
                + (KNOB_SETTINGS + JOIN_SETTINGS) * self.knob_setting)

    def decoding(self) -> float:
        """Seconds one decoding of the encoded held-out documents is expected to take."""
        return self.scoring * self.decoding_share

    def loop_may_go_on(self) -> bool:
        """Whether another training step (as long as the last) leaves room for the
        steps after the loop."""
        return self.left() > self.step + self.reserve()

    def affords(self, cost: float, then: float = 0.0) -> bool:
        """Whether a step of `cost` seconds, and `then` seconds of steps after
        it, fit in what is left."""
        return self.left() >= cost + then
