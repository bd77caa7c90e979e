"""NLTK's Punkt, set up for news text (imported only when segmenting)."""

from __future__ import annotations

import re
from typing import Any

from nltk.tokenize import NLTKWordTokenizer
from nltk.tokenize import punkt as _punkt
from nltk.tokenize.punkt import (
    PunktLanguageVars,
    PunktParameters,
    PunktToken,
)

__all__ = [
    "LANG_VARS",
    "NLTKWordTokenizer",
    "NewsToken",
    "PunktParameters",
    "PunktSentenceTokenizer",
    "PunktTrainer",
    "installed_english_params",
]


def _plain(pattern: Any) -> Any:
    """The compiled pattern inside NLTK's ``redos.TimedPattern``, unwrapped.

    NLTK 3.10 routes every Punkt regex through a wrapper that adds a Python
    call and a wall-clock timeout to each match: ~40% of Punkt's time on
    news text. These are NLTK's own fixed patterns, not caller-supplied
    ones, so the ReDoS guard buys nothing here. The wrapped pattern is the
    same `regex` engine object, so matches (and so sentences and tokens)
    are exactly those of the wrapped one. Older NLTK: a plain pattern
    already, returned as is.
    """
    return getattr(pattern, "_rx", pattern)


class NewsLanguageVars(PunktLanguageVars):
    """English Punkt variables that know curly quotes and guillemets.

    Recent NLTK releases include these; older ones (still allowed by our
    ``nltk>=3.9``) do not, and then split `done.” He` between the period
    and the closing quote.
    """

    re_boundary_realignment = re.compile(
        r'["\')\]}\u2018\u2019\u201c\u201d\xab\xbb]+?(?:\s+|(?=--)|$)', re.MULTILINE
    )

    @property
    def _re_non_word_chars(self) -> str:
        return r"(?:[)\";}\]\*:@\'\({\[\u2018\u2019\u201c\u201d\xab\xbb?!])"

    # The same patterns NLTK builds, unwrapped once and kept on the instance.
    _plain_word_re: Any
    _plain_period_re: Any

    def _word_tokenizer_re(self) -> Any:
        try:
            return self._plain_word_re
        except AttributeError:
            self._plain_word_re = _plain(super()._word_tokenizer_re())
            return self._plain_word_re

    def word_tokenize(self, s: str) -> list[str]:
        return self._word_tokenizer_re().findall(s)  # type: ignore[no-any-return]

    def period_context_re(self) -> Any:
        try:
            return self._plain_period_re
        except AttributeError:
            self._plain_period_re = _plain(super().period_context_re())
            return self._plain_period_re


# NLTK's module-level pattern for `is_non_punct`; rebuilt the way NLTK
# built it (stdlib re) should a release rename it.
_NON_PUNCT = _plain(getattr(_punkt, "_re_non_punct", None) or re.compile(r"[^\W\d]"))


class NewsToken(PunktToken):
    """Punkt's token with its patterns unwrapped (see `_plain`)."""

    __slots__ = ()

    _RE_ELLIPSIS = _plain(PunktToken._RE_ELLIPSIS)
    _RE_NUMERIC = _plain(PunktToken._RE_NUMERIC)
    _RE_INITIAL = _plain(PunktToken._RE_INITIAL)
    _RE_ALPHA = _plain(PunktToken._RE_ALPHA)

    @property
    def is_non_punct(self) -> Any:
        return _NON_PUNCT.search(self.type)


# How many candidate-break contexts a tokenizer remembers (~100 bytes each).
DECISION_CACHE = 50_000


class PunktSentenceTokenizer(_punkt.PunktSentenceTokenizer):
    """NLTK's, with `NewsToken`s unless told otherwise, remembering decisions.

    Punkt decides each candidate break ("said. The", "Mr. Smith") by
    tokenizing and annotating that short context, which is most of its
    time; the decision depends only on the context and the parameters,
    which do not change after construction, and news text repeats its
    contexts. The memory is bounded: cleared when it holds `DECISION_CACHE`.
    """

    def __init__(self, train_text: Any = None, verbose: bool = False,
                 lang_vars: Any = None, token_cls: type = NewsToken) -> None:
        super().__init__(train_text, verbose, lang_vars, token_cls)
        self._decisions: dict[str, bool] = {}

    def text_contains_sentbreak(self, text: str) -> bool:
        decisions = self._decisions
        found = decisions.get(text)
        if found is None:
            if len(decisions) >= DECISION_CACHE:
                decisions.clear()
            found = decisions[text] = super().text_contains_sentbreak(text)
        return found


class PunktTrainer(_punkt.PunktTrainer):
    """NLTK's, with `NewsToken`s unless told otherwise."""

    def __init__(self, train_text: Any = None, verbose: bool = False,
                 lang_vars: Any = None, token_cls: type = NewsToken) -> None:
        super().__init__(train_text, verbose, lang_vars, token_cls)


LANG_VARS = NewsLanguageVars()


def installed_english_params() -> PunktParameters | None:
    """The English punkt_tab model if it is installed locally, else None.

    Never downloads: a missing model only means less to start from.
    """
    try:
        from nltk.tokenize.punkt import PunktTokenizer  # nltk >= 3.8.2

        return PunktTokenizer("english")._params
    except (LookupError, ImportError, OSError, ValueError):
        return None
