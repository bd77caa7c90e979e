"""Labels per project: newsmark.toml beside the store or --config, in the app too."""

from __future__ import annotations

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


def test_defaults_are_claim_quote_terms_opinion_on_1_to_4(tmp_path: Path) -> None:
    config = load_config(None, tmp_path / ".newsmark")
    assert [(lab.name, lab.key) for lab in config.labels] == [
        ("claim", "1"), ("quote", "2"), ("terms", "3"), ("opinion", "4")]
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
])
def test_a_wrong_label_set_is_refused_in_plain_words(labels: str, fragment: str) -> None:
    import tomllib

    with pytest.raises(ConfigError, match=fragment):
        parse_config(tomllib.loads(labels))


def test_config_option_reaches_the_reader(tmp_path: Path, article_paths, monkeypatch) -> None:
    import tui.app

    seen = []

    class FakeApp:
        return_code = 0

        def __init__(self, workspace, notices=(), **options) -> None:  # type: ignore[no-untyped-def]
            seen.append(workspace)

        def run(self) -> None:
            pass

    monkeypatch.setattr(tui.app, "NewsmarkApp", FakeApp)
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
