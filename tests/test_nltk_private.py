"""The one place newsmark reaches into NLTK's private names (annotations/punkt.py).

NLTK offers no public way to skip its ReDoS timing wrapper around Punkt's
own fixed patterns (~40% of Punkt's time), so `punkt._plain` unwraps it.
The pin in pyproject.toml admits only releases checked here: should a
release rename what is unwrapped, these fail instead of Punkt silently
slowing down or splitting differently.
"""

from __future__ import annotations

import re

import nltk
import pytest
from nltk.tokenize import punkt as nltk_punkt

from annotations import punkt


def _is_plain(pattern: object) -> bool:
    # A compiled pattern of `re` or of the `regex` engine NLTK may use.
    return type(pattern).__name__ == "Pattern" and hasattr(pattern, "search")


def test_every_pattern_punkt_uses_is_unwrapped() -> None:
    patterns = [
        punkt._NON_PUNCT,
        punkt.NewsToken._RE_ELLIPSIS,
        punkt.NewsToken._RE_NUMERIC,
        punkt.NewsToken._RE_INITIAL,
        punkt.NewsToken._RE_ALPHA,
        punkt.LANG_VARS._word_tokenizer_re(),
        punkt.LANG_VARS.period_context_re(),
    ]
    assert all(_is_plain(p) for p in patterns), [type(p) for p in patterns]


def test_unwrapped_patterns_match_as_nltk_s_own() -> None:
    text = "Mr. Smith paid $4.50 at 3 p.m. ... on Jan. 5, then left."
    ours = punkt.LANG_VARS.word_tokenize(text)
    theirs = nltk_punkt.PunktLanguageVars().word_tokenize(text)
    assert ours == theirs
    wrapped = getattr(nltk_punkt, "_re_non_punct", None)
    assert wrapped is not None, "NLTK renamed _re_non_punct: check annotations/punkt.py"
    for word in ["word", "123", "...", "x1", "é"]:
        assert bool(punkt._NON_PUNCT.search(word)) == bool(wrapped.search(word))


def test_the_pin_admits_only_checked_releases() -> None:
    major, minor = (int(part) for part in nltk.__version__.split(".")[:2])
    assert (major, minor) in {(3, 9), (3, 10)}, nltk.__version__


@pytest.mark.parametrize("pattern", [re.compile("x")])
def test_a_plain_pattern_is_returned_as_is(pattern) -> None:
    assert punkt._plain(pattern) is pattern
