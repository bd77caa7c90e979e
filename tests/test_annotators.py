"""Who annotates: --annotator, NEWSMARK_ANNOTATOR, newsmark.toml, the login; shown on screen."""

from __future__ import annotations

from pathlib import Path

import click
import pytest

from annotations.errors import ConfigError
from annotations.labels import Config, load_config, parse_config
from tui.app import NewsmarkApp
from tui.cli import main
from tui.cli_common import choose_annotator, default_annotator


def test_the_name_given_wins_then_the_config_then_the_login() -> None:
    config = parse_config({"annotator": "cy"})
    assert config.annotator == "cy"
    assert choose_annotator("ana", config) == "ana"
    assert choose_annotator(None, config) == "cy"
    assert choose_annotator(None, Config()) == default_annotator()


def test_open_reads_the_annotator_from_the_environment() -> None:
    [option] = [p for p in main.commands["open"].params if p.name == "annotator"]
    assert option.envvar == "NEWSMARK_ANNOTATOR"
    assert not callable(option.default)  # a login-name default would hide newsmark.toml's


@pytest.mark.parametrize("bad", ["", "   ", "a\x1b[31mb", "two\nlines", "x" * 65])
def test_bad_names_are_refused_with_one_line(bad: str, tmp_path: Path) -> None:
    with pytest.raises(click.BadParameter):
        choose_annotator(bad, Config())
    toml = tmp_path / "newsmark.toml"
    toml.write_text(f"annotator = {bad!r}\n".replace("'", '"').replace("\\x1b", "\\u001b"),
                    encoding="utf-8")
    with pytest.raises(ConfigError, match="'annotator'"):
        load_config(toml)


def test_a_config_annotator_must_be_a_string() -> None:
    with pytest.raises(ConfigError, match="'annotator' must be a name"):
        parse_config({"annotator": 3})


async def test_the_status_line_names_the_annotator(make_workspace) -> None:
    app = NewsmarkApp(make_workspace())
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        assert "  │ tester  │ nothing changed yet" in str(app.query_one("#status").render())
