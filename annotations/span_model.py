"""newsmark's span model: a spaCy tagger over per-label BIO tags.

What the data needs (measured on PolNeAR, 400 annotated articles): spans
of one label almost never overlap each other (48 of 9,853 Content spans),
while spans of different labels often do (a Content holding another
attribution's Source and Cue: 2,468 pairs); and spans are long (Content:
median 13 tokens, 10 % longer than 41, 1 % longer than 97), so an n-gram
suggester of up to 10 tokens could propose only 41 % of them.

So each token gets one tag that says, for every label, whether it begins
(B), continues (I) or is outside (O) a span of that label:
`"Content=I|Cue=B"`, or `"O"` when outside every span. One spaCy `tagger`
(a CNN token encoder and a softmax over the tag combinations seen in
training) learns them: spans of different labels overlap freely, a span
may be as long as the article, and the softmax gives the probabilities
that the span scores and the uncertainty ordering are made from. A
`ner` component could hold only one layer of non-overlapping spans; a
`spancat` needs candidate spans first (n-grams, or `span_finder`'s every
start paired with every end), where BIO tags decode spans directly.

Decoding, per label: the combination tags' probabilities summed into
B/I/O per token, then the most probable sequence in which a span opens
with B (Viterbi), a span from each B to its last I. A span's score is
the least of the probability of its start, the mean probability of its
inside, and the probability that the token after it does not continue
it: each is a boundary or a body an annotator would have to fix.

spaCy is an optional extra (`newsmark[model]`): `require_spacy()` names it
when missing.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from annotations.errors import EXIT_FORMAT, NewsmarkError

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

# What `newsmark train` writes into its --out folder.
PIPELINE_DIR = "pipeline"
META_NAME = "newsmark-model.json"
MODEL_FORMAT = 1
OUTSIDE = "O"
DEFAULT_THRESHOLD = 0.5


class ModelError(NewsmarkError):
    """spaCy is missing, or a model folder cannot be read or written."""

    exit_code = EXIT_FORMAT


def require_spacy() -> Any:
    """Import spaCy, or say in one line which extra installs it."""
    try:
        import spacy
    except ImportError:
        raise ModelError("the model needs spaCy: pip install -e '.[model]' "
                         "(the newsmark[model] extra)") from None
    return spacy


# Encoder of each token: spaCy's default CNN (the tagger's own, inline).
# Four layers of window 1 see four tokens either side; the hash embedding
# of norm, prefix, suffix and shape keeps the folder small (a few MB).
TAGGER_MODEL: dict[str, Any] = {
    "@architectures": "spacy.Tagger.v2",
    "nO": None,
    # Probabilities, not raw scores, at prediction time: spans are scored with them.
    "normalize": True,
    "tok2vec": {
        "@architectures": "spacy.HashEmbedCNN.v2",
        "pretrained_vectors": None,
        "width": 96,
        "depth": 4,
        "embed_size": 2000,
        "window_size": 1,
        "maxout_pieces": 3,
        "subword_features": True,
    },
}


def blank_pipeline() -> Language:
    """A blank English pipeline with the untrained tagger (nothing downloaded)."""
    spacy = require_spacy()
    nlp = spacy.blank("en")
    nlp.add_pipe("tagger", config={"model": TAGGER_MODEL})
    return nlp


# ---------------------------------------------------------------- tags


def token_tags(doc: Doc, spans: Iterable[tuple[int, int, str]]) -> tuple[list[str], int]:
    """The combined BIO tag of each token of `doc` for these character spans.

    A span is widened to whole tokens (spaCy's "expand"). Where two spans
    of one label overlap, the one that starts first keeps its tokens and
    the other starts after it (the tag of a token holds one state per
    label). Returns the tags and how many spans lost tokens that way.
    """
    states: list[dict[str, str]] = [{} for _ in range(len(doc))]
    clipped = 0
    for start, end, label in sorted(set(spans)):
        span = doc.char_span(start, end, alignment_mode="expand")
        if span is None or len(span) == 0:
            continue
        first = span.start
        while first < span.end and label in states[first]:
            first += 1
        if first != span.start:
            clipped += 1
        for i in range(first, span.end):
            if label in states[i]:
                break
            states[i][label] = "B" if i == first else "I"
    tags = ["|".join(f"{lab}={s}" for lab, s in sorted(st.items())) or OUTSIDE for st in states]
    return tags, clipped


def tag_states(tag: str) -> dict[str, str]:
    """`"Content=I|Cue=B"` -> {"Content": "I", "Cue": "B"}."""
    if tag == OUTSIDE:
        return {}
    return dict(part.split("=", 1) for part in tag.split("|"))


@dataclass(frozen=True, slots=True)
class PredictedSpan:
    """A span the model proposes: `label` on [start, end) with its score (0-1)."""

    start: int
    end: int
    label: str
    score: float


def decode(doc: Doc, probs: Any, tag_names: Sequence[str], labels: Sequence[str]
           ) -> list[PredictedSpan]:
    """Spans of every label from a (tokens x tags) probability matrix."""
    import numpy as np

    probs = np.asarray(probs, dtype="float32")
    n = len(doc)
    if n == 0:
        return []
    found: list[PredictedSpan] = []
    parsed = [tag_states(t) for t in tag_names]
    for label in labels:
        b_cols = [j for j, st in enumerate(parsed) if st.get(label) == "B"]
        i_cols = [j for j, st in enumerate(parsed) if st.get(label) == "I"]
        p_b = probs[:, b_cols].sum(axis=1) if b_cols else np.zeros(n, "float32")
        p_i = probs[:, i_cols].sum(axis=1) if i_cols else np.zeros(n, "float32")
        p_o = np.clip(1.0 - p_b - p_i, 0.0, 1.0)
        state = best_path(np.stack([p_o, p_b, p_i], axis=1))  # 0 O, 1 B, 2 I
        t = 0
        while t < n:
            if state[t] == 0:
                t += 1
                continue
            first = t
            t += 1
            while t < n and state[t] == 2:
                t += 1
            start_p = float(max(p_b[first], p_i[first]))
            inside = float(np.mean(np.maximum(p_b[first:t], p_i[first:t]))) if t - first > 1 \
                else start_p
            after = float(1.0 - p_i[t]) if t < n else 1.0
            span = doc[first:t]
            found.append(PredictedSpan(span.start_char, span.end_char, label,
                                       round(min(start_p, inside, after), 4)))
    return sorted(found, key=lambda s: (s.start, -s.end, s.label))


# Which state may follow which (rows: from O, B, I; columns: to O, B, I):
# a span opens with B, never with I after O.
_ALLOWED = ((True, True, False), (True, True, True), (True, True, True))


def best_path(state_probs: Any) -> Any:
    """The most probable O/B/I sequence in which every span opens with B (Viterbi).

    Per-token argmax cuts a long span wherever one token inside it looks
    a little more like O; the best whole path bridges such a token when
    the span around it is probable, and opens no span with I.
    """
    import numpy as np

    n = len(state_probs)
    logp = np.log(np.clip(state_probs, 1e-9, 1.0))
    forbidden = np.where(np.array(_ALLOWED), 0.0, -np.inf)
    score = logp[0] + np.array([0.0, 0.0, -np.inf])
    back = np.zeros((n, 3), dtype=np.int8)
    for t in range(1, n):
        # candidates[i, j]: best score ending in state i at t-1, then j at t.
        candidates = score[:, None] + forbidden
        back[t] = np.argmax(candidates, axis=0)
        score = candidates[back[t], np.arange(3)] + logp[t]
    path = np.zeros(n, dtype=np.int8)
    path[-1] = int(np.argmax(score))
    for t in range(n - 1, 0, -1):
        path[t - 1] = back[t, path[t]]
    return path


def uncertainty(probs: Any) -> float:
    """How unsure the model is of a document: the mean over its tokens of
    1 - the probability of the most probable tag (0 = sure of every token)."""
    import numpy as np

    probs = np.asarray(probs, dtype="float32")
    if probs.size == 0:
        return 0.0
    return float(np.mean(1.0 - probs.max(axis=1)))


# Longest piece of text the model reads at once (see `pieces`).
PIECE_CHARS = 20_000


def pieces(text: str, limit: int = PIECE_CHARS) -> list[tuple[int, str]]:
    """`text` cut at line ends into pieces of at most about `limit` characters.

    A piece ends at the last newline before the limit (or at the limit
    when a line is longer). Spans crossing a cut are cut with it: a news
    paragraph is far shorter than the limit, so this is rare.
    """
    out: list[tuple[int, str]] = []
    start = 0
    while len(text) - start > limit:
        cut = text.rfind("\n", start + 1, start + limit)
        cut = start + limit if cut <= start else cut + 1
        out.append((start, text[start:cut]))
        start = cut
    out.append((start, text[start:]))
    return out


# ---------------------------------------------------------------- a trained model


class SpanModel:
    """A trained pipeline with its labels: predicts spans and uncertainty for texts."""

    def __init__(self, nlp: Language, labels: Sequence[str], meta: dict[str, Any] | None = None,
                 path: Path | None = None) -> None:
        self.nlp = nlp
        self.labels = list(labels)
        self.meta = meta or {}
        self.path = path
        self.tagger = nlp.get_pipe("tagger")

    @classmethod
    def load(cls, folder: str | Path) -> SpanModel:
        """Load a folder `newsmark train` wrote; a clear error if it is not one."""
        folder = Path(folder)
        meta_path = folder / META_NAME
        if not meta_path.is_file():
            raise ModelError(f"{folder}: not a newsmark model folder (no {META_NAME}); "
                             "make one with `newsmark train --out`")
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as err:
            raise ModelError(f"{meta_path}: cannot be read ({err})") from err
        if not isinstance(meta, dict) or meta.get("format") != MODEL_FORMAT:
            raise ModelError(f"{meta_path}: a model format this newsmark does not read; "
                             "train it again")
        spacy = require_spacy()
        try:
            nlp = spacy.load(folder / PIPELINE_DIR)
        except Exception as err:  # spaCy raises many kinds for a damaged folder
            raise ModelError(f"{folder / PIPELINE_DIR}: cannot be loaded ({err}); "
                             "train the model again") from err
        return cls(nlp, meta.get("labels", []), meta, folder)

    def _probs(self, docs: list[Doc]) -> list[Any]:
        if not docs or not any(len(d) for d in docs):
            return [self.tagger.model.ops.alloc2f(len(d), len(self.tagger.labels)) for d in docs]
        return list(self.tagger.model.predict(docs))

    def predict(self, text: str) -> list[PredictedSpan]:
        """Every span the model finds in `text`, with its score."""
        return self.predict_many([text])[0][0]

    def predict_many(self, texts: Iterable[str]) -> list[tuple[list[PredictedSpan], float]]:
        """Spans and uncertainty of each text."""
        out: list[tuple[list[PredictedSpan], float]] = []
        batch: list[Doc] = []

        def flush() -> None:
            for doc, probs in zip(batch, self._probs(batch)):
                out.append((decode(doc, probs, self.tagger.labels, self.labels),
                            uncertainty(probs)))
            batch.clear()

        for text in texts:
            # A long article is read in pieces (paragraph bounds), so that
            # a 10 MB text never becomes one matrix of two million rows.
            found: list[PredictedSpan] = []
            weighted = 0.0
            for offset, piece in pieces(text):
                batch.append(self.nlp.make_doc(piece))
                flush()
                spans, unsure = out.pop()
                found += [PredictedSpan(s.start + offset, s.end + offset, s.label, s.score)
                          for s in spans]
                weighted += unsure * len(piece)
            out.append((found, weighted / len(text) if text else 0.0))
        return out

    def uncertainty(self, text: str) -> float:
        doc = self.nlp.make_doc(text)
        return uncertainty(self._probs([doc])[0])


# ---------------------------------------------------------------- kept where, suggests what

# `newsmark train` writes here unless told otherwise: inside the store, so
# the model travels with the annotations it was trained on.
STORE_MODEL_DIR = "model"


# Where the model goes when the store is not a folder (a database's URI)
# and newsmark.toml names no folder: beside the work, in the current folder.
NO_FOLDER_MODEL_DIR = "newsmark-model"


def model_folder(store_location: str | Path, configured: Path | None = None) -> Path:
    """The folder of the span model: `[model] path` of newsmark.toml, else model/ in
    the store's folder (`newsmark-model/` here for a store that is not a folder)."""
    if configured is not None:
        return configured
    if "://" in str(store_location):
        return Path(NO_FOLDER_MODEL_DIR)
    return Path(store_location) / STORE_MODEL_DIR


def has_model(folder: Path) -> bool:
    return (folder / META_NAME).is_file()


def as_suggestions(spans: Iterable[PredictedSpan], threshold: float = DEFAULT_THRESHOLD
                   ) -> list[Any]:
    """The model's spans scoring at least `threshold`, as `suggest.Suggestion`s."""
    from annotations.suggest import MODEL_SOURCE, Suggestion

    return [Suggestion(s.start, s.end, s.label, note=f"model {s.score:.2f}",
                       rule="model", origin=MODEL_SOURCE, score=s.score)
            for s in spans if s.score >= threshold]
