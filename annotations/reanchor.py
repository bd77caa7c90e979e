"""Finding one article's annotations again on its changed text.

A document's id is a hash of its text, so a re-scraped article (an editor's
note on top, a corrected word) is a new document. Each annotation stored
what it needs to be found again, as a W3C TextQuoteSelector does: its old
position, its exact text, and `CONTEXT_CHARS` characters of context on each
side. `reanchor` tries, in order:

1. kept:   the same text at the same position, with its context (or no
           better-matching occurrence elsewhere);
2. moved:  the exact text elsewhere, the occurrence chosen by context
           similarity and closeness to the old position;
3. fuzzy:  approximately the same text (edit distance at most a quarter of
           its length), scored the same way plus text similarity, accepted
           above `FUZZY_THRESHOLD`;
4. orphan: nothing good enough; the annotation is never dropped or placed
           on a guess, it waits in the document's orphan list for a person.

`annotations.anchoring` applies this to a store (`carry_over`). A module of
its own, imported only when an article changed under its annotations: its
classes and matching cost every start ~1.5 ms (issue 18).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Literal

from annotations.model import CONTEXT_CHARS, Annotation, Document

Status = Literal["kept", "moved", "fuzzy", "orphan"]
STATUSES: tuple[Status, ...] = ("kept", "moved", "fuzzy", "orphan")

# Weights of the exact-match score: context similarity, closeness.
_W_CONTEXT, _W_CLOSE = 0.8, 0.2
# An exact occurrence elsewhere needs this much context similarity, unless
# it is the only occurrence of a quote at least `_UNIQUE_MIN_LEN` long:
# a short word found anywhere ("said") proves nothing on its own.
EXACT_MIN_CONTEXT = 0.3
_UNIQUE_MIN_LEN = 8
# Fuzzy matches: at most this share of the quote's length in edits...
MAX_EDIT_SHARE = 0.25
# ...and a score (text similarity, context, closeness) above this.
FUZZY_THRESHOLD = 0.65
_WF_TEXT, _WF_CONTEXT, _WF_CLOSE = 0.5, 0.4, 0.1
# Bounds on the work spent per annotation, whatever the article's size.
_MAX_HITS_PER_PROBE = 64
_MAX_WINDOWS = 48
_MAX_EXACT = 300
_NEAR = 4000
_PROBE_LEN = 16
# A word, as `_inside_word` sees one: a run of letters and digits.
_WORD = re.compile(r"[^\W_]+")

@dataclass(frozen=True, slots=True)
class Anchored:
    """Where one annotation landed: its new version, or None for an orphan."""

    status: Status
    annotation: Annotation | None
    score: float = 1.0


@dataclass
class ReanchorReport:
    """What happened to one document's annotations when its text changed."""

    old_doc_id: str = ""
    new_doc_id: str = ""
    annotations: list[Annotation] = field(default_factory=list)  # on the new text
    orphans: list[Annotation] = field(default_factory=list)  # as they were (old text)
    results: list[tuple[Annotation, Anchored]] = field(default_factory=list)

    def count(self, status: Status) -> int:
        return sum(1 for _ann, res in self.results if res.status == status)

    @property
    def kept(self) -> int:
        return self.count("kept")

    @property
    def moved(self) -> int:
        return self.count("moved")

    @property
    def fuzzy(self) -> int:
        return self.count("fuzzy")

    @property
    def orphaned(self) -> int:
        return self.count("orphan")

    def counts(self) -> dict[str, int]:
        return {"kept": self.kept, "moved": self.moved, "fuzzy": self.fuzzy,
                "orphaned": self.orphaned}

    def summary(self) -> str:
        """One line for a notice, e.g. '3 kept, 1 moved, 0 fuzzy, 1 orphaned'."""
        return ", ".join(f"{n} {name}" for name, n in self.counts().items())


# --------------------------------------------------------------------- scoring


def _similarity(a: str, b: str) -> float:
    if a == b:
        return 1.0
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


