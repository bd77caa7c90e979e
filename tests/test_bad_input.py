"""Hostile and broken input gets one plain line naming the file, an exit code, no traceback."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotations.documents import load_document, load_documents
from annotations.errors import (
    EXIT_CONFIG,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_NO_ARTICLES,
    EXIT_PROBLEMS_FOUND,
    EXIT_STORE,
    EXIT_USAGE,
    ArticleError,
    ConfigError,
    StoreError,
)
from annotations.model import Annotation, Document, DocumentMeta
from annotations.store import LocalStore
from tests.bad_inputs import (
    CONFIG_ERROR,
    CONFIG_NAME,
    LONG_LINE_CHARS,
    make_bad_inputs,
    refuse_unreadable_as_root,
    unprivileged_prefix,
)
from tui.cli import main

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def bundle(tmp_path: Path, monkeypatch) -> tuple[Path, dict[str, str | None]]:
    folder = tmp_path / "bad"
    refuse_unreadable_as_root(monkeypatch)
    return folder, make_bad_inputs(folder)


def test_loaders_report_each_bad_file_and_open_the_rest(bundle) -> None:
    folder, expected = bundle
    paths = [folder / name for name in expected]
    begun = time.perf_counter()
    docs, errors = load_documents(paths)
    assert time.perf_counter() - begun < 10
    opened = {Path(doc.meta.path).name for doc in docs}
    assert opened == {name for name, fragment in expected.items() if fragment is None}
    assert len(errors) == sum(1 for fragment in expected.values() if fragment)
    for name, fragment in expected.items():
        if fragment is None:
            continue
        (error,) = [e for e in errors if Path(e.path).name == name]
        message = str(error)
        assert fragment in message, (name, message)
        assert "\n" not in message and str(folder / name) in message
    latin = next(e for e in errors if e.path.endswith("latin1.txt"))
    assert "--encoding" in str(latin)  # what to do


def test_named_encoding_opens_the_latin1_file(bundle) -> None:
    folder, _ = bundle
    doc = load_document(folder / "latin1.txt", encoding="latin-1")
    assert "Caf\u00e9 cr\u00e8me" in doc.text
    with pytest.raises(ArticleError, match="unknown encoding 'klingon'"):
        load_document(folder / "latin1.txt", encoding="klingon")


def test_escape_sequences_and_markup_stay_literal(bundle) -> None:
    folder, _ = bundle
    doc = load_document(folder / "hostile.txt")
    assert "\x1b" not in doc.text and "\x07" not in doc.text
    assert "\u241b[2J" in doc.text  # ESC shown as its picture, the rest as typed
    assert "[bold red]this[/]" in doc.text and "[link=http://x]that[/link]" in doc.text
    assert "\u202e" not in doc.text and "\ufffdevil\ufffd" in doc.text
    # Offsets stay plain string indexes over what is shown.
    start = doc.text.index("red")
    ann = Annotation.tag(doc, start, start + 3, "claim")
    assert ann.text == "red"


def test_one_line_of_200000_characters_opens(bundle) -> None:
    folder, _ = bundle
    begun = time.perf_counter()
    doc = load_document(folder / "long-line.txt")
    assert time.perf_counter() - begun < 5
    assert max(len(line) for line in doc.text.split("\n")) >= LONG_LINE_CHARS - 10


# ---------------------------------------------------------------- the command


class FakeApp:
    """Stands in for the reader: records what it was given instead of drawing."""

    runs: list[FakeApp] = []

    def __init__(self, workspace, notices=(), **options) -> None:  # type: ignore[no-untyped-def]
        self.workspace = workspace
        self.notices = list(notices)
        self.return_code = 0

    def run(self) -> None:
        FakeApp.runs.append(self)


@pytest.fixture
def fake_app(monkeypatch):
    import tui.app
    import tui.cli

    FakeApp.runs = []
    monkeypatch.setattr(tui.app, "NewsmarkApp", FakeApp)
    monkeypatch.setattr(tui.cli, "has_terminal", lambda: True)
    return FakeApp


def _lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


def test_open_reports_each_bad_file_in_one_line_and_opens_the_rest(
    bundle, fake_app, tmp_path: Path
) -> None:
    folder, expected = bundle
    args = [str(folder / name) for name in expected]
    result = CliRunner().invoke(main, ["open", "--store", str(tmp_path / "store"), *args])
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    lines = _lines(result.stderr)
    bad = {name: fragment for name, fragment in expected.items() if fragment}
    assert len(lines) == len(bad)
    for name, fragment in bad.items():
        (line,) = [line for line in lines if str(folder / name) in line]
        assert line.startswith("newsmark: ") and fragment in line
    (app,) = fake_app.runs
    names = {Path(doc.meta.path).name for doc in app.workspace.order}
    assert names == {name for name, fragment in expected.items() if fragment is None}
    assert len(app.notices) == len(bad)  # the reader shows them too


def test_open_with_only_bad_files_exits_3(bundle, fake_app, tmp_path: Path) -> None:
    folder, expected = bundle
    args = [str(folder / name) for name, fragment in expected.items() if fragment]
    result = CliRunner().invoke(main, ["open", "--store", str(tmp_path / "store"), *args])
    assert result.exit_code == EXIT_NO_ARTICLES == 3
    assert _lines(result.stderr)[-1] == "newsmark: no article could be opened"
    assert "Traceback" not in result.output
    assert fake_app.runs == []


def test_invalid_config_names_the_line_before_the_reader_starts(
    bundle, fake_app, tmp_path: Path
) -> None:
    folder, _ = bundle
    config = folder / CONFIG_NAME
    result = CliRunner().invoke(
        main,
        ["open", "--store", str(tmp_path / "store"), "--config", str(config),
         str(folder / "good.txt")],
    )
    assert result.exit_code == EXIT_CONFIG
    (line,) = _lines(result.stderr)
    assert line.startswith(f"newsmark: {config}:") and CONFIG_ERROR in line
    assert line.endswith("(fix it, or name another file with --config)")
    assert fake_app.runs == []
    # Beside the store it is found, and refused, the same way.
    result = CliRunner().invoke(
        main, ["open", "--store", str(folder / ".newsmark"), str(folder / "good.txt")]
    )
    assert result.exit_code == EXIT_CONFIG and CONFIG_ERROR in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["open", "{folder}/good.txt", "--config", "{folder}"],  # a folder as --config
        ["open", "{folder}/good.txt", "--store", "{folder}/good.txt"],  # a file as --store
        ["align", "{folder}", "{folder}/good.txt"],
        ["validate", "{folder}/unreadable.txt"],
    ],
)
def test_wrong_kinds_of_path_get_newsmark_words_not_click_usage(
    bundle, fake_app, tmp_path: Path, args: list[str]
) -> None:
    folder, _ = bundle
    (folder / CONFIG_NAME).unlink()  # not the config beside a store in the bundle
    args = [arg.format(folder=folder) for arg in args]
    result = CliRunner().invoke(main, args)
    assert result.exit_code not in (0, EXIT_USAGE), result.output
    (line,) = _lines(result.stderr)
    assert line.startswith("newsmark: ") and "Usage:" not in result.output
    assert fake_app.runs == []


def test_an_unreadable_file_is_refused_by_the_real_command(tmp_path: Path) -> None:
    """In a child that obeys file permissions (as root: without its DAC override).

    click checks paths itself unless told not to, and its check ends the
    whole command with a usage error; newsmark must report the one file.
    """
    prefix = unprivileged_prefix()
    if prefix is None:
        pytest.skip("running as root and no setpriv to drop the override")
    folder = tmp_path / "bad"
    make_bad_inputs(folder)
    result = subprocess.run(
        [*prefix, sys.executable, "-c", "from tui.cli import main; main()", "open",
         "--store", str(tmp_path / "store"), str(folder / "unreadable.txt"),
         str(folder / "missing.txt")],
        capture_output=True, text=True, timeout=60, cwd=REPO,
    )
    assert result.returncode == EXIT_NO_ARTICLES, result.stderr
    assert _lines(result.stderr) == [
        f"newsmark: {folder / 'missing.txt'}: no such file or folder (check the path)",
        f"newsmark: {folder / 'unreadable.txt'}: cannot be read (permission denied) "
        "(check the file's permissions)",
        "newsmark: no article could be opened",
    ]


def test_exit_codes_are_distinct_and_listed_in_the_readme() -> None:
    from annotations.errors import StoreUnreachable
    from annotations.formats import FormatError
    from annotations.store import StoreLocked

    kinds = {
        "article": ArticleError.exit_code,
        "store": StoreError.exit_code,
        "format": FormatError.exit_code,
        "config": ConfigError.exit_code,
        "unreachable": StoreUnreachable.exit_code,
    }
    assert StoreLocked.exit_code == StoreError.exit_code
    used = [EXIT_PROBLEMS_FOUND, EXIT_USAGE, *kinds.values(), EXIT_INTERNAL, EXIT_INTERRUPTED]
    assert len(set(used)) == len(used) and 0 not in used
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    table = readme.split("## Exit codes", 1)[1].split("\n## ", 1)[0]
    listed = [int(row.split("|")[1]) for row in table.splitlines()
              if row.startswith("| ") and row.split("|")[1].strip().isdigit()]
    assert listed == sorted({0, *used})


# ---------------------------------------------------------------- stores that are wrong


def _store_with_one_annotation(root: Path) -> None:
    doc = Document("The minister said the plan would cost more.", DocumentMeta(path="a.txt"))
    with LocalStore(root) as store:
        store.register(doc)
        store.add(Annotation.tag(doc, 4, 12, "claim"))


def _damage_documents(root: Path) -> None:
    (root / "documents.json").write_text('{"documents": {"1": ', encoding="utf-8")


def _newer(root: Path) -> None:
    (root / "newsmark.json").write_text('{"format": 99, "app": "newsmark"}', encoding="utf-8")


def _older(root: Path) -> None:
    (root / "newsmark.json").unlink()


def _not_ours(root: Path) -> None:
    (root / "newsmark.json").write_text(json.dumps({"format": 1, "app": "other"}))


@pytest.mark.parametrize(
    ("spoil", "fragment"),
    [
        (None, "no store at"),
        (_damage_documents, "documents.json is damaged"),
        (_newer, "newer newsmark (format 99); upgrade newsmark"),
        (_older, "older newsmark (format 0)"),
        (_not_ours, "is not a newsmark store"),
    ],
)
@pytest.mark.parametrize("command", ["stats", "export"])
def test_store_problems_are_one_line_and_exit_4(
    tmp_path: Path, spoil, fragment: str, command: str
) -> None:
    root = tmp_path / "store"
    if spoil is not None:
        _store_with_one_annotation(root)
        spoil(root)
    before = {p: p.read_bytes() for p in root.rglob("*") if p.is_file()} if root.exists() else {}
    result = CliRunner().invoke(main, [command, "--store", str(root)])
    assert result.exit_code == EXIT_STORE == 4, result.output
    (line,) = _lines(result.stderr)
    assert line.startswith("newsmark: ") and fragment in line and str(root) in line
    assert "Traceback" not in result.output
    after = {p: p.read_bytes() for p in root.rglob("*") if p.is_file()} if root.exists() else {}
    assert after == before  # a broken store is never written to


def test_damaged_store_is_refused_by_the_reader_and_kept(
    tmp_path: Path, bundle, fake_app
) -> None:
    folder, _ = bundle
    root = tmp_path / "store"
    _store_with_one_annotation(root)
    good = (root / "documents.json").read_bytes()
    # One more write of the list, so that .bak holds the good version (a
    # status change would not do: statuses have a log of their own).
    with LocalStore(root) as store:
        store.register(Document("Another article entirely.", DocumentMeta(path="other.txt")))
    _damage_documents(root)
    result = CliRunner().invoke(main, ["open", "--store", str(root), str(folder / "good.txt")])
    assert result.exit_code == 4
    (line,) = _lines(result.stderr)
    assert "documents.json is damaged" in line and "documents.json.bak" in line
    assert fake_app.runs == []
    assert (root / "documents.json").read_text() == '{"documents": {"1": '
    assert json.loads((root / "documents.json.bak").read_bytes()) == json.loads(good)


def _tag_good_article(root: Path, path: Path) -> str:
    """Open `path` in a Workspace on `root`, tag a span twice over; its doc file's name.

    Each tag is folded into the document's snapshot (saves append to its log
    and fold it in only when long), so the snapshot's .bak holds the first.
    """
    from annotations.workspace import Workspace

    with LocalStore(root) as store:
        ws = Workspace(store, [path])
        doc = ws.order[0]
        ws.tag(doc.id, 0, (4, 11), "claim")
        store.compact(doc.id)
        ws.tag(doc.id, 0, (12, 18), "quote")
        store.compact(doc.id)  # a second snapshot: .bak holds the first
        ws.history.close()
    return f"{doc.id}.json"


def test_damaged_document_file_is_refused_at_start_not_a_crash(
    tmp_path: Path, bundle, fake_app
) -> None:
    folder, _ = bundle
    root = tmp_path / "store"
    name = _tag_good_article(root, folder / "good.txt")
    damaged = root / "docs" / name
    damaged.write_text('{"annotations": {"1": {"id"', encoding="utf-8")
    result = CliRunner().invoke(main, ["open", "--store", str(root), str(folder / "good.txt")])
    assert result.exit_code == EXIT_STORE, result.output
    (line,) = _lines(result.stderr)
    assert line == (
        f"newsmark: {damaged} is damaged (Expecting ':' delimiter: line 1 column 28 (char 27)); "
        f"newsmark will not overwrite it. Restore it from {damaged}.bak or move it away."
    )
    assert fake_app.runs == []
    # Opened from the store (`--stored`) rather than from its file: the same.
    result = CliRunner().invoke(main, ["open", "--store", str(root), "--stored"])
    assert result.exit_code == EXIT_STORE, result.output
    assert _lines(result.stderr) == [line] and fake_app.runs == []
    assert damaged.read_text(encoding="utf-8") == '{"annotations": {"1": {"id"'
    assert len(json.loads((root / "docs" / f"{name}.bak").read_text())["annotations"]) == 1
    assert not (root / "lock").exists()


def test_damaged_line_of_a_document_log_is_refused_at_start(
    tmp_path: Path, bundle, fake_app
) -> None:
    from annotations.model import Annotation

    folder, _ = bundle
    root = tmp_path / "store"
    name = _tag_good_article(root, folder / "good.txt")
    doc_id = name.removesuffix(".json")
    with LocalStore(root) as store:  # two saves after the snapshot: two lines of the log
        doc = store.document_record(doc_id)
        text = store.load_text(doc_id)
        for start in (20, 30):
            store.add(Annotation(doc_id=doc_id, start=start, end=start + 3, label="terms",
                                 text=text[start:start + 3]))
    assert doc is not None
    log = root / "docs" / f"{doc_id}.log"
    header, first, second = log.read_text(encoding="utf-8").splitlines()
    log.write_text(f"{header}\n{first[:30]}\n{second}\n", encoding="utf-8")
    spoiled = log.read_bytes()
    result = CliRunner().invoke(main, ["open", "--store", str(root), str(folder / "good.txt")])
    assert result.exit_code == EXIT_STORE, result.output
    (line,) = _lines(result.stderr)
    assert line.startswith(f"newsmark: {log} is damaged (line 2: ")
    assert "newsmark will not overwrite it" in line and "Traceback" not in result.output
    assert fake_app.runs == []
    assert log.read_bytes() == spoiled
    assert not (root / "lock").exists()


def test_damaged_document_met_later_is_not_opened_and_the_rest_are(tmp_path: Path) -> None:
    """In a big folder articles are read when shown: a damaged one is said, not raised."""
    from annotations.workspace import Workspace

    folder = tmp_path / "articles"
    folder.mkdir()
    for i in range(3):
        (folder / f"{i}.txt").write_text(f"Article {i}. The council met on Tuesday.\n")
    root = tmp_path / "store"
    name = _tag_good_article(root, folder / "2.txt")
    (root / "docs" / name).write_text("{", encoding="utf-8")
    with LocalStore(root) as store:
        ws = Workspace(store, sorted(folder.iterdir()), preload=1, eager_up_to=0)
        assert [doc.meta.path for doc in ws.order] == [str(folder / "0.txt")]
        assert ws.load(1) is not None
        assert ws.load(2) is None
        (error,) = ws.store_errors
        assert name in str(error) and ws.entries[2].error == str(error)
        assert ws.load(2) is None and len(ws.store_errors) == 1  # said once
    assert (root / "docs" / name).read_text() == "{"


def test_an_internal_error_in_the_reader_exits_70(
    bundle, fake_app, tmp_path: Path, monkeypatch
) -> None:
    folder, _ = bundle

    def crash(self) -> None:  # the real app explains on screen, sets return code 1
        self.return_code = 1

    monkeypatch.setattr(fake_app, "run", crash)
    result = CliRunner().invoke(
        main, ["open", "--store", str(tmp_path / "store"), str(folder / "good.txt")]
    )
    assert result.exit_code == EXIT_INTERNAL == 70


def test_a_real_process_prints_no_traceback(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", "from tui.cli import main; main()", "stats", "--store",
         str(tmp_path / "nowhere")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 4
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith("newsmark: no store at")


def test_every_bidi_control_is_made_visible() -> None:
    from annotations.cleaning import sanitize

    controls = [chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))]
    text = "x".join(controls) + "\u200f\u200e"  # RLM/LRM marks are harmless: kept
    out = sanitize(text)
    assert len(out) == len(text)
    assert not set(controls) & set(out)
    assert out.count("\ufffd") == len(controls) and out.endswith("\u200f\u200e")


def test_the_reader_without_a_terminal_says_so_and_leaves_the_store_free(
    tmp_path: Path,
) -> None:
    """Before: it drew into the pipe and waited for keys forever, holding the lock."""
    article = tmp_path / "a.txt"
    article.write_text("The council voted on Tuesday.\n", encoding="utf-8")
    store = tmp_path / "store"
    result = subprocess.run(
        [sys.executable, "-c", "from tui.cli import main; main()", "open",
         "--store", str(store), str(article)],
        capture_output=True, text=True, timeout=60, cwd=REPO, stdin=subprocess.DEVNULL,
    )
    assert result.returncode == EXIT_USAGE == 2, result.stderr
    assert _lines(result.stderr) == [
        "newsmark: the reader needs a terminal (its input or output is redirected); "
        "for scripts use `newsmark export`, `stats` or `suggest`"]
    assert result.stdout == ""
    LocalStore(store).close()  # and the store opens as usual afterwards


def test_an_article_deleted_after_tagging_points_to_stored(fake_app, tmp_path: Path) -> None:
    article = tmp_path / "a.txt"
    article.write_text("The mayor said the dam would go.\n", encoding="utf-8")
    store_dir = tmp_path / "store"
    with LocalStore(store_dir) as store:
        store.register(load_document(article))
    article.unlink()
    result = CliRunner().invoke(main, ["open", "--store", str(store_dir), str(article)])
    assert result.exit_code == EXIT_NO_ARTICLES
    last = _lines(result.stderr)[-1]
    assert last.startswith("newsmark: no article could be opened; ")
    assert f"newsmark --stored --store {store_dir}" in last
    stored = CliRunner().invoke(main, ["open", "--store", str(store_dir), "--stored"])
    assert stored.exit_code == 0, stored.output
    assert len(fake_app.runs) == 1  # what the hint says works
