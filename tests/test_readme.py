"""The README's key table is the one the app declares."""

from __future__ import annotations

from pathlib import Path

from annotations.labels import DEFAULT_LABELS
from tui.bindings import markdown_key_table

README = Path(__file__).parent.parent / "README.md"


def test_readme_key_table_matches_the_bindings() -> None:
    table = markdown_key_table([(label.key, label.name) for label in DEFAULT_LABELS])
    assert table in README.read_text(encoding="utf-8"), (
        "README's key table is stale: paste the output of `python -m tui.bindings`"
    )


def test_readme_gives_the_two_commands() -> None:
    text = README.read_text(encoding="utf-8")
    assert "make run" in text and "make test" in text
