"""Random key sequences through the whole app: it keeps running, the store stays sound.

Each run presses a few hundred keys drawn from every key newsmark binds
(motions, selections, labels, edits, undo/redo, search, documents, links,
suggestions, help, focus changes) plus text typed into the prompts, on three
articles. After every batch the app must still be running and every stored
annotation must quote its document exactly; after the app exits, a fresh
read-only LocalStore must see exactly what the app's store saw.

The seeds are fixed, so a failure names the seed and the keys that led to it.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from annotations.store import LocalStore
from tui.app import CRASH_LOG, NewsmarkApp
from tui.article_view import ArticleView

SIZE = (140, 36)
SEEDS = (11, 23, 1729)
KEYS_PER_RUN = 200
BATCH = 20

# A third article: straight and curly quotes, nested quotes, an emoji (outside
# the BMP), accented letters, a wide character: offsets must stay code points.
OUTLET_C = (
    "Ash river weir: what we know 📰\n"
    "\n"
    "The council’s “final” vote — 7–2 — came after a “rushed” review, critics said. "
    "“It’s ‘thin at best’,” said Dr. Lee.\n"
    "\n"
    'Residents 🙂 were split. “We’ll see,” one said; another: "Not again."\n'
    "\n"
    "Café owners on the quay (Zoë among them) welcomed it. 水 levels rose 2 m in 2024.\n"
)

MOTIONS = [
    "left", "h", "right", "l", "up", "k", "down", "j", "ctrl+right", "w", "ctrl+left", "b",
    "right_parenthesis", "left_parenthesis", "right_curly_bracket", "left_curly_bracket",
    "home", "end", "pageup", "pagedown", "space", "g", "ctrl+home", "G", "ctrl+end",
]
EXTENDS = [
    "shift+left", "shift+right", "shift+up", "shift+down", "ctrl+shift+right",
    "ctrl+shift+left", "shift+home", "shift+end", "shift+pageup", "shift+pagedown",
    "ctrl+shift+home", "ctrl+shift+end",
]
SELECTION = ["v", "escape", "s", "quotation_mark", "e"]
LABELS = ["1", "2", "3", "4"]
APP_KEYS = [
    "x", "r", "m", "u", "ctrl+r", "n", "N", "slash", "left_square_bracket",
    "right_square_bracket", "d", "p", "f", "L", "S", "a", "A", "R", "question_mark",
    "escape", "tab", "shift+tab", "enter",
]
# What lands in the search and note prompts (and, outside them, unbound keys,
# or bound ones: q closes help, e grows the selection...).
TEXT = [
    "c", "i", "o", "t", "y", "q", "z", "é", "水", "📰", "colon", "full_stop", "comma",
    "apostrophe", "asterisk", "plus", "backslash", "left_parenthesis", "backspace",
]
# A few keys that make sense together: a regular-expression search (often a
# bad one), a relabel, a note typed and saved.
COMBOS = [
    ("slash", "r", "e", "colon"),
    ("slash", "r", "e", "colon", "left_square_bracket", "enter"),
    ("slash", "t", "h", "e", "enter"),
    ("r", "2"),
    ("m", "o", "k", "enter"),
    ("v", "w", "w", "3"),
    ("s", "1"),
]
EXCLUDED = {"ctrl+q", "ctrl+p"}


def random_keys(seed: int, count: int) -> list[str]:
    rng = random.Random(seed)
    pools = [  # (weight, keys)
        (25, MOTIONS), (10, EXTENDS), (10, SELECTION), (16, LABELS), (25, APP_KEYS),
        (10, TEXT), (4, COMBOS),
    ]
    weights = [w for w, _ in pools]
    keys: list[str] = []
    while len(keys) < count:
        [(_, pool)] = rng.choices(pools, weights)
        choice = rng.choice(pool)
        keys.extend(choice if isinstance(choice, tuple) else [choice])
    keys = keys[:count]
    assert not EXCLUDED & set(keys)
    return keys


def stored(store: LocalStore) -> dict[str, list[dict]]:
    """Every registered document's annotations, checked, as plain dicts."""
    found: dict[str, list[dict]] = {}
    for record in store.documents():
        doc_id = record["id"]
        text = store.load_text(doc_id)
        assert text is not None, doc_id
        anns = store.annotations(doc_id)
        for ann in anns:
            assert 0 <= ann.start < ann.end <= len(text), ann
            assert text[ann.start : ann.end] == ann.text, ann
        spans = [(a.start, a.end, a.label) for a in anns]
        assert len(spans) == len(set(spans)), f"duplicate spans in {doc_id}: {spans}"
        found[doc_id] = [a.to_dict() for a in anns]
    return found


def check_views(app: NewsmarkApp) -> None:
    """What each pane shows is what the store holds for its document."""
    for view in app.query(ArticleView):
        shown = sorted((a.id, a.start, a.end, a.label, a.note) for a in view.annotations)
        saved = sorted((a.id, a.start, a.end, a.label, a.note)
                       for a in app.workspace.store.annotations(view.document.id))
        assert shown == saved, view.id
        # Changes reach the view one by one: what it keeps beside the list too.
        assert [a.start for a in view.annotations] == sorted(a.start for a in view.annotations)
        assert view.label_counts == app.workspace.counts(view.document.id), view.id


@pytest.fixture
def three_articles(article_paths: list[Path], tmp_path: Path) -> list[Path]:
    c = tmp_path / "outlet-c.txt"
    c.write_text(OUTLET_C, encoding="utf-8")
    return [*article_paths, c]


def test_key_sequences_are_fixed_and_cover_the_bindings() -> None:
    assert random_keys(SEEDS[0], KEYS_PER_RUN) == random_keys(SEEDS[0], KEYS_PER_RUN)
    pressed = {k for seed in SEEDS for k in random_keys(seed, KEYS_PER_RUN)}
    every = {*MOTIONS, *EXTENDS, *SELECTION, *LABELS, *APP_KEYS}
    assert every - pressed == set()


@pytest.mark.parametrize("seed", SEEDS)
async def test_random_keys_keep_the_app_running_and_the_store_sound(
    seed: int, make_workspace, three_articles: list[Path], store_dir: Path
) -> None:
    keys = random_keys(seed, KEYS_PER_RUN)
    ws = make_workspace(three_articles)
    app = NewsmarkApp(ws)
    done = 0
    try:
        async with app.run_test(size=SIZE) as pilot:
            for done in range(0, len(keys), BATCH):
                await pilot.press(*keys[done : done + BATCH])
                assert app._exception is None
                assert app.is_running
                stored(ws.store)
                check_views(app)
            done = len(keys)
    except BaseException as err:
        err.add_note(f"seed {seed}: after keys[:{done + BATCH}] = {keys[: done + BATCH]!r}")
        raise
    assert app._exception is None
    assert not (store_dir / CRASH_LOG).exists()

    seen = stored(ws.store)
    assert len(seen) == 3
    ws.store.close()
    with LocalStore(store_dir, read_only=True) as fresh:
        assert stored(fresh) == seen

