"""Every custom message the widgets post, in one place.

Plain classes, not dataclasses: `@dataclass` writes and compiles each
class's methods when the module is imported, ~0.45 ms a message against
~0.015 ms for a class written out, and the reader imports these before
its first frame.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import rich.repr
from textual.message import Message

if TYPE_CHECKING:
    from annotations.alignment import Alignment
    from annotations.worker_jobs import SegmentationDone


class _Plain(Message):
    """A message whose values are its instance attributes, shown by its repr
    (as a dataclass's would be)."""

    def __rich_repr__(self) -> rich.repr.Result:
        yield from vars(self).items()


class AnnotationChosen(_Plain):
    """The person picked an annotation in the side panel."""

    def __init__(self, doc_id: str, start: int, annotation_id: str | None = None) -> None:
        super().__init__()
        self.doc_id = doc_id
        self.start = start
        self.annotation_id = annotation_id  # None: a suggestion's row


class DocumentChosen(_Plain):
    """The person picked an entry of the document list (by position)."""

    def __init__(self, index: int) -> None:
        super().__init__()
        self.index = index


class Cancelled(_Plain):
    """The person pressed escape in an article view: drop any pending mode."""


class OrphanChosen(_Plain):
    """The person picked an orphaned annotation to place again."""

    def __init__(self, doc_id: str, orphan_id: str) -> None:
        super().__init__()
        self.doc_id = doc_id
        self.orphan_id = orphan_id


class OrphanDropped(_Plain):
    """The person dropped an orphaned annotation from the list."""

    def __init__(self, doc_id: str, orphan_id: str) -> None:
        super().__init__()
        self.doc_id = doc_id
        self.orphan_id = orphan_id


class RelationChosen(_Plain):
    """The person picked a relation in the side panel (go to its head)."""

    def __init__(self, doc_id: str, start: int) -> None:
        super().__init__()
        self.doc_id = doc_id
        self.start = start


class RelationRemoved(_Plain):
    """The person pressed x on a relation in the side panel."""

    def __init__(self, doc_id: str, head_id: str, relation_id: str) -> None:
        super().__init__()
        self.doc_id = doc_id
        self.head_id = head_id
        self.relation_id = relation_id


class ModelReady(_Plain):
    """A span model was loaded or trained in the background: suggest with it."""

    def __init__(self, model: object, summary: str) -> None:
        super().__init__()
        self.model = model  # annotations.span_model.SpanModel (spaCy is imported only with it)
        self.summary = summary


class ModelFailed(_Plain):
    """Loading or training the span model in the background failed: say why."""

    def __init__(self, problem: str) -> None:
        super().__init__()
        self.problem = problem


class TrainingProgress(_Plain):
    """How far a background training is (for the status line)."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    # Only the latest figure matters.
    def can_replace(self, message: Message) -> bool:
        return isinstance(message, TrainingProgress)


class ModelSuggestionsReady(_Plain):
    """The model's suggestions for one document, made in a worker."""

    def __init__(self, doc_id: str, model: object, found: list) -> None:
        super().__init__()
        self.doc_id = doc_id
        self.model = model  # the SpanModel that made them (a newer one may have replaced it)
        self.found = found  # list[Suggestion]


class DocumentsRanked(_Plain):
    """The read documents, the one with the most uncertainty in all first."""

    def __init__(self, order: list[str]) -> None:
        super().__init__()
        self.order = order


# Workers own nothing shared: they compute from what they were given and
# post one of these back; the app applies it on its own thread.


class SegmentationProgress(_Plain):
    """A background segmentation got this far (0..1)."""

    def __init__(self, doc_id: str, fraction: float) -> None:
        super().__init__()
        self.doc_id = doc_id
        self.fraction = fraction

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, SegmentationProgress) and message.doc_id == self.doc_id


class SegmentationReady(_Plain):
    """A worker found (or read) a document's sentences and tokens: for the
    workspace to keep (`Workspace.keep_segmentation`)."""

    def __init__(self, done: SegmentationDone) -> None:
        super().__init__()
        self.done = done


class AlignmentReady(_Plain):
    """The sentences of two documents were aligned."""

    def __init__(self, a_id: str, b_id: str, alignment: Alignment) -> None:
        super().__init__()
        self.a_id = a_id
        self.b_id = b_id
        self.alignment = alignment
