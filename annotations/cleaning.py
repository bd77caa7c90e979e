"""Turning scraped article text into the text a person annotates.

Two steps, both pure functions:

* `sanitize` makes any text safe to draw in a terminal: one newline
  convention, and no character that a terminal would obey (ESC starts
  cursor moves, colour changes, even title rewrites) instead of showing.
* `clean_article` removes scraping debris (cookie notices, share buttons,
  banners, outlet signatures) and lifts the dateline, byline and title into
  metadata, so that annotators see only the article.

`clean_article` is deliberately conservative: losing a sentence of the
article is worse than leaving a stray line in, so no rule ever drops a line
that ends like a sentence and is longer than `_PROTECTED_WORDS` words.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

# --- sanitize ---------------------------------------------------------------

_BOM = "\ufeff"
# Line and paragraph separators and NEL: some editors and terminals treat
# them as line breaks, others do not, so offsets would disagree.
_NEWLINES = re.compile("\r\n|[\r\u2028\u2029\u0085]")
_KEEP_CONTROLS = frozenset("\n\t")


def _control_table() -> dict[int, str]:
    """C0 controls and DEL show as their Control Pictures; C1 as U+FFFD.

    One character in, one character out, so the text keeps its length.
    """
    table: dict[int, str] = {
        code: chr(0x2400 + code) for code in range(0x20) if chr(code) not in _KEEP_CONTROLS
    }
    table[0x7F] = "\u2421"
    # C1 controls have no pictures; 0x9B alone is a CSI on some terminals.
    table.update({code: "\ufffd" for code in range(0x80, 0xA0)})
    # Bidi embeddings, overrides and isolates (LRE RLE PDF LRO RLO, LRI RLI
    # FSI PDI) reorder how the text *looks* without changing what it is:
    # "Trojan Source" (CVE-2021-42574) uses them to make a span read as
    # something else, so an annotator would tag text that says otherwise.
    # U+FFFD shows that something was there. (LRM/RLM marks stay: they only
    # nudge neutral characters and are common in Arabic and Hebrew text.)
    table.update({code: "\ufffd" for code in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))})
    return table


_CONTROL_TABLE = _control_table()


# The newlines `_NEWLINES` replaces besides "\r\n" and "\r".
_OTHER_NEWLINES = ("\u2028", "\u2029", "\u0085")


def sanitize(text: str) -> str:
    """Normalise newlines to `\\n` and neutralise terminal control characters."""
    if text.startswith(_BOM):
        text = text[1:]
    # `in` and `replace` are C scans; the regex is ~8 ms per MB even when
    # there is nothing to replace, which is the usual case.
    if "\r" in text:  # one character is a faster scan than "\r\n"
        text = text.replace("\r\n", "\n").replace("\r", "\n")  # "\r\n" first, as the regex
    for newline in _OTHER_NEWLINES:
        if newline in text:
            text = text.replace(newline, "\n")
    return neutralise(text)


# On one line (a title, a list row, a notification) a line break or a tab
# would break the layout: they are shown as their Control Pictures too.
_ONE_LINE_TABLE = {**_CONTROL_TABLE, 0x0A: "\u240a", 0x09: "\u2409",
                   0x2028: "\u240a", 0x2029: "\u240a"}


@functools.cache
def _needs_replacing(one_line: bool) -> re.Pattern[str]:
    """Any character the table replaces: a C-speed scan, where str.translate
    walks every character in Python's slow path (0.08 s/MB). Compiled when a
    text first has a character that is not printable (~0.5 ms for both, that
    most starts need not pay)."""
    table = _ONE_LINE_TABLE if one_line else _CONTROL_TABLE
    return re.compile("[" + "".join(re.escape(chr(code)) for code in sorted(table)) + "]")


def neutralise(text: str, *, one_line: bool = False) -> str:
    """Terminal control, C1 and bidi characters replaced by visible symbols.

    One character in, one character out: offsets into the text stay right.
    With `one_line`, line breaks and tabs are shown as symbols as well.
    Used for article text (through `sanitize`) and for every other
    untrusted text put on screen: file names, queries, notes, annotators.
    """
    table = _ONE_LINE_TABLE if one_line else _CONTROL_TABLE
    # Every character either table replaces is non-printable (Cc, Cf, Zl, Zp),
    # and `isprintable` is a C scan ~2x faster than the regex's: an article
    # with nothing to replace (the usual case) needs only that. Line breaks
    # are not printable either, but kept as they are unless `one_line`.
    if one_line:
        if text.isprintable():
            return text
    elif text.replace("\n", " ").isprintable():
        return text
    if _needs_replacing(one_line).search(text) is None:
        return text
    return text.translate(table)


# --- clean_article: result ----------------------------------------------------


@dataclass(slots=True)
class CleanedArticle:
    """An article's text as shown to annotators, and what was taken out of it."""

    text: str
    title: str | None = None
    source: str | None = None
    date: str | None = None
    byline: str | None = None
    removed: list[str] = field(default_factory=list)


