"""Where the model's spans begin and end, corrected by boundary scores learnt from gold.

Trained on PolNeAR for the issue's budget, the span model finds Content
well (overlap F1 0.77 on held-out articles) but places its ends badly
(exact F1 0.45): a third of the Content it predicts overlaps a gold span
without matching it. Most of those misses are far off (a quotation split
in two, or run on over its attribution), but about a quarter are within
a few tokens (`to comment on [the donations]`, a trailing comma of a
Source). Each label's `ner` decides its ends greedily, token by token,
with an encoder trained for minutes; a plain logistic model over the
words and shapes around a gap, fitted to every gold span of the training
documents, is a second opinion on which gaps are a span's start or end.

So after training, for each label, two such scorers are fitted on the
training documents' gold (is a span of this label starting at this
token? ending after it?). A predicted span may then move each end by
up to `reach` tokens: among the candidate (start, end) pairs, the one
maximising the log-probabilities of its start and end, minus
`stay` for each end moved and `step` for each token moved, wins; a span
never crosses its label's neighbouring spans, nor starts or ends on
whitespace. The knobs (`reach`, `stay`, `step`) are chosen per label on
the held-out documents, from `GRID`, keeping the model's own spans
(`reach` 0) unless a setting scores a better exact F1 there (a mean
with overlap F1, as `model_bias` chooses its shifts, took settings that
lost exact F1 for a little overlap).

Measured on PolNeAR (docs/model.md, "Moving span ends"), knobs chosen
on the dev tenth of the training documents, then scored on the 167
held-out articles: Content exact F1 of the bench's headline model 0.447
-> 0.457 (0.424 -> 0.435 on the dev tenth), of two other saved models
0.432 -> 0.458 and 0.444 -> 0.462; Cue and Source +0.005 or less,
overlap F1 within 0.001. Content takes moves of up to 12 tokens: more
than half of its inexact ends are 6 tokens or more off.

What did not help: a bonus for a Content starting right after a
predicted Cue or ending right before a predicted Source (predicted Cues
sit inside quotations as often as before them: Content exact fell), a
penalty for unbalanced quotation marks (no change), a ranker trained
only against nearby gaps (0.424 at best, reach 5), merging adjacent
predictions (golds split in two are outnumbered 16 to 1 by rightly
separate neighbours), moves free per token (see `GRID`).

Saved beside the pipeline (`boundaries.npz`, float32 weights of hashed
features); `newsmark-model.json` records the knobs. A model folder
without the file predicts as before.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from annotations.span_scoring import PredictedSpanLike, SpanScores, Triple

if TYPE_CHECKING:
    from spacy.tokens import Doc


SpanT = TypeVar("SpanT", bound=PredictedSpanLike)  # what is moved

FILE_NAME = "boundaries.npz"
BITS = 18  # hashed feature space: 262,144 weights per scorer
ITERATIONS = 20
# (reach, stay, step): tokens each end may move, cost of moving an end at
# all, cost per token moved. (0, 0, 0) is the model's own spans. Every
# token moved costs something: with free moves (step 0) the dev tenth of
# the headline model chose Content moves of up to 20 tokens that gained
# 0.017 exact F1 there and 0.001 on the held-out articles (overlap fell
# 0.002), where every setting with step >= 0.25 gained 0.004-0.012; on
# two other models too, the dev tenth's choice among these settings did
# better on the held-out articles than its choice with free moves.
GRID: tuple[tuple[int, float, float], ...] = tuple(
    (reach, stay, step) for reach in (2, 4, 6, 8, 12, 16) for stay in (0.0, 1.0, 2.0)
    for step in (0.25, 0.5))
KEEP = (0, 0.0, 0.0)

_QUOTES = frozenset({'"', "“", "”", "‘", "’", "'", "`", "''", "``", "«", "»"})
_PAD = 0x9E3779B1  # the id of "no token here" (before the first, after the last)


def _shape(token: Any) -> str:
    """A token's (or a lexeme's: the same attributes) shape, as the features name it."""
    if token.is_space:
        return "newline" if "\n" in token.text else "space"
    if token.text in _QUOTES:
        return "quote" + token.text
    if token.is_punct:
        return "punct" + token.text
    if token.is_digit:
        return "digit"
    if token.is_title:
        return "title"
    if token.is_upper:
        return "upper"
    return "lower"


def _id(string: str) -> int:
    return zlib.crc32(string.encode("utf-8", "surrogatepass"))


# What a quotation mark does (`quotation_state`): nothing, open, close,
# toggle (a straight double quote), or close all (a paragraph break).
_NOTHING, _OPENS, _CLOSES, _TOGGLES, _BREAK = range(5)

# Per word (spaCy's ORTH hash): its features' ids, what it does to a
# quotation, whether it is whitespace, its length. All depend on the word
# alone: a text's tokens are looked at once per distinct word, not once per
# token and feature (that was most of moving a 5 KB article's span ends).
_LEXICAL: dict[int, tuple[int, int, int, bool, int]] = {}
_LEXICAL_MAX = 500_000  # words remembered; then forgotten all at once


def _lexical(lexeme: Any) -> tuple[int, int, int, bool, int]:
    text = lexeme.orth_
    if lexeme.is_space:
        quote = _BREAK if "\n" in text else _NOTHING
    elif text in ("“", "``", "«"):
        quote = _OPENS
    elif text in ("”", "''", "»"):
        quote = _CLOSES
    else:
        quote = _TOGGLES if text == '"' else _NOTHING
    return (_id(lexeme.lower_[:20]), _id(_shape(lexeme)), quote, bool(lexeme.is_space),
            len(text))


@dataclass(frozen=True, slots=True)
class TokenTable:
    """Per token of a doc, what moving span ends reads: its word's and shape's
    ids, what it does to a quotation, whether it is whitespace, and its
    character offsets."""

    words: Any  # uint64
    shapes: Any  # uint64
    quotes: Any  # int8, _NOTHING … _BREAK
    space: Any  # bool
    first_char: Any  # int64
    end_char: Any  # int64


def token_table(doc: Doc) -> TokenTable:
    import numpy as np
    from spacy.attrs import IDX, ORTH

    if len(_LEXICAL) > _LEXICAL_MAX:
        _LEXICAL.clear()
    columns = doc.to_array([ORTH, IDX]).reshape(len(doc), 2)
    orths, where = np.unique(columns[:, 0], return_inverse=True)
    rows = []
    for orth in orths.tolist():
        row = _LEXICAL.get(orth)
        if row is None:
            row = _LEXICAL[orth] = _lexical(doc.vocab[orth])
        rows.append(row)
    words, shapes, quotes, space, length = (np.array(c) for c in zip(*rows)) if rows else (
        np.zeros(0) for _ in range(5))
    first = columns[:, 1].astype(np.int64)
    return TokenTable(words.astype(np.uint64)[where], shapes.astype(np.uint64)[where],
                      quotes.astype(np.int8)[where], space.astype(bool)[where], first,
                      first + length.astype(np.int64)[where])


def token_features(doc: Doc, table: TokenTable | None = None) -> tuple[Any, Any]:
    """Hashed features of each token as the first of a span and as the last of one:
    two (tokens, features) arrays of feature numbers.

    Words (lower case, first 20 characters) and shapes (quote, punctuation,
    title case, newline…) of the tokens around the gap, alone and in pairs
    across it, and a bias. `table` is `token_table(doc)`, when made already.
    """
    import numpy as np

    table = token_table(doc) if table is None else table
    n = len(doc)
    pad = np.full(4, _PAD, dtype=np.uint64)
    w = np.concatenate([pad, table.words, pad])
    s = np.concatenate([pad, table.shapes + np.uint64(1), pad])

    def at(a: Any, offset: int) -> Any:
        return a[4 + offset:4 + offset + n]

    def mix(template: int, *parts: Any) -> Any:
        h = np.full(n, template * 0x100000001B3, dtype=np.uint64)
        for k, part in enumerate(parts):
            h = (h ^ (part * np.uint64(0x9E3779B97F4A7C15 + 2 * k))) * np.uint64(0xFF51AFD7ED558CCD)
        return (h >> np.uint64(64 - BITS)).astype(np.int64)

    def templates(words_at: Sequence[int], shapes_at: Sequence[int], a: int, b: int,
                  base: int) -> Any:
        cols = [mix(base + k, at(w, o)) for k, o in enumerate(words_at)]
        cols += [mix(base + 10 + k, at(s, o)) for k, o in enumerate(shapes_at)]
        cols += [mix(base + 20, at(w, a), at(w, b)), mix(base + 21, at(s, a), at(s, b)),
                 mix(base + 22, at(w, a), at(s, b)), mix(base + 23, at(s, a), at(w, b)),
                 mix(base + 24, at(s, a - 1), at(s, a), at(s, b)),
                 mix(base + 25, np.zeros(n, dtype=np.uint64))]
        return np.stack(cols, axis=1)

    # Starts: the gap is before token i (between i-1 and i); ends: after it.
    starts = templates((-3, -2, -1, 0, 1, 2), (-3, -2, -1, 0, 1), -1, 0, 100)
    ends = templates((-2, -1, 0, 1, 2, 3), (-1, 0, 1, 2, 3), 0, 1, 200)
    starts = np.concatenate([starts, mix(400, at(w, -2), at(w, -1))[:, None],
                             mix(401, at(w, 0), at(w, 1))[:, None]], axis=1)
    ends = np.concatenate([ends, mix(402, at(w, 1), at(w, 2))[:, None],
                           mix(403, at(w, -1), at(w, 0))[:, None]], axis=1)
    # Whether the gap is inside a quotation, with the shapes beside it: tells
    # an opening straight quote from a closing one.
    before, after = _quotation_state(table.quotes)
    quoted_start = mix(300, before, at(s, 0), at(s, -1))
    quoted_end = mix(301, after, at(s, 0), at(s, 1))
    return (np.concatenate([starts, quoted_start[:, None]], axis=1),
            np.concatenate([ends, quoted_end[:, None]], axis=1))


def quotation_state(doc: Doc) -> tuple[Any, Any]:
    """For each token, whether a quotation is open before it and after it.

    Curly marks open and close; a straight double quote opens when none is
    open and closes otherwise; a paragraph break closes everything.
    """
    return _quotation_state(token_table(doc).quotes)


def _quotation_state(quotes: Any) -> tuple[Any, Any]:
    import numpy as np

    before = np.zeros(len(quotes), dtype=np.uint64)
    after = np.zeros(len(quotes), dtype=np.uint64)
    open_ = 0
    for k, quote in enumerate(quotes.tolist()):
        before[k] = open_
        if quote == _BREAK or quote == _CLOSES:
            open_ = 0
        elif quote == _OPENS:
            open_ = 1
        elif quote == _TOGGLES:
            open_ = 1 - open_
        after[k] = open_
    return before + np.uint64(7), after + np.uint64(7)


def _fit(rows: Any, gold: Any, iterations: int = ITERATIONS) -> Any:
    """Logistic regression over hashed features (AdaGrad, full batch, from zero)."""
    import numpy as np

    size = 1 << BITS
    weights = np.zeros(size)
    squares = np.full(size, 1e-8)
    flat = rows.ravel()
    for _ in range(iterations):
        z = weights[rows].sum(axis=1)
        error = (1 / (1 + np.exp(-z)) - gold) / len(gold)
        grad = np.bincount(flat, weights=np.repeat(error, rows.shape[1]), minlength=size)
        squares += grad * grad
        weights -= 0.5 * grad / np.sqrt(squares)
    return weights


def _log_sigmoid(z: Any) -> Any:
    import numpy as np

    return -np.logaddexp(0, -z)


@dataclass(slots=True)
class BoundaryScorer:
    """Per label, weights scoring each token as a span's first and as its last,
    and the knobs (reach, stay, step) used to move the model's spans."""

    weights: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    knobs: dict[str, tuple[int, float, float]] = field(default_factory=dict)

    def active(self) -> bool:
        return any(k[0] > 0 for k in self.knobs.values())

    # ------------------------------------------------------------ refining

    def refine(self, doc: Doc, spans: Sequence[SpanT],
               knobs: Mapping[str, tuple[int, float, float]] | None = None
               ) -> list[SpanT]:
        """`spans` (character offsets in `doc`) with their ends moved where the
        scores say; spans of labels without weights or with reach 0 are kept."""
        from dataclasses import replace

        knobs = self.knobs if knobs is None else knobs
        labels = {s.label for s in spans if knobs.get(s.label, KEEP)[0] > 0
                  and s.label in self.weights}
        if not labels or not len(doc):
            return list(spans)
        scores = _DocScores(doc, self)
        out = [s for s in spans if s.label not in labels]
        for label in sorted(labels):
            mine = sorted((s for s in spans if s.label == label), key=lambda s: (s.start, s.end))
            moved = scores.moved(label, [(s.start, s.end) for s in mine], knobs[label])
            for span, (start, end) in zip(mine, moved):
                out.append(span if (start, end) == (span.start, span.end)
                           else replace(span, start=start, end=end))
        return sorted(out, key=lambda s: (s.start, -s.end, s.label))

    # ------------------------------------------------------------ saving

    def save(self, folder: Path) -> None:
        import numpy as np

        arrays = {}
        for n, (_label, (first, last)) in enumerate(sorted(self.weights.items())):
            arrays[f"first_{n}"] = first.astype(np.float32)
            arrays[f"last_{n}"] = last.astype(np.float32)
        arrays["labels"] = np.array(sorted(self.weights), dtype=object).astype(str)
        with open(folder / FILE_NAME, "wb") as out:
            np.savez_compressed(out, **arrays)

    @classmethod
    def load(cls, folder: Path, knobs: object) -> BoundaryScorer | None:
        """The scorer saved in `folder` with the knobs its metadata records, or None
        when the folder has none (a model trained before this existed)."""
        import numpy as np

        path = folder / FILE_NAME
        if not path.is_file() or not isinstance(knobs, dict):
            return None
        with np.load(path, allow_pickle=False) as data:
            labels = [str(x) for x in data["labels"]]
            weights = {label: (data[f"first_{n}"].astype(np.float32),
                               data[f"last_{n}"].astype(np.float32))
                       for n, label in enumerate(labels)}
        return cls(weights, {label: _knob(value) for label, value in knobs.items()
                             if label in weights})


