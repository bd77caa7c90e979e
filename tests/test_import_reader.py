"""Records made by hand in another tool, imported, then opened and found in the reader."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotations.model import Annotation, Document, DocumentMeta
from annotations.store import LocalStore
from annotations.workspace import Workspace, stored_documents
from tui.app import NewsmarkApp
from tui.article_view import ArticleView
from tui.cli import main

SIZE = (140, 36)

# doccano counts UTF-16 code units; these texts have characters outside the
# BMP (emoji with skin tones, ZWJ sequences) before some spans, a combining
# accent, CJK, right-to-left words, a tab and CRLF line ends.
DOCCANO_TEXT = ("Café owner José\u0301 said “prices will rise” 👩🏽\u200d💻 today.\r\n"
                "The 東京 branch closed; שלום said no.\r\n")
DOCCANO_PIECES = [("Café", "terms"), ("“prices will rise”", "quote"),
                  ("José\u0301 said “prices will rise”", "claim"), ("👩🏽\u200d💻", "opinion"),
                  ("東京", "terms"), ("שלום", "terms"),
                  ("The 東京 branch closed; שלום said no.", "claim")]
# Prodigy counts code points.
PRODIGY_TEXT = ("👨\u200d👩\u200d👧\u200d👦 Family of four\tmoved to 北京.\r\n"
                "Crème brûlée\u0301 sold out.")
PRODIGY_PIECES = [("👨\u200d👩\u200d👧\u200d👦", "terms"), ("Family of four\tmoved", "claim"),
                  ("北京", "terms"), ("out.", "opinion"), ("Crème brûlée\u0301 sold out.", "claim")]


def utf16_span(text: str, piece: str) -> list[int]:
    """doccano's offsets of `piece`, counted on the UTF-16 encoding (not newsmark's tables)."""
    start = len(text[: text.index(piece)].encode("utf-16-le")) // 2
    return [start, start + len(piece.encode("utf-16-le")) // 2]


def write_hand_files(folder: Path) -> tuple[Path, Path]:
    doccano = folder / "hand.doccano.jsonl"
    doccano.write_text(json.dumps({
        "text": DOCCANO_TEXT, "title": "From doccano",
        "label": [[*utf16_span(DOCCANO_TEXT, piece), label] for piece, label in DOCCANO_PIECES],
    }, ensure_ascii=False) + "\n", encoding="utf-8", newline="")
    prodigy = folder / "hand.prodigy.jsonl"
    spans = [{"start": PRODIGY_TEXT.index(p), "end": PRODIGY_TEXT.index(p) + len(p), "label": lab}
             for p, lab in PRODIGY_PIECES]
    prodigy.write_text(json.dumps({"text": PRODIGY_TEXT, "spans": spans, "answer": "accept"},
                                  ensure_ascii=False) + "\n", encoding="utf-8", newline="")
    return doccano, prodigy


def run(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture
def imported_store(tmp_path: Path) -> Path:
    store = tmp_path / "store"
    doccano, prodigy = write_hand_files(tmp_path)
    for path, fmt in ((doccano, "doccano"), (prodigy, "prodigy")):
        result = run("import", str(path), "--format", fmt, "--store", str(store))
        assert result.exit_code == 0, result.output
        assert "0 skipped" in result.stderr
        # Spans after the emoji: the importer says how it counted them.
        assert ("--doccano-offsets codepoints" in result.stderr) == (fmt == "doccano")
        assert f"newsmark --stored --store {store}" in result.stderr
    return store


async def test_imported_spans_are_where_they_were_tagged(imported_store: Path) -> None:
    with LocalStore(imported_store) as store:
        ws = Workspace(store, stored_documents(store), annotator="reader")
        app = NewsmarkApp(ws)
        async with app.run_test(size=SIZE) as pilot:
            expected = {
                "From doccano": (DOCCANO_TEXT, DOCCANO_PIECES),
                "👨\u200d👩\u200d👧\u200d👦 Family of four": (PRODIGY_TEXT, PRODIGY_PIECES),
            }
            seen = set()
            for pane in ("#pane-0", "#pane-1"):
                view = app.query_one(pane, ArticleView)
                source, pieces = next(v for k, v in expected.items()
                                      if view.document.name.startswith(k))
                seen.add(source)
                text = source.replace("\r\n", "\n")
                assert view.document.text == text
                view.focus()
                view.move_to(len(text))
                # n steps through the annotations in order of their start.
                for piece, label in sorted(pieces, key=lambda p: (text.index(p[0]), -len(p[0]))):
                    await pilot.press("n")
                    start = text.index(piece)
                    assert view.cursor == start, piece
                    covering = {(a.text, a.label) for a in view.annotations_at(start)}
                    assert (piece, label) in covering
                    assert text[start : start + len(piece)] == piece
            assert seen == {DOCCANO_TEXT, PRODIGY_TEXT}
            # An imported document is tagged like any other.
            view = app.query_one("#pane-0", ArticleView)
            before = len(store.annotations(view.document.id))
            view.focus()
            view.move_to(0)
            await pilot.press("v", "w", "4")
            added = [a for a in store.annotations(view.document.id) if a.annotator == "reader"]
            assert len(store.annotations(view.document.id)) == before + 1
            assert [(a.label, a.source) for a in added] == [("opinion", "manual")]


def test_open_stored_gives_the_reader_the_store_documents(
    imported_store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[Workspace] = []
    monkeypatch.setattr(NewsmarkApp, "run", lambda self, **_: opened.append(self.workspace))
    monkeypatch.setattr("tui.cli.has_terminal", lambda: True)
    assert run("--stored", "--store", str(imported_store)).exit_code == 0
    [ws] = opened
    assert sorted(d.text for d in ws.order) == sorted(
        t.replace("\r\n", "\n") for t in (DOCCANO_TEXT, PRODIGY_TEXT))
    assert {e.name for e in ws.entries} >= {"From doccano"}
    # A file given as well is opened once, as the file.
    article = tmp_path / "article.txt"
    article.write_text("A council voted on Tuesday.\n", encoding="utf-8")
    assert run(str(article), "--store", str(imported_store)).exit_code == 0
    assert run("--stored", str(article), "--store", str(imported_store)).exit_code == 0
    names = [e.name for e in opened[-1].entries]
    assert names.count("article.txt") == 1 and len(names) == 3


def test_open_stored_without_a_store_says_so(tmp_path: Path) -> None:
    result = run("--stored", "--store", str(tmp_path / "none"))
    assert result.exit_code == 4 and "no store" in result.stderr
    LocalStore(tmp_path / "empty").close()
    result = run("--stored", "--store", str(tmp_path / "empty"))
    assert result.exit_code == 3 and "holds no document" in result.stderr


def test_stored_documents_are_not_taken_for_changed_files(tmp_path: Path) -> None:
    """An imported record naming a file's path is not a new version of that file."""
    article = tmp_path / "a.txt"
    old = Document(text="The council met. It voted.", meta=DocumentMeta(path=str(article)))
    new = Document(text="The council met again.", meta=DocumentMeta(path=str(article)))
    with LocalStore(tmp_path / "store") as store:
        store.register(old)
        store.add(Annotation.tag(old, 0, 16, "claim"))
        store.register(new)  # as `newsmark import` does: no carry-over
        Workspace(store, stored_documents(store))
        assert [a.text for a in store.annotations(old.id)] == ["The council met."]
        assert store.annotations(new.id) == []