# --- line shapes ----------------------------------------------------------------

# A line ending like a sentence and longer than this is never dropped.
_PROTECTED_WORDS = 12
# Headlines and standfirsts are rarely longer than this.
_HEADING_WORDS = 20
# Stray lines after the body (signatures, banners) are this short at most.
_STRAY_WORDS = 8
# More trailing unpunctuated lines than this is content (a list), not debris.
_MAX_TRAILING_DEBRIS = 3

_CLOSERS = "\"'”’»)]"
_SENTENCE_END = ".!?…:;"
_LIST_ITEM = re.compile(r"^(?:[-*•–]\s|\d+[.)]\s)")


def _words(line: str) -> int:
    return len(line.split())


def _more_words_than(line: str, count: int) -> bool:
    """`_words(line) > count`, splitting off no more than count + 1 words.

    Every paragraph of an article meets this test, and most are long.
    """
    return len(line.split(None, count)) > count


def _ends_sentence(line: str) -> bool:
    """Whether the line ends in sentence punctuation (closing quotes ignored)."""
    core = line.rstrip(_CLOSERS)
    return bool(core) and core[-1] in _SENTENCE_END


def _is_heading(line: str) -> bool:
    """A headline, standfirst or banner: short, and not ending like a sentence.

    Headlines may end in ? or !, so only . : ; … count against them here.
    """
    if not line or _more_words_than(line, _HEADING_WORDS) or _LIST_ITEM.match(line):
        return False
    core = line.rstrip(_CLOSERS)
    return bool(core) and core[-1] not in ".:;…"


def _is_stray(line: str) -> bool:
    """A short line with no sentence punctuation that is not a list item."""
    return (
        bool(line)
        and _words(line) <= _STRAY_WORDS
        and not _ends_sentence(line)
        and not _LIST_ITEM.match(line)
    )


@functools.cache
def _signature() -> re.Pattern[str]:
    """Compiled when a short line without a full stop ends an article (~0.3 ms)."""
    return re.compile(
        r"^[A-Z][\w&.'’-]*(?:\s+(?:[A-Z][\w&.'’-]*|of|the|and|&|de|du|la|al)){0,3}$"
    )


def _is_signature(line: str) -> bool:
    """An outlet's name on its own line: 1-4 capitalised words, no sentence."""
    return bool(_signature().match(line)) and not _ends_sentence(line)


def _is_trailing_furniture(line: str) -> bool:
    """A short line after the body that can only be page furniture.

    An outlet's name ("Reuters", "Russia Today") or a banner ("Weekend
    Guide", "Jesus' Coming Back"): a few capitalised words and nothing else.
    Running text always has a lower-case word, a digit or a quotation mark
    ("Prices rose 4 percent", "\"We will rebuild,\" she said"), and a
    scraped last paragraph often lacks its full stop: dropping it would
    lose a sentence of the article without a trace.
    """
    return _is_stray(line) and _is_signature(line) and not _HAS_DIGIT.search(line)


_HAS_DIGIT = re.compile(r"\d")


# --- boilerplate --------------------------------------------------------------

# Consent notices are recognised by how they open, which no article sentence
# does, so they are dropped even when long and punctuated.
_CONSENT = (
    r"^(?:this (?:web)?site uses cookies|(?:our|this) (?:web)?site uses cookies"
    r"|we (?:use|value) (?:cookies|your privacy)|by (?:continuing to (?:use|browse)|using) "
    r"(?:this|our) (?:web)?site|(?:accept|manage|reject) (?:all )?cookies"
    r"|cookie (?:policy|settings|preferences|notice|consent))\b"
)

