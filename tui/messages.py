"""Every custom message the widgets post, in one place."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from annotations.alignment import Alignment


@dataclass
class AnnotationChosen(Message):
    """The person picked an annotation in the side panel."""

    doc_id: str
    start: int


@dataclass
class DocumentChosen(Message):
    """The person picked an entry of the document list (by position)."""

    index: int


@dataclass
class Cancelled(Message):
    """The person pressed escape in an article view: drop any pending mode."""


@dataclass
class OrphanChosen(Message):
    """The person picked an orphaned annotation to place again."""

    doc_id: str
    orphan_id: str


@dataclass
class OrphanDropped(Message):
    """The person dropped an orphaned annotation from the list."""

    doc_id: str
    orphan_id: str


@dataclass
class RelationChosen(Message):
    """The person picked a relation in the side panel (go to its head)."""

    doc_id: str
    start: int


@dataclass
class RelationRemoved(Message):
    """The person pressed x on a relation in the side panel."""

    doc_id: str
    head_id: str
    relation_id: str


@dataclass
class ModelReady(Message):
    """A span model was loaded or trained in the background: suggest with it."""

    model: object  # annotations.span_model.SpanModel (spaCy is imported only with it)
    summary: str


@dataclass
class ModelFailed(Message):
    """Loading or training the span model in the background failed: say why."""

    problem: str


@dataclass
class TrainingProgress(Message):
    """How far a background training is (for the status line)."""

    text: str

    # Only the latest figure matters.
    def can_replace(self, message: Message) -> bool:
        return isinstance(message, TrainingProgress)


@dataclass
class ModelSuggestionsReady(Message):
    """The model's suggestions for one document, made in a worker."""

    doc_id: str
    model: object  # the SpanModel that made them (a newer one may have replaced it)
    found: list  # list[Suggestion]


@dataclass
class DocumentsRanked(Message):
    """The model's uncertainty of each read document, most unsure first."""

    order: list[str]
    uncertainty: dict[str, float]


# Workers own nothing shared: they compute from what they were given and
# post one of these back; the app applies it on its own thread.


@dataclass
class SegmentationProgress(Message):
    """A background segmentation got this far (0..1)."""

    doc_id: str
    fraction: float

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, SegmentationProgress) and message.doc_id == self.doc_id


@dataclass
class SegmentationReady(Message):
    """A document's sentences and tokens were found (kept by the workspace)."""

    doc_id: str


@dataclass
class AlignmentReady(Message):
    """The sentences of two documents were aligned."""

    a_id: str
    b_id: str
    alignment: Alignment
