"""Tests of annotations.cleaning: sanitize and clean_article."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from annotations import cleaning
from annotations.cleaning import clean_article, iso_date, sanitize, unwrap_emphasis

# Shortened paraphrases (our own words) of the two scraped seed articles, with
# their debris kept exactly in shape: an inline dateline, *emphasis*, runs of
# blank lines and a stray banner at the end; a banner, title and standfirst at
# the top, an outlet signature, "Comments are closed." and a cookie notice.
WIRE_SEED = (
    " date 2024-11-16 (MENAFN) Several European governments now quietly favour talks that"
    " could trade land for a ceasefire, the *Washington Post* reports, though Kyiv still"
    " refuses. Allies have sent large amounts of aid since 2022.\n"
    "\n\n\n"
    "The change reflects a hard winter at the front and doubts about future US support."
    " Ideas once called fringe are now discussed openly by officials.\n"
    "\n\n\n"
    "Moscow has set its own conditions, including a Ukrainian withdrawal and neutrality.\n"
    "\n"
    "Jesus' Coming Back\n"
)

PORTAL_SEED = (
    "Jesus' Coming Back\n"
    "\n"
    "West weighs \u2018land for peace\u2019 in Ukraine, paper says\n"
    "\n"
    "Setbacks on the battlefield and a US election have reportedly moved allies towards talks\n"
    "\n"
    "European NATO members increasingly expect a negotiated end to the war that would cost"
    " Ukraine territory, according to the Washington Post, though Kiev is opposed.\n"
    "\n"
    "\u201cIt\u2019s not fringe any more,\u201d one official told the paper.\n"
    "\n"
    "Moscow stated its own terms earlier this year, among them neutrality for Ukraine.\n"
    "\n"
    "Russia Today\n"
    "\n"
    "Comments are closed.\n"
    "\n"
    "This website uses cookies to improve your experience. We'll assume you're ok with"
    " this, but you can opt-out if you wish. Accept Read More"
)

BODY = (
    "The council voted on Tuesday to remove the old dam, ending ten years of argument"
    " about the river and its fish."
)
BODY2 = "Work will begin in the spring, officials said, if the state grant is approved in time."


def clean(text: str) -> str:
    return clean_article(text).text


# --- sanitize ------------------------------------------------------------------------


def test_sanitize_turns_escape_sequences_into_visible_pictures() -> None:
    out = sanitize("a\x1b[2J\x1b]0;pwned\x07b")
    assert "\x1b" not in out and "\x07" not in out
    assert out == "a\u241b[2J\u241b]0;pwned\u2407b"


def test_sanitize_replaces_c1_controls_including_single_byte_csi() -> None:
    assert sanitize("x\x9b31my\x90z") == "x\ufffd31my\ufffdz"


def test_sanitize_shows_del_and_nul() -> None:
    assert sanitize("a\x7fb\x00c") == "a\u2421b\u2400c"


def test_sanitize_keeps_tabs_and_newlines() -> None:
    assert sanitize("a\tb\nc") == "a\tb\nc"


@pytest.mark.parametrize("newline", ["\r\n", "\r", "\u2028", "\u2029", "\x85"])
def test_sanitize_normalises_newlines(newline: str) -> None:
    assert sanitize(f"one{newline}two{newline}{newline}three") == "one\ntwo\n\nthree"


def test_sanitize_strips_only_a_leading_bom() -> None:
    assert sanitize("\ufeffhello\ufeff") == "hello\ufeff"


def test_sanitize_leaves_markup_alone() -> None:
    assert sanitize("[bold]not bold[/bold]") == "[bold]not bold[/bold]"


def test_sanitize_keeps_length_without_newline_changes() -> None:
    text = "é\x1b\x9b\x7f\x01“”…"
    assert len(sanitize(text)) == len(text)


_C0_C1 = (
    {chr(c) for c in range(0x20)} - {"\n", "\t"} | {chr(0x7F)} | {chr(c) for c in range(0x80, 0xA0)}
)


@given(st.text())
def test_sanitize_never_outputs_controls(text: str) -> None:
    out = sanitize(text)
    assert not _C0_C1 & set(out)
    assert "\r" not in out and "\u2028" not in out and "\u2029" not in out


@given(st.text(alphabet=st.sampled_from(["a", " ", "\n", "\r", "\u2028", "\u2029", "\x85"])))
def test_sanitize_newlines_as_the_import_offsets_count_them(text: str) -> None:
    # Import moves offsets by `_NEWLINES` matches; sanitize must replace exactly those.
    from annotations.cleaning import _NEWLINES

    assert sanitize(text) == _NEWLINES.sub("\n", text)


@given(st.text(alphabet=st.sampled_from(["a", "b", " ", "\t", "\n", "\u3000"])),
       st.integers(0, 6))
def test_word_count_threshold_matches_a_full_split(line: str, count: int) -> None:
    from annotations.cleaning import _more_words_than, _words

    assert _more_words_than(line, count) == (_words(line) > count)


# --- clean_article: whitespace and emphasis ---------------------------------------------


def test_blank_line_runs_collapse_and_lines_are_stripped() -> None:
    text = f"\n\n  {BODY}  \n\n\n\n\t{BODY2}\t\n\n\n"
    assert clean(text) == f"{BODY}\n\n{BODY2}"


def test_hard_wrapped_lines_stay_separate() -> None:
    text = f"{BODY}\nand it went on to a second line.\n\n{BODY2}"
    assert clean(text) == text


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("the *Washington Post* said", "the Washington Post said"),
        ("a **very** big _deal_ and __more__", "a very big deal and more"),
        ("2 * 3 = 6", "2 * 3 = 6"),
        ("a lone * star", "a lone * star"),
        ("snake_case_name and 2*3*4", "snake_case_name and 2*3*4"),
        ("*U.S.* officials", "U.S. officials"),
    ],
)
def test_unwrap_emphasis(line: str, expected: str) -> None:
    assert unwrap_emphasis(line) == expected


# --- boilerplate ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        "Comments are closed.",
        "This website uses cookies to improve your experience. Accept Read More",
        "We use cookies to personalise content. By continuing to use this site you agree"
        " to our use of cookies and our privacy policy.",
        "Subscribe to our newsletter",
        "Sign up for our newsletter",
        "Share this article",
        "Read more: Council approves budget",
        "© 2024 Example News. All rights reserved.",
        "Copyright 2023 The Daily Example",
        "Advertisement",
        "Follow us on Facebook and X",
        "Click here to read the full report",
        "Facebook Twitter WhatsApp Email",
        "Share | Tweet | Email",
    ],
)
def test_boilerplate_lines_are_dropped(line: str) -> None:
    result = clean_article(f"{BODY}\n\n{line}\n\n{BODY2}")
    assert result.text == f"{BODY}\n\n{BODY2}"
    assert result.removed == [line]


def test_long_sentences_mentioning_boilerplate_words_are_kept() -> None:
    line = (
        "Read more: the council said that a full report on the dam would be published"
        " before the end of the month."
    )
    assert clean(f"{BODY}\n\n{line}\n\n{BODY2}") == f"{BODY}\n\n{line}\n\n{BODY2}"


def test_short_copyright_sentence_without_a_year_is_kept() -> None:
    text = f"{BODY}\n\nCopyright is a thorny issue.\n\n{BODY2}"
    assert clean(text) == text


# --- dateline and byline ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dateline", "date", "source"),
    [
        ("date 2024-11-16 (MENAFN) ", "2024-11-16", "MENAFN"),
        ("WASHINGTON, Nov 16 (Reuters) - ", "Nov 16", "Reuters"),
        ("WASHINGTON, Nov. 16, 2024 (Reuters) - ", "2024-11-16", "Reuters"),
        ("KYIV, Ukraine (AP) \u2014 ", None, "AP"),
        ("(MENAFN) ", None, "MENAFN"),
    ],
)
def test_dateline_becomes_metadata(dateline: str, date: str | None, source: str) -> None:
    result = clean_article(f"{dateline}{BODY}\n\n{BODY2}")
    assert (result.date, result.source) == (date, source)
    assert result.text == f"{BODY}\n\n{BODY2}"
    assert result.removed == [dateline.strip()]


def test_parenthesis_in_body_is_not_a_dateline() -> None:
    text = f"NATO (North Atlantic Treaty Organization) members met. {BODY}\n\n{BODY2}"
    result = clean_article(text)
    assert result.text == text and result.source is None


@pytest.mark.parametrize(
    ("raw", "iso"),
    [
        ("2024-11-16", "2024-11-16"),
        ("Nov. 16, 2024", "2024-11-16"),
        ("16 November 2024", "2024-11-16"),
        ("Sept 3, 2024", "2024-09-03"),
        ("Nov 16", "Nov 16"),
    ],
)
def test_iso_date(raw: str, iso: str) -> None:
    assert iso_date(raw) == iso


def test_byline_is_dropped_and_kept_as_metadata() -> None:
    result = clean_article(f"Dam vote splits the council\n\nBy Jane Doe\n\n{BODY}\n\n{BODY2}")
    assert result.byline == "Jane Doe"
    assert "By Jane Doe" in result.removed
    assert result.text == f"Dam vote splits the council\n\n{BODY}\n\n{BODY2}"


# --- banners, titles, signatures -------------------------------------------------------------


def test_banner_then_title_then_standfirst() -> None:
    text = (
        f"Weekend Guide\n\nDam vote splits the council\n\nA long row ends in a close vote\n\n{BODY}"
    )
    result = clean_article(text)
    assert result.title == "Dam vote splits the council"
    assert result.text.startswith("Dam vote splits the council\n\nA long row ends")
    assert result.removed == ["Weekend Guide"]


def test_single_heading_is_the_title() -> None:
    result = clean_article(f"Dam vote splits the council\n\n{BODY}")
    assert result.title == "Dam vote splits the council"
    assert result.text == f"Dam vote splits the council\n\n{BODY}"


def test_no_heading_no_title() -> None:
    assert clean_article(f"{BODY}\n\n{BODY2}").title is None


def test_signature_at_end_becomes_source() -> None:
    result = clean_article(f"{BODY}\n\n{BODY2}\n\nReuters")
    assert result.source == "Reuters"
    assert result.text == f"{BODY}\n\n{BODY2}"


def test_trailing_banner_after_dateline_source_is_dropped_not_a_source() -> None:
    result = clean_article(f"(MENAFN) {BODY}\n\nWeekend Guide")
    assert result.source == "MENAFN"
    assert result.removed == ["(MENAFN)", "Weekend Guide"]


def test_long_punctuated_last_line_is_never_dropped() -> None:
    text = f"{BODY}\n\n{BODY2}"
    assert clean(text) == text


@pytest.mark.parametrize(
    "last",
    [
        "\u201cWe will rebuild,\u201d she said",
        '"We will rebuild," she said',
        "Prices rose 4 percent",
        "Two people died",
        "Zelensky rejected it",
        "Police are investigating",
        "Kyiv said no",
        "Turnout 62%",
    ],
)
def test_last_paragraph_without_full_stop_is_article_text(last: str) -> None:
    """A scraped last paragraph often lacks its full stop: it is not furniture."""
    text = f"{BODY}\n\n{last}"
    result = clean_article(text)
    assert result.text == text
    assert result.removed == []


@pytest.mark.parametrize("furniture", ["Reuters", "Russia Today", "Weekend Guide",
                                       "Jesus\u2019 Coming Back", "MORE FROM THIS SECTION"])
def test_trailing_page_furniture_is_still_dropped(furniture: str) -> None:
    result = clean_article(f"{BODY}\n\n{BODY2}\n\n{furniture}")
    assert result.text == f"{BODY}\n\n{BODY2}"
    assert result.removed == [furniture]


def test_prose_before_trailing_furniture_stays() -> None:
    result = clean_article(f"{BODY}\n\nTwo people died\n\nReuters")
    assert result.text == f"{BODY}\n\nTwo people died"
    assert result.source == "Reuters"


def test_trailing_list_is_content_not_debris() -> None:
    items = "\n".join(["Mill Lane", "River Road", "Harbour Street", "Station Way"])
    text = f"{BODY}\n\n{items}"
    assert clean(text) == text


# --- the seed articles (paraphrased) -------------------------------------------------------


def test_wire_seed() -> None:
    result = clean_article(sanitize(WIRE_SEED))
    assert (result.title, result.source, result.date) == (None, "MENAFN", "2024-11-16")
    paragraphs = result.text.split("\n\n")
    assert len(paragraphs) == 3
    assert paragraphs[0].startswith("Several European governments")
    assert "the Washington Post reports" in paragraphs[0]
    assert paragraphs[-1].startswith("Moscow has set its own conditions")
    assert "Jesus" not in result.text


def test_portal_seed() -> None:
    result = clean_article(sanitize(PORTAL_SEED))
    assert result.title == "West weighs \u2018land for peace\u2019 in Ukraine, paper says"
    assert result.source == "Russia Today"
    assert result.date is None
    paragraphs = result.text.split("\n\n")
    assert paragraphs[0] == result.title
    assert paragraphs[1].startswith("Setbacks on the battlefield")
    assert paragraphs[-1].startswith("Moscow stated its own terms")
    for debris in ("Jesus", "Russia Today", "Comments are closed", "cookies"):
        assert debris not in result.text
    assert len(result.removed) == 4


# --- properties ------------------------------------------------------------------------------

_article_text = st.lists(
    st.one_of(
        st.text(max_size=80),
        st.sampled_from(
            [
                "",
                " ",
                "\r",
                "\t",
                "Comments are closed.",
                "Reuters",
                "(AP) - ",
                "*x*",
                "By Jane Doe",
                BODY,
            ]
        ),
    ),
    max_size=20,
).map("\n".join)


@given(_article_text)
def test_clean_article_output_is_tidy(text: str) -> None:
    for candidate in (text, sanitize(text)):
        out = clean_article(candidate).text
        assert "\n\n\n" not in out
        assert out == out.strip()
        for line in out.split("\n"):
            assert line == line.strip()


def test_cleaning_keeps_unicode_normalisation_form() -> None:
    # Offsets index the text as shown: cleaning must not renormalise it.
    decomposed = unicodedata.normalize("NFD", "Café society met on Tuesday to discuss it all.")
    assert clean(decomposed) == decomposed


# The fast paths (issue 18, start-up) against the plain rules they stand for.
_TEXTISH = st.text(alphabet=st.sampled_from(
    list("ab .,*_\n\t ") + ["\u00a0", "\u2028", "\x1b", "\x85", "\u202e", "\u200f", "é", "“"]),
    max_size=60)


@given(_TEXTISH, st.booleans())
def test_neutralise_is_the_table_applied(text: str, one_line: bool) -> None:
    from annotations.cleaning import _CONTROL_TABLE, _ONE_LINE_TABLE, neutralise

    table = _ONE_LINE_TABLE if one_line else _CONTROL_TABLE
    assert neutralise(text, one_line=one_line) == text.translate(table)


@given(_TEXTISH)
def test_joined_lines_are_the_lines_joined(text: str) -> None:
    from annotations.cleaning import _BLANK_RUNS, _Cleaner

    cleaner = _Cleaner(text)
    expected = _BLANK_RUNS.sub("\n\n", "\n".join(cleaner.lines).strip("\n"))
    assert cleaner.joined() == expected
    if cleaner.content():
        cleaner.drop(cleaner.content()[0])
        expected = _BLANK_RUNS.sub("\n\n", "\n".join(cleaner.lines).strip("\n"))
        assert cleaner.joined() == expected


@given(st.lists(st.sampled_from(list("DdAaTtEe(): -—,0123456789İıK") + [
    "Nov ", "2024-11-16", "Reuters", "WASHINGTON", "date ", "DATE: "]), max_size=12).map("".join))
def test_datelines_are_looked_for_only_where_one_can_be(line: str) -> None:
    from annotations.cleaning import _datelines, _match_dateline

    direct = next((m for m in (p.match(line) for p in _datelines())
                   if m and (m.group("date") or m.group("source"))), None)
    found = _match_dateline(line)
    assert (found and found.group(0)) == (direct and direct.group(0))


def test_rare_expressions_are_compiled_only_when_a_text_needs_them() -> None:
    # Compiling them costs the start ~1.6 ms; most articles need none.
    lazy = (cleaning._byline, cleaning._signature, cleaning._needs_replacing)
    for compiled in lazy:
        compiled.cache_clear()
    plain = ("Fuel prices rose.\n\nThe mayor said the levy would stay for a year at least, "
             "and then the council would review it.")
    assert clean_article(sanitize(plain)).text == plain
    assert [compiled.cache_info().currsize for compiled in lazy] == [0, 0, 0]
    article = "Fuel prices\n\nBy Jane Doe\n\nThe\x1b mayor spoke.\n\nThe Herald"
    found = clean_article(sanitize(article))
    assert (found.byline, found.source, found.text) == (
        "Jane Doe", "The Herald", "Fuel prices\n\nThe\u241b mayor spoke.")
    assert [compiled.cache_info().currsize for compiled in lazy] == [1, 1, 1]
