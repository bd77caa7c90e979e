"""Labels per project: newsmark.toml beside the store or --config, in the app too."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotations.errors import ConfigError
from annotations.labels import CONFIG_NAME, DEFAULT_LABELS, Label, load_config, parse_config
from tui.app import NewsmarkApp
from tui.article_view import ArticleView
from tui.cli import main

PROJECT = """snap = false

[[labels]]
name = "claim"
key = "1"
color = "#f2a65a"

[[labels]]
name = "source"
key = "5"
"""


def test_defaults_are_claim_quote_terms_opinion_speaker_source_on_1_to_6(tmp_path: Path) -> None:
    config = load_config(None, tmp_path / ".newsmark")
    assert [(lab.name, lab.key) for lab in config.labels] == [
        ("claim", "1"), ("quote", "2"), ("terms", "3"), ("opinion", "4"), ("speaker", "5"),
        ("source", "6")]
    assert config.labels == DEFAULT_LABELS and config.snap


def test_newsmark_toml_beside_the_store_names_labels_keys_and_colours(tmp_path: Path) -> None:
    (tmp_path / CONFIG_NAME).write_text(PROJECT, encoding="utf-8")
    config = load_config(None, tmp_path / ".newsmark")
    assert config.labels == (Label("claim", "1", "#f2a65a"), Label("source", "5"))
    assert config.snap is False
    # --config wins over the file beside the store.
    other = tmp_path / "elsewhere.toml"
    other.write_text('[[labels]]\nname = "actor"\nkey = "7"\n', encoding="utf-8")
    assert [lab.name for lab in load_config(other, tmp_path / ".newsmark").labels] == ["actor"]


@pytest.mark.parametrize(("labels", "fragment"), [
    ('[[labels]]\nname = "x"\nkey = "j"\n', "already a reader command"),
    ('[[labels]]\nname = "a"\nkey = "7"\n[[labels]]\nname = "b"\nkey = "7"\n', "share the key"),
    ('[[labels]]\nname = "a b"\nkey = "7"\n', "'name'"),
    ('[[labels]]\nname = "a"\nkey = "77"\n', "one printable character"),
    ('[[labels]]\nname = "a"\nkey = "7"\ncolor = "red"\n', "#rrggbb"),
    ('snap = "yes"\n', "true or false"),
    ('[[labels]]\nname = "ask"\nkey = "?"\n', r"already a reader command \(help\)"),
    ('[keys]\nremove = "j"\n', "'j' is given to both move-down and remove"),
    ('[keys]\nremov = "delete"\n', "no command 'remov'; did you mean 'remove'"),
    ('[keys]\nremove = "a b"\n', "separated by commas"),
    # A misspelt key name left the command unreachable, without a word.
    ('[keys]\nremove = "delet"\n', "'delet' is not a key name; did you mean 'delete'"),
    ('[keys]\nremove = "ctlr+d"\n', "'ctlr\\+d' is not a key name"),
    ('[keys]\nremove = "ctrl+shift+delete,question_mark"\nhelp = "f1"\n', None),
    ('keys = 3\n', "must be a .keys. table"),
    ('[keys]\nremove = "delete"\n[[labels]]\nname = "x"\nkey = "x"\n', None),
])
def test_a_wrong_label_set_is_refused_in_plain_words(labels: str, fragment: str | None) -> None:
    import tomllib

    from tui.keymap import check_config

    if fragment is None:  # x is free once remove is moved to delete
        check_config(parse_config(tomllib.loads(labels)))
        return
    with pytest.raises(ConfigError, match=fragment):
        check_config(parse_config(tomllib.loads(labels)))


async def test_keys_remapped_in_newsmark_toml_act_and_show_in_help(make_workspace) -> None:
    import tomllib

    from tui.bindings import key_table
    from tui.help_screen import HelpScreen

    config = parse_config(tomllib.loads('[keys]\nremove = "delete"\nmove-down = "down,J"\n'))
    ws = make_workspace(config=config)
    app = NewsmarkApp(ws)
    async with app.run_test(size=(140, 36)) as pilot:
        view = app.query_one("#pane-0", ArticleView)
        view.move_to(view.document.text.index("cheapest"))
        await pilot.press("2", "x")
        assert len(ws.store.annotations(view.document.id)) == 1  # x is no longer remove
        await pilot.press("delete")
        assert ws.store.annotations(view.document.id) == []
        row = view._row_of(view.cursor)
        await pilot.press("J")
        assert view._row_of(view.cursor) == row + 1
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        assert ("Annotations and documents", "delete",
                "Remove the annotation under the cursor (the innermost, or the one ; points "
                "at)") in key_table([], app.keys)


async def test_a_label_on_a_key_freed_by_keys_tags(make_workspace) -> None:
    """`remove = "delete"` with a label on x: help showed "x claim", x did nothing
    (applying the keymap dropped every app binding of x, the label's too)."""
    import tomllib

    config = parse_config(tomllib.loads(
        '[keys]\nremove = "delete"\n[[labels]]\nname = "claim"\nkey = "x"\n'
        '[[labels]]\nname = "quote"\nkey = "2"\n'))
    ws = make_workspace(config=config)
    app = NewsmarkApp(ws)
    async with app.run_test(size=(140, 36)) as pilot:
        view = app.query_one("#pane-0", ArticleView)
        view.move_to(view.document.text.index("cheapest"))
        await pilot.press("x")
        assert [a.label for a in ws.store.annotations(view.document.id)] == ["claim"]
        await pilot.press("delete")
        assert ws.store.annotations(view.document.id) == []


def test_a_key_conflict_stops_the_reader_with_exit_6(tmp_path: Path, article_paths) -> None:
    (tmp_path / "newsmark.toml").write_text('[keys]\nundo = "x"\n', encoding="utf-8")
    result = CliRunner().invoke(main, [*map(str, article_paths), "--store",
                                       str(tmp_path / ".newsmark")])
    assert result.exit_code == 6
    assert "'x' is given to both remove and undo" in result.output


def test_config_option_reaches_the_reader(tmp_path: Path, article_paths, monkeypatch) -> None:
    import tui.app
    import tui.cli

    seen = []

    class FakeApp:
        return_code = 0

        def __init__(self, workspace, notices=(), **options) -> None:  # type: ignore[no-untyped-def]
            seen.append(workspace)

        def run(self) -> None:
            pass

    monkeypatch.setattr(tui.app, "NewsmarkApp", FakeApp)

    monkeypatch.setattr(tui.cli, "has_terminal", lambda: True)
    config = tmp_path / "labels.toml"
    config.write_text(PROJECT, encoding="utf-8")
    result = CliRunner().invoke(main, ["open", "--store", str(tmp_path / "store"),
                                       "--config", str(config), str(article_paths[0])])
    assert result.exit_code == 0, result.output
    [workspace] = seen
    assert [lab.name for lab in workspace.config.labels] == ["claim", "source"]
    workspace.store.close()


async def test_project_labels_are_keys_in_the_app(tmp_path: Path, make_workspace) -> None:
    (tmp_path / CONFIG_NAME).write_text(PROJECT, encoding="utf-8")
    config = load_config(None, tmp_path / "store")
    ws = make_workspace(config=config)
    app = NewsmarkApp(ws)
    async with app.run_test(size=(140, 36)) as pilot:
        view = app.query_one("#pane-0", ArticleView)
        await pilot.press("shift+right", "shift+right", "shift+right", "5")
        [ann] = ws.store.annotations(view.document.id)
        assert (ann.label, ann.text) == ("source", "Cou")  # snap = false: exactly as selected
        await pilot.press("2")  # not a label here: nothing is tagged
        assert len(ws.store.annotations(view.document.id)) == 1
        assert "claim 0  source 1" in str(app.query_one("#status").render())
        assert view._label_style("claim").bgcolor.triplet.hex == "#f2a65a"


def test_the_readme_lists_every_command_id_that_can_be_remapped() -> None:
    from tui.keymap import READER_BINDINGS

    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Remapping keys", 1)[1].split("\n## ", 1)[0]
    assert all(f"`{b.id}`" in section for b in READER_BINDINGS)


@pytest.mark.parametrize(("keys", "fragment"), [
    ('remove = "ctrl+p"', "'ctrl+p' is given to both the command palette and remove"),
    ('remove = "tab"', "'tab' is given to both focus next and remove"),
    ('undo = "shift+tab"', "'shift+tab' is given to both focus previous and undo"),
])
def test_textual_s_own_keys_are_taken(keys: str, fragment: str) -> None:
    """`remove = "ctrl+p"` was accepted: the palette could no longer be opened;
    `remove = "tab"` left Remove without a key (Tab moves the focus)."""
    import tomllib

    from tui.keymap import check_config

    with pytest.raises(ConfigError, match=re.escape(fragment)):
        check_config(parse_config(tomllib.loads(f"[keys]\n{keys}\n")))