def context_similarity(ann: Annotation, text: str, start: int, end: int) -> float:
    """How well the text around [start, end) matches the stored prefix/suffix."""
    prefix = text[max(0, start - len(ann.prefix)) : start] if ann.prefix else text[
        max(0, start - CONTEXT_CHARS) : start
    ]
    suffix = text[end : end + len(ann.suffix)] if ann.suffix else text[end : end + CONTEXT_CHARS]
    # An empty stored side (the span touched the start or end of the text)
    # matches an empty side only.
    return (_similarity(ann.prefix, prefix) + _similarity(ann.suffix, suffix)) / 2


def _closeness(pos: int, expected: int, length: int) -> float:
    return 1.0 - min(1.0, abs(pos - expected) / max(1, length))


def _occurrences(text: str, needle: str, limit: int | None = None) -> list[int]:
    found: list[int] = []
    if not needle:
        return found
    pos = text.find(needle)
    while pos != -1:
        found.append(pos)
        if limit is not None and len(found) >= limit:
            break
        pos = text.find(needle, pos + 1)
    return found


# --------------------------------------------------------------------- fuzzy search


def _peq(pattern: str) -> dict[str, int]:
    masks: dict[str, int] = {}
    for i, ch in enumerate(pattern):
        masks[ch] = masks.get(ch, 0) | (1 << i)
    return masks


def end_distances(pattern: str, text: str, *, anchored: bool = False) -> list[int]:
    """For each j, the least edit distance of `pattern` to a substring of `text` ending at j.

    With `anchored`, the substring must start at 0 (the distance to `text[:j + 1]`).

    Myers' bit-parallel algorithm (1999, in Hyyrö's formulation), with
    Python's big integers as the bit vectors: one pass over `text` whatever
    the pattern's length.
    """
    m = len(pattern)
    if m == 0:
        return [0] * len(text)
    peq = _peq(pattern)
    mask = (1 << m) - 1
    high = 1 << (m - 1)
    pv, mv, score = mask, 0, m
    out: list[int] = []
    for ch in text:
        eq = peq.get(ch, 0)
        xv = eq | mv
        xh = (((eq & pv) + pv) ^ pv) | eq
        ph = mv | (~(xh | pv) & mask)
        mh = pv & xh
        if ph & high:
            score += 1
        elif mh & high:
            score -= 1
        ph = ((ph << 1) | anchored) & mask
        mh = (mh << 1) & mask
        pv = mh | (~(xv | ph) & mask)
        mv = ph & xv
        out.append(score)
    return out


def approximate_match(pattern: str, text: str, max_dist: int) -> tuple[int, int, int] | None:
    """The best (start, end, distance) of `pattern` in `text`, or None above `max_dist`.

    Among equally close matches, the one whose length is nearest the
    pattern's is taken.
    """
    m = len(pattern)
    if m == 0 or not text:
        return None
    ends = end_distances(pattern, text)
    best = min(ends)
    if best > max_dist:
        return None
    choices: list[tuple[int, int, int]] = []
    for end_index, dist in enumerate(ends):
        if dist != best:
            continue
        end = end_index + 1
        # Starts: run the reversed pattern leftwards from `end`.
        lo = max(0, end - m - max_dist)
        back = end_distances(pattern[::-1], text[lo:end][::-1], anchored=True)
        for k, d in enumerate(back):
            if d == best:
                start = end - (k + 1)
                choices.append((abs((end - start) - m), start, end))
    if not choices:
        return None
    _, start, end = min(choices)
    return start, end, best


