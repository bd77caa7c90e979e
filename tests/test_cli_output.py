"""What the command line prints never carries a terminal control sequence.

A file named `evil<ESC>]0;pwned<BEL><ESC>[5mX.txt` retitled the terminal
when the reader said what cleaning took out of it, before its screen came
up (issue 18, defect 1): every line people read goes through `echo`.
"""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from tui.cli import main

EVIL = "evil\x1b]0;pwned\x07\x1b[5mX.txt"
ARTICLE = (
    "The council voted on Tuesday to fund a new weir on the river.\n\n"
    "Critics said the study behind the plan was thin.\n\n"
    "Comments are closed.\n"
)


def printed(result) -> str:  # type: ignore[no-untyped-def]
    return result.output + (result.stderr if result.stderr_bytes is not None else "")


def check_literal(text: str) -> None:
    assert "\x1b" not in text and "\x07" not in text
    assert "evil␛]0;pwned␇␛[5mX.txt" in text  # the name, shown literally


def test_suggest_prints_a_hostile_file_name_literally(tmp_path: Path) -> None:
    path = tmp_path / EVIL
    path.write_text(ARTICLE, encoding="utf-8")
    result = CliRunner().invoke(main, ["suggest", str(path)])
    assert result.exit_code == 0, printed(result)
    check_literal(printed(result).split("\n{", 1)[0])  # the messages, not the JSON


def test_opening_prints_a_hostile_file_name_literally(tmp_path: Path) -> None:
    path = tmp_path / EVIL
    path.write_text(ARTICLE, encoding="utf-8")
    # No terminal here: the reader refuses to start, after saying how the
    # file was read.
    result = CliRunner().invoke(main, [str(path), "--store", str(tmp_path / "store")])
    check_literal(printed(result))
