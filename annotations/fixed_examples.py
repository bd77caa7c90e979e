"""Training examples whose gold is worked out once, not at every step.

spaCy's `ner` asks each Example for its reference's entities as BILUO tags
(`get_aligned_ents_and_ner`) at every update, and spaCy works them out
again each time: offsets to tags, walking both docs token by token. In
newsmark's training nothing changes an Example's two docs after it is made
(the reference is the predicted doc's copy with one label's spans), so
the answer of the first call holds for every later one. Measured on
PolNeAR (the second epoch of 120 articles, batches of 2), working them out
took 1.8 of a step's 13.7 CPU s (under cProfile).
"""

from __future__ import annotations

from functools import cache
from typing import Any


def fixed_example(predicted: Any, reference: Any) -> Any:
    """An Example of `predicted` and `reference` (spaCy docs that must not
    change from here on) that works out its aligned entities once."""
    return _fixed_example_class()(predicted, reference)


@cache
def _fixed_example_class() -> type:
    # Made on first use: spaCy is an optional extra, imported only to train.
    from spacy.training import Example

    class FixedExample(Example):  # type: ignore[misc, valid-type]
        """An Example that keeps its aligned entities and BILUO tags."""

        def get_aligned_ents_and_ner(self) -> tuple[list[Any], list[str | None]]:
            try:
                return self._fixed_ents_and_ner  # type: ignore[no-any-return, has-type]
            except AttributeError:
                self._fixed_ents_and_ner = super().get_aligned_ents_and_ner()
                return self._fixed_ents_and_ner

    return FixedExample
