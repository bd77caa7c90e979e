"""`newsmark export --out`: an export never deletes or overwrites what it did not write."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from linked_articles import quote_and_claim

from annotations.export_folder import MARKER
from annotations.links import Link, LinkStore
from annotations.store import open_store
from tui.cli import main


@pytest.fixture
def work(tmp_path: Path) -> Path:
    """A user's folder: a store of two annotated, linked articles, a note, a subfolder."""
    root = tmp_path / "w1"
    root.mkdir()
    with open_store(root / ".newsmark") as store:
        qa, cb = quote_and_claim(store)
        with LinkStore(store) as links:
            links.add(Link.between(qa, cb, "paraphrase"))
    (root / "notes.txt").write_text("mine\n", encoding="utf-8")
    (root / "sub").mkdir()
    (root / "sub" / "kept.txt").write_text("also mine\n", encoding="utf-8")
    return root


def run(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


def export(work: Path, *args: str):  # type: ignore[no-untyped-def]
    return run("export", "--store", str(work / ".newsmark"), *args)


@pytest.mark.parametrize("force", [[], ["--force"]])
def test_brat_never_writes_into_a_folder_it_did_not_make(work: Path, force: list[str]) -> None:
    before = tree(work)
    result = export(work, "--format", "brat", "--out", str(work), *force)
    assert result.exit_code == 4, result.output
    [line] = result.stderr.splitlines()
    assert "not a newsmark brat export" in line and ".newsmark" in line
    assert tree(work) == before
    assert not (work.parent / "links.jsonl").exists()


def test_brat_force_refuses_an_unrelated_folder(work: Path, tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "keep.txt").write_text("keep", encoding="utf-8")
    result = export(work, "--format", "brat", "--out", str(victim), "--force")
    assert result.exit_code == 4 and "keep.txt" in result.stderr
    assert tree(victim) == {"keep.txt": b"keep"}


def test_brat_out_dot_is_a_message_not_a_traceback(work: Path, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(work)
    before = tree(work)
    result = run("export", "--format", "brat", "--out", ".", "--force")
    assert result.exit_code == 4, result.output
    assert len(result.stderr.splitlines()) == 1 and "Traceback" not in result.output
    assert tree(work) == before
    # An empty working folder is a fine place for an export, `.` or not.
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.chdir(empty)
    written = run("export", "--store", str(work / ".newsmark"), "--format", "brat",
                  "--out", ".")
    assert written.exit_code == 0, written.output
    assert len(list(empty.glob("*.ann"))) == 2 and (empty / MARKER).is_file()


def test_brat_force_replaces_only_its_own_export(work: Path, tmp_path: Path) -> None:
    out = tmp_path / "out" / "brat"
    out.parent.mkdir()
    first = export(work, "--format", "brat", "--out", str(out))
    assert first.exit_code == 0, first.output
    # The links go inside the export's own folder, never into its parent.
    assert (out / "links.jsonl").is_file() and not (out.parent / "links.jsonl").exists()
    assert f"to {out / 'links.jsonl'}" in first.stderr
    assert len(list(out.glob("*.ann"))) == 2 and (out / "annotation.conf").is_file()
    again = export(work, "--format", "brat", "--out", str(out))
    assert again.exit_code == 4 and "--force" in again.stderr
    # With --force a narrower export replaces it: the other document's files go.
    quotes = export(work, "--format", "brat", "--label", "quote", "--out", str(out), "--force")
    assert quotes.exit_code == 0, quotes.output
    assert len(list(out.glob("*.ann"))) == 1 and len(list(out.glob("*.txt"))) == 1
    assert not list(out.glob(".newsmark-export*"))
    # Something of the user's put in the export folder stops the next --force.
    (out / "mine.txt").write_text("mine", encoding="utf-8")
    refused = export(work, "--format", "brat", "--out", str(out), "--force")
    assert refused.exit_code == 4 and "mine.txt" in refused.stderr
    assert (out / "mine.txt").read_text(encoding="utf-8") == "mine"


def test_brat_force_refuses_an_export_corrected_by_hand(work: Path, tmp_path: Path) -> None:
    """A line added to an exported .ann was replaced by the next --force."""
    out = tmp_path / "brat"
    assert export(work, "--format", "brat", "--out", str(out)).exit_code == 0
    again = export(work, "--format", "brat", "--out", str(out), "--force")
    assert again.exit_code == 0, again.output  # as written: replaced
    ann = sorted(out.glob("*.ann"))[0]
    corrected = ann.read_text(encoding="utf-8") + "T9\tclaim 0 4\tWe w\n"
    ann.write_text(corrected, encoding="utf-8")
    refused = export(work, "--format", "brat", "--out", str(out), "--force")
    assert refused.exit_code == 4 and ann.name in refused.stderr
    assert "changed since newsmark exported it" in refused.stderr
    assert ann.read_text(encoding="utf-8") == corrected


def test_brat_folder_of_articles_is_never_written(work: Path, tmp_path: Path) -> None:
    articles = tmp_path / "articles"
    articles.mkdir()
    (articles / "a.txt").write_text("my article", encoding="utf-8")
    result = export(work, "--format", "brat", "--out", str(articles), "--force")
    assert result.exit_code == 4
    assert tree(articles) == {"a.txt": b"my article"}


@pytest.mark.parametrize("fmt", ["jsonl", "prodigy", "doccano", "conll", "brat"])
def test_no_export_writes_inside_the_store(work: Path, fmt: str) -> None:
    store = work / ".newsmark"
    before = tree(store)
    for out in (store, store / "documents.json", store / "new-file"):
        result = export(work, "--format", fmt, "--out", str(out), "--force")
        assert result.exit_code == 4, (out, result.output)
        assert len(result.stderr.splitlines()) == 1
    assert tree(store) == before


@pytest.mark.parametrize("fmt", ["jsonl", "conll"])
def test_file_export_never_replaces_a_folder(work: Path, fmt: str) -> None:
    before = tree(work)
    result = export(work, "--format", fmt, "--out", str(work / "sub"), "--force")
    assert result.exit_code == 4 and "is a folder" in result.stderr
    assert tree(work) == before


async def test_the_readers_export_never_writes_inside_the_store(make_workspace) -> None:
    from tui.app import NewsmarkApp
    from tui.prompt_bar import PromptBar

    ws = make_workspace()
    app = NewsmarkApp(ws)
    async with app.run_test(size=(140, 36)) as pilot:
        await pilot.press("1")  # a span, so that there is something to export
        await pilot.press("ctrl+p", *"export as brat")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        prompt = app.query_one(PromptBar)
        assert prompt.has_focus
        target = Path(ws.store.root) / "brat"
        prompt.value = str(target)
        await pilot.press("enter")
        await pilot.pause()
        assert not target.exists()
        assert any("inside the store" in str(n.message) for n in app._notifications)


def test_links_out_is_checked_as_an_export_file(work: Path, monkeypatch) -> None:
    monkeypatch.chdir(work)
    before = tree(work)
    for out in (".", ".newsmark/documents.json", "notes.txt"):
        result = run("links", "--out", out)
        assert result.exit_code == 4, (out, result.output)
        assert len(result.stderr.splitlines()) == 1 and "Traceback" not in result.output
    assert tree(work) == before
    assert run("links", "--out", "notes.txt", "--force").exit_code == 0
    assert len((work / "notes.txt").read_text(encoding="utf-8").splitlines()) == 1
