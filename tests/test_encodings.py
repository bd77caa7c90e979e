"""Reading article files whose encoding is not UTF-8, or is UTF-8 gone wrong (issue 18.4).

`--encoding` used to apply to every file, so a UTF-8 article opened beside a
Latin-1 one was silently garbled ("cafÃ©") and stored so.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotations.documents import Decoding, how_read, load_document, split_path_encodings
from annotations.errors import ArticleError
from annotations.store import LocalStore
from tests.test_bad_input import fake_app  # noqa: F401 - a fixture

UTF8 = "The café opened on Tuesday, and the mayor said it would stay open.\n"
LATIN = "Le café était fermé ce matin, et le maire a dit qu'il rouvrirait.\n"
# UTF-8 read once as cp1252 and saved again: what scrapers leave behind.
MOJIBAKE = "Mayor Basáñez said the café would open “next week”.\n".encode().decode("latin-1")


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    return {
        "utf8": write(tmp_path / "utf8.txt", UTF8.encode("utf-8")),
        "latin": write(tmp_path / "latin.txt", LATIN.encode("latin-1")),
        "mojibake": write(tmp_path / "mojibake.txt", MOJIBAKE.encode("utf-8")),
    }


def test_fallback_encoding_leaves_utf8_files_alone(files) -> None:
    decoding = Decoding(fallback="latin-1")
    utf8 = load_document(files["utf8"], decoding=decoding, raw=True)
    latin = load_document(files["latin"], decoding=decoding, raw=True)
    assert utf8.text == UTF8  # not "cafÃ©"
    assert utf8.meta.encoding is None
    assert latin.text == LATIN
    assert latin.meta.encoding == "latin-1"


def test_encoding_given_for_a_latin1_file_does_not_garble_a_utf8_one(files) -> None:
    # The defect as reported: `--encoding latin-1` read every file as Latin-1.
    assert load_document(files["utf8"], encoding="latin-1", raw=True).text == UTF8


def test_without_fallback_a_latin1_file_is_refused_with_the_hint(files) -> None:
    with pytest.raises(ArticleError, match="not UTF-8") as caught:
        load_document(files["latin"])
    assert "--encoding" in caught.value.hint


def test_a_file_named_with_its_encoding_is_read_so(files) -> None:
    # Named outright, even a file that happens to be valid UTF-8 is read as named.
    decoding = Decoding(per_file={str(files["utf8"]): "latin-1"})
    doc = load_document(files["utf8"], decoding=decoding, raw=True)
    assert doc.text == UTF8.encode("utf-8").decode("latin-1")
    assert doc.meta.encoding == "latin-1"
    # What the reader says of it: not that it is not UTF-8, which it is.
    assert how_read(doc, decoding) == [f"{files['utf8']}: read as latin-1 (named for it)"]
    fallback = Decoding(fallback="latin-1")
    latin = load_document(files["latin"], decoding=fallback, raw=True)
    assert how_read(latin, fallback) == [f"{files['latin']}: read as latin-1 (it is not UTF-8)"]


def test_a_folder_named_with_its_encoding_covers_its_files(files, tmp_path: Path) -> None:
    decoding = Decoding(per_file={str(tmp_path): "latin-1"})
    assert decoding.forced(str(files["latin"])) == "latin-1"
    assert Decoding().forced(str(files["latin"])) is None


def test_path_encoding_arguments(files, tmp_path: Path) -> None:
    odd = write(tmp_path / "a:b.txt", UTF8.encode())  # a real colon stays in the name
    paths, named = split_path_encodings(
        [f"{files['latin']}:cp1252", str(odd), str(files["utf8"])]
    )
    assert paths == [str(files["latin"]), str(odd), str(files["utf8"])]
    assert named == {str(files["latin"]): "cp1252"}
    with pytest.raises(ArticleError, match="unknown encoding 'klingon'"):
        split_path_encodings([f"{files['latin']}:klingon"])


def test_mojibake_is_repaired_only_when_asked_and_recorded(files) -> None:
    plain = load_document(files["mojibake"], raw=True)
    assert "BasÃ¡Ã±ez" in plain.text and plain.meta.repaired is None
    fixed = load_document(files["mojibake"], decoding=Decoding(repair=True), raw=True)
    assert fixed.text == "Mayor Basáñez said the café would open “next week”.\n"
    assert fixed.meta.repaired is not None and "mojibake" in fixed.meta.repaired
    clean = load_document(files["utf8"], decoding=Decoding(repair=True), raw=True)
    assert clean.meta.repaired is None  # nothing to repair: nothing said


def test_meta_of_a_plain_file_has_no_new_keys(files) -> None:
    # Records of UTF-8 articles (and stores made before) keep their shape.
    assert set(load_document(files["utf8"]).meta.to_dict()) == {"path", "title", "source", "date"}


def test_open_says_which_files_the_encoding_was_used_for_and_stores_them_right(
    files, fake_app, tmp_path: Path  # noqa: F811 - the fixture
) -> None:
    from tui.cli import main

    store = tmp_path / "store"
    result = CliRunner().invoke(main, [
        "open", "--store", str(store), "--encoding", "latin-1", "--fix-mojibake",
        str(files["utf8"]), str(files["latin"]), str(files["mojibake"]),
    ])
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines == [
        f"newsmark: {files['latin']}: read as latin-1 (it is not UTF-8)",
        f"newsmark: {files['mojibake']}: repaired mojibake (encode latin-1, "
        "decode utf-8)",
    ]
    (app,) = fake_app.runs
    texts = {Path(d.meta.path).name: d.text for d in app.workspace.order}
    assert "café opened" in texts["utf8.txt"]
    assert "café était fermé" in texts["latin.txt"]
    assert "Basáñez" in texts["mojibake.txt"]
    with LocalStore(store, read_only=True) as stored:
        metas = {Path(r["meta"]["path"]).name: r["meta"] for r in stored.documents()}
    assert metas["latin.txt"]["encoding"] == "latin-1"
    assert "mojibake" in metas["mojibake.txt"]["repaired"]
    assert "encoding" not in metas["utf8.txt"]
    json.dumps(metas)  # kept as JSON


def test_align_reads_each_file_by_itself(files) -> None:
    from tui.cli import main

    result = CliRunner().invoke(main, ["align", "--encoding", "latin-1",
                                       str(files["utf8"]), str(files["latin"])])
    assert result.exit_code == 0, result.output
    assert "latin.txt: read as latin-1" in result.stderr
    assert "utf8.txt" not in result.stderr


def test_a_file_reopened_without_its_flags_is_read_as_when_it_was_tagged(
    files, tmp_path: Path
) -> None:
    """Before: `--fix-mojibake` (or `--encoding`) forgotten once showed the
    mojibake again and orphaned the spans, though the file never changed."""
    from annotations.workspace import Workspace

    store_dir = tmp_path / "store"
    paths = [str(files["mojibake"]), str(files["latin"])]
    with LocalStore(store_dir) as store:
        ws = Workspace(store, paths, annotator="ana", raw=True,
                       decoding=Decoding(fallback="latin-1", repair=True))
        fixed, latin = ws.order
        start = fixed.text.index("Basáñez")
        assert ws.tag(fixed.id, 0, (start, start + len("Basáñez")), "speaker") is not None
        assert ws.tag(latin.id, 0, (3, 7), "terms") is not None
    with LocalStore(store_dir) as store:
        ws = Workspace(store, paths, annotator="ana", raw=True)  # no flags this time
        again, latin_again = ws.order
        assert (again.id, latin_again.id) == (fixed.id, latin.id)
        assert "Basáñez" in again.text and "café était" in latin_again.text
        assert [a.text for a in ws.annotations(again.id)] == ["Basáñez"]
        assert [a.text for a in ws.annotations(latin_again.id)] == ["café"]
        assert ws.reanchor_reports == {}
        # Still said, as the first time: never silent.
        assert any("repaired mojibake" in w for w in ws.warnings)
        assert any("read as latin-1" in w for w in ws.warnings)


def test_suggest_and_align_take_path_encoding_as_the_reader_does(files) -> None:
    from tui.cli import main

    latin = f"{files['latin']}:cp1252"
    suggested = CliRunner().invoke(main, ["suggest", latin])
    assert suggested.exit_code == 0, suggested.output
    assert "cp1252" in suggested.stderr  # how it was read, named
    aligned = CliRunner().invoke(main, ["align", latin, str(files["utf8"])])
    assert aligned.exit_code == 0, aligned.output
    first = json.loads(aligned.stdout.splitlines()[0])
    assert set(first) >= {"a", "b"}
    unknown = CliRunner().invoke(main, ["suggest", f"{files['latin']}:nosuchcodec"])
    assert unknown.exit_code == 3 and "nosuchcodec" in unknown.stderr
