"""newsmark's span model: one spaCy `ner` per label over a shared token encoder.

What the data needs (measured on PolNeAR, 837 annotated articles): spans
of one label almost never overlap each other (41 of 7,107 Content spans
in 300 articles), while spans of different labels often do (a Content
holding another attribution's Source and Cue); and spans are long
(Content: median 12 tokens, 10 % longer than 41, 1 % longer than 93), so
an n-gram suggester of up to 10 tokens could propose only about 40 % of
them.

So each label gets its own spaCy `ner` component (a transition-based
BILUO tagger: each token is begun, continued, ended, a whole span, or
outside), all reading one shared `tok2vec` (hash embeddings of norm,
prefix, suffix, shape and the token's quotation state, then a CNN; every
doc the model sees is made by `model_doc`). One `ner` holds one layer of
non-overlapping spans, which is what each label is; several of them let
spans of different labels overlap freely. The transition model sees
where the current span began, so a 40-token Content is one decision
path, not 40 independent token guesses; measured on PolNeAR's held-out
articles, a single tagger over combined per-label BIO tags (this module's
first design) reached Content exact F1 0.09, this 0.42 after 420 CPU s on
the whole train split, and 0.45 (overlap 0.77) after 900 CPU s with
batches of 2, window 2 and the opening shifts of `model_bias` (README,
"A model in the loop").

Scores: the greedy parse decides the spans (spaCy's decisions, made in
batches with numpy: `span_decoding`). Each span's score is the least
probability, over its tokens, of the action taken there (a softmax over
the actions valid in that state), and a document's uncertainty the mean
over tokens and labels of 1 minus that probability. Both come from the
scores the parse computed, not a second pass.

spaCy is an optional extra (`newsmark[model]`): `require_spacy()` names it
when missing.
"""

from __future__ import annotations

import json
import weakref
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from annotations.errors import EXIT_FORMAT, EXIT_STORE, NewsmarkError, WorkStopped
from annotations.matrix_ops import numpy_blas
from annotations.model_boundaries import FILE_NAME as BOUNDARIES_FILE
from annotations.model_boundaries import BoundaryScorer
from annotations.model_joins import carry, cut_quotations, join
from annotations.quotation_state import (
    DOUBLED_FEATURE,
    DOUBLED_META,
    FEATURE,
    QUOTATION_ATTR,
    annotate,
)

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.pipeline import EntityRecognizer
    from spacy.tokens import Doc

# What `newsmark train` writes into its --out folder.
PIPELINE_DIR = "pipeline"
META_NAME = "newsmark-model.json"
MODEL_FORMAT = 2  # 1 was the combined-tag tagger: such folders are trained again
DEFAULT_THRESHOLD = 0.5
TOK2VEC = "tok2vec"
# Pipes are named by position, not label: a label may hold any character.
PIPE_PREFIX = "spans_"


class ModelError(NewsmarkError):
    """spaCy is missing, or a model folder cannot be read or written."""

    exit_code = EXIT_FORMAT


class ModelPlaceError(ModelError):
    """The place named for a model folder cannot be written (a file, no
    permission): exit 4, as for an export's `--out`."""

    exit_code = EXIT_STORE


def require_spacy() -> Any:
    """Import spaCy, or say in one line which extra installs it."""
    try:
        import spacy
    except ImportError:
        raise ModelError("the model needs spaCy: pip install -e '.[model]' "
                         "(the newsmark[model] extra)") from None
    return spacy


