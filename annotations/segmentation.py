"""Sentences, tokens and paragraphs of an article, as code-point spans.

The reader moves by word and sentence and snaps selections to whole
tokens, so every span here is a Python ``str`` index pair (end exclusive)
into the exact text given, like every other offset in newsmark.

Sentences come from NLTK's Punkt, trained on the articles being read plus
a seed list of news abbreviations (an untrained Punkt splits after "Mr.",
"U.S." and "Jan."). Sentences never cross a line break: headlines and
bylines are lines of their own.

Tokens come, sentence by sentence, from a regular expression that follows
NLTK's conventions ("Trump" + "’s", "do" + "n’t", "Mr." and "U.S." whole)
and also splits off curly quotes, dashes and ellipses and keeps emoji and
accented letters whole. NLTK's own word tokenizer is available
(``nltk_words=True``) but costs ~2 s per MB here against ~0.25 s; it then
runs per sentence, with the expression used where NLTK mishandles news
text or fails outright.

Nothing here downloads NLTK data: the ``punkt_tab`` models are used only
if they are already installed, because NLTK's downloader cannot reach its
host on many users' machines.
"""

from __future__ import annotations

import json
import re
import sys
import unicodedata
import zlib
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from itertools import accumulate, chain
from operator import add, sub
from typing import TYPE_CHECKING, Any, overload

from annotations.model import text_hash

if TYPE_CHECKING:
    from nltk.tokenize.punkt import PunktParameters


Span = tuple[int, int]
Progress = Callable[[float], None]

# How often (in lines or sentences) a long segmentation reports progress.
PROGRESS_EVERY = 2_000

# Punkt trains at 2-10 s per MB (NLTK's ReDoS-guarded patterns; measured by
# `make bench`), paid before the reader's first paint; a news corpus's
# abbreviations are learned long before this much text, and the seed list
# covers the common ones.
TRAINING_CAP = 200_000

# A learned "abbreviation" longer than this without an inner period is far
# more likely a word that happened to end sentences in a small corpus
# ("agreed.", "instead."), and would hide real sentence ends.
MAX_LEARNED_ABBREV_LEN = 4

_WORD_NO_PERIOD = re.compile(r"\b([a-z]+)\b(?!\.)")


def _plain_words(texts: list[str]) -> set[str]:
    """Lower-case words the texts also use without a period after them.

    A short corpus teaches Punkt that "it" or "be" is an abbreviation when it
    happened to end a few sentences ("...knows it."), and every such sentence
    end is then lost. A real abbreviation ("Mr", "Jan") is written with its
    period; an ordinary word also stands without one.
    """
    words: set[str] = set()
    for text in texts:
        words.update(_WORD_NO_PERIOD.findall(text))
    return words


def _new_lines(text: str, seen: set[str]) -> str:
    """`text` without the lines in `seen` (an earlier text's, or its own), which
    it adds its own to.

    Punkt counts what it sees as independent evidence: two outlets' copies
    of one wire story (what newsmark opens side by side) made every pair of
    words around a full stop twice as frequent, enough for a collocation
    that then joined two sentences.
    """
    kept = []
    for line in text.splitlines():
        key = line.strip()
        if key and key in seen:
            continue
        seen.add(key)
        kept.append(line)
    return "\n".join(kept)


# Abbreviations a news article uses that Punkt may not see often enough to
# learn. Lower case, without the final period, as Punkt stores them.
SEED_ABBREVIATIONS: frozenset[str] = frozenset(
    """
    mr mrs ms messrs dr prof gen lt col maj capt cmdr adm sgt cpl brig rev hon
    sen rep gov pres supt det insp amb
    st jr sr inc ltd co corp llc plc bros assn dept univ
    vs etc approx est fig vol ed eds pp no nos ft mt ave blvd rd
    jan feb mar apr jun jul aug sep sept oct nov dec
    mon tue tues wed thu thur thurs fri
    u.s u.k u.n e.u u.s.a u.s.s.r d.c n.y l.a a.m p.m e.g i.e ph.d
    calif fla ariz colo conn mich minn tenn tex
    """.split()
)

# Every character that ends a line. Sentences never cross one: headlines,
# bylines and datelines are lines of their own and have no final period.
_LINE = re.compile(r"[^\n\r\v\f\x1c-\x1e\x85\u2028\u2029]+")

