"""Drive the reader on the bundled samples and save SVG screenshots.

Run with `make screenshots`. Works in a temporary store, so it never
touches yours; the pictures in this folder are what it wrote last.
"""

from __future__ import annotations

import asyncio
import contextlib
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path

from textual.pilot import Pilot

from annotations.documents import load_documents
from annotations.samples import sample_paths
from annotations.store import LocalStore
from annotations.workspace import Workspace
from tui.app import NewsmarkApp
from tui.article_view import ArticleView
from tui.cli import DEFAULT_STORE

HERE = Path(__file__).parent
SIZE = (150, 40)

Steps = Callable[[NewsmarkApp, Pilot], Awaitable[None]]


async def tag_both_panes(app: NewsmarkApp, pilot: Pilot) -> None:
    left = app.query_one("#pane-0", ArticleView)
    left.move_to(left.text.index("Millbrook’s city council"))
    await pilot.press("1")
    left.move_to(left.text.index("We are not erasing"))
    await pilot.press("quotation_mark", "2")
    left.move_to(left.text.index("Harlow Creek dam,"))
    await pilot.press("v", "w", "w", "w", "3")
    await pilot.press("tab")
    right = app.query_one("#pane-1", ArticleView)
    right.move_to(right.text.index("This is the cheaper"))
    await pilot.press("quotation_mark", "2")
    right.move_to(right.text.index("The motion passed"))
    await pilot.press("4")
    right.move_to(right.text.index("Supporters said"))
    await pilot.press("s")


async def overlapping(app: NewsmarkApp, pilot: Pilot) -> None:
    await tag_both_panes(app, pilot)
    await pilot.press("shift+tab")
    left = app.query_one("#pane-0", ArticleView)
    left.move_to(left.text.index("according to its critics"))
    await pilot.press("v", "w", "w", "w", "w", "4")


async def search(app: NewsmarkApp, pilot: Pilot) -> None:
    await tag_both_panes(app, pilot)
    await pilot.press("shift+tab", "slash", *"dam", "enter")


async def help_screen(app: NewsmarkApp, pilot: Pilot) -> None:
    await pilot.press("question_mark")


async def compare(app: NewsmarkApp, pilot: Pilot) -> None:
    """Aligned sentences, a link across the panes, and suggestions shown."""
    await app.workers.wait_for_complete()
    await tag_both_panes(app, pilot)
    await pilot.press("escape", "shift+tab")
    left = app.query_one("#pane-0", ArticleView)
    left.move_to(left.text.index("We are not erasing"))
    await pilot.press("tab")
    right = app.query_one("#pane-1", ArticleView)
    right.move_to(right.text.index("This is the cheaper"))
    await pilot.press("L", "2", "shift+tab", "S")
    left.move_to(left.text.index("The most recent study"))
    await app.workers.wait_for_complete()


SHOTS: dict[str, Steps] = {
    "two-panes": tag_both_panes,
    "overlapping-spans": overlapping,
    "search": search,
    "help": help_screen,
    "compare": compare,
}


async def shoot(name: str, steps: Steps) -> None:
    with tempfile.TemporaryDirectory() as tmp, contextlib.chdir(tmp):
        docs, _ = load_documents(sample_paths())
        # The default store, as `make run` shows it (and the same in every redraw).
        store = LocalStore(Path(DEFAULT_STORE))
        try:
            app = NewsmarkApp(Workspace(store, docs, annotator="screenshots"))
            async with app.run_test(size=SIZE) as pilot:
                await steps(app, pilot)
                await pilot.pause()
                app.save_screenshot(str(HERE / f"{name}.svg"))
        finally:
            store.close()
    print(f"wrote screenshots/{name}.svg")


# Three annotators' layers of the first sample, for the adjudication view:
# (annotator, text the span starts with, its length in characters, label).
LAYERS = [
    ("ana", "Millbrook’s city council", 60, "claim"),
    ("ben", "Millbrook’s city council", 60, "claim"),
    ("cy", "Millbrook’s city council", 60, "claim"),
    ("ana", "We are not erasing", 40, "quote"),
    ("ben", "We are not erasing", 52, "quote"),
    ("cy", "We are not erasing", 40, "opinion"),
    ("ben", "Harlow Creek dam,", 16, "terms"),
]


async def shoot_adjudication() -> None:
    """`newsmark adjudicate`: agreed spans merged into gold, a disagreement under the cursor."""
    from annotations.model import Annotation

    with tempfile.TemporaryDirectory() as tmp, contextlib.chdir(tmp):
        docs, _ = load_documents(sample_paths())
        store = LocalStore(Path(DEFAULT_STORE))
        try:
            doc = docs[0]
            store.register_many(docs)
            for who, piece, length, label in LAYERS:
                start = doc.text.index(piece)
                store.add(Annotation.tag(doc, start, start + length, label, annotator=who))
            app = NewsmarkApp(Workspace(store, docs, annotator="gold"), adjudicating=True)
            async with app.run_test(size=SIZE) as pilot:
                await pilot.pause()
                await pilot.press("n", "n")  # the quote three annotators marked three ways
                await pilot.pause()
                app.save_screenshot(str(HERE / "adjudication.svg"))
        finally:
            store.close()
    print("wrote screenshots/adjudication.svg")


async def main(names: list[str]) -> None:
    for name, steps in SHOTS.items():
        if not names or name in names:
            await shoot(name, steps)
    if not names or "adjudication" in names:
        await shoot_adjudication()


if __name__ == "__main__":
    import sys

    asyncio.run(main(sys.argv[1:]))  # some names only, or every picture
