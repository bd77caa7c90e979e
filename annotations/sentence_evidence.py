"""Evidence that two sentences of two articles state the same thing.

`Evidence` scores the candidate pairs of two segmentations and describes
each by a few numbers (`FEATURES`) that `annotations.alignment` weighs:

- similarity: the cosine of the two sentences' TF-IDF vectors of stemmed
  content words (newsmark's own stop words; NLTK's Snowball stemmer, which
  needs no data), the IDF counted over both articles and an optional
  corpus; names (words written capitalised inside sentences and never in
  lower case) and numbers weigh `ANCHOR_BOOST` times a common word of the
  same rarity; plus half the verbatim share (below), capped at 1;
- verbatim: the Dice share of word trigrams, stop words included: a quote
  copied word for word ("I'm not quite there yet") is made of words a bag
  of content words barely sees;
- mutual: whether each sentence is the other's best match (every pair
  described has one sentence the other's best match); margin_a /
  margin_b: how far the pair's similarity is above the next best match of
  each side (a sentence that matches many others as well shares topic
  words, not a statement);
- position: the distance of the two sentences' relative places;
  in_order: whether the pair keeps the story's order between the confident
  pairs (mutual, similarity >= `CHAIN`) before and after it; parallel:
  for a pair in order, the share of the shorter article's sentences in
  that chain (in two articles told in the same order, order says more);
- anchors: names and numbers the two share (capped at 3, scaled to 0-1);
  coverage: the share of the shorter side's content stems the other has;
  shared: log(1 + stems in common); phrases: stem pairs in the same order
  within two words of each other ("shot ... killed", "February 2012")
  they share (capped at 4, scaled to 0-1): a statement repeats words
  together, a topic repeats them apart;
- polarity: one sentence is negated and the other not ("endorsed" / "has
  yet to endorse").

Candidates share two stems or half their word trigrams, and are not two
sentences that each state two or more figures and share none.

Cost: vectors are sparse dicts, candidates come from an inverted index of
the rarer stems, identical sentences are scored once, and features are
computed only for best-match pairs: two 5,000-word articles take about
100 ms of CPU, two 1 MB articles of generated news (11,000 sentences each)
about 7 s, as the method before this one did (the reader aligns in a
worker thread).
"""

from __future__ import annotations

import heapq
import math
import re
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from functools import cache, lru_cache

from annotations.errors import WorkStopped
from annotations.segmentation import Segmentation

# A name or number shared weighs this much more than a common word of the
# same rarity (chosen on the dev pairs, each left out in turn: 1.5 beat 1.0
# and 2.0 in precision at the same recall).
ANCHOR_BOOST = 1.5
# Mutual best matches from this similarity on make the chain that
# `in_order` measures against.
CHAIN = 0.4
# Stems in more distinct sentences than this do not propose candidates.
MAX_POSTINGS = 64
# Candidates per sentence scored exactly (from each side): only the best
# two of each sentence are used; 6 aligned the dev pairs as 12 did, in
# half the time.
CANDIDATES = 6

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


# --------------------------------------------------------------- vectors

Vector = dict[str, float]


def sentence_terms(seg: Segmentation) -> list[tuple[str, ...]]:
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
    """IDF weights and the vectors they give; `anchors` (and numbers) weigh more."""

    def __init__(self, term_sets: Iterable[Iterable[str]],
                 anchors: frozenset[str] = frozenset()) -> None:
        self.anchors = anchors
        df: Counter[str] = Counter()
        n = 0
        for ts in term_sets:
            n += 1
            df.update(set(ts))
        self.n = n
        self.df = df

    def idf(self, term: str) -> float:
        idf = math.log((1 + self.n) / (1 + self.df.get(term, 0))) + 1.0
        return idf * ANCHOR_BOOST if self.is_anchor(term) else idf

    def is_anchor(self, term: str) -> bool:
        return term in self.anchors or term[:1].isdigit()

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


# How many sentences are scored between two looks at `stop`.
STOP_EVERY = 256


def _never() -> bool:
    return False


