"""The spans' styles live on one widget: Tab does not resolve them again,
a change of theme does, and the panes draw their rows again with them."""

from __future__ import annotations

from textual.css.stylesheet import Stylesheet

from tests.test_cursor_in_view import calls_to
from tui.app import NewsmarkApp
from tui.article_styles import ArticleStyles
from tui.article_view import ArticleView


async def test_tab_does_not_resolve_the_span_styles_again(make_workspace, monkeypatch) -> None:
    app = NewsmarkApp(make_workspace())
    async with app.run_test(size=(140, 36)) as pilot:
        await pilot.pause()
        resolved = calls_to(monkeypatch, Stylesheet, "_process_component_classes")
        generation = app.query_one(ArticleStyles).generation
        await pilot.press("tab")
        await pilot.pause()
        assert app.focused is app.query_one("#pane-1")
        assert app.query_one(ArticleStyles).generation == generation
        # The panes have no component styles of their own to resolve; the
        # lists' few are all that a change of focus costs.
        assert len(resolved) <= 4


async def test_a_new_theme_redraws_the_spans_in_its_colours(make_workspace) -> None:
    app = NewsmarkApp(make_workspace())
    async with app.run_test(size=(140, 36)) as pilot:
        await pilot.pause()
        view = app.query_one("#pane-0", ArticleView)
        row = round(view._row_of(view.cursor) - view.scroll_y)
        before = view.render_line(row)
        app.theme = "textual-light" if app.theme != "textual-light" else "textual-dark"
        await pilot.pause()
        after = view.render_line(row)
        assert view._component("cursor") == app.query_one(ArticleStyles).component_style("cursor")
        assert list(before) != list(after)  # the cursor's row, in the new colours


async def test_every_label_has_its_own_colour_in_true_and_256_colours(make_workspace) -> None:
    """claim and speaker were one colour (the default theme's warning and
    accent are equal), and quote and terms one in a 256-colour terminal."""
    from rich.color import ColorSystem

    from tui.article_styles import LABEL_STYLES

    app = NewsmarkApp(make_workspace())
    async with app.run_test(size=(140, 36)) as pilot:
        for theme in ("textual-dark", "textual-light"):
            app.theme = theme
            await pilot.pause()
            styles = app.query_one(ArticleStyles)
            backgrounds = [styles.component_style(f"label-{i}").bgcolor
                           for i in range(LABEL_STYLES)]
            assert all(colour is not None for colour in backgrounds)
            assert len({c.triplet for c in backgrounds}) == LABEL_STYLES, theme
            eight_bit = {c.downgrade(ColorSystem.EIGHT_BIT).number for c in backgrounds}
            assert len(eight_bit) == LABEL_STYLES, (theme, eight_bit)