# The shared token encoder: spaCy's "efficiency" tok2vec (the baseline's),
# 96 wide, four layers, but of window 2 (eight tokens either side, not
# four: a Content has a median 12 tokens). Measured on PolNeAR for the same
# CPU time, a wider, deeper one (128 wide, six layers of window 1) learnt
# less: each step cost 1.4 times as much, and Content's held-out
# exact/overlap F1 after 300 CPU s was 0.37/0.65 against 0.40/0.74. Window 2
# against 1, 200 CPU s each (dev tenth of the training documents, batches
# of 8 then of 2): Content exact 0.38 against 0.35, then 0.41/0.73 against
# 0.41/0.73; Source exact 0.61 against 0.585, then 0.62 against 0.60; six
# layers of window 2 learnt less (Content 0.36/0.71), as did a `ner` hidden
# layer of 128 (0.38/0.73). A model folder keeps its own config: one saved
# with window 1 loads and predicts as before.
#
# The fifth column is each token's quotation state (quotation_state.py:
# outside, opening mark, inside, closing mark), kept in TAG: four values,
# so few rows. A folder saved without it reads no TAG, and `model_doc`
# annotates only for pipelines whose encoder reads it.
WIDTH = 96
TOK2VEC_MODEL: dict[str, Any] = {
    "@architectures": "spacy.Tok2Vec.v2",
    "embed": {
        "@architectures": "spacy.MultiHashEmbed.v2",
        "width": WIDTH,
        "attrs": ["NORM", "PREFIX", "SUFFIX", "SHAPE", QUOTATION_ATTR],
        "rows": [5000, 1000, 2500, 2500, 64],
        "include_static_vectors": False,
    },
    "encode": {
        "@architectures": "spacy.MaxoutWindowEncoder.v2",
        "width": WIDTH,
        "depth": 4,
        "window_size": 2,
        "maxout_pieces": 3,
    },
}

# Each label's transition model, listening to the shared encoder.
NER_MODEL: dict[str, Any] = {
    "@architectures": "spacy.TransitionBasedParser.v2",
    "state_type": "ner",
    "extra_state_tokens": False,
    "hidden_width": 64,
    "maxout_pieces": 2,
    "use_upper": True,
    "nO": None,
    "tok2vec": {"@architectures": "spacy.Tok2VecListener.v1", "width": WIDTH,
                "upstream": TOK2VEC},
}


def blank_pipeline(labels: Sequence[str]) -> Language:
    """A blank English pipeline: the shared encoder and one untrained `ner` per label
    (nothing downloaded)."""
    spacy = require_spacy()
    nlp = spacy.blank("en")
    nlp.add_pipe("tok2vec", name=TOK2VEC, config={"model": TOK2VEC_MODEL})
    for i, label in enumerate(labels):
        ner = nlp.add_pipe("ner", name=f"{PIPE_PREFIX}{i}", config={"model": NER_MODEL})
        ner.add_label(label)
    nlp.meta[DOUBLED_META] = True  # saved in its meta.json; see quotation_features
    return nlp


def quotation_features(nlp: Language) -> tuple[str, ...]:
    """What `nlp`'s encoder reads of quotations: nothing, the quotation state
    (`FEATURE`), or the state with doubled apostrophes as marks
    (`DOUBLED_FEATURE` too). As its saved config and meta say, so a folder
    saved before either is read as it was trained."""
    known = _QUOTATION_FEATURES.get(nlp)
    if known is None:
        embed = nlp.config["components"][TOK2VEC]["model"].get("embed", {})
        if QUOTATION_ATTR not in embed.get("attrs", ()):
            known = ()
        elif nlp.meta.get(DOUBLED_META) is True:
            known = (FEATURE, DOUBLED_FEATURE)
        else:
            known = (FEATURE,)
        _QUOTATION_FEATURES[nlp] = known
    return known


# Per pipeline, what it reads of quotations (its config and meta, looked at once).
_QUOTATION_FEATURES: weakref.WeakKeyDictionary[Any, tuple[str, ...]] = \
    weakref.WeakKeyDictionary()


def model_doc(nlp: Language, text: str) -> Doc:
    """A doc of `text` for `nlp` to train on or predict from: tokenized, and
    with each token's quotation state where its encoder reads it. Every doc
    the model sees is made here."""
    doc = nlp.make_doc(text)
    features = quotation_features(nlp)
    return annotate(doc, doubled=DOUBLED_FEATURE in features) if features else doc


def span_pipes(nlp: Language) -> list[tuple[str, EntityRecognizer]]:
    """(label, its `ner`) of every label of a pipeline `blank_pipeline` made."""
    out = []
    for name, pipe in nlp.pipeline:
        if name.startswith(PIPE_PREFIX):
            (label,) = pipe.labels
            out.append((label, pipe))
    return out


# ---------------------------------------------------------------- targets


