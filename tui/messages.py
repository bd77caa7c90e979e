"""Every custom message the widgets post, in one place."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message


@dataclass
class CursorMoved(Message):
    """The cursor or the selection of an article view changed."""

    view_id: str

    # Only the latest position matters: a queued older one can be dropped.
    def can_replace(self, message: Message) -> bool:
        return isinstance(message, CursorMoved) and message.view_id == self.view_id


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
class PromptSubmitted(Message):
    """The prompt bar was answered."""

    purpose: str
    value: str


@dataclass
class PromptCancelled(Message):
    """The prompt bar was dismissed without an answer."""

    purpose: str


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