def _cosines(
    a_vecs: list[Vector], b_vecs: list[Vector], space: _Space, bound: float,
    stop: Callable[[], bool],
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
        if i % STOP_EVERY == 0 and stop():
            raise WorkStopped
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




# ------------------------------------------------------------ evidence

FEATURES = ("similarity", "verbatim", "mutual", "margin_a", "margin_b",
            "position", "in_order", "anchors", "coverage", "shared", "phrases", "polarity",
            "parallel")

# Words that turn a statement around: "endorsed" / "has yet to endorse".
_NEGATIONS = frozenset("not no never nor neither without yet refused refuses refusing "
                       "declined declines denied denies".split())


def negated(text: str) -> bool:
    """The sentence says no: a negation word or an "n't"."""
    return any(w in _NEGATIONS or w.endswith("n't")
               for w in _ANY_WORD.findall(text.lower().replace("\u2019", "'")))

_ANY_WORD = re.compile(r"[^\W_]+(?:['\u2019][^\W_]+)*", re.UNICODE)

# How many words after a negation it is taken to deny ("has yet to endorse
# House Speaker": endorse, House).
NEGATION_SCOPE = 3


def negated_stems(text: str) -> frozenset[str]:
    """The content stems within `NEGATION_SCOPE` words after a negation:
    what the sentence denies ("has yet to endorse Ryan": endors), not all
    it mentions. "No longer X" and "not X anymore" say that X was once
    true, which agrees with a sentence saying so ("once considered fringe"
    / "not fringe anymore"): they deny nothing here."""
    words = _ANY_WORD.findall(text.lower().replace("\u2019", "'"))
    out: set[str] = set()
    for k, w in enumerate(words):
        if w in _NEGATIONS or w.endswith("n't"):
            scope = words[k + 1 : k + 1 + NEGATION_SCOPE]
            if scope[:1] == ["longer"] or "anymore" in scope:
                continue
            out.update(terms(" ".join(scope)))
    return frozenset(out)


def _trigrams(text: str) -> frozenset[tuple[str, ...]]:
    words = _ANY_WORD.findall(text.lower().replace("\u2019", "'"))
    return frozenset(zip(words, words[1:], words[2:], strict=False))


def trigram_share(x: str, y: str) -> float:
    """The Dice share of two texts' word trigrams (stop words included)."""
    tx, ty = _trigrams(x), _trigrams(y)
    return 2 * len(tx & ty) / (len(tx) + len(ty)) if tx and ty else 0.0


def _phrases(stems: tuple[str, ...]) -> frozenset[tuple[str, str]]:
    """Stem pairs in order, adjacent or one stem apart."""
    return frozenset([*zip(stems, stems[1:], strict=False),
                      *zip(stems, stems[2:], strict=False)])


def name_stems(texts: Iterable[str], sentences: Iterable[str]) -> frozenset[str]:
    """Stems of the words used as names in `texts`.

    A name is written capitalised after a sentence's first word and never
    in lower case anywhere in the texts ("Zimmerman", "Smithsonian"; not
    "Gun" of a headline: headlines in title case, half their words or more
    capitalised, are not counted).
    """
    lower: set[str] = set()
    for text in texts:
        lower.update(w.lower() for w in _ANY_WORD.findall(text) if w[:1].islower())
    found: set[str] = set()
    for sentence in sentences:
        words = _ANY_WORD.findall(sentence)
        if sum(1 for w in words if w[:1].isupper()) * 2 >= len(words):
            continue
        found.update(w.lower() for w in words[1:] if w[:1].isupper())
    return frozenset(t for w in found - lower for t in terms(w))


def _numbers(stems: Iterable[str]) -> frozenset[str]:
    return frozenset(t for t in stems if t.replace(".", "").isdigit())


def numbers_clash(x: tuple[str, ...], y: tuple[str, ...]) -> bool:
    """Both sentences state figures (two or more each) and share none:
    different facts ("leads among registered Democrats 49 to 41" / "leads
    among voters under 45, 66 to 27"), however many names and words they
    share. One figure each is often a date beside the fact ("4 million" /
    "before 2030"): no clash."""
    nx, ny = _numbers(x), _numbers(y)
    return len(nx) >= 2 and len(ny) >= 2 and not nx & ny


def _shares_enough(x: tuple[str, ...], y: tuple[str, ...], verbatim: float) -> bool:
    """Two sentences share two stems, or half their word trigrams.

    One word in common makes two short sentences score high without their
    saying the same thing: "I want the river back" / "Rivers recover
    faster", "The fish know it" / "who is paying for it, I want to know".
    A quote copied word for word may be all stop words but one ("I'm not
    quite there yet"): its trigrams say it is the same.
    """
    return len(set(x) & set(y)) >= 2 or verbatim >= 0.5


class Evidence:
    """The candidate pairs of two segmentations, each with its features.

    `similarity[(i, j)]` is the pair's similarity (0-1) and
    `features[(i, j)]` its values in the order of `FEATURES`. Candidates
    are the pairs of sentences sharing a rare stem (see `_cosines`) that
    share enough to be a paraphrase at all (`_shares_enough`).
    """

    FEATURES = FEATURES

    def __init__(self, a: Segmentation, b: Segmentation, *, corpus: Iterable[str] = (),
                 bound: float = 0.09, stop: Callable[[], bool] | None = None) -> None:
        a_text = [a.text[s:e] for s, e in a.sentences]
        b_text = [b.text[s:e] for s, e in b.sentences]
        a_terms = [tuple(terms(t)) for t in a_text]
        b_terms = [tuple(terms(t)) for t in b_text]
        space = _Space([*a_terms, *b_terms, *_corpus_term_sets(corpus, {a.text, b.text})],
                       name_stems([a.text, b.text], [*a_text, *b_text]))
        a_vecs = [space.vector(t) for t in a_terms]
        b_vecs = [space.vector(t) for t in b_terms]
        # `stop` is asked between batches of sentences: an alignment of two
        # very long articles takes seconds, and quitting waited for it.
        stop = stop or _never
        cosine = _cosines(a_vecs, b_vecs, space, bound, stop)
        for j, row in _cosines(b_vecs, a_vecs, space, bound, stop).items():
            for i, s in row.items():
                cosine.setdefault(i, {}).setdefault(j, s)

        a_neg = [negated_stems(t) for t in a_text]
        b_neg = [negated_stems(t) for t in b_text]
        a_tri = [_trigrams(t) for t in a_text]
        b_tri = [_trigrams(t) for t in b_text]
        self.similarity: dict[tuple[int, int], float] = {}
        verbatim: dict[tuple[int, int], float] = {}
        for i, row in cosine.items():
            for j, cos in row.items():
                x, y = a_tri[i], b_tri[j]
                v = 2 * len(x & y) / (len(x) + len(y)) if x and y else 0.0
                if _shares_enough(a_terms[i], b_terms[j], v) and not numbers_clash(
                        a_terms[i], b_terms[j]):
                    verbatim[(i, j)] = v
                    # Uncapped while ranking: of two sentences identical in
                    # content words ("We need very strong leadership" / "We
                    # need very, very strong leadership") the one copied
                    # word for word is the better match.
                    self.similarity[(i, j)] = cos + 0.5 * v
        self.n_a, self.n_b = len(a_text), len(b_text)
        self._space, self._terms = space, (a_terms, b_terms)
        self._vecs = (a_vecs, b_vecs)
        self.best_a, self.best_b = self._best()
        self.chain = chain = self._chain()
        # How far the two articles tell the story in the same order: the
        # share of the shorter one's sentences in the confident chain.
        parallel = len(chain) / max(1, min(self.n_a, self.n_b))
        # Features only for the pairs where one sentence is the other's best
        # match: no other pair is ever kept, and there are about as many of
        # them as sentences, against ten or so candidates per sentence.
        self.features: dict[tuple[int, int], tuple[float, ...]] = {}
        # Pairs where a stem both share is denied in one only (`polarity`).
        self.denied: set[tuple[int, int]] = set()
        ranked = dict(self.similarity)
        for key, sim in ranked.items():
            self.similarity[key] = min(1.0, sim)
        a_sets = [frozenset(t) for t in a_terms]
        b_sets = [frozenset(t) for t in b_terms]
        a_phrases: dict[int, frozenset[tuple[str, str]]] = {}
        b_phrases: dict[int, frozenset[tuple[str, str]]] = {}
        for (i, j), sim in self.similarity.items():
            mutual = self.best_a[i][0] == j and self.best_b[j][0] == i
            if not (mutual or self.best_a[i][0] == j or self.best_b[j][0] == i):
                continue
            if i not in a_phrases:
                a_phrases[i] = _phrases(a_terms[i])
            if j not in b_phrases:
                b_phrases[j] = _phrases(b_terms[j])
            shared = a_sets[i] & b_sets[j]
            anchors = sum(1 for t in shared if space.is_anchor(t))
            phrases = len(a_phrases[i] & b_phrases[j])
            in_order = self.in_order(i, j)
            denied = bool((a_neg[i] ^ b_neg[j]) & shared)
            if denied:
                self.denied.add((i, j))
            self.features[(i, j)] = (
                sim,
                verbatim[(i, j)],
                float(mutual),
                self._margin(ranked[(i, j)], j, self.best_a[i]),
                self._margin(ranked[(i, j)], i, self.best_b[j]),
                abs(i / max(1, self.n_a) - j / max(1, self.n_b)),
                float(in_order),
                min(anchors, 3) / 3,
                len(shared) / (min(len(a_sets[i]), len(b_sets[j])) or 1),
                math.log1p(len(shared)),
                min(phrases, 4) / 4,
                float(denied),
                parallel if in_order else 0.0,
            )

    def _best(self) -> tuple[dict[int, tuple[int, float, float]],
                             dict[int, tuple[int, float, float]]]:
        """Each sentence's best match: (index, similarity, second best's similarity).

        Of equal scores (a repeated sentence), the one nearest the
        sentence's own relative place wins."""
        rows: dict[int, dict[int, float]] = defaultdict(dict)
        cols: dict[int, dict[int, float]] = defaultdict(dict)
        for (i, j), s in self.similarity.items():
            rows[i][j] = s
            cols[j][i] = s

        def best(table: dict[int, dict[int, float]], ratio: float
                 ) -> dict[int, tuple[int, float, float]]:
            out = {}
            for k, row in table.items():
                top = _top(row, 2, k * ratio)
                second = top[1][1] if len(top) > 1 else 0.0
                out[k] = (top[0][0], top[0][1], second)
            return out

        n_a, n_b = max(1, self.n_a), max(1, self.n_b)
        return best(rows, n_b / n_a), best(cols, n_a / n_b)

    def coverage(self, side: str, one: int, others: Iterable[int]) -> float:
        """The share (0-1) of the weight of sentence `one` of `side` ("a" or
        "b") whose stems are in the other article's sentences `others`."""
        mine, theirs = (0, 1) if side == "a" else (1, 0)
        found = {t for k in others for t in self._terms[theirs][k]}
        return sum(w * w for t, w in self._vecs[mine][one].items() if t in found)

    def in_order(self, i: int, j: int) -> bool:
        return _in_order(self.chain, i, j, self.n_b)

    def in_order_of(self, chain: list[tuple[int, int]], i: int, j: int) -> bool:
        """(i, j) lies between `chain`'s pairs before and after `i`."""
        return _in_order(chain, i, j, self.n_b)

    def word_cosine(self, i: int, j: int) -> float:
        """The TF-IDF cosine of sentence `i` of a and `j` of b (any pair)."""
        return _dot(self._vecs[0][i], self._vecs[1][j])

    def is_anchor(self, term: str) -> bool:
        """A name or a number: strong evidence when shared."""
        return self._space.is_anchor(term)

    @staticmethod
    def _margin(sim: float, other: int, best: tuple[int, float, float]) -> float:
        """How far `sim` is above the best match that is not `other`."""
        index, first, second = best
        return sim - (second if index == other else first)

    def _chain(self) -> list[tuple[int, int]]:
        """The longest run of confident pairs in the same order in both articles."""
        confident = sorted(
            (i, j) for (i, j), s in self.similarity.items()
            if s >= CHAIN and self.best_a[i][0] == j and self.best_b[j][0] == i
        )
        return longest_ordered(confident)


def longest_ordered(pairs: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """The longest list of `pairs` increasing in both indices (one per first index)."""
    ordered = sorted(pairs)
    # Longest strictly increasing subsequence of second indices (patience
    # sort); of pairs sharing a first index at most one can be taken, and
    # sorting them by descending second index within it ensures that.
    ordered.sort(key=lambda p: (p[0], -p[1]))
    tails: list[int] = []
    tail_at: list[int] = []
    before: list[int] = []
    for k, (_, j) in enumerate(ordered):
        pos = bisect_left(tails, j)
        before.append(tail_at[pos - 1] if pos else -1)
        if pos == len(tails):
            tails.append(j)
            tail_at.append(k)
        else:
            tails[pos] = j
            tail_at[pos] = k
    chain: list[tuple[int, int]] = []
    k = tail_at[-1] if tail_at else -1
    while k >= 0:
        chain.append(ordered[k])
        k = before[k]
    chain.reverse()
    return chain


def _in_order(chain: list[tuple[int, int]], i: int, j: int, n_b: int) -> bool:
    """Pair (i, j) lies between the chain's pairs before and after `i`."""
    k = bisect_left(chain, (i, -1))
    if k < len(chain) and chain[k] == (i, j):
        return True
    low = chain[k - 1][1] if k else -1
    while k < len(chain) and chain[k][0] == i:
        k += 1
    high = chain[k][1] if k < len(chain) else n_b
    return low < j < high
