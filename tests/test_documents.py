"""Tests of annotations.documents: loading and discovering article files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from annotations.documents import discover, load_document, load_documents
from annotations.errors import ArticleError
from annotations.samples import sample_paths

ARTICLE = (
    "Banner Line\n\nDam vote splits the council\n\n"
    "The council voted on Tuesday to remove the old dam, ending ten years of argument.\n\n"
    "Valley Ledger\n\nComments are closed.\n"
)


def write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    return path


def problem(path: Path, **kwargs: object) -> ArticleError:
    with pytest.raises(ArticleError) as caught:
        load_document(path, **kwargs)  # type: ignore[arg-type]
    return caught.value


# --- load_document -------------------------------------------------------------------------


def test_load_cleans_and_fills_meta(tmp_path: Path) -> None:
    path = write(tmp_path / "a.txt", ARTICLE)
    doc = load_document(path)
    assert doc.meta.path == str(path)
    assert doc.meta.title == "Dam vote splits the council"
    assert doc.meta.source == "Valley Ledger"
    assert doc.text.endswith("remove the old dam, ending ten years of argument.")
    assert doc.name == "Dam vote splits the council"


def test_raw_only_sanitizes(tmp_path: Path) -> None:
    path = write(tmp_path / "b.txt", "\ufeffone\r\ntwo \x1b[1m\r\n\r\n\r\nComments are closed.")
    doc = load_document(str(path), raw=True)
    assert doc.text == "one\ntwo \u241b[1m\n\n\nComments are closed."
    assert doc.meta.title is None
    assert doc.name == "b.txt"


def test_crlf_and_bom_are_handled(tmp_path: Path) -> None:
    path = write(tmp_path / "c.txt", "\ufeffFirst paragraph here.\r\n\r\nSecond one.\r\n")
    assert load_document(path).text == "First paragraph here.\n\nSecond one."


def test_utf16_with_bom_is_read(tmp_path: Path) -> None:
    path = write(tmp_path / "w.txt", "Wide text, still an article.".encode("utf-16"))
    assert load_document(path).text == "Wide text, still an article."


def test_missing_file(tmp_path: Path) -> None:
    error = problem(tmp_path / "nope.txt")
    assert error.problem == "no such file"
    assert error.path == str(tmp_path / "nope.txt")


def test_folder_instead_of_file(tmp_path: Path) -> None:
    assert "folder" in problem(tmp_path).problem


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_named_pipe_is_refused_not_waited_on(tmp_path: Path) -> None:
    pipe = tmp_path / "feed.txt"
    os.mkfifo(pipe)  # opening it for reading would wait for a writer forever
    assert problem(pipe).problem == "is not a regular file (a pipe, a socket or a device)"


@pytest.mark.skipif(os.name != "posix", reason="permission bits are POSIX")
def test_unreadable_file(tmp_path: Path, monkeypatch) -> None:
    from tests.bad_inputs import refuse_unreadable_as_root

    refuse_unreadable_as_root(monkeypatch)  # root would read it; the real check is in a child
    path = write(tmp_path / "locked.txt", ARTICLE)
    path.chmod(0)
    try:
        assert "permission" in problem(path).problem
    finally:
        path.chmod(0o644)


@pytest.mark.parametrize("content", ["", "   \n\n\t\n"])
def test_empty_file(tmp_path: Path, content: str) -> None:
    assert problem(write(tmp_path / "e.txt", content)).problem == "is empty"


def test_only_boilerplate_is_empty(tmp_path: Path) -> None:
    path = write(tmp_path / "e.txt", "Comments are closed.\n\nShare this article\n")
    assert problem(path).problem == "is empty"


def test_nul_bytes_mean_binary(tmp_path: Path) -> None:
    path = write(tmp_path / "img.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    assert "binary" in problem(path).problem


def test_mostly_undecodable_means_binary(tmp_path: Path) -> None:
    path = write(tmp_path / "noise.txt", bytes(range(0x80, 0x100)) * 4 + b"abc")
    assert "binary" in problem(path).problem


def test_latin1_file_names_offset_and_hint(tmp_path: Path) -> None:
    path = write(tmp_path / "l1.txt", "Le café était fermé.".encode("latin-1"))
    error = problem(path)
    assert "is not UTF-8 text" in error.problem
    assert "offset 6" in error.problem  # "Le caf" is 6 bytes
    assert "--encoding latin-1" in error.hint
    assert load_document(path, encoding="latin-1").text == "Le café était fermé."


def test_unknown_encoding(tmp_path: Path) -> None:
    path = write(tmp_path / "a.txt", ARTICLE)
    assert "unknown encoding" in problem(path, encoding="klingon-8").problem


def test_error_message_is_one_line(tmp_path: Path) -> None:
    message = str(problem(tmp_path / "nope.txt"))
    assert "\n" not in message and message.startswith(str(tmp_path))


# --- discover / load_documents ---------------------------------------------------------------


def test_discover_walks_folders_sorted_skipping_hidden(tmp_path: Path) -> None:
    write(tmp_path / "b.md", ARTICLE)
    write(tmp_path / "a.txt", ARTICLE)
    write(tmp_path / "sub" / "c.TXT", ARTICLE)
    write(tmp_path / "notes.pdf", b"%PDF")
    write(tmp_path / ".git" / "x.txt", ARTICLE)
    write(tmp_path / ".hidden.txt", ARTICLE)
    found, errors = discover([tmp_path])
    assert errors == []
    assert [p.relative_to(tmp_path).as_posix() for p in found] == ["a.txt", "b.md", "sub/c.TXT"]


def test_discover_keeps_given_files_in_order_once(tmp_path: Path) -> None:
    a = write(tmp_path / "a.txt", ARTICLE)
    b = write(tmp_path / "b.data", ARTICLE)
    found, errors = discover([b, a, str(a), tmp_path / "." / "a.txt", tmp_path])
    assert found == [b, a]
    assert errors == []


def test_discover_reports_missing_and_empty_folders(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    found, errors = discover([tmp_path / "missing.txt", tmp_path / "empty"])
    assert found == []
    assert [e.problem for e in errors] == [
        "no such file or folder",
        "no .txt or .md articles in this folder",
    ]


def test_load_documents_collects_errors(tmp_path: Path) -> None:
    write(tmp_path / "good.txt", ARTICLE)
    write(tmp_path / "bad.txt", b"\x00\x01\x02")
    write(tmp_path / "empty.txt", "")
    docs, errors = load_documents([tmp_path, tmp_path / "gone.txt"])
    assert [d.meta.title for d in docs] == ["Dam vote splits the council"]
    assert sorted(Path(e.path).name for e in errors) == ["bad.txt", "empty.txt", "gone.txt"]


# --- samples ------------------------------------------------------------------------------


def test_samples_load_cleanly() -> None:
    paths = sample_paths()
    assert len(paths) == 3
    docs, errors = load_documents(paths)
    assert errors == []
    courier, ledger, ferry = docs
    assert "Harlow Creek dam" in courier.text and "Harlow Creek dam" in ledger.text
    assert courier.meta.source == "Riverside Courier"
    assert (ledger.meta.source, ledger.meta.date) == ("Valley Ledger", "2025-01-14")
    for doc in docs:
        assert "cookies" not in doc.text and "Comments are closed" not in doc.text
        assert "*" not in doc.text
        assert 200 <= len(doc.text.split()) <= 500
