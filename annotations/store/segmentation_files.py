"""A document's segmentation kept beside it: `docs/<id>.seg`, written once.

Sentences, tokens and paragraphs (`annotations.segmentation.encode`): the
tokens a session's spans were snapped to stay the same in every later
session and export, and reopening a long article needs no Punkt. Derived
data: a missing, damaged or out-of-date file is not an error; the caller
segments again (and `warn` hears why).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from annotations import segmentation as segmentation_codec
from annotations.errors import StoreError
from annotations.segmentation import KeptSegmentation, Segmentation
from annotations.store.files import write_atomic

Warn = Callable[[str], None]


def path_of(folder: Path, doc_id: str) -> Path:
    return folder / f"{doc_id}.seg"


def read(folder: Path, doc_id: str, warn: Warn | None = None) -> KeptSegmentation | None:
    """The document's kept segmentation, undecoded; None if there is none to read."""
    path = path_of(folder, doc_id)
    try:
        with open(path, "rb") as handle:
            return KeptSegmentation(handle.read(), str(path))
    except FileNotFoundError:
        return None
    except OSError as err:
        if warn is not None:
            warn(f"cannot read {path} ({err.strerror or err}); segmenting {doc_id} again")
        return None


def load(folder: Path, doc_id: str, text: str, warn: Warn | None = None) -> Segmentation | None:
    """The stored segmentation of `text`, or None if there is none to use."""
    kept = read(folder, doc_id, warn)
    return None if kept is None else kept.decode(text, doc_id, warn)


def save(folder: Path, doc_id: str, seg: Segmentation, warn: Warn | None = None) -> bool:
    """Keep `seg` as the document's segmentation; False if not written.

    Written once, durably (a session's spans are snapped to these tokens
    before they are saved): an existing file that reads as a segmentation
    of this text is left alone, a damaged one replaced. A failed write
    loses nothing but the cache, so it is reported to `warn`, never raised.
    """
    path = path_of(folder, doc_id)
    if path.exists() and load(folder, doc_id, seg.text) is not None:
        return False
    try:
        data = segmentation_codec.encode(seg)
        write_atomic(path, data, keep_backup=False)
    except (StoreError, ValueError) as err:
        if warn is not None:
            cause = err.__cause__ if isinstance(err, StoreError) else err
            reason = cause.strerror if isinstance(cause, OSError) else cause
            warn(f"cannot keep the segmentation of {doc_id} in {path} ({reason or err})")
        return False
    return True
