"""Emoji are drawn in the form terminals agree on; the text keeps every code point."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from rich.text import Text

from tui.terminal_width import agreed_cells, agreed_form, agreed_text

THUMB = "👍🏽"  # thumb + skin tone: tmux 3.3 draws 4 cells, Rich counts 2
HEART = "❤️"  # heart + emoji selector: tmux draws 1, Rich counts 2
CODER = "👩🏽\u200d💻"  # a skin tone inside a ZWJ sequence


def test_disputed_code_points_are_left_out_of_the_drawn_form() -> None:
    assert agreed_form(f"a {THUMB} b") == "a 👍 b"
    assert agreed_form(HEART) == "❤"
    assert agreed_form(CODER) == "👩\u200d💻"
    assert agreed_form("plain ascii") == "plain ascii"
    # What tmux 3.3a draws for each (measured by hand with cursor_x).
    assert agreed_cells(THUMB) == 2
    assert agreed_cells(HEART) == 1
    assert agreed_cells(CODER) == 2


def test_styles_stay_on_the_characters_they_were_given_to() -> None:
    line = Text(f"x {THUMB} y {HEART} z", end="")
    start = line.plain.index("y")
    line.stylize("bold", 2, 4)  # the thumb with its skin tone
    line.stylize("red", start, start + 1)
    drawn = agreed_text(line)
    assert drawn.plain == "x 👍 y ❤ z"
    bold = [drawn.plain[s.start:s.end] for s in drawn.spans if str(s.style) == "bold"]
    red = [drawn.plain[s.start:s.end] for s in drawn.spans if str(s.style) == "red"]
    assert bold == ["👍"] and red == ["y"]


def test_text_without_disputed_code_points_is_returned_as_it_is() -> None:
    line = Text("café 👨\u200d👩\u200d👧", end="")
    assert agreed_text(line) is line


@given(st.lists(st.sampled_from(["a", " ", "é", THUMB, HEART, CODER, "\ufe0f", "🏿"]),
                max_size=30).map("".join), st.data())
def test_a_style_covers_the_same_kept_characters_after_the_cut(text: str, data) -> None:
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    line = Text(text, end="")
    line.stylize("bold", start, end)
    drawn = agreed_text(line)
    assert drawn.plain == agreed_form(text)
    covered = "".join(drawn.plain[s.start:s.end] for s in drawn.spans)
    assert covered == agreed_form(text[start:end])


def test_lists_and_titles_draw_the_agreed_form_too() -> None:
    from tui.literal import literal, literal_content

    assert literal(f"[b]{THUMB}[/b]").plain == "[b]👍[/b]"
    assert literal_content(f"{HEART}.txt").plain == "❤.txt"