# Whole-line boilerplate, matched case-insensitively against the full line:
_BOILERPLATE_PATTERNS = [
    r"comments? are (?:closed|disabled)\.?",
    r"(?:leave|post|add) a comment\.?|\d+ comments?|show comments|jump to comments",
    r"advertisement|advertising|sponsored(?: content)?|ad|scroll to continue.*",
    r"advertisement\W+scroll to continue.*",
    # "Share this article", "Share on Facebook", "Share:"
    r"share(?: this)?(?: article| story| post| page)?(?: on \w+)?\s*:?",
    r"(?:read more|related(?: articles| stories| content)?|see also|also read|more on this"
    r"(?: story)?|you may also like|recommended(?: for you)?|tags|topics)\s*(?::.*)?",
    r"(?:subscribe|sign up|register)\b.{0,80}\b(?:newsletter|inbox|updates|alerts|today"
    r"|now|free|channel)\b.*",
    r"(?:subscribe|sign up)(?: now| today| here)?[.!]?",
    r".{0,60}\ball rights reserved\b.*",
    # a copyright notice names a year; "Copyright is a thorny issue." stays
    r"(?:©|\(c\)).{0,100}|copyright\s*(?:©|\(c\))?\s*\d{4}.{0,100}",
    r"follow us\b.{0,80}",
    r"click here\b.{0,120}",
    r"(?:print|email|e-mail)(?: this)?(?: article| story| page)?",
    r"(?:loading|loading\.\.\.|please enable javascript.*)",
]


@functools.cache
def _furniture() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """The consent and whole-line boilerplate patterns, compiled when the first
    article is cleaned (~1.5 ms): the reader's start imports this module, but
    its first articles are cleaned in another process (annotations/prefetch.py)."""
    boilerplate = "|".join(f"(?:{p})" for p in _BOILERPLATE_PATTERNS)
    return re.compile(_CONSENT, re.IGNORECASE), re.compile(boilerplate, re.IGNORECASE)

# A row of social buttons: nothing but network names and separators.
_SOCIAL_WORDS = frozenset(
    "facebook twitter x linkedin whatsapp telegram reddit pinterest email e-mail print "
    "share tweet copy link vk flipboard mastodon bluesky threads messenger".split()
)
_SOCIAL_SPLIT = re.compile(r"[\s|•·,/]+")


def _is_social_row(line: str) -> bool:
    words = [w for w in _SOCIAL_SPLIT.split(line.lower()) if w]
    return len(words) >= 2 and all(w in _SOCIAL_WORDS for w in words)


def is_boilerplate(line: str) -> bool:
    """Whether a (stripped) line is site furniture rather than article text."""
    consent, boilerplate = _furniture()
    if consent.match(line):
        return True
    # A line ending like a sentence, longer than _PROTECTED_WORDS, is kept
    # (inline: this runs on every line of the article).
    core = line.rstrip(_CLOSERS)
    if core and core[-1] in _SENTENCE_END and len(line.split(None, _PROTECTED_WORDS)) > (
        _PROTECTED_WORDS
    ):
        return False
    return bool(boilerplate.fullmatch(line)) or _is_social_row(line)


# --- dateline, byline ------------------------------------------------------------

_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
_DATE = (
    rf"(?:\d{{4}}-\d{{2}}-\d{{2}}|{_MONTH}\s+\d{{1,2}}(?:,?\s+\d{{4}})?"
    rf"|\d{{1,2}}\s+{_MONTH}(?:\s+\d{{4}})?)"
)
_SOURCE = r"[A-Z][\w&.'’ -]{0,39}"
_DASH = r"\s*(?:[-–—]+\s*)?"
# Three shapes a dateline takes at the start of an article (compiled when
# first needed, see `_match_dateline`: ~1.7 ms that most starts need not pay):
_DATELINE_PATTERNS = [
    # a scraper's label: "date 2024-11-16 (MENAFN) "
    (rf"^date:?\s+(?P<date>{_DATE})\s*(?:\((?P<source>{_SOURCE})\))?{_DASH}", re.I),
    # wire style: "WASHINGTON, Nov 16 (Reuters) - ", "KYIV, Ukraine (AP) — "; the dash
    # is required, or "NATO (North Atlantic Treaty Organization) ..." would match
    (
        rf"^(?P<place>[A-Z][A-Z'’.-]+(?:\s+[A-Z][A-Z'’.-]+)*(?:,\s*[A-Z][a-z]+)?)"
        rf"(?:,\s*(?P<date>{_DATE}))?\s*\((?P<source>{_SOURCE})\)\s*[-–—]+\s*", 0
    ),
    # bare: "(MENAFN) ", "2024-11-16 (CNN) — "
    (rf"^(?:(?P<date>{_DATE})\s*)?\((?P<source>{_SOURCE})\){_DASH}", 0),
]


