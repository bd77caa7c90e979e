"""Sentence alignment of two articles telling the same story.

Two outlets rewrite one wire story: most sentences of one have a
counterpart in the other, a few say what the other does not. `align`
finds the counterparts so the reader can show them side by side and mark
the sentences only one outlet carries.

Similarity: each sentence's tokens (from its `Segmentation`) are
lowercased, split at hyphens, stripped of newsmark's own stop words (NLTK's
stop-word corpus would need a download) and stemmed with NLTK's Snowball
stemmer (which needs no data). A sentence is a TF-IDF vector, the IDF
counted over every sentence of both articles and of the optional corpus;
two sentences score their cosine.

Pairs: a sentence and its best match pair when the cosine reaches
`THRESHOLD` and each is among the other's two best, or when each is the
other's very best, the cosine reaches `MUTUAL_THRESHOLD`, and the pair
sits in order between the pairs found before and after it (a paraphrase
sharing only a word or two, "once considered fringe" / "not fringe
anymore", is still the best match of each side). A sentence may pair
with two of the other side (one-to-many) when both clear the threshold, or
when it paraphrases two adjacent sentences: their concatenation scores
clearly higher (`JOIN_GAIN`) than either alone, or the neighbour of its
counterpart, paired with nothing, clears the threshold with it alone.
Every pair shares at least two stems: one word in common ("river",
"know") is not a paraphrase of two short sentences, however high they
score.

Cost: vectors are sparse dicts, candidates come from an inverted index of
the rarer stems, and identical sentences are scored once, so two 1 MB
articles align in about a second.
"""

from __future__ import annotations

import heapq
import math
import re
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any

from annotations.segmentation import Segmentation, Span

# Tuned on the two seed articles (one wire story, two outlets): shared
# claims score 0.18-0.75, most unrelated sentences of one story under 0.15.
THRESHOLD = 0.18
# Two sentences that are each other's best match, in order between the
# pairs around them, pair from this score on: on the seed articles the one
# paraphrase under THRESHOLD scores 0.14, and the best match of a sentence
# only one outlet carries is under 0.12 or not mutual.
MUTUAL_THRESHOLD = 0.12
# A pair with the second-best counterpart needs this share of the best score.
SECOND_SHARE = 0.7
# Two adjacent sentences read as one paraphrase when their concatenation
# scores this much more than the better of the two alone.
JOIN_GAIN = 0.08
# Candidates per sentence scored exactly.
# Stems in more distinct sentences than this do not propose candidates.
MAX_POSTINGS = 64
CANDIDATES = 12

# newsmark's own English function words (NLTK's list needs a download),
# plus news verbs of saying that every sentence of a story shares (as
# written, before stemming: "stating" would otherwise match "Secretary of
# State", and "claims" is left in for "territorial claims").
STOP_WORDS: frozenset[str] = frozenset(
    """
    a about above after again against all also am an and any are aren't as at
    be because been before being below between both but by can cannot could
    couldn't did didn't do does doesn't doing don't down during each either
    few for from further had hadn't has hasn't have haven't having he he'd
    he'll he's her here here's hers herself him himself his how how's however
    i i'd i'll i'm i've if in into is isn't it it's its itself just let's me
    more most mustn't my myself neither no nor not of off on once only or
    other ought our ours ourselves out over own same shan't she she'd she'll
    she's should shouldn't so some such than that that's the their theirs them
    themselves then there there's these they they'd they'll they're they've
    this those through thus to too under until up upon us very via was wasn't
    we we'd we'll we're we've were weren't what what's when when's where
    where's whether which while who who's whom whose why why's will with won't
    would wouldn't yet you you'd you'll you're you've your yours yourself
    yourselves
    s t d ll m re ve n't
    said says say told according also already still even though although
    stated stating reported reportedly suggested declared insisted insisting
    posted added noted argued warned
    one two its
    mr mrs ms dr
    """.split()
)

_WORD = re.compile(r"[^\W_]+(?:[.'][^\W_]+)*", re.UNICODE)


