"""NLTK's Punkt, set up for news text (imported only when segmenting)."""

from __future__ import annotations

import re

from nltk.tokenize import NLTKWordTokenizer
from nltk.tokenize.punkt import (
    PunktLanguageVars,
    PunktParameters,
    PunktSentenceTokenizer,
    PunktTrainer,
)

__all__ = [
    "LANG_VARS",
    "NLTKWordTokenizer",
    "PunktParameters",
    "PunktSentenceTokenizer",
    "PunktTrainer",
    "installed_english_params",
]


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
