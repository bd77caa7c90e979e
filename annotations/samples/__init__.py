"""Sample articles that `make run` opens (our own writing, fictional).

The first two cover the same invented story (a council vote on a river dam)
from two outlets and carry typical scraping debris, so that cleaning and
cross-document annotation can be tried; the third is a different story.
"""

from __future__ import annotations

from pathlib import Path

_HERE = Path(__file__).resolve().parent


def sample_paths() -> list[Path]:
    """The sample article files, sorted by name (the two dam stories first)."""
    return sorted(path for path in _HERE.iterdir() if path.suffix in {".txt", ".md"})
