"""What cleaning removed from an article is said, never silent.

`clean_article` drops page furniture (signatures, "Comments are closed.",
cookie notices); a person must be able to see that it did, and what, or a
wrongly dropped line of the article would be lost without a trace. The
count and the first lines go into the document's metadata (`cleaned`,
in the store and the export), and the reader names them once when the
file is opened.
"""

from __future__ import annotations

from pathlib import Path

from annotations.documents import cleaning_note, how_read, load_document, removal_summary
from annotations.store import LocalStore
from annotations.workspace import Workspace
from tui.app import NewsmarkApp

BODY = ("The council voted on Tuesday to remove the old dam, ending ten years of argument"
        " about the river and its fish.")
FURNISHED = f"{BODY}\n\nTwo people died\n\nReuters\n\nComments are closed.\n"


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_removed_lines_are_counted_and_quoted_in_the_metadata(tmp_path: Path) -> None:
    doc = load_document(write(tmp_path, "a.txt", FURNISHED))
    assert doc.text == f"{BODY}\n\nTwo people died"
    assert doc.meta.cleaned == (
        "took 2 lines out of the text ('Comments are closed.', 'Reuters')")
    assert doc.meta.to_dict()["cleaned"] == doc.meta.cleaned
    assert cleaning_note(doc) == (
        f"{tmp_path / 'a.txt'}: {doc.meta.cleaned}; --raw shows the file untouched")
    assert how_read(doc) == []  # read as plain UTF-8: nothing to warn of


def test_nothing_removed_nothing_said(tmp_path: Path) -> None:
    doc = load_document(write(tmp_path, "a.txt", f"{BODY}\n\nTwo people died\n"))
    assert doc.meta.cleaned is None
    assert "cleaned" not in doc.meta.to_dict()
    assert how_read(doc) == [] and cleaning_note(doc) is None


def test_raw_removes_nothing_and_says_nothing(tmp_path: Path) -> None:
    doc = load_document(write(tmp_path, "a.txt", FURNISHED), raw=True)
    assert "Reuters" in doc.text and doc.meta.cleaned is None and cleaning_note(doc) is None


def test_summary_shortens_long_lines_and_many_of_them() -> None:
    removed = ["x" * 100, "Reuters", "Share", "Advertisement"]
    summary = removal_summary(removed)
    assert summary is not None
    assert summary.startswith("took 4 lines out of the text ('" + "x" * 39 + "\u2026', ")
    assert summary.endswith("'Reuters', 'Share', \u2026)")
    assert removal_summary(["Reuters"]) == "took 1 line out of the text ('Reuters')"
    assert removal_summary([]) is None


async def test_the_reader_says_once_what_was_removed_literally(tmp_path: Path) -> None:
    # "Follow us ..." is furniture; its markup must be shown, not obeyed.
    text = f"{BODY}\n\nFollow us [@click=app.quit] on [b]X[/b]\n"
    path = write(tmp_path, "a.txt", text)
    with LocalStore(tmp_path / "store") as store:
        app = NewsmarkApp(Workspace(store, [path], annotator="ana"))
        async with app.run_test(size=(140, 36), notifications=True) as pilot:
            await pilot.pause()
            await pilot.pause()
            said = [str(n.message) for n in app._notifications if "out of the text" in
                    str(n.message)]
            assert said == [f"{path}: took 1 line out of the text ('Follow us "
                            "[@click=app.quit] on [b]X[/b]'); --raw shows the file untouched"]
            await pilot.press("down", "down")
            assert app.is_running
            assert len([n for n in app._notifications
                        if "out of the text" in str(n.message)]) == 1


def test_the_store_and_the_export_keep_it(tmp_path: Path) -> None:
    from annotations.export import document_records

    path = write(tmp_path, "a.txt", FURNISHED)
    with LocalStore(tmp_path / "store") as store:
        ws = Workspace(store, [path], annotator="ana")
        (doc,) = ws.order
        assert ws.cleaning_notes == [f"{path}: {doc.meta.cleaned}; --raw shows the file untouched"]
        assert ws.warnings == []
        assert store.document_record(doc.id)["meta"]["cleaned"] == doc.meta.cleaned
        assert ws.tag(doc.id, 0, (4, 11), "terms") is not None
        (record,) = document_records(store)
        assert record["meta"]["cleaned"] == doc.meta.cleaned


def test_opening_with_raw_and_back_moves_no_span(tmp_path: Path) -> None:
    """--raw reads another text of an unchanged file: its spans were carried
    over to it as if the file had changed ("changed since it was tagged: 1
    moved"), and back again on the next open without --raw."""
    path = write(tmp_path, "a.txt", FURNISHED)
    store_dir = tmp_path / "store"

    def opened(raw: bool) -> Workspace:
        return Workspace(LocalStore(store_dir), [path], annotator="ana", raw=raw)

    ws = opened(raw=False)
    cleaned = ws.load(0)
    assert cleaned is not None
    ws.tag(cleaned.id, cleaned.text.index("council"), None, "claim")
    ws.store.close()

    ws = opened(raw=True)
    raw = ws.load(0)
    assert raw is not None and raw.id != cleaned.id and raw.meta.raw == "yes"
    assert ws.reanchor_reports == {} and ws.annotations(raw.id) == []
    assert any("read with --raw; the 1 span tagged on its cleaned text are not shown" in w
               for w in ws.warnings), ws.warnings
    assert [a.label for a in ws.store.annotations(cleaned.id)] == ["claim"]
    ws.store.close()

    ws = opened(raw=False)
    again = ws.load(0)
    assert again is not None and again.id == cleaned.id
    assert ws.reanchor_reports == {} and not any("tagged on its" in w for w in ws.warnings)
    assert [a.label for a in ws.annotations(cleaned.id)] == ["claim"]
    ws.store.close()


async def test_the_reader_says_it_as_news_not_as_a_warning(tmp_path: Path) -> None:
    # Shown as warnings for 10 s, two files' reports covered a pane at the start.
    from tui.app import NewsmarkApp

    path = write(tmp_path, "a.txt", FURNISHED)
    with LocalStore(tmp_path / "store") as store:
        app = NewsmarkApp(Workspace(store, [path], annotator="ana"))
        async with app.run_test(size=(120, 30)) as pilot:
            await pilot.pause()
            said = [(n.severity, n.timeout, str(n.message)) for n in app._notifications]
    assert [(severity, timeout) for severity, timeout, message in said
            if "took 2 lines out of the text" in message] == [("information", 5)]