@functools.cache
def _datelines() -> list[re.Pattern[str]]:
    return [re.compile(pattern, flags) for pattern, flags in _DATELINE_PATTERNS]
_DATE_FORMATS = ("%Y-%m-%d", "%b %d %Y", "%B %d %Y", "%d %b %Y", "%d %B %Y")

_BYLINE = (
    r"^(?:written |reported )?by\s+(?P<name>[A-Z][\w.'’-]*(?:\s+(?:[A-Z][\w.'’-]*|and|&|de|van"
    r"|von|der|al|bin)){0,7}(?:\s*[,|]\s*[\w .'’&-]{1,40})?)$"
)
# How a byline can start: "by", "written by", "reported by". Under
# IGNORECASE only I, S and K have non-ASCII forms (İ, ı, ſ, K), so a line
# whose first two characters lower to none of these cannot match.
_BYLINE_STARTS = ("by", "wr", "re")


@functools.cache
def _byline() -> re.Pattern[str]:
    """Compiled when a line before the body starts like a byline (~0.7 ms)."""
    return re.compile(_BYLINE, re.IGNORECASE)


def _match_byline(line: str) -> re.Match[str] | None:
    if line[:2].lower() not in _BYLINE_STARTS:
        return None
    return _byline().match(line)


def iso_date(raw: str) -> str:
    """`raw` as YYYY-MM-DD when it names a full date, else `raw` unchanged."""
    cleaned = re.sub(r"[.,]", " ", raw)
    cleaned = " ".join(cleaned.split())
    cleaned = re.sub(r"^(\w{3})\w*(?= \d{1,2} )", r"\1", cleaned)  # "Sept" -> "Sep"
    for fmt in _DATE_FORMATS:
        for candidate in (cleaned, raw):
            try:
                return datetime.strptime(candidate, fmt).date().isoformat()
            except ValueError:
                continue
    return raw


def _match_dateline(line: str) -> re.Match[str] | None:
    # Each shape needs a "(" or starts with "date" (no character but D, A,
    # T, E folds to those letters, so lower() is exact here).
    if "(" not in line and line[:4].lower() != "date":
        return None
    for pattern in _datelines():
        found = pattern.match(line)
        if found and (found.group("date") or found.group("source")):
            return found
    return None


# --- emphasis ---------------------------------------------------------------------

# Emphasis must hug a word on both sides, so "2 * 3", "a*b*c" and a lone "*"
# stay as written.
_EMPHASIS_PATTERNS = (
    r"(?<![\w*])\*\*(?=\S)(.+?)(?<=\S)\*\*(?![\w*])",
    r"(?<![\w*])\*(?=[^\s*])(.+?)(?<=[^\s*])\*(?![\w*])",
    r"(?<![\w_])__(?=\S)(.+?)(?<=\S)__(?![\w_])",
    r"(?<![\w_])_(?=[^\s_])(.+?)(?<=[^\s_])_(?![\w_])",
)


@functools.cache
def _emphasis() -> list[re.Pattern[str]]:
    """Compiled when a line first has a * or _ (most articles have none)."""
    return [re.compile(pattern) for pattern in _EMPHASIS_PATTERNS]


def unwrap_emphasis(line: str) -> str:
    """`*Washington Post*` -> `Washington Post` (also `**x**`, `_x_`, `__x__`)."""
    if "*" not in line and "_" not in line:
        return line  # most lines: skip four regex passes
    for pattern in _emphasis():
        line = pattern.sub(r"\1", line)
    return line


# --- clean_article ----------------------------------------------------------------