def _knob(value: object) -> tuple[int, float, float]:
    if isinstance(value, dict):
        return (int(value.get("reach", 0)), float(value.get("stay", 0.0)),
                float(value.get("step", 0.0)))
    return KEEP


def knobs_to_json(knobs: Mapping[str, tuple[int, float, float]]) -> dict[str, dict[str, float]]:
    return {label: {"reach": r, "stay": a, "step": b} for label, (r, a, b) in sorted(knobs.items())}


def describe(knobs: Mapping[str, tuple[int, float, float]]) -> str | None:
    """One line saying how far each label's span ends may move; None when none do."""
    moving = [f"{label} up to {reach} tokens" for label, (reach, _a, _b) in sorted(knobs.items())
              if reach > 0]
    kept = [label for label, (reach, _a, _b) in sorted(knobs.items()) if reach <= 0]
    if not moving:
        return None
    return ("span ends move where the boundary scorers prefer: " + ", ".join(moving)
            + (f" ({', '.join(kept)} as the model found them)" if kept else ""))


class _DocScores:
    """One doc's tokens and, per label on demand, the log-probability of each
    token being a span's first and its last."""

    def __init__(self, doc: Doc, scorer: BoundaryScorer) -> None:
        table = token_table(doc)
        self.n = len(doc)
        self.first_char, self.end_char = table.first_char, table.end_char
        self.space = table.space
        self.features = token_features(doc, table)
        self.scorer = scorer
        self.cache: dict[str, tuple[Any, Any]] = {}

    def log_probs(self, label: str) -> tuple[Any, Any]:
        if label not in self.cache:
            first, last = self.scorer.weights[label]
            self.cache[label] = (_log_sigmoid(first[self.features[0]].sum(axis=1)),
                                 _log_sigmoid(last[self.features[1]].sum(axis=1)))
        return self.cache[label]

    def token_span(self, start: int, end: int) -> tuple[int, int]:
        import numpy as np

        first = int(np.searchsorted(self.first_char, start, "right")) - 1
        last = int(np.searchsorted(self.end_char, end, "left"))
        return max(first, 0), min(last, self.n - 1)

    def moved(self, label: str, spans: Sequence[tuple[int, int]],
              knobs: tuple[int, float, float]) -> list[tuple[int, int]]:
        """`spans` (character offsets, sorted, of one label) moved within `knobs`."""
        import numpy as np

        reach, stay, step = knobs
        if reach <= 0:
            return list(spans)
        first_lp, last_lp = self.log_probs(label)
        tokens = [self.token_span(s, e) for s, e in spans]
        out = []
        offsets = np.arange(-reach, reach + 1)
        cost = stay * (offsets != 0) + step * np.abs(offsets)
        for k, ((start, end), (i, j)) in enumerate(zip(spans, tokens)):
            # Never onto the previous or next span of the label.
            low = tokens[k - 1][1] + 1 if k else 0
            high = tokens[k + 1][0] - 1 if k + 1 < len(tokens) else self.n - 1
            firsts, lasts = i + offsets, j + offsets
            ok_first = (firsts >= low) & (firsts <= high) & (firsts < self.n)
            ok_last = (lasts >= low) & (lasts <= high) & (lasts >= 0)
            ok_first[ok_first] &= ~self.space[firsts[ok_first]]
            ok_last[ok_last] &= ~self.space[lasts[ok_last]]
            a = np.where(ok_first, first_lp[np.clip(firsts, 0, self.n - 1)] - cost, -np.inf)
            b = np.where(ok_last, last_lp[np.clip(lasts, 0, self.n - 1)] - cost, -np.inf)
            total = a[:, None] + b[None, :]
            total[firsts[:, None] > lasts[None, :]] = -np.inf
            # The model's own span wins ties (and stays when nothing is valid).
            here = (reach, reach)
            best = np.unravel_index(int(np.argmax(total)), total.shape)
            if not np.isfinite(total[best]) or total[best] <= total[here]:
                out.append((start, end))
                continue
            out.append((int(self.first_char[firsts[best[0]]]),
                        int(self.end_char[lasts[best[1]]])))
        return out


