"""The styles of what an article pane draws: the cursor, the selection,
search matches, counterparts, suggestions, other layers, margin marks and
the label colours, as CSS component classes of a widget that draws nothing.

They lived on the panes, and Textual resolves every component class of a
widget each time the widget is restyled: as a pane gained or lost the focus
(Tab), for its border alone, and twice per pane at the start, ~1.7 ms each
time. Here they are resolved when the screen is styled (and again on a
change of theme), once for both panes. `generation` tells a pane that they
changed, so it draws its rows again.
"""

from __future__ import annotations

from rich.style import Style
from textual.widget import Widget

LABEL_STYLES = 8  # theme colours available to labels; more labels reuse them


class ArticleStyles(Widget):
    COMPONENT_CLASSES = {
        "article-view--cursor",
        "article-view--cursor-blurred",
        "article-view--selection",
        "article-view--match",
        "article-view--overlap",
        "article-view--counterpart",
        "article-view--suggestion",
        "article-view--other",
        "article-view--margin-other",
        "article-view--margin-unmatched",
        "article-view--margin-linked",
        "article-view--margin-counterpart",
        "article-view--margin-related",
        "article-view--margin-fuzzy",
        *(f"article-view--label-{i}" for i in range(LABEL_STYLES)),
    }

    DEFAULT_CSS = """
    ArticleStyles { display: none; }
    ArticleStyles > .article-view--cursor { background: $foreground; color: $background; }
    ArticleStyles > .article-view--cursor-blurred { background: $foreground 30%; }
    ArticleStyles > .article-view--selection { background: $foreground 25%; text-style: bold; }
    ArticleStyles > .article-view--match { text-style: bold underline; color: $text-warning; }
    ArticleStyles > .article-view--overlap { text-style: underline; }
    ArticleStyles > .article-view--counterpart { text-style: bold; color: $text-accent; }
    ArticleStyles > .article-view--suggestion { text-style: italic dim underline; }
    ArticleStyles > .article-view--other { text-style: dim underline; }
    ArticleStyles > .article-view--margin-other { color: $text-muted; text-style: bold; }
    ArticleStyles > .article-view--margin-unmatched { color: $warning; }
    ArticleStyles > .article-view--margin-linked { color: $accent; text-style: bold; }
    ArticleStyles > .article-view--margin-counterpart { color: $success; text-style: bold; }
    ArticleStyles > .article-view--margin-related { color: $secondary; text-style: bold; }
    ArticleStyles > .article-view--margin-fuzzy { color: $warning; text-style: bold; }
    /* Fixed hues, half over the theme's background: the theme's own
       colours repeat (textual-dark's warning and accent are one colour,
       so claim and speaker spans looked the same), and these stay apart in
       a 256-colour terminal too (tests/test_article_styles.py). */
    ArticleStyles > .article-view--label-0 { background: #e3a008 50%; }
    ArticleStyles > .article-view--label-1 { background: #3d8bfd 50%; }
    ArticleStyles > .article-view--label-2 { background: #2fb344 50%; }
    ArticleStyles > .article-view--label-3 { background: #ff2a2a 50%; }
    ArticleStyles > .article-view--label-4 { background: #a371f7 50%; }
    ArticleStyles > .article-view--label-5 { background: #1fb6c1 50%; }
    ArticleStyles > .article-view--label-6 { background: #e05fb0 50%; }
    ArticleStyles > .article-view--label-7 { background: #9aa82b 50%; }
    """

    generation = 0  # how many times its styles were resolved

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self.generation += 1

    def component_style(self, name: str, *, partial: bool = False) -> Style:
        """The style of `article-view--{name}`: whole (translucent colours
        blended over the background, as a pane's own would be) or partial
        (underline, bold: the colours beneath left alone)."""
        return self.get_component_rich_style(f"article-view--{name}", partial=partial)