def layer_spans(doc: Doc, spans: Iterable[tuple[int, int, str]], label: str
                ) -> tuple[list[Any], int]:
    """The `label` spans of `doc` as one non-overlapping layer of token spans.

    A span is widened to whole tokens (spaCy's "expand") and loses the
    whitespace tokens at its ends. Where two spans
    of the label overlap, the longer is kept (a `ner` holds one layer).
    Returns the spans and how many were dropped that way.
    """
    from spacy.tokens import Span
    from spacy.util import filter_spans

    wanted = []
    for start, end, lab in sorted(set(spans)):
        if lab != label:
            continue
        span = doc.char_span(start, end, label=label, alignment_mode="expand")
        if span is None:
            continue
        # A span never starts or ends on a whitespace token (a paragraph
        # break): spaCy's ner cannot begin one there.
        first, last = span.start, span.end
        while first < last and doc[first].is_space:
            first += 1
        while last > first and doc[last - 1].is_space:
            last -= 1
        if last > first:
            wanted.append(Span(doc, first, last, label=label))
    kept = filter_spans(wanted)
    return kept, len(wanted) - len(kept)


@dataclass(frozen=True, slots=True)
class PredictedSpan:
    """A span the model proposes: `label` on [start, end) with its score (0-1)."""

    start: int
    end: int
    label: str
    score: float


def pipeline_dir(member: int) -> str:
    """The folder, in a model folder, of the ensemble's `member`-th pipeline
    (`pipeline`, then `pipeline-1`, …)."""
    return PIPELINE_DIR if member == 0 else f"{PIPELINE_DIR}-{member}"


def predict_docs(nlp: Language, docs: list[Doc], others: Sequence[Language] = ()
                 ) -> list[tuple[list[PredictedSpan], float]]:
    """Spans (with scores) and uncertainty of each of `docs` (made by `model_doc(nlp, …)`).

    `others`: more pipelines of the same labels (an ensemble trained with
    other seeds) deciding with `nlp` at every state (`decode_together`);
    each reads its own copy of the docs.
    """
    return decode_docs(nlp, docs, encode_docs(nlp, docs, others), others)


def encode_docs(nlp: Language, docs: list[Doc], others: Sequence[Language] = ()
                ) -> list[list[Doc]]:
    """Per pipeline (`nlp`, then `others`), its copies of the non-empty `docs`,
    encoded by its tok2vec: what `decode_docs` reads. `nlp`'s copies are
    `docs` themselves."""
    live = [d for d in docs if len(d)]
    copies = [live] + [[model_doc(other, d.text) for d in live] for other in others]
    if live:
        for member, mine in zip([nlp, *others], copies):
            encoder = member.get_pipe(TOK2VEC)
            encoder.set_annotations(mine, encoder.predict(mine))
    return copies


def decode_docs(nlp: Language, docs: list[Doc], copies: list[list[Doc]],
                others: Sequence[Language] = ()) -> list[tuple[list[PredictedSpan], float]]:
    """`predict_docs` of docs `encode_docs` encoded (`copies`): every label's
    `ner`s decide (with their output bias as it is now)."""
    import numpy as np

    from annotations.span_decoding import decode_together

    out: list[tuple[list[PredictedSpan], list[Any]]] = [([], []) for _ in docs]
    live = copies[0]
    index = {id(d): i for i, d in enumerate(docs)}
    pipes = [dict(span_pipes(member)) for member in [nlp, *others]]
    for label, _ner in span_pipes(nlp):
        if not live:
            break
        decoded = decode_together([(p[label], mine) for p, mine in zip(pipes, copies)])
        for doc, (spans, p) in zip(live, decoded):
            found, unsure = out[index[id(doc)]]
            for start, end in spans:
                span = doc[start:end]
                # A softmax is never 1: where float32 rounds it up, 0.9999 says
                # so (a threshold of 1.0 then passes nothing).
                score = min(round(float(p[start:end].min()), 4), 0.9999)
                found.append(PredictedSpan(span.start_char, span.end_char, label, score))
            unsure.append(float(np.mean(1.0 - p)) if len(p) else 0.0)
    return [(sorted(found, key=lambda s: (s.start, -s.end, s.label)),
             float(np.mean(unsure)) if unsure else 0.0) for found, unsure in out]


@dataclass(slots=True)
class EncodedTexts:
    """Texts cut into pieces, each made and encoded by every pipeline of a
    model (`SpanModel.encode`), for `SpanModel.predict_encoded` to decode.

    Decoding again after a change to the `ner`s' output bias alone
    (training's opening shifts, model_bias.py) gives the changed model's
    spans without making and encoding the docs again: on PolNeAR's dev
    tenth (67 articles, a model of two pipelines) that is 4.3 of a pass's
    5.3 CPU s.
    """

    lengths: list[int]  # per text, its characters
    # Per batch: (text number, offset, doc) of each piece, and `encode_docs`'s copies.
    batches: list[tuple[list[tuple[int, int, Doc]], list[list[Doc]]]]


