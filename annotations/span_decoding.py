"""A label's `ner` parse of a text, made with numpy: spaCy's greedy decisions,
their probabilities, in a few batched steps.

spaCy's own greedy parse (`EntityRecognizer.predict`) walks each text
token by token in C: about 10 ms per label for a 5 KB article here (a
thousand tokens), three times in all, then the states along the parse were
scored a second time for the spans' probabilities. Half of a suggestion's
time went there.

In spaCy's BILUO system each token takes one action, and what the `ner`
sees of its state (spaCy's `set_context_tokens` for `ner`) is the token
itself when no span is open, and the token, the open span's first token
and the token before it when one is. So outside any span every token's scores are known
at once, in one batch: the decisions there are read off together. Only
inside a span do the scores depend on where it began; each span opened is
followed in a batch of its next tokens (16, then more) until its first
"last" (L) decision. The scores are spaCy's own computation (its
precomputed first layer, maxout, output layer; float32, features summed
in spaCy's order), the valid actions spaCy's (its `ner.pyx`: no span
begins or is a unit on whitespace, none begins or continues on the last
token), and the first best valid action wins as in spaCy. A test
checks the spans against spaCy's parse and the probabilities against its
scores along its walk.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from spacy.pipeline import EntityRecognizer
    from spacy.tokens import Doc

# Tokens of an open span scored at once, at first; doubled while it goes on.
FOLLOW = 16


class _Weights:
    """What scoring a state needs: the first layer precomputed for every token
    (row 0: padding, for "no token"), its bias, the output layer, and which
    actions each state kind allows."""

    def __init__(self, ner: EntityRecognizer, docs: Sequence[Doc]) -> None:
        import numpy as np

        model = ner.model
        tokvecs = model.layers[0].predict(list(docs))
        self.cached = model.layers[1].predict(tokvecs)  # (tokens + 1, features, hidden, pieces)
        self.bias = model.get_ref("lower").get_param("b")
        upper = model.get_ref("upper")
        self.w_t = np.ascontiguousarray(upper.get_param("W").T)
        self.b = upper.get_param("b")
        names = [ner.moves.get_class_name(i) for i in range(ner.moves.n_moves)]
        # "O", "B-label", …; "U-" alone (spaCy's preset "outside") is never valid here.
        kind = np.array([n if n == "O" else n[:1] if n[2:] else "-" for n in names])
        seen = np.ones(len(names), dtype=bool)
        seen[list(model.attrs.get("unseen_classes", ()))] = False
        self.outside = np.isin(kind, ["O", "B", "U"]) & seen
        self.inside = np.isin(kind, ["I", "L"]) & seen
        self.opens_span = np.isin(kind, ["B", "U"])  # a space token opens none
        self.continues = kind == "I"  # nor does the last token continue one
        self.is_o, self.is_b, self.is_l = kind == "O", kind == "B", kind == "L"

    def scores(self, ids: Any) -> Any:
        """Scores of the states whose features are `ids` (states, 3): token rows, -1 none."""
        import numpy as np

        rows = ids + 1
        c = self.cached
        hidden = c[rows[:, 0], 0] + c[rows[:, 1], 1] + c[rows[:, 2], 2]
        hidden += self.bias
        # Maxout over the pieces (two): `max(axis=2)` reduces slowly over so
        # short an axis.
        best = hidden[:, :, 0]
        for piece in range(1, hidden.shape[2]):
            best = np.maximum(best, hidden[:, :, piece])
        return best @ self.w_t + self.b


def _decide(scores: Any, valid: Any) -> tuple[Any, Any]:
    """The first best valid action of each state, and its probability (a softmax
    over the valid actions)."""
    import numpy as np

    masked = np.where(valid, scores.astype(np.float64), -np.inf)
    best = masked.argmax(axis=1)
    top = masked[np.arange(len(best)), best]
    probs = 1.0 / np.exp(masked - top[:, None]).sum(axis=1)
    return best, probs


def _decide_together(members: Sequence[_Weights], ids: Any, valid: Any) -> tuple[Any, Any]:
    """`_decide` for several models at once: each model's softmax over the valid
    actions, averaged; the first best of the mean wins, with its mean probability."""
    import numpy as np

    if len(members) == 1:
        return _decide(members[0].scores(ids), valid)
    total = None
    for w in members:
        masked = np.where(valid, w.scores(ids).astype(np.float64), -np.inf)
        e = np.exp(masked - masked.max(axis=1, keepdims=True))
        p = e / e.sum(axis=1, keepdims=True)
        total = p if total is None else total + p
    mean = total / len(members)
    best = mean.argmax(axis=1)
    return best, mean[np.arange(len(best)), best]


def decode(ner: EntityRecognizer, docs: Sequence[Doc]) -> list[tuple[list[tuple[int, int]], Any]]:
    """For each doc (encoded by the shared tok2vec already), the token spans
    `ner` finds, (start, end), and the probability of the action taken at
    each token (float32)."""
    return decode_together([(ner, docs)])


def decode_together(members: Sequence[tuple[EntityRecognizer, Sequence[Doc]]]
                    ) -> list[tuple[list[tuple[int, int]], Any]]:
    """`decode` for several `ner`s of one label, each over its own copies of the
    same docs (encoded by its own pipeline's tok2vec), deciding together: at
    every state, the mean of their probabilities (`_decide_together`)."""
    import numpy as np
    from spacy.attrs import IS_SPACE

    docs = members[0][1]
    if not sum(len(d) for d in docs):
        return [([], np.zeros(0, dtype="float32")) for _ in docs]
    ws = [_Weights(ner, mine) for ner, mine in members]
    w = ws[0]
    for other, (ner, mine) in zip(ws[1:], members[1:]):
        if [len(d) for d in mine] != [len(d) for d in docs] or not (
                np.array_equal(other.outside, w.outside) and np.array_equal(other.inside, w.inside)
                and ner.moves.n_moves == members[0][0].moves.n_moves):
            raise ValueError("models decoding together need the same tokens and actions")
    out: list[tuple[list[tuple[int, int]], Any]] = []
    offset = 0
    for doc in docs:
        n = len(doc)
        if not n:
            out.append(([], np.zeros(0, dtype="float32")))
            continue
        space = doc.to_array([IS_SPACE]).reshape(n).astype(bool)
        tokens = np.arange(n)
        # Outside any span: the token alone.
        ids = np.full((n, 3), -1, dtype=np.int64)
        ids[:, 0] = tokens + offset
        valid = np.broadcast_to(w.outside, (n, len(w.outside))).copy()
        valid[space] &= ~w.opens_span
        valid[n - 1] &= ~w.is_b
        best, probs = _decide_together(ws, ids, valid)
        spans: list[tuple[int, int]] = []
        free = 0  # the first token no span holds
        for start in np.flatnonzero(~w.is_o[best]).tolist():
            if start < free:
                continue  # inside a span found already
            if not w.is_b[best[start]]:  # a unit: one token
                spans.append((start, start + 1))
                free = start + 1
                continue
            end = _follow(ws, start, n, offset, probs)
            spans.append((start, end))
            free = end
        out.append((spans, probs.astype("float32")))
        offset += n
    return out


def _follow(ws: Sequence[_Weights], start: int, n: int, offset: int, probs: Any) -> int:
    """Where the span opened at `start` ends (exclusive); writes the probability
    of each of its tokens' actions into `probs`."""
    import numpy as np

    w = ws[0]
    first = start + 1
    size = FOLLOW
    while True:
        here = np.arange(first, min(n, first + size))
        ids = np.empty((len(here), 3), dtype=np.int64)
        ids[:, 0] = here + offset
        ids[:, 1] = start + offset
        ids[:, 2] = here - 1 + offset
        valid = np.broadcast_to(w.inside, (len(here), len(w.inside))).copy()
        if here[-1] == n - 1:
            valid[-1] &= ~w.continues  # the last token ends the span
        best, p = _decide_together(ws, ids, valid)
        ends = np.flatnonzero(w.is_l[best])
        if len(ends):
            last = int(ends[0])
            probs[here[:last + 1]] = p[:last + 1]
            return int(here[last]) + 1
        probs[here] = p
        first += size
        size *= 2
