"""The side panel's list of the focused document's annotations."""

from __future__ import annotations

from rich.text import Text

from annotations.model import Annotation
from tui.literal import safe
from tui.messages import AnnotationChosen
from tui.virtual_list import VirtualList


def describe(ann: Annotation, link: str | None = None) -> Text:
    """One row: label, position, link, attribute, relation and note marks, then the text
    (never markup)."""
    row = Text()
    row.append(f"{ann.label} ", style="bold")
    row.append(f"{ann.start}–{ann.end} ", style="dim")
    if link:
        row.append(f"⇄ {safe(link)} ", style="bold")
    for name, value in ann.attrs.items():  # imported values may be anything: shown literally
        row.append(f"{safe(name)}={safe(value)} ", style="italic")
    for rel in ann.relations:
        row.append(f"→{safe(rel.type)} ", style="bold")
    if ann.reanchored == "fuzzy":  # found approximately: until a person confirms it
        row.append("≈ ", style="bold")
    if ann.note:
        row.append("✎ ", style="italic")
    row.append(safe(" ".join(ann.text.split())))
    return row


class AnnotationList(VirtualList):
    DEFAULT_CSS = """
    AnnotationList { height: 2fr; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(title="Annotations", id=id)
        self._doc_id = ""
        self._annotations: list[Annotation] = []
        self._links: dict[str, str] = {}

    def show(
        self, doc_id: str, annotations: list[Annotation], links: dict[str, str] | None = None
    ) -> None:
        """List `annotations`; `links` maps an annotation id to its link's relation."""
        self._doc_id, self._annotations, self._links = doc_id, annotations, links or {}
        self.show_rows(len(annotations), self._describe, key=self._row_key)

    def _row_key(self, index: int) -> tuple[Annotation, str | None]:
        # What the row shows: an annotation (frozen, so hashable) and its link.
        ann = self._annotations[index]
        return ann, self._links.get(ann.id)

    def _describe(self, index: int) -> Text:
        ann = self._annotations[index]
        return describe(ann, self._links.get(ann.id))

    @property
    def highlighted_annotation(self) -> Annotation | None:
        """The annotation of the highlighted row: what x, r and m act on here."""
        if not self._annotations:
            return None
        return self._annotations[min(self.highlighted, len(self._annotations) - 1)]

    def chosen(self, index: int) -> None:
        chosen = self._annotations[index]
        self.post_message(AnnotationChosen(self._doc_id, chosen.start, chosen.id))