# Longest piece of text the model reads at once (see `pieces`).
PIECE_CHARS = 20_000
# Pieces encoded and decoded together: one matrix per batch for each pipeline.
PIECES_PER_BATCH = 16


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

    def __init__(self, nlp: Language, labels: Sequence[str] | None = None,
                 meta: dict[str, Any] | None = None, path: Path | None = None,
                 boundaries: BoundaryScorer | None = None,
                 joins: dict[str, int] | None = None,
                 others: Sequence[Language] = (),
                 cuts: Sequence[str] = (),
                 carries: dict[str, int] | None = None) -> None:
        self.nlp = nlp
        # More pipelines of the same labels, trained with other seeds, that
        # decide with `nlp` (an ensemble: `predict_docs`); none in a folder
        # saved before ensembles existed.
        self.others = list(others)
        self.labels = list(labels) if labels is not None else [
            label for label, _ner in span_pipes(nlp)]
        self.meta = meta or {}
        self.path = path
        # Moves the ends of predicted spans (model_boundaries.py); None
        # keeps the parse's own spans (a folder saved before it existed).
        self.boundaries = boundaries
        # Per label, the longest attribution across which an interrupted
        # quotation's pieces are joined (model_joins.py); none in a folder
        # saved before it existed.
        self.joins = dict(joins or {})
        # The labels whose spans are cut at their quotation's closing mark
        # where they run on over the attribution (model_joins.py); none in a
        # folder saved before it existed.
        self.cuts = list(cuts)
        # Per label, the longest attribution across which a quotation's first
        # piece is carried on to the end of a second piece the model did not
        # find (model_joins.py); none in a folder saved before it existed.
        self.carries = dict(carries or {})

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
        members = meta.get("pipelines", 1)
        if type(members) is not int or members < 1:
            raise ModelError(f"{meta_path}: 'pipelines' must be a count; train the model again")
        nlps = []
        for member in range(members):
            where = folder / pipeline_dir(member)
            try:
                nlps.append(numpy_blas(spacy.load(where)))
            except Exception as err:  # spaCy raises many kinds for a damaged folder
                raise ModelError(f"{where}: cannot be loaded ({err}); "
                                 "train the model again") from err
        # The features a folder says its pipelines read must be the ones their
        # configs read (a folder saved before "features" existed reads none).
        features = meta.get("features", [])
        if not isinstance(features, list) or any(
                sorted(features) != sorted(quotation_features(nlp)) for nlp in nlps):
            raise ModelError(f"{meta_path}: 'features' disagree with the pipelines' "
                             "configs; train the model again")
        try:
            boundaries = BoundaryScorer.load(folder, meta.get("boundaries"))
        except (OSError, ValueError, KeyError) as err:
            raise ModelError(f"{folder / BOUNDARIES_FILE}: cannot be read ({err}); "
                             "train the model again") from err
        joins, carries = meta.get("joins"), meta.get("carries")
        for key, gaps in (("joins", joins), ("carries", carries)):
            if gaps is not None and not (isinstance(gaps, dict) and all(
                    isinstance(k, str) and type(v) is int and v >= 0 for k, v in gaps.items())):
                raise ModelError(f"{meta_path}: '{key}' must map labels to characters; "
                                 "train the model again")
        cuts = meta.get("cuts", [])
        if not (isinstance(cuts, list) and all(isinstance(label, str) for label in cuts)):
            raise ModelError(f"{meta_path}: 'cuts' must list labels; train the model again")
        return cls(nlps[0], meta.get("labels", None), meta, folder, boundaries, joins,
                   others=nlps[1:], cuts=cuts, carries=carries)

    def predict(self, text: str, stop: Callable[[], bool] | None = None
                ) -> list[PredictedSpan]:
        """Every span the model finds in `text`, with its score (`predict_many`)."""
        return self.predict_many([text], stop=stop)[0][0]

    def predict_many(self, texts: Iterable[str], batch: int = PIECES_PER_BATCH,
                     stop: Callable[[], bool] | None = None
                     ) -> list[tuple[list[PredictedSpan], float]]:
        """Spans and uncertainty of each text. `stop` is asked before each batch
        of pieces (a 1 MB article takes seconds): `WorkStopped` when it says so."""
        lengths: list[int] = []
        decoded = []
        for todo in self._batches(texts, batch, lengths):
            if stop is not None and stop():
                raise WorkStopped
            decoded.append(self._decoded(todo, encode_docs(
                self.nlp, [doc for _n, _o, doc in todo], self.others)))
        return self._gathered(lengths, decoded)

    def encode(self, texts: Iterable[str]) -> EncodedTexts:
        """`texts` made and encoded for `predict_encoded` (all held at once: for
        a few documents decoded several times, not for a 10 MB article)."""
        lengths: list[int] = []
        return EncodedTexts(lengths, [
            (todo, encode_docs(self.nlp, [doc for _n, _o, doc in todo], self.others))
            for todo in self._batches(texts, PIECES_PER_BATCH, lengths)])

    def predict_encoded(self, encoded: EncodedTexts) -> list[tuple[list[PredictedSpan], float]]:
        """What `predict_many` gives for the texts `encoded` holds, as the model's
        `ner`s decide now."""
        return self._gathered(encoded.lengths, [self._decoded(todo, copies)
                                                for todo, copies in encoded.batches])

    def _batches(self, texts: Iterable[str], batch: int, lengths: list[int]
                 ) -> Iterator[list[tuple[int, int, Doc]]]:
        """Batches of (text number, offset, doc) of `texts`' pieces; each text's
        length appended to `lengths` as it is reached."""
        todo: list[tuple[int, int, Doc]] = []
        for n, text in enumerate(texts):
            # A long article is read in pieces (paragraph bounds), so that
            # a 10 MB text never becomes one matrix of two million rows.
            lengths.append(len(text))
            for offset, piece in pieces(text):
                todo.append((n, offset, model_doc(self.nlp, piece)))
                if len(todo) >= batch:
                    yield todo
                    todo = []
        if todo:
            yield todo

    def _decoded(self, todo: list[tuple[int, int, Doc]], copies: list[list[Doc]]
                 ) -> list[tuple[int, list[PredictedSpan], float]]:
        """Per piece of `todo`: its text number, its spans (ends moved, joined,
        cut and carried as the model does; offsets in its text) and its uncertainty
        weighted by its characters."""
        out = []
        results = decode_docs(self.nlp, [doc for _n, _o, doc in todo], copies, self.others)
        boundaries = self.boundaries
        for (n, offset, doc), (spans, unsure) in zip(todo, results):
            if boundaries is not None and boundaries.active():
                spans = boundaries.refine(doc, spans)
            if self.joins:
                spans = join(doc.text, spans, self.joins)
            if self.cuts:
                spans = cut_quotations(doc.text, spans, self.cuts)
            if self.carries:
                spans = carry(doc.text, spans, self.carries)
            out.append((n, [PredictedSpan(s.start + offset, s.end + offset, s.label, s.score)
                            for s in spans], unsure * len(doc.text)))
        return out

    @staticmethod
    def _gathered(lengths: list[int], decoded: list[list[tuple[int, list[PredictedSpan], float]]]
                  ) -> list[tuple[list[PredictedSpan], float]]:
        """Each text's spans in order and its uncertainty (its pieces' by characters)."""
        found: list[list[PredictedSpan]] = [[] for _ in lengths]
        weighted = [0.0] * len(lengths)
        for batch in decoded:
            for n, spans, unsure in batch:
                found[n] += spans
                weighted[n] += unsure
        return [(sorted(spans, key=lambda s: (s.start, -s.end, s.label)),
                 weighted[n] / lengths[n] if lengths[n] else 0.0)
                for n, spans in enumerate(found)]

    def uncertainty(self, text: str) -> float:
        return self.predict_many([text])[0][1]


def summed_uncertainty(text: str, mean: float) -> float:
    """A document's uncertainty summed over it (its mean times its length in
    characters): how much it has to teach the model, what `O` and the bench's
    loop rank by, most first. On PolNeAR, annotating in this order reached
    random order's F1 at 50 % of the documents with 33.6 % and 33.4 % of them
    (two seeds), reading 8 % and 10 % more text; ranked by the mean (before
    averaged weights) it needed 49.5 % of them in one seed and did not get
    there by 50 % in the other (docs/model.md, "Tenth" and "Eleventh round")."""
    return mean * len(text)


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