# Quick test for "might Punkt split this line at all?".
_SENT_END = re.compile(r"[.?!]")

# A character that is neither a word character, nor whitespace, nor
# printable ASCII: curly quotes, dashes, ellipsis, emoji, combining marks.
# NLTK's word tokenizer leaves these glued to words ("Trump’s" -> "Trump",
# "’", "s"; "word👍" stays whole), so a whitespace-delimited chunk holding
# one is tokenized by our own expression instead.
_NEEDS_OWN_TOKENIZER = re.compile(r"[^\w\s!-~]")

_NON_SPACE_CHUNK = re.compile(r"\S+")


def _nltk():  # type: ignore[no-untyped-def]
    """NLTK's Punkt glue, imported on first use.

    Importing NLTK takes ~0.3 s (it pulls in numpy); the reader's first
    paint of a long article needs only paragraphs, so it must not wait.
    """
    from annotations import punkt

    return punkt


@cache
def _marks() -> tuple[str, frozenset[str]]:
    """Every combining mark (Mn, Mc, Me): as a regex class and as a set.

    Python's ``\\w`` does not match them, so without this "é" written as
    e + U+0301 would become two tokens and a snap could cut it in half.
    Built on first use because scanning the code points takes ~60 ms.
    """
    ranges: list[str] = []
    chars: list[str] = []
    start: int | None = None
    for cp in range(0x20000):
        is_mark = unicodedata.category(chr(cp))[0] == "M"
        if is_mark:
            chars.append(chr(cp))
            if start is None:
                start = cp
        elif start is not None:
            ranges.append(f"\\U{start:08x}-\\U{cp - 1:08x}")
            start = None
    ranges.append("\\U000e0100-\\U000e01ef")  # variation selectors supplement
    chars.extend(chr(cp) for cp in range(0xE0100, 0xE01F0))
    return "[" + "".join(ranges) + "]", frozenset(chars)


@cache
def _extenders() -> frozenset[str]:
    """Characters that never start a grapheme cluster, so never a token:
    marks, emoji skin tones, tag characters and the zero-width joiner."""
    skin_and_tags = [*range(0x1F3FB, 0x1F400), *range(0xE0020, 0xE0080), 0x200D]
    return _marks()[1] | {chr(cp) for cp in skin_and_tags}


@cache
def _token_pattern() -> re.Pattern[str]:
    """The regular-expression tokenizer, written to agree with NLTK's.

    Decisions, in the order of the alternatives:
    - a flag (two regional indicators) is one token;
    - "..." and "--" are one token each, like NLTK;
    - dotted letter acronyms keep their final period: "U.S.", "e.g.";
    - a word joins letters and digits across ". - ’ '" and digit commas,
      so "3.5", "3,000", "President-elect" and "O’Brien" stay whole, but a
      clitic ’s ’re ’ll ’ve ’m ’d is split off as one token ("Trump", "’s"),
      as NLTK does for the straight "'s": a name can then be tagged without
      its possessive ("don’t" -> "do", "n’t" is done in `_regexp_tokens`);
    - any other character is a token of its own (curly quotes, em dash,
      "…", "$", emoji), with whatever continues its grapheme cluster:
      combining marks, skin tones, tag characters and ZWJ + next character,
      so 👩‍👩‍👧 and 👍🏽 are one token each.
    """
    mark = _marks()[0]
    ext = rf"(?:{mark}|[\U0001f3fb-\U0001f3ff\U000e0020-\U000e007f]|\u200d\S)"
    word_part = rf"\w+(?:{ext}+\w*)*"
    clitic = r"(?i:s|m|d|ll|re|ve)\b"
    joiner = rf"(?:[.\-]|['’](?!{clitic})|(?<=\d),(?=\d))"
    return re.compile(
        rf"""
        {word_part}(?:{joiner}{word_part})*
        | ['’]{clitic}
        | [\U0001f1e6-\U0001f1ff]{{2}}
        | \.{{2,}} | -{{2,}}
        | [^\w\s]{ext}*
        """,
        re.VERBOSE,
    )


# "U.S." and "e.g.": single letters each with a period (a word match stops
# before the final one).
_ACRONYM = re.compile(r"(?:[^\W\d_]\.)+[^\W\d_]")

_SPAN = re.Match.span  # mapped over matches: no attribute lookup per token


