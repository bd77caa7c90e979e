"""Garbage collection is paused while the reader starts, and always resumed."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from tui import startup
from tui.app import NewsmarkApp


@pytest.fixture(autouse=True)
def collector_restored() -> Iterator[None]:
    """Whatever a test does, the suite goes on with the collector as it found it."""
    enabled, threshold = gc.isenabled(), gc.get_threshold()
    yield
    startup._paused = False
    gc.unfreeze()
    gc.set_threshold(*threshold)
    if enabled:
        gc.enable()


def test_resume_undoes_pause_and_sets_aside_what_exists() -> None:
    startup.pause_collection()
    assert not gc.isenabled()
    kept = [object() for _ in range(10)]  # noqa: F841 - alive when frozen
    startup.resume_collection()
    assert gc.isenabled()
    assert gc.get_freeze_count() > 0
    # Frames make many short-lived objects: the youngest generation waits for more.
    assert gc.get_threshold()[0] == startup.YOUNG_OBJECTS


def test_resume_without_pause_changes_nothing() -> None:
    gc.unfreeze()
    startup.resume_collection()
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0


def test_pause_leaves_a_collector_someone_else_disabled_to_them() -> None:
    gc.disable()
    startup.pause_collection()
    startup.resume_collection()
    assert not gc.isenabled()  # not ours to turn on


async def test_the_reader_resumes_collection_after_its_first_frame(make_workspace) -> None:
    ws = make_workspace()
    startup.pause_collection()
    app = NewsmarkApp(ws)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        assert gc.isenabled()
        assert "The council voted" in "\n".join(
            app.active_view.render_line(y).text for y in range(app.active_view.size.height))


def test_an_open_that_fails_before_any_frame_resumes_collection(tmp_path) -> None:
    from click.testing import CliRunner

    from tui.cli import main

    binary = tmp_path / "scan.txt"  # listed, then found unreadable inside the paused start
    binary.write_bytes(b"\x00\x01\x02 not text \x00" * 50)
    result = CliRunner().invoke(main, ["open", "--store", str(tmp_path / "s"), str(binary)])
    assert result.exit_code != 0
    assert "no article could be opened" in result.output
    assert gc.isenabled()


def test_the_command_pauses_collection_before_importing_anything(monkeypatch) -> None:
    import tui.cli
    from tui import launch

    seen: list[bool] = []
    monkeypatch.setattr(tui.cli, "main", lambda: seen.append(gc.isenabled()))
    launch.main()
    assert seen == [False]


def test_every_command_but_the_reader_resumes_collection(tmp_path) -> None:
    from click.testing import CliRunner

    from tui.cli import main

    article = tmp_path / "a.txt"
    article.write_text("The council voted on Tuesday to fund a new weir.\n", encoding="utf-8")
    startup.pause_collection()  # as the entry does
    result = CliRunner().invoke(main, ["suggest", str(article)])
    assert result.exit_code == 0, result.output
    assert gc.isenabled()
    assert gc.get_freeze_count() > 0  # what the imports made is set aside


def test_ctrl_c_before_the_reader_has_the_terminal_exits_130(tmp_path, monkeypatch) -> None:
    from click.testing import CliRunner

    import annotations.documents
    from annotations.errors import EXIT_INTERRUPTED
    from tui.cli import main

    def interrupted(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise KeyboardInterrupt  # as Ctrl+C arrives while the files are listed

    monkeypatch.setattr(annotations.documents, "find_articles", interrupted)
    result = CliRunner().invoke(main, ["open", "--store", str(tmp_path / "s"), "a.txt"])
    assert result.exit_code == EXIT_INTERRUPTED == 130
    assert result.output.strip() == "newsmark: interrupted"  # not click's "Aborted!"
