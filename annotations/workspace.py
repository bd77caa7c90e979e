"""A working session: the open documents, their segmentation, and every edit.

This is what the TUI drives. Each method is one thing a person does
(tag a span, remove one, undo) and is saved before it returns; none of it
knows about the screen, so scripts and tests can use it directly.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from annotations import anchoring, graphemes, identity, relations
from annotations.documents import Decoding, cleaning_note, how_read, load_document
from annotations.errors import ArticleError, StoreError
from annotations.history import Change, History
from annotations.labels import Config
from annotations.layer_status import LayerStatuses
from annotations.links import Link
from annotations.model import Annotation, Document, DocumentMeta
from annotations.segmentation import Progress, Segmentation, Segmenter, strip_span
from annotations.shown_names import ShownNames, file_name
from annotations.store.protocol import Pane, Store

if TYPE_CHECKING:
    # Imported where used: a session opens (and the reader paints) before
    # anything is aligned or suggested.
    from annotations.adjudication import Disagreement
    from annotations.alignment import Alignment
    from annotations.export import ExportOptions
    from annotations.prefetch import ArticlePrefetch
    from annotations.reanchor import ReanchorReport
    from annotations.span_model import SpanModel
    from annotations.suggest import Suggestion
    from annotations.worker_jobs import (
        AlignmentJob,
        ModelSuggestionJob,
        SegmentationDone,
        SegmentationJob,
    )


__all__ = ["Entry", "Pane", "Stored", "Workspace", "stored_documents"]


@dataclass(frozen=True, slots=True)
class Stored:
    """A document kept in the store (an imported one, say), opened from its stored text."""

    doc_id: str
    name: str
    path: str | None = None  # the file it was read from, if any


def stored_documents(store: Store, except_paths: Iterable[str | Path] = ()) -> list[Stored]:
    """Every document of the store, in registration order, for `Workspace`.

    Left out: older versions of changed articles (their annotations were
    carried to the newer version, which is listed), and documents read
    from one of `except_paths` (those files are opened as files).
    """
    superseded = anchoring.superseded_documents(store)
    skip = {anchoring.path_key(str(path)) for path in except_paths}
    out = []
    for record in store.documents():
        if record["id"] in superseded:
            continue
        if skip and record.get("path") and anchoring.path_key(record["path"]) in skip:
            continue
        doc = Document(text="", meta=DocumentMeta.from_dict(record.get("meta") or {}),
                       id=record["id"])
        out.append(Stored(record["id"], doc.name, record.get("path")))
    return out


class Entry:
    """One article the person asked for: read from its file (or the store) when first needed.

    A plain slotted class holding the path as a string: a folder of 100,000
    articles makes 100,000 of these before the first paint.
    """

    __slots__ = ("source", "document", "error", "stored")

    def __init__(self, source: str | None, document: Document | None = None,
                 error: str | None = None, stored: Stored | None = None) -> None:
        self.source = source  # the path as given (None: no file)
        self.document = document
        self.error = error
        self.stored = stored

    @property
    def path(self) -> Path | None:
        return None if self.source is None else Path(self.source)

    @property
    def name(self) -> str:
        if self.document is not None:
            return self.document.heading
        if self.stored is not None:
            return self.stored.name
        return os.path.basename(self.source) if self.source is not None else "?"

    def __repr__(self) -> str:
        return (f"Entry({self.source!r}, document={self.document!r}, error={self.error!r}, "
                f"stored={self.stored!r})")


# Past this length (~0.2 s of Punkt) the reader shows the text first and
# finds sentences and tokens in the background.
BACKGROUND_SEGMENTATION_CHARS = 300_000


# How many of the read articles weigh words (IDF) when aligning two of them.
IDF_SAMPLE = 50

# A session reads the first PRELOAD articles at once (the panes), or all of
# them when there are no more than EAGER_UP_TO (every unreadable one is
# then reported up front).
PRELOAD = 2
EAGER_UP_TO = 50


def read_at_start(paths: Sequence[str]) -> Sequence[str]:
    """The paths a `Workspace` of these reads as it starts (as far as all are readable)."""
    return paths if len(paths) <= EAGER_UP_TO else paths[:PRELOAD]


class Workspace:
    """The articles of a session, loaded lazily.

    `sources` are Documents (already read), paths, or `Stored` documents
    (read from the store, e.g. imported ones). A folder of 100,000
    articles must open at once, so paths are read only when shown: the
    first `preload` of them now (the panes), the rest when asked for;
    up to `eager_up_to` paths are all read at once. What `prefetched`
    (annotations/prefetch.py) read already is taken from it, not read again.

    With `write_new_documents_later`, the new documents read here are
    registered with `Store.register_soon`: the reader draws its first frame
    without waiting for their texts to be written and fsynced, and calls
    `write_registered` after it (nothing anyone makes can be saved before
    they are: the store writes them first). Documents read later, and
    changed articles (their annotations are carried over now), are
    registered at once.
    """

    def __init__(
        self,
        store: Store,
        sources: Iterable[Document | Stored | str | Path],
        *,
        config: Config | None = None,
        annotator: str = "",
        raw: bool = False,
        decoding: Decoding | None = None,
        preload: int = PRELOAD,
        eager_up_to: int = EAGER_UP_TO,
        write_new_documents_later: bool = False,
        prefetched: ArticlePrefetch | None = None,
    ) -> None:
        self.store = store
        self.config = config or Config()
        self.annotator = annotator
        self._layer_statuses: LayerStatuses | None = None  # read when first asked
        self._team: dict[str, dict[str, str]] | None = None
        self._raw, self._decoding = raw, decoding or Decoding()
        self._prefetched = prefetched
        # Problems that lost nothing (a damaged segmentation file, segmented
        # again) and how files were read when not as plain UTF-8, for the
        # reader to show.
        self.warnings: list[str] = []
        # What cleaning took out of each file read (`cleaning_note`): said
        # once, as news rather than as a warning.
        self.cleaning_notes: list[str] = []
        self.entries: list[Entry] = []
        self.documents: dict[str, Document] = {}
        self.load_errors: list[ArticleError] = []
        # Documents whose store file is damaged: they are not opened (and the
        # file is never written); the CLI refuses to start on one of these.
        self.store_errors: list[StoreError] = []
        # Articles whose text changed since the store last saw their path:
        # their annotations are re-anchored onto the new text (once), the
        # rest wait in `orphans(doc_id)`. The UI shows these as a notice.
        self.reanchor_reports: dict[str, ReanchorReport] = {}
        # doc id -> the first entry showing it (index_of, without a scan).
        self._entry_of: dict[str, int] = {}
        self._register_soon = write_new_documents_later
        # What the reader calls each document, files sharing a name told
        # apart by their folders (worked out when first asked for).
        self.names = ShownNames(self._entry_paths)
        given: list[Document] = []
        entries = self.entries
        for source in sources:
            if isinstance(source, Document):
                source = self._identify(source)
                if source.id not in self.documents:
                    self._entry_of[source.id] = len(entries)
                    entries.append(Entry(source.meta.path or None, source))
                    self.documents[source.id] = source
                    given.append(source)
            elif isinstance(source, Stored):
                entries.append(Entry(None, stored=source))
            else:
                entries.append(Entry(os.fspath(source)))
        # Which document each path held last time, so the document list can
        # show the progress of articles not read yet in this session.
        self._last_ids: dict[str, str] = store.paths()
        if given and not store.read_only:
            # One write of the document list for all of them, not one each.
            store.register_many(given)
            self.reanchor_reports.update(anchoring.carry_over(store, given))
        # A handful of files is read at once, so every unreadable one is
        # reported up front; a big folder only as far as the panes need.
        eager = len(self.entries) <= eager_up_to
        for index in range(len(self.entries)):
            if not eager and len(self.documents) >= preload:
                break
            self.load(index)
        self._register_soon = False  # documents read from now on are registered at once
        if prefetched is not None:
            prefetched.close()
            self._prefetched = None
        self._segmenter: Segmenter | None = None
        self._segmentations: dict[str, Segmentation] = {}
        self._alignments: dict[tuple[str, str], Alignment] = {}
        self.history = History(store)
        # The trained span model (annotations/span_model.py), when there is
        # one, and its suggestions per document (made once per model).
        self.span_model: SpanModel | None = None
        self._model_suggestions: dict[str, list[Suggestion]] = {}

    def texts_read(self, limit: int | None = None) -> tuple[str, ...]:
        """The texts of the documents read so far (the first `limit`), as a snapshot
        for a worker's job (annotations/worker_jobs.py)."""
        documents = tuple(self.documents.values())  # one C call: a consistent copy
        return tuple(doc.text for doc in documents[:limit])

    def load(self, index: int) -> Document | None:
        """The document of entry `index`, read now if it was not; None if unreadable.

        None also when its file in the store is damaged (`store_errors`).
        """
        entry = self.entries[index]
        if entry.document is None and entry.error is None and entry.stored is not None:
            entry.document = self._load_stored(entry)
            if entry.document is not None:
                self._note_entry(entry.document.id, index)
            return entry.document
        if entry.document is None and entry.error is None and entry.source is not None:
            decoding = self._decoding_for(entry.source)
            ahead = self._prefetched
            doc = ahead.take(entry.source, raw=self._raw, decoding=decoding) if ahead else None
            try:
                if doc is None:
                    doc = load_document(entry.source, raw=self._raw, decoding=decoding)
            except ArticleError as err:
                entry.error = str(err)
                self.load_errors.append(err)
                return None
            self.warnings.extend(how_read(doc, decoding))
            if (note := cleaning_note(doc)) is not None:
                self.cleaning_notes.append(note)
            doc = self._identify(doc)
            doc = self.documents.get(doc.id, doc)
            try:
                self.warnings.extend(self._read_the_other_way(doc))
                self._adopt(doc)
            except StoreError as err:
                entry.error = str(err)
                self.store_errors.append(err)
                return None
            entry.document = doc
            self._note_entry(doc.id, index)
        return entry.document

    def _decoding_for(self, path: str) -> Decoding:
        """How to read `path`: as asked, and as it was read when last opened.

        A file tagged after `--fix-mojibake` or `--encoding latin-1` and
        opened again without it would read as another text: its spans
        would be re-anchored (or orphaned) though the file never changed.
        So a repair recorded for the file is made again, and a recorded
        encoding is this file's fallback (used only if it is still not
        UTF-8); both are reported as before (`how_read`).
        """
        asked = self._decoding
        last = self._last_ids.get(anchoring.path_key(path) or "")
        if last is None:
            return asked
        try:
            record = self.store.document_record(last)
        except StoreError:
            return asked  # a damaged record: read as asked, the store's error comes later
        meta = (record or {}).get("meta") or {}
        if meta.get("repaired") and not asked.repair:
            asked = replace(asked, repair=True)
        encoding = meta.get("encoding")
        if isinstance(encoding, str) and asked.fallback is None and asked.forced(path) is None:
            asked = replace(asked, fallback=encoding)
        return asked

    def _identify(self, doc: Document) -> Document:
        """`doc` with its document id: a copy of a text another file holds is its own.

        `doc` comes with its text's hash as id; `annotations.identity` says
        when a file keeps it. The holder is looked for in this session first
        (two copies opened together), then in the store.
        """
        if not doc.meta.path:
            return doc
        holder = self.documents.get(doc.id)
        if holder is not None:
            known, holder_path, is_open = True, holder.meta.path, True
        else:
            record = self.store.document_record(doc.id)
            known = record is not None
            holder_path = None if record is None else record.get("path")
            is_open = False
        doc_id = identity.document_id(doc.id, doc.meta.path, holder_path,
                                      holder_known=known, holder_open=is_open)
        return doc if doc_id == doc.id else replace(doc, id=doc_id)

    def _note_entry(self, doc_id: str, index: int) -> None:
        first = self._entry_of.get(doc_id)
        if first is None or index < first:
            self._entry_of[doc_id] = index

    def _load_stored(self, entry: Entry) -> Document | None:
        """A stored document, as the store keeps it (already registered: no carry-over)."""
        assert entry.stored is not None
        doc_id = entry.stored.doc_id
        if doc_id in self.documents:
            return self.documents[doc_id]
        record = self.store.document_record(doc_id)
        try:
            text = self.store.load_text(doc_id) if record is not None else None
        except StoreError as err:
            text, problem = None, str(err)
        else:
            problem = "its text is not in the store"
        if record is None or text is None:
            entry.error = f"stored document {entry.stored.name}: {problem}"
            self.load_errors.append(ArticleError(entry.stored.name, problem))
            return None
        # The stored id, not a fresh hash: the annotations are filed under it.
        doc = Document(text=text, meta=DocumentMeta.from_dict(record.get("meta") or {}),
                       id=doc_id)
        try:
            self.store.annotations(doc_id)  # a damaged file stops it here, as in _adopt
        except StoreError as err:
            entry.error = str(err)
            self.store_errors.append(err)
            return None
        self.documents[doc_id] = doc
        return doc

    def _adopt(self, doc: Document) -> None:
        """Make a read document part of the session (and of the store).

        Its annotations are read here, so that a damaged store file stops
        the document from opening (StoreError, naming the file and its
        .bak) instead of failing later when it is drawn or tagged.
        """
        if doc.id in self.documents:
            return
        if self._register_soon and self._new_and_unchanged(doc):
            key = anchoring.path_key(doc.meta.path)
            self.store.register_soon([doc], {key: doc.id} if key else {})
            self.store.annotations(doc.id)  # a damaged file stops it here too
            self.documents[doc.id] = doc
            return
        if not self.store.read_only:
            self.store.register(doc)
        self.store.annotations(doc.id)
        if not self.store.read_only:
            self.reanchor_reports.update(anchoring.carry_over(self.store, [doc]))
        self.documents[doc.id] = doc

    def _read_the_other_way(self, doc: Document) -> list[str]:
        """A line when `doc`'s file was last tagged read the other way (--raw or
        cleaned): those spans stay with that text (`anchoring.carry_over`) and
        are not shown here, which without a word would look like a loss."""
        # The session's map of paths (read once), as `_decoding_for` uses it.
        old_id = self._last_ids.get(anchoring.path_key(doc.meta.path) or "")
        if old_id is None or old_id == doc.id:
            return []
        record = self.store.document_record(old_id)
        if record is None or anchoring.read_alike(record, doc):
            return []
        count = len(self.store.annotations(old_id))
        if not count:
            return []
        spans = "1 span" if count == 1 else f"{count:,} spans"
        if doc.meta.raw:
            return [f"{doc.meta.path}: read with --raw; the {spans} tagged on its cleaned text "
                    "are not shown here (open it without --raw to see them)"]
        return [f"{doc.meta.path}: the {spans} tagged on its raw text (--raw) are not shown "
                "here (open it with --raw to see them)"]

    def _new_and_unchanged(self, doc: Document) -> bool:
        """A document the store has never seen, from a path that held no other:
        registering it is all there is to do (no annotations to carry over)."""
        return (not self.store.read_only and self.store.document_record(doc.id) is None
                and not anchoring.previous_versions(self.store, [doc]))

    def write_registered(self) -> None:
        """Write the documents registered with `register_soon` (see the class)."""
        self.store.write_registered()

    def panes(self) -> list[Pane]:
        """Where the reader's panes were when it last saved them (any session)."""
        return self.store.panes()

    def save_panes(self, panes: list[Pane]) -> None:
        self.store.set_panes(panes)

    def index_of(self, doc_id: str) -> int:
        """The entry showing `doc_id` (the first, if two files hold the same text)."""
        return self._entry_of[doc_id]

    def document_name(self, doc_id: str) -> str:
        """What to call a document in a message: its heading if it is loaded, else
        its stored name (an undo may reach one this session did not open)."""
        doc = self.documents.get(doc_id)
        if doc is not None:
            return self.names.heading(doc)
        record = next((r for r in self.store.documents() if r["id"] == doc_id), None)
        if record is None:
            return doc_id
        meta = DocumentMeta.from_dict(record.get("meta") or {})
        return self.names.heading(Document(text="", meta=meta, id=doc_id))

    def entry_name(self, index: int) -> str:
        """What the document list and messages call entry `index` (namesakes told apart)."""
        entry = self.entries[index]
        if entry.document is not None:
            return self.names.heading(entry.document)
        stored = entry.stored
        if stored is not None:
            # A stored document is called by its title, else by its file's name.
            if stored.path and stored.name == file_name(stored.path):
                return self.names.file(stored.path)
            return stored.name
        return self.names.file(entry.source) or "?"

    def _entry_paths(self) -> list[str]:
        """The files of the session's documents, for `names` (a folder's 100,000 at once)."""
        return [entry.source or entry.stored.path  # type: ignore[union-attr, misc]
                for entry in self.entries
                if entry.source or (entry.stored is not None and entry.stored.path)]

    def entry_index(self, doc_id: str) -> int | None:
        """The entry showing `doc_id`, None if no entry read it."""
        return self._entry_of.get(doc_id)

    @property
    def order(self) -> list[Document]:
        """The documents read so far, in the order they were given."""
        return [e.document for e in self.entries if e.document is not None]

    def segmentation(self, doc_id: str, progress: Progress | None = None) -> Segmentation:
        """Sentences and tokens of a document (computed once; seconds for 10 MB).

        Computed once per store, not per session: the first segmentation is
        kept in the store, so the tokens spans are snapped to (and exported
        with) do not change when a later session trains Punkt on other
        articles, and reopening a long article needs no Punkt. The reader
        segments long articles in a worker instead: `segmentation_job`,
        then `keep_segmentation` with what it found.
        """
        seg = self._segmentations.get(doc_id)
        if seg is None:
            seg = self.keep_segmentation(self.segmentation_job(doc_id).run(progress))
        return seg

    def segmentation_job(self, doc_id: str) -> SegmentationJob:
        """What segmenting `doc_id` takes, for a worker: the text, what the store
        kept (read here, decoded there), Punkt or the texts to train it on.

        Punkt is trained on first use, not at start: for a long article that
        use is the background segmentation, so training never delays the
        first paint.
        """
        from annotations.worker_jobs import SegmentationJob  # after the first frame

        segmenter = self._segmenter
        return SegmentationJob(
            doc_id, self.documents[doc_id].text,
            self.store.kept_segmentation(doc_id, self.warnings.append), segmenter,
            () if segmenter is not None else self.texts_read())

    def keep_segmentation(self, done: SegmentationDone) -> Segmentation:
        """Keep what a segmentation job found (the first found for a document stays);
        the store keeps it too, once, if it was found rather than read."""
        self.warnings.extend(done.warnings)
        if self._segmenter is None and done.segmenter is not None:
            self._segmenter = done.segmenter
        seg = self._segmentations.setdefault(done.doc_id, done.segmentation)
        if done.computed and seg is done.segmentation:
            self.store.save_segmentation(done.doc_id, seg, self.warnings.append)
        return seg

    def is_segmented(self, doc_id: str) -> bool:
        return doc_id in self._segmentations

    def segments_slowly(self, doc_id: str) -> bool:
        """Long enough that the reader should segment it in the background."""
        return not self.is_segmented(doc_id) and len(
            self.documents[doc_id].text) > BACKGROUND_SEGMENTATION_CHARS

    def annotations(self, doc_id: str) -> list[Annotation]:
        """The spans this session shows and edits: the annotator's own layer.

        Blind annotation: others' layers stay out of sight (and out of
        reach of every edit) unless asked for (`other_layers`), so that
        agreement means something. Spans of no annotator (imported
        pre-annotations) are everyone's. A session with no annotator name
        (a script) sees every layer.
        """
        anns = self.store.annotations(doc_id)
        if not self.annotator:
            return anns
        mine = self.annotator
        return [a for a in anns if a.annotator == mine or not a.annotator]

    def other_layers(self, doc_id: str) -> list[Annotation]:
        """Other annotators' spans of `doc_id`: to look at, never to edit."""
        if not self.annotator:
            return []
        mine = self.annotator
        return [a for a in self.store.annotations(doc_id)
                if a.annotator and a.annotator != mine]

    def counts(self, doc_id: str) -> Counter[str]:
        """How many spans of each label the session shows in `doc_id` (its own
        layer, as `annotations`: the document list must not tell what a
        colleague tagged; the store's kept counts when it sees every layer)."""
        if not self.annotator:
            return self.store.counts(doc_id)
        return Counter(a.label for a in self.annotations(doc_id))

    def last_status(self, index: int) -> str:
        """Entry `index`'s progress as the store last knew it, without reading the file."""
        entry = self.entries[index]
        if entry.document is not None:
            return self.status(entry.document.id)
        if entry.stored is not None:
            return self.status(entry.stored.doc_id)
        doc_id = self._last_ids.get(anchoring.path_key(entry.source) or "")
        return self.status(doc_id) if doc_id else "untouched"

    def status(self, doc_id: str) -> str:
        """Your progress on `doc_id` (with no annotator name: the document's).

        A document no one's progress was recorded on per annotator (in a
        store from before, say) shows the document's own status.
        """
        if self.annotator and self.layer_statuses.known(doc_id):
            return self.layer_statuses.status(self.annotator, doc_id)
        record = self.store.document_record(doc_id)
        return (record or {}).get("status", "untouched")

    @property
    def layer_statuses(self) -> LayerStatuses:
        if self._layer_statuses is None:
            self._layer_statuses = LayerStatuses(self.store)
        return self._layer_statuses

    def set_status(self, doc_id: str, status: str) -> None:
        """Mark your progress on `doc_id`; the document's own status follows it."""
        if self.annotator:
            self.layer_statuses.set(self.annotator, doc_id, status)
        self.store.set_status(doc_id, status)

    def _started(self, ann: Annotation | None) -> Annotation | None:
        if ann is not None and self.annotator:
            self.layer_statuses.started(self.annotator, ann.doc_id)
        return ann

    def team_status(self, doc_id: str) -> dict[str, str]:
        """Other annotators' status of `doc_id` ({} when no one else has one).

        A shared store (PostgreSQL) keeps each annotator's status itself
        (`team_statuses`); a folder store keeps them per annotator in its
        session state (`layer_statuses`). Read once and kept until
        `refresh_team`: the document list draws a row per visible document.
        """
        statuses = getattr(self.store, "team_statuses", None)
        if statuses is None:
            return {who: docs[doc_id] for who, docs in self.layer_statuses.all().items()
                    if doc_id in docs and who != self.annotator}
        if self._team is None:
            self._team = statuses()
        return {who: status for who, status in self._team.get(doc_id, {}).items()
                if who != self.annotator}

    def refresh_team(self) -> None:
        """Forget the team's statuses: others changed something."""
        self._team = None

    def target(self, doc_id: str, cursor: int, selection: tuple[int, int] | None) -> (
        tuple[int, int] | None
    ):
        """What a label key tags: the selection, else the sentence under the cursor.

        With snapping on (the default) the range grows to whole tokens, so
        exported spans line up with the tokens tools train on.
        """
        seg = self.segmentation(doc_id)
        if selection is None:
            index = seg.sentence_at(cursor)
            return None if index is None else seg.sentences[index]
        start, end = selection
        if self.config.snap:
            start, end = seg.snap(start, end)
        else:
            start, end = strip_span(self.documents[doc_id].text, start, end)
        # Character-exact still means whole characters as read: a span never
        # ends inside "👨‍👩‍👧" or cuts a skin tone off its hand.
        start, end = graphemes.snap(self.documents[doc_id].text, start, end)
        return (start, end) if start < end else None

    def tag(
        self, doc_id: str, cursor: int, selection: tuple[int, int] | None, label: str
    ) -> Annotation | None:
        """Tag the target range with `label`; None if nothing to tag or a duplicate."""
        span = self.target(doc_id, cursor, selection)
        if span is None:
            return None
        ann = Annotation.tag(
            self.documents[doc_id], *span, label, annotator=self.annotator
        )
        return self._started(ann if self.history.add(ann) else None)

    def remove(self, doc_id: str, ann_id: str) -> Annotation | None:
        """Remove an annotation, and the relations pointing at it, as one undoable step."""
        anns = self.annotations(doc_id)
        heads = relations.pointing_at(anns, ann_id)
        target = next((a for a in anns if a.id == ann_id), None)
        if not heads or target is None:
            return self.history.remove(doc_id, ann_id)
        parts = [Change("update", head, relations.without_relations_to(head, ann_id))
                 for head in heads]
        self.history.group([*parts, Change("remove", target, None)], target, None)
        return target

    def update(self, ann: Annotation) -> Annotation | None:
        """Replace an annotation by id (relabel, note); returns the old one.

        None when nothing changed: no such annotation, or the change would
        make a twin of another (same span, same label, same layer) — as tagging refuses.
        """
        if self._twin(ann, self.annotations(ann.doc_id)):
            return None
        return self.history.update(ann)

    @staticmethod
    def _twin(ann: Annotation, annotations: Iterable[Annotation]) -> bool:
        """Another span of `annotations` with `ann`'s span, label and layer."""
        key = (ann.start, ann.end, ann.label, ann.annotator)
        return any(other.id != ann.id and (other.start, other.end, other.label,
                                           other.annotator) == key for other in annotations)

    def relabel(self, ann: Annotation, label: str) -> tuple[Annotation, int, int] | None:
        """`ann` as `label` (undoable, one step); returns the old annotation, and
        how many relations and attribute values went with the change: those
        the project's relation types and the new label's attributes do not
        allow (a quote's `said_by`, a claim's `checkworthy`, relabelled as
        opinion), which an export would carry and `validate` refuse.
        None as `update`: a twin of another span."""
        current = self._current(ann)
        anns = self.annotations(ann.doc_id)
        by_id = {a.id: a for a in anns}

        def allowed(kind: str, head_label: str, tail_label: str) -> bool:
            # Only a declared type can say no: an imported one is left alone.
            return (self.config.relation_type(kind) is None
                    or self.config.relation_problem(kind, head_label, tail_label) is None)

        kept = tuple(r for r in current.relations if r.tail not in by_id
                     or allowed(r.type, label, by_id[r.tail].label))
        # Values the new label does not declare; a label the project does not
        # declare (an imported one) says no to none.
        values = {name: value for name, value in current.attrs.items()
                  if self.config.label(label) is None
                  or self.config.attribute_problem(label, name, value) is None}
        new = current.with_changes(label=label, relations=kept, attrs=values)
        dropped = len(current.relations) - len(kept)
        dropped_values = len(current.attrs) - len(values)
        parts = []
        for head in relations.pointing_at(anns, ann.id):
            keep = tuple(r for r in head.relations
                         if r.tail != ann.id or allowed(r.type, head.label, label))
            if len(keep) < len(head.relations):
                dropped += len(head.relations) - len(keep)
                parts.append(Change("update", head, head.with_changes(relations=keep)))
        if not parts:
            old = self.update(new)
            return None if old is None else (old, dropped, dropped_values)
        if self._twin(new, anns):
            return None
        self.history.group([*parts, Change("update", current, new)], current, new)
        return current, dropped, dropped_values

    # The store as the reader sees it: where, whether it can be written, what
    # waits to be sent. The app asks these here, not the store (one seam).

    @property
    def location(self) -> str:
        """The store's folder or (password-free) URL."""
        return self.store.location

    @property
    def read_only(self) -> bool:
        return bool(self.store.read_only)

    @property
    def folder(self) -> Path | None:
        """The store's folder; None for a PostgreSQL store."""
        from annotations.engines import folder_of

        return folder_of(self.store)

    @property
    def unsent_changes(self) -> int:
        """Changes kept on this machine while a shared store's server is away."""
        return int(getattr(self.store, "pending", 0))

    @property
    def unsent_edits(self) -> int:
        """Of those, the changes to work (spans, links, statuses, orphans): not
        where the panes stand, which a reader saves as you move."""
        return int(getattr(self.store, "pending_edits", self.unsent_changes))

    def send_unsent_changes(self) -> None:
        """Try to send them (StoreError if the server is still away)."""
        flush = getattr(self.store, "flush", None)
        if flush is not None and self.unsent_changes:
            flush()

    @property
    def shared(self) -> bool:
        """A store others change meanwhile (PostgreSQL), whose changes can be heard."""
        return hasattr(self.store, "listen")

    def listen(self) -> Any:
        """A listener for the changes others make to a shared store (`shared`)."""
        return self.store.listen()  # type: ignore[attr-defined]

    def export(self, options: ExportOptions, out_path: Path) -> Any:
        """Export the whole store as `newsmark export` does (annotations/export.py)."""
        from annotations.export import export

        return export(self.store, options, out_path=out_path)

    # Relations between spans of a document, and attribute values on spans.

    def relate(self, head: Annotation, tail: Annotation, type_name: str) -> Annotation:
        """Save a relation of `type_name` from `head` to `tail` (undoable); returns the new head.

        RelationError when the configuration does not allow it, or it exists.
        """
        current = self._current(head)
        new = relations.related(current, self._current(tail), type_name, self.config)
        self.history.update(new)
        return new

    def unrelate(self, head: Annotation, relation_id: str) -> Annotation | None:
        """Remove one relation of `head` (undoable); the new head, None if it had no such one."""
        current = self._current(head)
        if not any(r.id == relation_id for r in current.relations):
            return None
        new = relations.without_relation(current, relation_id)
        self.history.update(new)
        return new

    def set_attribute(self, ann: Annotation, name: str, value: str | None) -> Annotation:
        """Set (or with None unset) an attribute's value (undoable); returns the new annotation."""
        new = relations.with_attribute(self._current(ann), name, value, self.config)
        self.history.update(new)
        return new

    def edges(self, doc_id: str) -> list[relations.Edge]:
        """The document's relations whose two ends are both present."""
        return relations.edges(self.annotations(doc_id))

    def _current(self, ann: Annotation) -> Annotation:
        """The stored version of `ann` (what the screen holds may be a step behind)."""
        found = next((a for a in self.annotations(ann.doc_id) if a.id == ann.id), None)
        if found is None:
            raise relations.RelationError(f"that {ann.label} is no longer in the store")
        return found

    def undo(self) -> Change | None:
        return self.history.undo()

    def redo(self) -> Change | None:
        return self.history.redo()

    # Orphans: annotations re-anchoring could not place on a changed article.

    def orphans(self, doc_id: str) -> list[Annotation]:
        """Orphans waiting on `doc_id`, as they were on the old text (their `doc_id`)."""
        return anchoring.orphans(self.store, doc_id)

    def orphan_text(self, orphan: Annotation) -> str | None:
        """The old version of the article an orphan was tagged in."""
        return self.store.load_text(orphan.doc_id)

    def place_orphan(
        self, doc_id: str, orphan_id: str, start: int, end: int, label: str | None = None
    ) -> Annotation | None:
        """Put an orphan on [start, end) of `doc_id` (undoable); None if no such orphan.

        It keeps its id, annotator, date and note, takes `label` (default its
        own) and is marked `reanchored="placed"`; it leaves the orphan list.
        """
        orphan = anchoring.find_orphan(self.store, doc_id, orphan_id)
        if orphan is None:
            return None
        ann = anchoring.placed(orphan, self.documents[doc_id], start, end, label or orphan.label)
        existing = {a.id: a for a in self.annotations(doc_id)}
        if ann.id in existing:  # placed before a crash: only the list is left to fix
            ann = existing[ann.id]
        # One undo step for both halves: `u` takes it back into the list.
        return ann if self.history.place(doc_id, orphan, ann) else None

    def drop_orphan(self, doc_id: str, orphan_id: str) -> Annotation | None:
        """Take an orphan off the list (undoable); it stays in its old document's record."""
        return self.history.drop(doc_id, orphan_id)


    # Comparing outlets: sentence alignment, links across documents, suggestions.

    def alignment(self, a_id: str, b_id: str) -> Alignment:
        """Which sentences of two articles say the same thing (cached per pair)."""
        found = self._alignments.get((a_id, b_id))
        if found is None:
            found = self.keep_alignment(a_id, b_id, self.alignment_job(a_id, b_id).run())
        return found

    def known_alignment(self, a_id: str, b_id: str) -> Alignment | None:
        return self._alignments.get((a_id, b_id))

    def alignment_job(self, a_id: str, b_id: str) -> AlignmentJob:
        """What aligning two documents takes, for a worker (both segmented first)."""
        from annotations.worker_jobs import AlignmentJob

        # IDF needs a sample of the corpus, not all of it: with thousands of
        # articles read, counting every one would cost seconds per alignment.
        return AlignmentJob(a_id, b_id, self.segmentation(a_id), self.segmentation(b_id),
                            self.texts_read(IDF_SAMPLE))

    def keep_alignment(self, a_id: str, b_id: str, alignment: Alignment) -> Alignment:
        """Keep what an alignment job found (the first kept for a pair stays)."""
        return self._alignments.setdefault((a_id, b_id), alignment)

    def link(self, a: Annotation, b: Annotation, relation: str) -> Link | None:
        """Link two annotations of different documents (undoable); None if linked so."""
        link = Link.between(a, b, relation, annotator=self.annotator)
        return link if self.history.link(link) else None

    def links(self, doc_id: str) -> list[Link]:
        return self.history.links.for_document(doc_id)

    def suggestions(self, doc_id: str) -> list[Suggestion]:
        """Proposed spans not yet tagged nor rejected: the rules', and the model's if any."""
        from annotations import suggest

        return suggest.pending(self.documents[doc_id], self.segmentation(doc_id), self.store,
                               self.annotations(doc_id), extra=self.model_suggestions(doc_id),
                               annotator=self.annotator)

    def set_model(self, model: SpanModel | None) -> None:
        """Suggest with `model` from now on (None: rules only)."""
        self.span_model = model
        self._model_suggestions.clear()

    def model_suggestions(self, doc_id: str) -> list[Suggestion]:
        """The model's suggestions for `doc_id` made so far (`keep_model_suggestions`).

        Never computed here: a 10 MB article takes the model over a minute,
        so the reader asks for them in a worker (`model_suggestion_job`)
        and shows the rules' meanwhile.
        """
        return self._model_suggestions.get(doc_id, [])

    def needs_model_suggestions(self, doc_id: str) -> bool:
        return self.span_model is not None and doc_id not in self._model_suggestions

    def model_suggestion_job(self, doc_id: str, model: SpanModel) -> ModelSuggestionJob:
        """What `model` needs to suggest spans in `doc_id`, for a worker: the text and
        the threshold (`[model] threshold`, else the model's own)."""
        from annotations.model_threshold import threshold_for
        from annotations.worker_jobs import ModelSuggestionJob

        return ModelSuggestionJob(doc_id, self.documents[doc_id].text, model, threshold_for(
            self.config.model_threshold, model.meta.get("threshold")))

    def keep_model_suggestions(self, doc_id: str, model: SpanModel,
                               found: list[Suggestion]) -> bool:
        """Keep what `model` suggested for `doc_id`, unless another model replaced it since."""
        if model is not self.span_model:
            return False
        self._model_suggestions[doc_id] = found
        return True

    def reorder(self, first: Sequence[str]) -> None:
        """Put the entries of the documents `first` at the top, in that order;
        the others keep theirs after them (the document list's order)."""
        rank = {doc_id: i for i, doc_id in enumerate(first)}
        last = len(rank)
        keyed = sorted(enumerate(self.entries), key=lambda pair: (
            rank.get(pair[1].document.id, last) if pair[1].document is not None else last,
            pair[0]))
        self.entries[:] = [entry for _i, entry in keyed]
        self._entry_of.clear()
        for index, entry in enumerate(self.entries):
            if entry.document is not None:
                self._note_entry(entry.document.id, index)

    def accept(self, doc_id: str, suggestion: Suggestion, *, group: str = "") -> Annotation | None:
        """Tag a suggestion (undoable); None if it is tagged so already. Those
        accepted with one `group` are one undo step.

        A quote whose speaker was found is accepted with it: the speaker
        tagged (or the one tagged there already: the same words, else a
        speaker span of this layer over them, `Lindqvist` for `Mayor
        Lindqvist`), and the quote's `said_by` relation to it, in one
        undoable step; the relation then says who spoke, so the note does
        not (a note goes stale when the speaker span is changed). That needs
        the project to have a `speaker` label and a `said_by` type from quote
        to speaker.
        """
        doc = self.documents[doc_id]
        ann = suggestion.to_annotation(doc, annotator=self.annotator)
        speaker_label, said_by = "speaker", "said_by"
        if (suggestion.speaker is None or self.config.label(speaker_label) is None
                or self.config.relation_problem(said_by, ann.label, speaker_label) is not None):
            return self._started(ann if self.history.add(ann, group=group) else None)
        anns = self.annotations(doc_id)
        if any((a.start, a.end, a.label, a.annotator) == (
                ann.start, ann.end, ann.label, ann.annotator) for a in anns):
            return None  # a twin in this layer, as tagging refuses
        start, end = suggestion.speaker
        speakers = [a for a in anns if a.label == speaker_label and a.annotator == ann.annotator
                    and a.start < end and start < a.end]
        speaker = next((a for a in speakers if (a.start, a.end) == (start, end)),
                       speakers[0] if speakers else None)
        ann = replace(ann, note="; ".join(
            part for part in ann.note.split("; ") if part and not part.startswith("speaker: ")))
        parts = []
        if speaker is None:
            speaker = suggestion.speaker_annotation(doc, speaker_label, annotator=self.annotator)
            parts.append(Change("add", None, speaker))
        ann = relations.related(ann, speaker, said_by, self.config)
        self.history.group([*parts, Change("add", None, ann)], None, ann, label=group)
        return self._started(ann)

    def reject(self, doc_id: str, suggestion: Suggestion) -> None:
        """Never propose `suggestion` again for this document (undoable)."""
        doc = self.documents[doc_id]
        self.history.reject(suggestion.to_annotation(doc, annotator=self.annotator))

    # Adjudication: the session's annotator is the curator, working in gold.

    def merge_agreed(self, doc_id: str) -> int:
        """Put into the curator's layer what every annotator agreed on; how many spans."""
        from annotations.adjudication import merged_into_gold

        doc = self.documents[doc_id]
        return self.store.add_many(
            merged_into_gold(doc, self.store.annotations(doc_id), self.annotator))

    def disagreements_left(self, doc_id: str) -> tuple[list[Disagreement], int]:
        """The undecided disagreements of `doc_id`, in text order, and how many there are in all."""
        from annotations.adjudication import disagreements, resolved
        from annotations.suggest import SuggestionState

        anns = self.store.annotations(doc_id)
        groups = disagreements(anns, self.annotator)
        if not groups:
            return [], 0
        gold = [a for a in anns if a.annotator == self.annotator]
        rejected = set()
        # Versions taken as none are the curator's rejections.
        for key in SuggestionState(self.store).rejected(doc_id, self.annotator):
            start, end, label = key.split(":", 2)
            rejected.add((int(start), int(end), label))
        return [g for g in groups if not resolved(g, gold, rejected)], len(groups)

    def take(self, doc_id: str, version: Annotation) -> Annotation | None:
        """Another annotator's `version` into the curator's layer (undoable); None if there.

        Its relations come with it where their other end is in gold already
        (taken or merged: the same span and label): the quote taken after its
        speaker keeps its `said_by`, and so does the speaker taken after its
        quote (the quote's gold span is given the relation). One undo step.

        Where gold has the span already with other attribute values (ana's
        `checkworthy=no` taken, bob's `=yes` the other version), taking the
        version gives gold's span its values: t again at one place goes
        from one annotator's values to the next.
        """
        from annotations.adjudication import span_key as key
        from annotations.adjudication import taken
        from annotations.model import Relation, new_id

        ann = taken(version, self.documents[doc_id], self.annotator)
        anns = self.store.annotations(doc_id)
        there = next((a for a in anns if a.annotator == self.annotator and key(a) == key(ann)),
                     None)
        if there is not None:
            if dict(there.attrs) == dict(ann.attrs):
                return None  # gold has it: nothing taken, nothing related
            values = there.with_changes(attrs=dict(ann.attrs))
            self.history.update(values)
            return self._started(values)
        gold = {key(a): a for a in anns if a.annotator == self.annotator}
        theirs = {a.id: a for a in anns if a.annotator == version.annotator}
        carried = tuple(
            Relation(new_id(), r.type, gold[key(theirs[r.tail])].id)
            for r in version.relations
            if r.tail in theirs and key(theirs[r.tail]) in gold)
        ann = ann.with_changes(relations=carried) if carried else ann
        heads = []  # gold spans whose version (same annotator) points at this one
        for head in theirs.values():
            wanted = [r for r in head.relations if r.tail == version.id]
            current = gold.get(key(head))
            if not wanted or current is None:
                continue
            have = {(r.type, r.tail) for r in current.relations}
            extra = tuple(Relation(new_id(), r.type, ann.id) for r in wanted
                          if (r.type, ann.id) not in have)
            if extra:
                heads.append(Change("update", current,
                                    current.with_changes(relations=current.relations + extra)))
        if not heads:
            return self._started(ann if self.history.add(ann) else None)
        self.history.group([Change("add", None, ann), *heads], None, ann)
        return self._started(ann)

    def take_none(self, doc_id: str, disagreement: Disagreement) -> int:
        """Reject every version of `disagreement` (one undo step); how many there were."""
        from annotations.adjudication import taken
        from annotations.model import new_id

        doc = self.documents[doc_id]
        step = new_id()
        for version in disagreement.versions:
            self.history.reject(taken(version, doc, self.annotator), group=step)
        return len(disagreement.versions)