def _regexp_tokens(
    text: str, start: int, end: int, abbrevs: frozenset[str], sentence_end: int
) -> list[Span]:
    """Tokens of ``text[start:end]`` by `_token_pattern`, plus fix-ups.

    - a mark, skin tone or joiner right after a token belongs to it (the
      pattern cannot see that after a flag, "..." or a clitic);
    - a known abbreviation or dotted acronym keeps its period ("Mr.",
      "U.S.") unless that period ends the sentence, as NLTK does within a
      sentence;
    - "don’t" becomes "do" + "n’t", as NLTK does with "don't".
    """
    extenders = _extenders()
    spans: list[Span] = []
    append = spans.append
    # A period that is the sentence's last visible character ends it, even
    # after an abbreviation.
    last_visible = strip_span(text, start, sentence_end)[1] - 1
    prev_end = -1
    for s, e in map(_SPAN, _token_pattern().finditer(text, start, end)):
        if s == prev_end:
            c = text[s]
            if c in extenders:
                spans[-1] = (spans[-1][0], e)
                prev_end = e
                continue
            if c == "." and e == s + 1 and s < last_visible:
                word = text[spans[-1][0] : s]
                if word.lower() in abbrevs or _ACRONYM.fullmatch(word):
                    spans[-1] = (spans[-1][0], e)
                    prev_end = e
                    continue
        if e - s > 3 and text[e - 2] in "'’" and text[e - 3] in "nN" and text[e - 1] in "tT":
            append((s, e - 3))
            s = e - 3
        append((s, e))
        prev_end = e
    return spans


def _valid_tokens(text: str, spans: list[Span], start: int, end: int) -> bool:
    """Whether `spans` tile the non-whitespace of ``text[start:end]``.

    In bounds, sorted, non-overlapping, never whitespace at either end, and
    only whitespace between them, so every visible character is in a token
    and `Segmentation.snap` always lands on token bounds.
    """
    prev = start
    for s, e in spans:
        if not prev <= s < e <= end:
            return False
        if text[s].isspace() or text[e - 1].isspace():
            return False
        if s > prev and not text[prev:s].isspace():
            return False
        prev = e
    return prev == end or text[prev:end].isspace()


# Offsets are kept as 4-byte integers (a 10 MB article has two million
# tokens: 16 MB of offsets, not 32); a text of 2**31 code points or more
# widens its arrays to 8 bytes when an offset does not fit.
OFFSET_CODES = ("i", "q")


def offset_array(values: Callable[[], Iterable[int]]) -> array[int]:
    """`values()` as an offset array: 4 bytes each, or 8 if one does not fit."""
    try:
        return array(OFFSET_CODES[0], values())
    except OverflowError:
        return array(OFFSET_CODES[1], values())


class SpanArray(Sequence[Span]):
    """(start, end) pairs kept as two machine-integer arrays.

    A 10 MB article has about two million tokens: as a list of tuples they
    took ~150 bytes each (≈300 MB); here they take 8. Reads like a list of
    tuples (index, slice, iterate, compare with a list).
    """

    __slots__ = ("starts", "ends")

    def __init__(self, spans: Iterable[Span] = ()) -> None:
        self.starts = array(OFFSET_CODES[0])
        self.ends = array(OFFSET_CODES[0])
        for start, end in spans:
            self.append(start, end)

    @classmethod
    def from_arrays(cls, starts: array[int], ends: array[int]) -> SpanArray:
        """Two offset arrays of one typecode and length, taken as they are (no copy)."""
        if (starts.typecode not in OFFSET_CODES or ends.typecode != starts.typecode
                or len(starts) != len(ends)):
            raise ValueError(f"SpanArray needs two arrays of one length, typecode in "
                             f"{OFFSET_CODES}")
        spans = cls()
        spans.starts, spans.ends = starts, ends
        return spans

    def append(self, start: int, end: int) -> None:
        try:
            self.starts.append(start)
        except OverflowError:
            self._widen()
            self.starts.append(start)
        try:
            self.ends.append(end)
        except OverflowError:
            self._widen()
            self.ends.append(end)

    def _widen(self) -> None:
        self.starts = array(OFFSET_CODES[1], self.starts)
        self.ends = array(OFFSET_CODES[1], self.ends)

    def __len__(self) -> int:
        return len(self.starts)

    @overload
    def __getitem__(self, index: int) -> Span: ...

    @overload
    def __getitem__(self, index: slice) -> list[Span]: ...

    def __getitem__(self, index: int | slice) -> Span | list[Span]:
        if isinstance(index, slice):
            return list(zip(self.starts[index], self.ends[index], strict=True))
        return (self.starts[index], self.ends[index])

    def __iter__(self) -> Iterator[Span]:
        return zip(self.starts, self.ends, strict=True)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, SpanArray):
            return self.starts == other.starts and self.ends == other.ends
        if isinstance(other, list | tuple):
            return len(other) == len(self) and all(a == tuple(b) for a, b in zip(self, other))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"SpanArray({list(self)!r})"