class _Cleaner:
    """The state of one `clean_article` call: lines, and what was found."""

    def __init__(self, text: str) -> None:
        # Split on "\n" only: str.splitlines also splits on \x1c, \v, \f...
        lines = text.split("\n")
        if "*" in text or "_" in text:
            self.lines = [unwrap_emphasis(line.strip()).strip() for line in lines]
        else:  # no emphasis anywhere: one strip per line (a 10 MB article has 70,000)
            self.lines = [line.strip() for line in lines]
        self.result = CleanedArticle(text="")
        self._content: list[int] | None = None
        # The text itself while no line differs from it (`joined` then needs
        # no join): no line stripped (lengths add up) and none changed since.
        self._unchanged: str | None = (
            text if sum(map(len, self.lines)) == len(text) - len(lines) + 1 else None)

    def drop(self, index: int) -> None:
        self.result.removed.append(self.lines[index])
        self.set_line(index, "")

    def set_line(self, index: int, line: str) -> None:
        self.lines[index] = line
        self._content = None
        self._unchanged = None

    def content(self) -> list[int]:
        """Indexes of the non-blank lines, in order (kept until a line changes)."""
        if self._content is None:
            self._content = [i for i, line in enumerate(self.lines) if line]
        return self._content

    def first_body(self) -> int | None:
        """Index of the first line that reads like article text, not a heading."""
        return next((i for i in self.content() if not _is_heading(self.lines[i])), None)

    def drop_boilerplate(self) -> None:
        for i in self.content():
            if is_boilerplate(self.lines[i]):
                self.drop(i)

    def take_dateline(self) -> None:
        """Lift a dateline at the start of the first body line (or a heading)."""
        body = self.first_body()
        for i in self.content():
            if body is not None and i > body:
                return
            found = _match_dateline(self.lines[i])
            if found:
                self._apply_dateline(i, found)
                return

    def _apply_dateline(self, index: int, found: re.Match[str]) -> None:
        date, source = found.group("date"), found.group("source")
        if date:
            self.result.date = iso_date(date)
        if source:
            self.result.source = source.strip()
        self.result.removed.append(found.group(0).strip())
        self.set_line(index, self.lines[index][found.end() :].strip())

    def take_byline(self) -> None:
        body = self.first_body()
        for i in self.content():
            if body is not None and i >= body:
                return
            found = _match_byline(self.lines[i])
            if found:
                self.result.byline = found.group("name").strip()
                self.drop(i)
                return

    def drop_trailing_debris(self) -> None:
        """Page furniture after the body: an outlet's signature, or a banner.

        Only lines shaped like a name or a banner title count
        (`_is_trailing_furniture`): a last paragraph that merely lacks its
        full stop ("Two people died") is article text and stays.
        """
        content = self.content()
        trailing: list[int] = []
        for i in reversed(content):
            if not _is_trailing_furniture(self.lines[i]):
                break
            trailing.insert(0, i)
        body_left = len(content) > len(trailing)
        if not body_left or len(trailing) > _MAX_TRAILING_DEBRIS:
            return
        for i in trailing:
            if self.result.source is None and _is_signature(self.lines[i]):
                self.result.source = self.lines[i]
            self.drop(i)

    def take_title(self) -> None:
        """Headings before the body: [banner,] title[, standfirst...]."""
        body = self.first_body()
        if body is None:
            return
        top = [i for i in self.content() if i < body]
        if len(top) >= 2 and _is_stray(self.lines[top[0]]) and _words(self.lines[top[0]]) <= 6:
            self.drop(top.pop(0))
        if top:
            self.result.title = self.lines[top[0]]

    def joined(self) -> str:
        """Paragraphs separated by exactly one blank line, none at the ends."""
        if self._unchanged is not None:
            text = self._unchanged.strip("\n")
            # Runs of blank lines, from the content lines' indexes (no scan
            # of the text: `"\n\n\n" in text` costs ~0.7 ms per MB).
            content = self.content()
            if all(b - a <= 2 for a, b in zip(content, content[1:])):
                return text
        else:
            text = "\n".join(self.lines).strip("\n")
            if "\n\n\n" not in text:  # a C scan; the regex costs ~8 ms per MB
                return text
        return _BLANK_RUNS.sub("\n\n", text)


_BLANK_RUNS = re.compile(r"\n{3,}")

_STEPS: list[Callable[[_Cleaner], None]] = [
    _Cleaner.drop_boilerplate,
    _Cleaner.take_dateline,
    _Cleaner.take_byline,
    _Cleaner.drop_trailing_debris,
    _Cleaner.take_title,
]


def clean_article(text: str) -> CleanedArticle:
    """Strip scraping debris from an (already sanitized) article.

    Boilerplate lines go first, so that a cookie notice after the outlet's
    signature does not hide the signature; the dateline comes before the
    trailing-debris rule, so that a source named in the dateline is not
    overwritten by a stray banner at the end.
    """
    cleaner = _Cleaner(text)
    for step in _STEPS:
        step(cleaner)
    cleaner.result.text = cleaner.joined()
    return cleaner.result