# ---------------------------------------------------------------- learning


def fit_scorer(texts_and_spans: Iterable[tuple[Doc, Sequence[Triple]]],
               labels: Sequence[str], iterations: int = ITERATIONS) -> BoundaryScorer:
    """Fit, per label, the first-token and last-token scorers on gold spans of docs."""
    import numpy as np

    first_rows, last_rows = [], []
    gold_first: dict[str, list[Any]] = {label: [] for label in labels}
    gold_last: dict[str, list[Any]] = {label: [] for label in labels}
    for doc, spans in texts_and_spans:
        if not len(doc):
            continue
        table = token_table(doc)
        first_f, last_f = token_features(doc, table)
        first_rows.append(first_f)
        last_rows.append(last_f)
        starts, ends = table.first_char, table.end_char
        for label in labels:
            is_first = np.zeros(len(doc))
            is_last = np.zeros(len(doc))
            for start, end, lab in spans:
                if lab != label:
                    continue
                i = int(np.searchsorted(starts, start, "right")) - 1
                j = int(np.searchsorted(ends, end, "left"))
                if 0 <= i < len(doc):
                    is_first[i] = 1
                if 0 <= j < len(doc):
                    is_last[j] = 1
            gold_first[label].append(is_first)
            gold_last[label].append(is_last)
    weights: dict[str, tuple[Any, Any]] = {}
    if not first_rows:
        return BoundaryScorer()
    first_x, last_x = np.concatenate(first_rows), np.concatenate(last_rows)
    for label in labels:
        y_first, y_last = np.concatenate(gold_first[label]), np.concatenate(gold_last[label])
        if not y_first.any():
            continue
        # Kept as saved (float32): the knobs are chosen on what a loaded model does.
        weights[label] = (_fit(first_x, y_first, iterations).astype(np.float32),
                          _fit(last_x, y_last, iterations).astype(np.float32))
    return BoundaryScorer(weights)