@cache
def _stemmer():  # type: ignore[no-untyped-def]
    # Imported on first use: NLTK takes ~0.3 s to import.
    from nltk.stem.snowball import SnowballStemmer

    return SnowballStemmer("english")


@lru_cache(maxsize=200_000)
def _stem(word: str) -> str:
    return _stemmer().stem(word)


def terms(text: str) -> list[str]:
    """The stemmed content words of `text`, in order (repeats kept)."""
    out: list[str] = []
    for m in _WORD.finditer(text.lower().replace("\u2019", "'").replace("\u2018", "'")):
        word = m.group()
        if word.endswith("'s"):
            word = word[:-2]
        if word in STOP_WORDS or not word:
            continue
        if len(word) == 1 and not word.isdigit():
            continue
        out.append(_stem(word))
    return out


@dataclass(frozen=True, slots=True)
class AlignedPair:
    """Sentence `a_index` of the first article matches `b_index` of the second."""

    a_index: int
    b_index: int
    score: float


@dataclass(frozen=True)
class Alignment:
    """Which sentences of two articles say the same thing.

    `pairs` are sorted by (a_index, b_index); a sentence may be in several.
    """

    a: Segmentation
    b: Segmentation
    pairs: list[AlignedPair]
    _of_a: dict[int, list[int]] = field(init=False, repr=False, compare=False)
    _of_b: dict[int, list[int]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        of_a: dict[int, list[int]] = defaultdict(list)
        of_b: dict[int, list[int]] = defaultdict(list)
        for p in self.pairs:
            of_a[p.a_index].append(p.b_index)
            of_b[p.b_index].append(p.a_index)
        object.__setattr__(self, "_of_a", {i: sorted(js) for i, js in of_a.items()})
        object.__setattr__(self, "_of_b", {j: sorted(is_) for j, is_ in of_b.items()})

    def counterparts_of_a(self, i: int) -> list[int]:
        """Sentence indices of `b` matching sentence `i` of `a` (sorted; [] if none)."""
        return list(self._of_a.get(i, ()))

    def counterparts_of_b(self, j: int) -> list[int]:
        """Sentence indices of `a` matching sentence `j` of `b` (sorted; [] if none)."""
        return list(self._of_b.get(j, ()))

    def unmatched_a(self) -> list[int]:
        """Sentences of `a` with no counterpart: what only the first outlet says."""
        return [i for i in range(len(self.a.sentences)) if i not in self._of_a]

    def unmatched_b(self) -> list[int]:
        """Sentences of `b` with no counterpart: what only the second outlet says."""
        return [j for j in range(len(self.b.sentences)) if j not in self._of_b]

    def counterpart_spans(self, side: str, offset: int) -> list[Span]:
        """Spans in the other article matching the sentence at `offset` of `side`.

        `side` is "a" or "b"; the cursor's offset goes in, the spans to
        highlight in the other pane come out ([] when none, or no sentence).
        """
        if side == "a":
            index = self.a.sentence_at(offset)
            found = [] if index is None else self.counterparts_of_a(index)
            return [self.b.sentences[j] for j in found]
        if side == "b":
            index = self.b.sentence_at(offset)
            found = [] if index is None else self.counterparts_of_b(index)
            return [self.a.sentences[i] for i in found]
        raise ValueError(f"side must be 'a' or 'b', not {side!r}")

    def score(self, i: int, j: int) -> float | None:
        for p in self.pairs:
            if p.a_index == i and p.b_index == j:
                return p.score
        return None

    def records(self) -> Iterator[dict[str, Any]]:
        """JSON-ready records: every pair, then every unmatched sentence.

        `{"a": [start, end], "b": [start, end], "score": 0.62}` per pair,
        `{"a": [s, e], "b": null}` / `{"a": null, "b": [s, e]}` per
        sentence without counterpart; offsets are code points into each text.
        """
        for p in self.pairs:
            yield {
                "a": list(self.a.sentences[p.a_index]),
                "b": list(self.b.sentences[p.b_index]),
                "score": round(p.score, 3),
            }
        for i in self.unmatched_a():
            yield {"a": list(self.a.sentences[i]), "b": None}
        for j in self.unmatched_b():
            yield {"a": None, "b": list(self.b.sentences[j])}


# --------------------------------------------------------------- vectors

Vector = dict[str, float]


def _sentence_terms(seg: Segmentation) -> list[tuple[str, ...]]:
    """Stemmed terms per sentence of the segmentation."""
    text = seg.text
    return [tuple(terms(text[s:e])) for s, e in seg.sentences]


_ROUGH_SENTENCE = re.compile(r"[^.!?\n]+")


def _corpus_term_sets(corpus: Iterable[str], skip: set[str]) -> Iterator[frozenset[str]]:
    """Term sets of the corpus's sentences (split roughly: only counts matter)."""
    for text in corpus:
        if text in skip:
            continue
        for m in _ROUGH_SENTENCE.finditer(text):
            found = terms(m.group())
            if found:
                yield frozenset(found)


class _Space:
    """IDF weights and the vectors they give."""

    def __init__(self, term_sets: Iterable[Iterable[str]]) -> None:
        df: Counter[str] = Counter()
        n = 0
        for ts in term_sets:
            n += 1
            df.update(set(ts))
        self.n = n
        self.df = df

    def idf(self, term: str) -> float:
        return math.log((1 + self.n) / (1 + self.df.get(term, 0))) + 1.0

    def vector(self, words: Iterable[str]) -> Vector:
        tf = Counter(words)
        vec = {t: (1.0 + math.log(c)) * self.idf(t) for t, c in tf.items()}
        norm = math.sqrt(sum(w * w for w in vec.values()))
        return {t: w / norm for t, w in vec.items()} if norm else {}


def _dot(u: Vector, v: Vector) -> float:
    if len(u) > len(v):
        u, v = v, u
    return sum(w * v.get(t, 0.0) for t, w in u.items())


def _probes(vec: Vector, space: _Space, bound: float) -> list[str]:
    """The rarest stems of `vec` whose weight leaves less than `bound` of norm.

    A sentence scoring `bound` or more with `vec` must share one of them:
    the stems left out contribute at most their norm to the cosine
    (Cauchy-Schwarz), which is under `bound`. Stems in no other sentence
    propose nothing and are skipped.
    """
    ranked = sorted(vec, key=lambda t: (space.df.get(t, 0), t))
    rest = sum(w * w for w in vec.values())
    out: list[str] = []
    limit = bound * bound
    for t in ranked:
        if rest < limit:
            break
        rest -= vec[t] * vec[t]
        if space.df.get(t, 0) > 1:
            out.append(t)
    return out


def _cosines(
    a_vecs: list[Vector], b_vecs: list[Vector], space: _Space, bound: float
) -> dict[int, dict[int, float]]:
    """Scores of the best candidates of each `a` vector among `b` vectors.

    Candidates are the `b` sentences sharing one of the rarer stems of the
    `a` sentence (`_probes`: every sentence scoring `bound` or more is
    among them); the best `CANDIDATES` of them by that partial score are
    scored exactly.
    Identical sentences are scored once, and of a `b` sentence repeated
    many times only the copy nearest `a`'s relative position is kept.
    """
    b_keys: dict[frozenset[tuple[str, float]], int] = {}
    b_unique: list[Vector] = []
    b_members: list[list[int]] = []
    for j, vec in enumerate(b_vecs):
        if not vec:
            continue
        key = frozenset(vec.items())
        u = b_keys.get(key)
        if u is None:
            u = b_keys[key] = len(b_unique)
            b_unique.append(vec)
            b_members.append([])
        b_members[u].append(j)
    index: dict[str, list[tuple[int, float]]] = defaultdict(list)
    for u, vec in enumerate(b_unique):
        for t, w in vec.items():
            index[t].append((u, w))

    n_a, n_b = max(1, len(a_vecs)), max(1, len(b_vecs))
    cache: dict[frozenset[tuple[str, float]], dict[int, float]] = {}
    out: dict[int, dict[int, float]] = {}
    for i, vec in enumerate(a_vecs):
        if not vec:
            continue
        key = frozenset(vec.items())
        scored = cache.get(key)
        if scored is None:
            probes = _probes(vec, space, bound)
            # A stem in very many sentences costs much and tells little: the
            # rarer probes find the counterparts of all but the blandest
            # sentences (which keep their rarest probe).
            frequent = [t for t in probes if len(index.get(t, ())) > MAX_POSTINGS]
            if frequent:
                probes = [t for t in probes if len(index.get(t, ())) <= MAX_POSTINGS]
                probes = probes or frequent[:1]
            partial: dict[int, float] = defaultdict(float)
            for t in probes:
                w = vec[t]
                for u, wb in index.get(t, ()):
                    partial[u] += w * wb
            best = heapq.nlargest(CANDIDATES, partial, key=partial.__getitem__)
            scored = cache[key] = {u: _dot(vec, b_unique[u]) for u in best}
        row: dict[int, float] = {}
        expected = i * n_b / n_a
        for u, s in scored.items():
            members = b_members[u]
            if len(members) > 1:  # a repeated sentence: its nearest copy
                k = bisect_left(members, expected)
                near = members[max(0, k - 1) : k + 1]
                members = [min(near, key=lambda j: abs(j - expected))]
            row[members[0]] = s
        if row:
            out[i] = row
    return out


def _top(row: dict[int, float], n: int, expected: float) -> list[tuple[int, float]]:
    """The `n` best of `row`; of equal scores (a repeated sentence), the
    one nearest `expected`, the position matching in the other article."""
    return heapq.nsmallest(
        n, row.items(), key=lambda kv: (-round(kv[1], 9), abs(kv[0] - expected), kv[0])
    )


def align(
    a: Segmentation,
    b: Segmentation,
    *,
    corpus: Iterable[str] = (),
    threshold: float = THRESHOLD,
) -> Alignment:
    """Align the sentences of `a` and `b` (see the module's notes).

    `corpus`: texts of the other loaded articles, for better IDF weights;
    the texts of `a` and `b` themselves are skipped if they are in it.
    """
    a_terms = _sentence_terms(a)
    b_terms = _sentence_terms(b)
    space = _Space([*a_terms, *b_terms, *_corpus_term_sets(corpus, {a.text, b.text})])
    a_vecs = [space.vector(t) for t in a_terms]
    b_vecs = [space.vector(t) for t in b_terms]
    ab = _cosines(a_vecs, b_vecs, space, threshold / 2)
    ba: dict[int, dict[int, float]] = defaultdict(dict)
    for i, row in ab.items():
        for j, s in row.items():
            ba[j][i] = s
    # Candidates found from b's side only (through b's rarest stems).
    for j, row in _cosines(b_vecs, a_vecs, space, threshold / 2).items():
        for i, s in row.items():
            ba[j].setdefault(i, s)
            ab.setdefault(i, {}).setdefault(j, s)

    pairs: dict[tuple[int, int], float] = {}
    n_a, n_b = max(1, len(a_vecs)), max(1, len(b_vecs))
    top_a = {i: _top(row, 2, i * n_b / n_a) for i, row in ab.items()}
    top_b = {j: _top(row, 2, j * n_a / n_b) for j, row in ba.items()}

    def ranked(top: list[tuple[int, float]], other: int) -> bool:
        """`other` is the best, or a second close enough to the best."""
        if not top:
            return False
        best = top[0][1]
        return any(k == other and s >= SECOND_SHARE * best for k, s in top)

    def evidence(i: int, j: int) -> bool:
        return _enough_shared(a_terms[i], b_terms[j])

    for i, top in top_a.items():
        for j, s in top:
            if (s >= threshold and ranked(top, j) and ranked(top_b.get(j, []), i)
                    and evidence(i, j)):
                pairs[(i, j)] = s
    _mutual_pairs(top_a, top_b, pairs, threshold * MUTUAL_THRESHOLD / THRESHOLD, evidence)

    _join_pairs(a_vecs, b_vecs, ab, ba, space, a_terms, b_terms, pairs, threshold, flip=False)
    _join_pairs(b_vecs, a_vecs, ba, ab, space, b_terms, a_terms, pairs, threshold, flip=True)

    ordered = [AlignedPair(i, j, s) for (i, j), s in sorted(pairs.items())]
    return Alignment(a, b, ordered)


def _enough_shared(x: tuple[str, ...], y: tuple[str, ...]) -> bool:
    """Two sentences share at least two stems.

    One word in common makes two short sentences score high without their
    saying the same thing: "I want the river back" / "Rivers recover
    faster", "The fish know it" / "who is paying for it, I want to know",
    and between unrelated articles "If people use it, keep it" / "faster
    than people expect". Every counterpart on the seed and sample articles
    shares two or more.
    """
    return len(set(x) & set(y)) >= 2


def _mutual_pairs(
    top_a: dict[int, list[tuple[int, float]]],
    top_b: dict[int, list[tuple[int, float]]],
    pairs: dict[tuple[int, int], float],
    floor: float,
    evidence: Callable[[int, int], bool],
) -> None:
    """Pair sentences that are each other's best match from `floor` on, when
    the pair keeps the story's order between the pairs already found: a
    weak score alone is what two unrelated sentences sharing a word give,
    but between the counterparts of the sentences before and after it, it
    is the paraphrase the outlets' shared order says belongs there."""
    strong = sorted(pairs)
    for i, top in top_a.items():
        if not top or top[0][1] < floor or any(a == i for a, _ in strong):
            continue
        j, s = top[0]
        back = top_b.get(j, [])
        if not back or back[0][0] != i or any(b == j for _, b in strong):
            continue
        before = [b for a, b in strong if a < i]
        after = [b for a, b in strong if a > i]
        if not before or not after:
            continue
        prev_a = max(a for a, _ in strong if a < i)
        next_a = min(a for a, _ in strong if a > i)
        if all(b < j for a, b in strong if a == prev_a) and all(
            b > j for a, b in strong if a == next_a
        ) and evidence(i, j):
            pairs[(i, j)] = s


def _join_pairs(
    x_vecs: list[Vector],
    y_vecs: list[Vector],
    xy: dict[int, dict[int, float]],
    yx: dict[int, dict[int, float]],
    space: _Space,
    x_terms: list[tuple[str, ...]],
    y_terms: list[tuple[str, ...]],
    pairs: dict[tuple[int, int], float],
    threshold: float,
    *,
    flip: bool,
) -> None:
    """Pair x's sentence with two adjacent y sentences it paraphrases as one:
    their concatenation scores clearly higher than either alone, or the
    neighbour of its counterpart, paired with nothing, clears the threshold
    alone and has x's sentence as its own best match ("cost about $3.5 million, roughly half
    the price of the repairs" / "$3.5 million" + "Repairs were priced at
    more than twice that")."""
    paired_y = {a if flip else b for a, b in pairs}
    for i, row in xy.items():
        if not row:
            continue
        j, best = _top(row, 1, i * len(y_vecs) / max(1, len(x_vecs)))[0]
        if best < threshold / 2:
            continue
        for k in (j - 1, j + 1):
            if not 0 <= k < len(y_vecs) or not y_terms[k]:
                continue
            other = row.get(k)
            if other is None:
                other = _dot(x_vecs[i], y_vecs[k])
            if other < threshold / 4:
                continue  # adding k would mostly dilute: no gain to find
            key_j = (j, i) if flip else (i, j)
            back = yx.get(k, {})
            if (
                key_j in pairs
                and k not in paired_y  # a rescue for a sentence left alone, not a second home
                and other >= threshold
                and back
                and _top(back, 1, k * len(x_vecs) / max(1, len(y_vecs)))[0][0] == i
                and _enough_shared(x_terms[i], y_terms[k])
            ):
                key_k = (k, i) if flip else (i, k)
                pairs[key_k] = max(pairs.get(key_k, 0.0), other)
                paired_y.add(k)
                continue
            lo, hi = min(j, k), max(j, k)
            joined = _dot(x_vecs[i], space.vector(y_terms[lo] + y_terms[hi]))
            alone = max(best, other)
            if joined >= threshold and joined >= alone + JOIN_GAIN:
                for y in (lo, hi):
                    key = (y, i) if flip else (i, y)
                    pairs[key] = max(pairs.get(key, 0.0), joined)
                    paired_y.add(y)