def _edit_distance(a: str, b: str) -> int:
    """Plain Levenshtein distance (for checking the search in tests)."""
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def _probes(ann: Annotation, quote_len: int) -> list[tuple[str, int]]:
    """Short strings whose position predicts where the quote starts: (probe, offset).

    The quote start is at `hit - offset`. Probes: the end of the prefix, the
    start of the suffix, and four pieces of the quote itself (an edit that
    keeps the span recognisable leaves at least one of them intact).
    """
    probes: list[tuple[str, int]] = []
    if ann.prefix:
        tail = ann.prefix[-_PROBE_LEN:]
        probes.append((tail, -len(tail)))
    if ann.suffix:
        probes.append((ann.suffix[:_PROBE_LEN], quote_len))
    q = ann.text
    pieces = 4 if len(q) >= 8 else 1
    size = max(1, len(q) // pieces)
    for i in range(pieces):
        piece = q[i * size : (i + 1) * size] if i < pieces - 1 else q[i * size :]
        if piece.strip():
            probes.append((piece[:64], i * size))
    return probes


def _fuzzy(ann: Annotation, text: str, expected: list[int]) -> Anchored | None:
    quote = ann.text
    m = len(quote)
    k = int(m * MAX_EDIT_SHARE)
    if k < 1:
        return None
    starts: list[int] = [p for p in expected if 0 <= p <= len(text)]
    for probe, offset in _probes(ann, m):
        hits = _occurrences(text, probe, _MAX_HITS_PER_PROBE)
        starts.extend(hit - offset for hit in hits)
    # Nearest the old position first; merge windows that overlap.
    anchor = expected[0] if expected else 0
    starts = sorted(set(starts), key=lambda p: (abs(p - anchor), p))
    windows: list[tuple[int, int]] = []
    for p in starts:
        lo, hi = max(0, p - 2 * k), min(len(text), p + m + 2 * k)
        if lo >= hi or any(a <= lo and hi <= b for a, b in windows):
            continue
        windows.append((lo, hi))
        if len(windows) >= _MAX_WINDOWS:
            break
    best: Anchored | None = None
    seen: set[tuple[int, int]] = set()
    for lo, hi in windows:
        found = approximate_match(quote, text[lo:hi], k)
        if found is None:
            continue
        start, end, dist = found[0] + lo, found[1] + lo, found[2]
        trimmed = _trim_to_quote(quote, text, start, end)
        if trimmed != (start, end):
            # Each whitespace character trimmed may be one more edit: measure
            # again, or a 4-character quote could land on 2 of its characters.
            start, end = trimmed
            if start >= end:
                continue
            dist = end_distances(quote, text[start:end], anchored=True)[-1]
            if dist > k:
                continue
        if dist == 0 or start >= end:
            continue  # exact occurrences were judged already
        on_edges = _on_word_edges(ann, text, start, end, k)
        if on_edges is not None:
            start, end, dist = on_edges
        start, end, dist = _with_end_words(quote, text, start, end, dist, k)
        if dist == 0 or (start, end) in seen:
            continue
        seen.add((start, end))
        text_sim = 1.0 - dist / m
        score = (
            _WF_TEXT * text_sim
            + _WF_CONTEXT * context_similarity(ann, text, start, end)
            + _WF_CLOSE * _closeness(start, anchor, len(text))
        )
        if score >= FUZZY_THRESHOLD and (best is None or score > best.score):
            best = Anchored("fuzzy", _moved(ann, text, start, end, "fuzzy"), score)
    return best


def _inside_word(text: str, index: int) -> bool:
    return 0 < index < len(text) and text[index - 1].isalnum() and text[index].isalnum()


def _on_word_edges(
    ann: Annotation, text: str, start: int, end: int, k: int
) -> tuple[int, int, int] | None:
    """A fuzzy match cut inside a word, moved to the nearest word edges where
    the text is still within `k` edits of the quote; None if it is not cut,
    or the quote itself was (its own ends inside words where it was made).

    The closest text is often a cut word ("would save money." found in "would
    save much money." as "would save m"): a span ending mid-word, off its
    tokens, that snapping on export then refused.
    """
    quote = ann.text
    start_cut, end_cut = _inside_word(text, start), _inside_word(text, end)
    if not (start_cut or end_cut):
        return None
    if (quote[:1].isalnum() and ann.prefix[-1:].isalnum()) or (
            quote[-1:].isalnum() and ann.suffix[:1].isalnum()):
        return None  # made mid-word: keep what matched
    starts = [s for s in range(max(0, start - k), min(end, start + k + 1))
              if not _inside_word(text, s)] if start_cut else [start]
    ends = [e for e in range(max(start + 1, end - k), min(len(text), end + k) + 1)
            if not _inside_word(text, e)] if end_cut else [end]
    if not starts or not ends:
        return None  # no word edge within k characters ("0001" in "00000011"): as matched
    # Nearest the quote, then ending (and starting) on its own last (first)
    # character ("money." over "much", both as near), then nearest the match.
    best: tuple[int, bool, bool, int, int, int] | None = None
    for s in starts:
        reach = max(ends) - s
        if reach <= 0:
            continue
        distances = end_distances(quote, text[s:s + reach], anchored=True)
        for e in ends:
            if e <= s:
                continue
            dist = distances[e - s - 1]
            candidate = (dist, text[e - 1] != quote[-1], text[s] != quote[0],
                         abs(s - start) + abs(e - end), s, e)
            if dist <= k and (best is None or candidate < best):
                best = candidate
    return None if best is None else (best[4], best[5], best[0])


def _words(text: str) -> list[tuple[int, int]]:
    """Where each run of letters and digits in `text` starts and ends."""
    return [m.span() for m in _WORD.finditer(text)]


def _whole_word_cut(text: str, start: int, end: int) -> bool:
    """Whether [start, end) is part of a longer word, not a word of its own."""
    return _inside_word(text, start) or _inside_word(text, end)


def _with_end_words(
    quote: str, text: str, start: int, end: int, dist: int, k: int
) -> tuple[int, int, int]:
    """A fuzzy match grown to the quote's first and last words where it left them out.

    Among matches as close, the one nearest the quote's length won: "West
    looking at … claims" found in "The West is looking at … claims" as "is
    looking at … claims" (three edits, like "West is looking …", and two
    characters nearer the length), a word of the span lost. When the match
    does not start (end) with the quote's first (last) word and that word
    stands whole just before (after) it, the match starts (ends) there, if
    the text is still within `k` edits of the quote.
    """
    words = _words(quote)
    if not words:
        return start, end, dist
    (first_start, first_end), (last_start, last_end) = words[0], words[-1]
    first, last = quote[first_start:first_end], quote[last_start:last_end]
    found = _words(text[start:end])
    if not found or text[start + found[0][0]:start + found[0][1]] != first:
        lead = quote[:first_start]  # what the quote has before its first word ("‘")
        lo = max(0, start - k - first_end)
        for word_start, word_end in reversed(_words(text[lo:start])):
            at = lo + word_start
            if text[at:lo + word_end] != first or _whole_word_cut(text, at, lo + word_end):
                continue
            if lead and text[at - len(lead):at] == lead:
                at -= len(lead)
            grown = end_distances(quote, text[at:end], anchored=True)[-1]
            if grown <= k:
                start, dist = at, grown
                break
    found = _words(text[start:end])
    if not found or text[start + found[-1][0]:start + found[-1][1]] != last:
        trail = quote[last_end:]  # what the quote has after its last word (".”")
        hi = min(len(text), end + k + len(quote) - last_start)
        for word_start, word_end in _words(text[end:hi]):
            to = end + word_end
            if text[end + word_start:to] != last or _whole_word_cut(text, end + word_start, to):
                continue
            if trail and text[to:to + len(trail)] == trail:
                to += len(trail)
            grown = end_distances(quote, text[start:to], anchored=True)[-1]
            if grown <= k:
                end, dist = to, grown
                break
    return start, end, dist


def _trim_to_quote(quote: str, text: str, start: int, end: int) -> tuple[int, int]:
    """Don't let a match start or end in whitespace the quote did not have."""
    if quote[:1] and not quote[0].isspace():
        while start < end and text[start].isspace():
            start += 1
    if quote[-1:] and not quote[-1].isspace():
        while end > start and text[end - 1].isspace():
            end -= 1
    return start, end


# --------------------------------------------------------------------- reanchor


def _moved(ann: Annotation, text: str, start: int, end: int, how: str) -> Annotation:
    if ann.reanchored in ("fuzzy", "placed") and how == "moved":
        how = ann.reanchored  # the text may still differ from what was tagged
    fragments: tuple[tuple[int, int], ...] = ()
    if ann.fragments and how == "moved" and end - start == ann.end - ann.start:
        # The same text elsewhere: its pieces moved with it. Found only
        # approximately, where the gaps fall is unknown: one continuous span.
        fragments = tuple((a + start - ann.start, b + start - ann.start)
                          for a, b in ann.fragments)
    return ann.with_changes(
        start=start,
        end=end,
        fragments=fragments,
        text=text[start:end],
        prefix=text[max(0, start - CONTEXT_CHARS) : start],
        suffix=text[end : end + CONTEXT_CHARS],
        reanchored=how,
    )


def reanchor(
    ann: Annotation, new_text: str, *, doc_id: str | None = None, shift: int = 0
) -> Anchored:
    """Find `ann` in `new_text` (steps 1-4 above).

    `doc_id` is given to the new annotation (default: unchanged); `shift` is
    a guess of how far the text moved (e.g. the change in length when a note
    was put on top), tried as a second expected position.
    """
    if doc_id is not None and doc_id != ann.doc_id:
        ann = ann.with_changes(doc_id=doc_id)
    quote = ann.text
    expected = [ann.start] + ([ann.start + shift] if shift else [])
    n = len(new_text)

    # 1 and 2: exact occurrences, scored by context and closeness.
    total = new_text.count(quote)
    if total:
        hits = _exact_candidates(ann, new_text, expected)
        def score(pos: int) -> tuple[float, float]:
            ctx = context_similarity(ann, new_text, pos, pos + len(quote))
            close = max(_closeness(pos, e, n) for e in expected)
            return _W_CONTEXT * ctx + _W_CLOSE * close, ctx

        scored = [(score(pos), pos) for pos in hits]
        (best, ctx), pos = max(scored, key=lambda item: (item[0][0], -abs(item[1] - ann.start)))
        if pos == ann.start and new_text[ann.start : ann.end] == quote:
            return Anchored("kept", _kept(ann, new_text), best)
        unique_and_long = total == 1 and len(quote) >= _UNIQUE_MIN_LEN
        if ctx >= EXACT_MIN_CONTEXT or unique_and_long:
            return Anchored("moved", _moved(ann, new_text, pos, pos + len(quote), "moved"), best)

    # 3: approximately the same text.
    fuzzy = _fuzzy(ann, new_text, expected)
    if fuzzy is not None:
        return fuzzy
    # 4: an orphan.
    return Anchored("orphan", None, 0.0)


def _exact_candidates(ann: Annotation, text: str, expected: list[int]) -> list[int]:
    """Where the quote occurs, bounded: a short quote ("the") in a 50 MB article
    occurs too often to score every occurrence, so the ones with the stored
    context around them, the expected positions and the first `_MAX_EXACT` are tried.
    """
    quote = ann.text
    hits = set(_occurrences(text, quote, _MAX_EXACT))
    for pos in expected:  # and those near where it was
        lo = max(0, pos - _NEAR)
        hits.update(lo + h for h in _occurrences(text[lo : pos + _NEAR], quote, _MAX_EXACT))
    if ann.prefix:
        tail = ann.prefix[-_PROBE_LEN:]
        hits.update(h + len(tail) for h in _occurrences(text, tail + quote, _MAX_EXACT))
    if ann.suffix:
        hits.update(_occurrences(text, quote + ann.suffix[:_PROBE_LEN], _MAX_EXACT))
    return sorted(hits)


def _kept(ann: Annotation, text: str) -> Annotation:
    """Same place; the context is refreshed so that the next change finds it too."""
    return ann.with_changes(
        prefix=text[max(0, ann.start - CONTEXT_CHARS) : ann.start],
        suffix=text[ann.end : ann.end + CONTEXT_CHARS],
    )


def _with_context(ann: Annotation, old_text: str | None) -> Annotation:
    """Annotations stored without context get it from the old text, when known."""
    if (ann.prefix or ann.suffix) or old_text is None or old_text[ann.start : ann.end] != ann.text:
        return ann
    return ann.with_changes(
        prefix=old_text[max(0, ann.start - CONTEXT_CHARS) : ann.start],
        suffix=old_text[ann.end : ann.end + CONTEXT_CHARS],
    )


def reanchor_document(
    old_text: str | None,
    new_text: str,
    annotations: Iterable[Annotation],
    *,
    new_doc_id: str | None = None,
) -> ReanchorReport:
    """Re-anchor every annotation of a changed document onto `new_text`."""
    anns = list(annotations)
    shift = 0 if old_text is None else len(new_text) - len(old_text)
    report = ReanchorReport(
        old_doc_id=anns[0].doc_id if anns else "",
        new_doc_id=new_doc_id or Document(new_text).id,
    )
    for ann in anns:
        result = reanchor(
            _with_context(ann, old_text), new_text, doc_id=report.new_doc_id, shift=shift
        )
        report.results.append((ann, result))
        if result.annotation is None:
            report.orphans.append(ann)
        else:
            report.annotations.append(result.annotation)
    return report