@dataclass(frozen=True)
class Segmentation:
    """Sentence, token and paragraph spans of one text, with lookups.

    All spans are sorted, non-overlapping and stripped. Lookups bisect, so
    they cost O(log n) however long the article.
    """

    text: str
    sentences: SpanArray  # a list of pairs is taken too (kept as a SpanArray)
    tokens: SpanArray
    paragraphs: list[Span]
    _sentence_starts: Sequence[int] = field(init=False, repr=False, compare=False)
    _token_starts: Sequence[int] = field(init=False, repr=False, compare=False)
    _token_ends: Sequence[int] = field(init=False, repr=False, compare=False)
    _paragraph_starts: list[int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Sentences as two arrays too: 10 MB has ~110,000 of them, ~120 bytes
        # each as tuples (~13 MB), 16 here; the reader may use 200 MB in all.
        if not isinstance(self.sentences, SpanArray):
            object.__setattr__(self, "sentences", SpanArray(self.sentences))
        object.__setattr__(self, "_sentence_starts", self.sentences.starts)
        if not isinstance(self.tokens, SpanArray):
            object.__setattr__(self, "tokens", SpanArray(self.tokens))
        # Bisect works on the arrays themselves: no second copy of the offsets.
        object.__setattr__(self, "_token_starts", self.tokens.starts)
        object.__setattr__(self, "_token_ends", self.tokens.ends)
        object.__setattr__(self, "_paragraph_starts", [s for s, _ in self.paragraphs])

    @classmethod
    def unknown(cls, text: str) -> Segmentation:
        """Nothing found yet: no sentence, token or paragraph (for a frame that needs none)."""
        return cls(text=text, sentences=SpanArray(), tokens=SpanArray(), paragraphs=[])

    @classmethod
    def provisional(cls, text: str) -> Segmentation:
        """Paragraphs only, at once: for reading a long article while Punkt runs."""
        blocks = paragraphs(text)
        return cls(text=text, sentences=list(blocks), tokens=[], paragraphs=blocks)

    @staticmethod
    def _at(starts: list[int], offset: int) -> int | None:
        # The last span starting at or before `offset`: the one holding it,
        # or, in the whitespace after a span, that span (the cursor stays in
        # the sentence it just left). None before the first span.
        i = bisect_right(starts, offset) - 1
        return i if i >= 0 else None

    def sentence_at(self, offset: int) -> int | None:
        """Index of the sentence holding `offset`, or the nearest before it."""
        return self._at(self._sentence_starts, offset)

    def token_at(self, offset: int) -> int | None:
        """Index of the token holding `offset`, or the nearest before it."""
        return self._at(self._token_starts, offset)

    def paragraph_at(self, offset: int) -> int | None:
        """Index of the paragraph holding `offset`, or the nearest before it."""
        return self._at(self._paragraph_starts, offset)

    def snap(self, start: int, end: int) -> Span:
        """Grow ``[start, end)`` to whole tokens, after trimming whitespace.

        A selection made by dragging rarely lands on word edges; annotations
        should. A range with no token in it (empty, or all whitespace) comes
        back trimmed: ``(start, start)`` when nothing is left.
        """
        n = len(self.text)
        start, end = sorted((max(0, min(start, n)), max(0, min(end, n))))
        while start < end and self.text[start].isspace():
            start += 1
        while end > start and self.text[end - 1].isspace():
            end -= 1
        if start >= end:
            return (start, start)
        first = bisect_right(self._token_ends, start)  # first token ending after start
        last = bisect_left(self._token_starts, end) - 1  # last token starting before end
        if first <= last:
            start = min(start, self._token_starts[first])
            end = max(end, self._token_ends[last])
        return (start, end)

    def next_word_start(self, offset: int) -> int:
        """Start of the first token after `offset` (vim's ``w``).

        Punctuation tokens count as words, as in vim. With no token after,
        the offset stays where it is (clamped into the text).
        """
        i = bisect_right(self._token_starts, offset)
        if i < len(self.tokens):
            return self._token_starts[i]
        return max(0, min(offset, len(self.text)))

    def prev_word_start(self, offset: int) -> int:
        """Start of the last token before `offset` (vim's ``b``), else 0."""
        i = bisect_left(self._token_starts, offset) - 1
        return self._token_starts[i] if i >= 0 else 0

    def word_end(self, offset: int) -> int:
        """Last character of the first token ending after `offset` (vim's ``e``).

        With no such token, the offset stays where it is (clamped).
        """
        # Token ends are exclusive; vim's e lands on the last character, so
        # look for a last character strictly after `offset`.
        i = bisect_right(self._token_ends, offset + 1)
        if i < len(self.tokens):
            return self._token_ends[i] - 1
        return max(0, min(offset, len(self.text)))


# --------------------------------------------------------------- stored form

# What `encode` writes. A store keeps each document's segmentation so its
# tokens never change once spans were snapped to them (Punkt is trained on
# whatever articles a session loaded, so a later session could split
# differently) and so export needs no Punkt. Bump on any change of layout.
STORED_FORMAT = 2
_MAGIC = b"newsmark-segmentation\n"
# Unsigned typecodes by item size, narrowest first (array's sizes are the
# platform's: looked up, not assumed).
_UNSIGNED = dict(sorted((array(code).itemsize, code) for code in "QLIHB"))


def _narrowest(values: Callable[[], Iterable[int]]) -> array[int]:
    """`values()` in the narrowest unsigned array that holds them all.

    Tried narrowest first: array raises OverflowError at the first value
    that does not fit, so no list of millions of ints is ever built.
    """
    for code in _UNSIGNED.values():
        try:
            return array(code, values())
        except OverflowError:
            continue
    raise ValueError("spans are not sorted and non-overlapping")


def _runs(spans: Sequence[Span]) -> tuple[array[int], array[int]]:
    """(gap before each span, length of each span) of sorted spans."""
    if isinstance(spans, SpanArray):
        starts: Sequence[int] = spans.starts
        ends: Sequence[int] = spans.ends
    else:
        starts, ends = [s for s, _ in spans], [e for _, e in spans]
    gaps = _narrowest(lambda: map(sub, starts, chain((0,), ends)))
    lengths = _narrowest(lambda: map(sub, ends, starts))
    if 0 in lengths:
        raise ValueError("a span is empty")
    return gaps, lengths


def encode(seg: Segmentation) -> bytes:
    """`seg` as bytes: a JSON header line, then zlib-compressed runs of integers.

    For sentences, tokens and paragraphs in turn: the gap before each span
    (from the previous end), then each span's length, each run in the
    smallest unsigned integer that holds it (a byte for tokens of news
    text), little-endian. zlib's checksum catches a damaged file. ValueError if
    `seg` is not sorted, non-empty spans inside its text, or is
    `Segmentation.provisional` (it has no tokens).
    """
    text = seg.text
    if not seg.tokens and text.strip():
        raise ValueError("a provisional segmentation (no tokens) is not stored")
    runs: list[array[int]] = []
    counts = []
    for spans in (seg.sentences, seg.tokens, seg.paragraphs):
        if spans and spans[-1][1] > len(text):
            raise ValueError("spans run past the end of the text")
        runs.extend(_runs(spans))
        counts.append(len(spans))
    packed = zlib.compressobj(1)
    chunks = []
    for run in runs:
        if sys.byteorder == "big":
            run.byteswap()
        chunks.append(packed.compress(run.tobytes()))
    chunks.append(packed.flush())
    header = {
        "format": STORED_FORMAT,
        "text": text_hash(text),
        "length": len(text),
        "counts": counts,
        "sizes": [run.itemsize for run in runs],  # bytes per integer, run by run
    }
    return b"".join([_MAGIC, json.dumps(header).encode(), b"\n", *chunks])


@dataclass(frozen=True)
class KeptSegmentation:
    """A segmentation as a store keeps it (`encode`'s bytes), not yet decoded.

    Read where the store is used (the main thread: a file, a database row),
    decoded wherever suits: decoding 10 MB's takes ~0.4 s, so the reader
    does it in a worker (annotations/worker_jobs.py).
    """

    data: bytes
    where: str  # what the store calls it in a warning: a file's path, or a row

    def decode(self, text: str, doc_id: str, warn: Callable[[str], None] | None = None
               ) -> Segmentation | None:
        """The segmentation of `text`, or None if this is damaged, out of date or
        made for another text (`warn` hears why: the caller segments again)."""
        try:
            return decode(text, self.data)
        except ValueError as err:
            if warn is not None:
                warn(f"{self.where} is damaged or out of date ({err}); "
                     f"segmenting {doc_id} again")
            return None


def decode(text: str, data: bytes) -> Segmentation:
    """The segmentation `encode` wrote for `text`; ValueError (with why) if it is not one."""
    if not data.startswith(_MAGIC):
        raise ValueError("not a newsmark segmentation file")
    line_end = data.find(b"\n", len(_MAGIC))
    if line_end < 0:
        raise ValueError("its header is cut short")
    try:
        header: Any = json.loads(data[len(_MAGIC) : line_end])
    except ValueError as err:
        raise ValueError(f"its header is not JSON ({err})") from None
    if not isinstance(header, dict) or header.get("format") != STORED_FORMAT:
        found = header.get("format") if isinstance(header, dict) else None
        raise ValueError(f"it has format {found!r}, this newsmark reads {STORED_FORMAT}")
    if header.get("length") != len(text) or header.get("text") != text_hash(text):
        raise ValueError("it was made for another text")
    counts, sizes = header.get("counts"), header.get("sizes")
    if (
        not isinstance(counts, list)
        or len(counts) != 3
        or not all(type(n) is int and n >= 0 for n in counts)
        or not isinstance(sizes, list)
        or len(sizes) != 6
        or not all(type(n) is int and n in _UNSIGNED for n in sizes)
    ):
        raise ValueError("its header is damaged")
    try:
        raw = zlib.decompress(data[line_end + 1 :])
    except zlib.error as err:
        raise ValueError(f"its data is damaged ({err})") from None
    # Runs in pairs (gaps, lengths) for sentences, tokens, paragraphs.
    if len(raw) != sum(counts[i // 2] * size for i, size in enumerate(sizes)):
        raise ValueError("its data has the wrong length")
    runs = []
    offset = 0
    for index, size in enumerate(sizes):
        end = offset + counts[index // 2] * size
        run = array(_UNSIGNED[size])
        run.frombytes(raw[offset:end])
        if sys.byteorder == "big":
            run.byteswap()
        runs.append(run)
        offset = end
    del raw
    groups = []
    for gaps, lengths in zip(runs[0::2], runs[1::2], strict=True):
        if 0 in lengths:
            raise ValueError("it holds an empty span")
        # start = previous start + previous length + gap; end = start + length
        starts = offset_array(
            lambda g=gaps, n=lengths: accumulate(map(add, g, chain((0,), n))))  # type: ignore[misc]
        ends = offset_array(lambda s=starts, n=lengths: map(add, s, n))  # type: ignore[misc]
        if ends.typecode != starts.typecode:  # the last end passes 2**31
            starts = array(ends.typecode, starts)
        if ends and ends[-1] > len(text):
            raise ValueError("its spans run past the end of the text")
        groups.append((starts, ends))
    (s_starts, s_ends), (t_starts, t_ends), (p_starts, p_ends) = groups
    return Segmentation(
        text=text,
        sentences=SpanArray.from_arrays(s_starts, s_ends),
        tokens=SpanArray.from_arrays(t_starts, t_ends),
        paragraphs=list(zip(p_starts, p_ends, strict=True)),
    )


class Segmenter:
    """Splits texts into sentences and tokens; cheap to reuse across texts."""

    def __init__(self, params: PunktParameters, *, nltk_words: bool = False) -> None:
        """`params`: Punkt's abbreviations, collocations and context.

        `nltk_words` tokenizes with NLTK's word tokenizer (our expression
        only where NLTK mishandles news text). It is off by default: with
        NLTK's ReDoS-guarded patterns it costs ~2 s per MB run sentence by
        sentence, against ~0.35 s for our expression, which follows the
        same conventions ("'s", "n't", "Mr." and "U.S." kept whole, "...").
        """
        nltk = _nltk()
        self._punkt = nltk.PunktSentenceTokenizer(params, lang_vars=nltk.LANG_VARS)
        # The word tokenizer needs the same abbreviations to keep "Mr."
        self._abbrevs: frozenset[str] = frozenset(params.abbrev_types)
        self._words = nltk.NLTKWordTokenizer() if nltk_words else None

    @property
    def abbreviations(self) -> frozenset[str]:
        return self._abbrevs

    @classmethod
    def default(cls, *, nltk_words: bool = False) -> Segmenter:
        """Seed abbreviations only: no training, no NLTK data needed."""
        params = _nltk().PunktParameters()
        params.abbrev_types = set(SEED_ABBREVIATIONS)
        return cls(params, nltk_words=nltk_words)

    @classmethod
    def train(cls, texts: Iterable[str], *, nltk_words: bool = False) -> Segmenter:
        """Punkt trained on `texts` (up to `TRAINING_CAP` characters).

        Punkt learns abbreviations, collocations and which words start
        sentences from the articles themselves; the installed English
        ``punkt_tab`` model, if any, and the seed list fill in what a few
        articles cannot teach.
        """
        nltk = _nltk()
        trainer = nltk.PunktTrainer(lang_vars=nltk.LANG_VARS)
        budget = TRAINING_CAP
        texts_seen: list[str] = []
        lines_seen: set[str] = set()
        for text in texts:
            if budget <= 0:
                break
            # Cut before the lines are compared: a 10 MB article's lines,
            # all kept in `lines_seen`, were 13 MB more at the peak.
            chunk = _new_lines(text[:budget], lines_seen)
            budget -= len(chunk)
            texts_seen.append(chunk)
            trainer.train(chunk, finalize=False)
        trainer.finalize_training()
        params = trainer.get_params()
        # "rose to 12. Officials said" is a sentence break in English news;
        # Punkt's number collocations are for "am 12. Januar", and a few
        # sentences made them here ("12. Officials" was kept as one sentence).
        params.collocations = {pair for pair in params.collocations
                               if pair[0] != "##number##"}
        params.abbrev_types = {
            a for a in params.abbrev_types if "." in a or len(a) <= MAX_LEARNED_ABBREV_LEN
        } - _plain_words(texts_seen)
        base = nltk.installed_english_params()
        if base is not None:
            params.abbrev_types |= base.abbrev_types
            params.collocations |= base.collocations
            params.sent_starters |= base.sent_starters
            for word, flags in base.ortho_context.items():
                params.ortho_context[word] |= flags
        params.abbrev_types |= SEED_ABBREVIATIONS
        return cls(params, nltk_words=nltk_words)

    def sentences(self, text: str, progress: Progress | None = None) -> SpanArray:
        """Sentence spans: per line, so none crosses a line break."""
        spans = SpanArray()
        for number, line in enumerate(_LINE.finditer(text), start=1):
            self._line_sentences(text, line.start(), line.end(), spans)
            if progress is not None and number % PROGRESS_EVERY == 0:
                progress(line.end() / len(text))
        return spans

    def _line_sentences(self, text: str, start: int, end: int, out: SpanArray) -> None:
        line = text[start:end]
        if not line.strip():
            return
        if _SENT_END.search(line) is None:
            breaks: list[int] = []  # a headline: one sentence, skip Punkt
        else:
            # Only Punkt's sentence ends are used; each sentence is then
            # everything from the previous end, stripped, so no visible
            # character can fall outside a sentence whatever Punkt returns.
            breaks = sorted({e for _, e in self._punkt.span_tokenize(line) if 0 < e < len(line)})
        prev = 0
        for b in [*breaks, len(line)]:
            s, e = strip_span(line, prev, b)
            if s < e:
                out.append(start + s, start + e)
            prev = b

    def tokens(
        self, text: str, sentences: Sequence[Span] | None = None,
        progress: Progress | None = None
    ) -> SpanArray:
        """Token spans, sentence by sentence so none crosses a sentence end."""
        if sentences is None:
            sentences = self.sentences(text)
        spans = SpanArray()
        append = spans.append
        for number, (s, e) in enumerate(sentences, start=1):
            for start, end in self._sentence_tokens(text, s, e):
                append(start, end)
            if progress is not None and number % PROGRESS_EVERY == 0:
                progress(e / len(text))
        return spans

    def _sentence_tokens(self, text: str, start: int, end: int) -> list[Span]:
        if self._words is None:
            return _regexp_tokens(text, start, end, self._abbrevs, end)
        sentence = text[start:end]
        try:
            # NLTK splits a period off only at the end of its input, which
            # is why it runs per sentence ("Mr." mid-sentence stays whole).
            nltk_spans = [(start + s, start + e) for s, e in self._words.span_tokenize(sentence)]
        except Exception:
            # span_tokenize re-aligns its (quote-converted) tokens with the
            # input and raises ValueError when it cannot; any failure here
            # must not lose the article, so use our own tokenizer.
            return _regexp_tokens(text, start, end, self._abbrevs, end)
        if _NEEDS_OWN_TOKENIZER.search(sentence) is not None:
            nltk_spans = self._retokenize_chunks(text, start, end, nltk_spans)
        if _valid_tokens(text, nltk_spans, start, end):
            return nltk_spans
        return _regexp_tokens(text, start, end, self._abbrevs, end)

    def _retokenize_chunks(
        self, text: str, start: int, end: int, nltk_spans: list[Span]
    ) -> list[Span]:
        """NLTK's tokens, except in chunks holding characters it mishandles."""
        out: list[Span] = []
        i = 0
        n = len(nltk_spans)
        for chunk in _NON_SPACE_CHUNK.finditer(text, start, end):
            cs, ce = chunk.span()
            if _NEEDS_OWN_TOKENIZER.search(text, cs, ce) is None:
                while i < n and nltk_spans[i][0] < ce:
                    if nltk_spans[i][0] >= cs:
                        out.append(nltk_spans[i])
                    i += 1
            else:
                while i < n and nltk_spans[i][0] < ce:
                    i += 1
                out.extend(_regexp_tokens(text, cs, ce, self._abbrevs, end))
        return out

    def segment(self, text: str, progress: Progress | None = None) -> Segmentation:
        """Sentences, tokens and paragraphs; `progress` hears the fraction done."""
        report = progress or (lambda fraction: None)
        sentences = self.sentences(text, lambda f: report(f / 2))
        return Segmentation(
            text=text,
            sentences=sentences,
            tokens=self.tokens(text, sentences, lambda f: report(0.5 + f / 2)),
            paragraphs=paragraphs(text),
        )


def paragraphs(text: str) -> list[Span]:
    """Blocks of non-blank lines; a line of only whitespace separates them."""
    if any(brk in text for brk in _OTHER_BREAKS):
        return _paragraphs_by_line(text)
    # Only "\n" breaks lines (so in every cleaned article): blocks are what
    # lies between runs of two or more "\n" with only whitespace between,
    # found by one regex scan instead of a Python step per line (the
    # first frame of a 10 MB article waits for this).
    spans: list[Span] = []
    pos = 0
    for gap in _PARAGRAPH_GAP.finditer(text):
        s, e = strip_span(text, pos, gap.start())
        if s < e:
            spans.append((s, e))
        pos = gap.end()
    s, e = strip_span(text, pos, len(text))
    if s < e:
        spans.append((s, e))
    return spans


# Line breaks other than "\n" (`_LINE` ends lines at each of them).
_OTHER_BREAKS = ("\r", "\v", "\f", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029")
_PARAGRAPH_GAP = re.compile(r"\n(?:[^\S\n]*\n)+")


def _paragraphs_by_line(text: str) -> list[Span]:
    """`paragraphs` for any line breaks, a line at a time."""
    spans: list[Span] = []
    block_start: int | None = None
    block_end = 0
    for line in _LINE.finditer(text):
        s, e = strip_span(text, line.start(), line.end())
        if s == e:
            continue  # a blank line (only spaces or tabs): the block goes on below
        if block_start is not None and _has_blank_line(text, block_end, s):
            spans.append((block_start, block_end))
            block_start = None
        if block_start is None:
            block_start = s
        block_end = e
    if block_start is not None:
        spans.append((block_start, block_end))
    return spans


# Two line breaks with nothing but spaces or tabs between them. The atomic
# group keeps "\r\n" one break, not two.
_BREAK = r"(?>\r\n|[\n\r\v\f\x1c-\x1e\x85\u2028\u2029])"
_BLANK_LINE = re.compile(rf"{_BREAK}[^\S\n\r\v\f\x1c-\x1e\x85\u2028\u2029]*{_BREAK}")


def _has_blank_line(text: str, start: int, end: int) -> bool:
    return _BLANK_LINE.search(text, start, end) is not None


def strip_span(text: str, start: int, end: int) -> Span:
    """[start, end) without the white space at either end."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
