"""What the reader's worker threads are handed, and what they hand back.

Segmenting a long article (Punkt: seconds for 10 MB), aligning two
(~0.1 s) and a model's suggestions (a minute for 10 MB) run in worker
threads while the main thread goes on reading keys, loading documents
and saving. A worker owns nothing shared: the main thread takes what it
needs into a frozen job (`Workspace.segmentation_job`, `alignment_job`,
`model_suggestion_job`: texts are immutable strings, the store's bytes
are read there), the worker runs the job, which reads only the job, and
posts the result back in a message; the main thread keeps it
(`Workspace.keep_segmentation`, `keep_alignment`,
`keep_model_suggestions`): the caches, the store and the trained Punkt
are only ever touched there.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from annotations.segmentation import KeptSegmentation, Progress, Segmentation, Segmenter

if TYPE_CHECKING:
    from annotations.alignment import Alignment
    from annotations.span_model import SpanModel
    from annotations.suggest import Suggestion


@dataclass(frozen=True)
class SegmentationDone:
    """A segmentation found (or read) by a job, for the main thread to keep."""

    doc_id: str
    segmentation: Segmentation
    segmenter: Segmenter | None  # Punkt trained by the job (the first), else None
    computed: bool  # found now, not read from the store: the store keeps it
    warnings: tuple[str, ...]


@dataclass(frozen=True)
class SegmentationJob:
    """Everything segmenting one document needs, taken on the main thread."""

    doc_id: str
    text: str
    kept: KeptSegmentation | None  # what the store kept, undecoded
    segmenter: Segmenter | None  # Punkt, if trained already
    texts: tuple[str, ...]  # else what to train it on: the texts read so far

    def run(self, progress: Progress | None = None) -> SegmentationDone:
        """Decode the kept segmentation, or segment the text (training Punkt first
        if need be). Reads nothing but the job."""
        warnings: list[str] = []
        if self.kept is not None:
            seg = self.kept.decode(self.text, self.doc_id, warnings.append)
            if seg is not None:
                return SegmentationDone(self.doc_id, seg, None, False, tuple(warnings))
        segmenter = self.segmenter or Segmenter.train(self.texts)
        seg = segmenter.segment(self.text, progress)
        trained = None if segmenter is self.segmenter else segmenter  # for the workspace to keep
        return SegmentationDone(self.doc_id, seg, trained, True, tuple(warnings))


@dataclass(frozen=True)
class AlignmentJob:
    """Two documents' sentences to align, and the texts IDF is counted on."""

    a_id: str
    b_id: str
    a: Segmentation
    b: Segmentation
    corpus: tuple[str, ...]

    def run(self, stop: Callable[[], bool] | None = None) -> Alignment:
        """The alignment; `errors.WorkStopped` as soon as `stop` says so."""
        from annotations.alignment import align

        return align(self.a, self.b, corpus=self.corpus, stop=stop)


@dataclass(frozen=True)
class ModelSuggestionJob:
    """A document's text for the span model, and the least score to suggest."""

    doc_id: str
    text: str
    model: SpanModel
    threshold: float

    def run(self, stop: Callable[[], bool] | None = None) -> list[Suggestion]:
        """The model's suggestions; `errors.WorkStopped` as soon as `stop` says so."""
        from annotations.span_model import as_suggestions

        return as_suggestions(self.model.predict(self.text, stop), self.threshold)
