"""The side panel's list of the focused document's annotations."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from annotations.model import Annotation
from tui.messages import AnnotationChosen

PREVIEW_CHARS = 60


def describe(ann: Annotation, link: str | None = None) -> Text:
    """One row: label, position, and the span's text on one line (never markup)."""
    preview = " ".join(ann.text.split())
    if len(preview) > PREVIEW_CHARS:
        preview = preview[: PREVIEW_CHARS - 1] + "…"
    row = Text(no_wrap=False)
    row.append(f"{ann.label} ", style="bold")
    row.append(f"{ann.start}–{ann.end}", style="dim")
    if link:
        row.append(f" ⇄ {link}", style="bold")
    if ann.note:
        row.append(" · ✎ " + " ".join(ann.note.split())[:PREVIEW_CHARS], style="italic")
    row.append("\n")
    row.append(preview)
    return row


class AnnotationList(OptionList):
    DEFAULT_CSS = """
    AnnotationList { height: 2fr; border: round $panel-lighten-2; }
    AnnotationList:focus { border: round $accent; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.border_title = "Annotations"
        self._doc_id = ""
        self._annotations: list[Annotation] = []

    def show(
        self, doc_id: str, annotations: list[Annotation], links: dict[str, str] | None = None
    ) -> None:
        """List `annotations`; `links` maps an annotation id to its link's relation."""
        links = links or {}
        self._doc_id = doc_id
        self._annotations = list(annotations)
        highlighted = self.highlighted
        self.clear_options()
        self.add_options(Option(describe(a, links.get(a.id)), id=a.id)
                         for a in self._annotations)
        self.border_title = f"Annotations ({len(self._annotations)})"
        if self._annotations and highlighted is not None:
            self.highlighted = min(highlighted, len(self._annotations) - 1)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        ann = self._annotations[event.option_index]
        self.post_message(AnnotationChosen(self._doc_id, ann.start))