def learn_knobs(scorer: BoundaryScorer, docs: Sequence[Doc],
                gold: Sequence[Sequence[Triple]],
                predicted: Sequence[Sequence[PredictedSpanLike]],
                grid: Sequence[tuple[int, float, float]] = GRID,
                on_step: Callable[[], None] | None = None,
                may_try: Callable[[], bool] | None = None
                ) -> dict[str, tuple[int, float, float]]:
    """Choose, per label, the knobs of `grid` whose moved spans score best on the
    held-out `docs` (exact F1: where spans end is all that moves); the
    model's own spans (KEEP) unless one does better, the smaller reach on a
    tie. `may_try()`, asked before each setting but the first, stops the
    search when false (the training's time is up). Sets and returns
    `scorer.knobs`."""
    scored = [_DocScores(doc, scorer) for doc in docs]
    labels = sorted(scorer.weights)
    best: dict[str, tuple[float, tuple[int, float, float]]] = {}
    for knobs in (KEEP, *grid):
        if knobs != KEEP and may_try is not None and not may_try():
            break
        scores = SpanScores()
        for doc_scores, spans, found in zip(scored, gold, predicted):
            moved: list[Triple] = []
            for label in {s.label for s in found}:
                mine = sorted((s.start, s.end) for s in found if s.label == label)
                if label in scorer.weights:
                    mine = doc_scores.moved(label, mine, knobs)
                moved += [(s, e, label) for s, e in mine]
            scores.add(spans, moved)
        scores.keep_best_exact(best, labels, knobs)
        if on_step is not None:
            on_step()
    scorer.knobs = {label: best[label][1] if label in best else KEEP for label in labels}
    return scorer.knobs
