"""Relations between spans and attribute values on spans: the UI-free core (issue 15)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from annotations.documents import load_document
from annotations.errors import ConfigError
from annotations.history import History
from annotations.labels import Config, Label, RelationType, parse_config
from annotations.model import Annotation, Document, Relation
from annotations.relations import (
    RelationError,
    edges,
    next_value,
    pointing_at,
    problems,
    related,
    with_attribute,
)
from annotations.store import LocalStore
from annotations.workspace import Workspace

TEXT = ("“The bridge will open in June,” Mayor Lindqvist said on Monday. "
        "Costs rose by a third, according to the council's auditor.")


def _span(doc: Document, text: str, label: str) -> Annotation:
    start = doc.text.index(text)
    return Annotation.tag(doc, start, start + len(text), label)


# ------------------------------------------------------------- configuration


def test_defaults_declare_attribution_relations_and_attributes() -> None:
    config = Config()
    assert [t.name for t in config.types_between("quote", "speaker")] == ["said_by", "cue"]
    assert [t.name for t in config.types_between("claim", "source")] == ["source_of", "cue"]
    assert config.types_between("speaker", "quote") == []
    assert config.label("claim").attribute("checkworthy").values == ("yes", "no")
    assert config.label("opinion").attribute("polarity").values == (
        "positive", "negative", "neutral")
    assert config.label("quote").attribute("kind").values == ("direct", "indirect", "partial")


def test_newsmark_toml_declares_relations_and_attributes_per_label() -> None:
    config = parse_config(tomllib.loads("""
[[labels]]
name = "content"
key = "1"
[labels.attributes]
polarity = ["pos", "neg"]

[[labels]]
name = "holder"
key = "2"

[[relations]]
name = "held_by"
head = ["content"]
tail = ["holder"]

[[relations]]
name = "any"
"""))
    assert config.relation_types == (RelationType("held_by", ("content",), ("holder",)),
                                     RelationType("any"))
    assert config.label("content").attribute("polarity").values == ("pos", "neg")
    assert [t.name for t in config.types_between("holder", "content")] == ["any"]


def test_labels_without_relations_keep_the_default_types_they_can_hold() -> None:
    config = parse_config(tomllib.loads(
        '[[labels]]\nname = "quote"\nkey = "1"\n[[labels]]\nname = "speaker"\nkey = "2"\n'))
    assert [t.name for t in config.relation_types] == ["said_by"]


@pytest.mark.parametrize(("toml", "fragment"), [
    ('[[labels]]\nname = "a"\nkey = "1"\n[[relations]]\nname = "r"\nhead = ["b"]\n',
     "'b', which is not a declared label"),
    ('[[relations]]\nname = "r"\n[[relations]]\nname = "r"\n', "two relation types"),
    ('[[relations]]\nname = "r s"\n', "'name'"),
    ('[[relations]]\nname = "r"\ntail = "quote"\n', "'tail' must be a list"),
    ('[[labels]]\nname = "a"\nkey = "1"\nattributes = { x = "yes" }\n', "as words"),
    ('[[labels]]\nname = "a"\nkey = "1"\nattributes = { x = ["y", "y"] }\n', "twice"),
    ('[[labels]]\nname = "a"\nkey = "1"\nattributes = { x = ["a b"] }\n', "as words"),
])
def test_a_wrong_relation_or_attribute_declaration_is_refused(toml: str, fragment: str) -> None:
    with pytest.raises(ConfigError, match=fragment):
        parse_config(tomllib.loads(toml))


@pytest.mark.parametrize("key", ["c", "="])
def test_the_relation_and_attribute_keys_are_not_label_keys(key: str) -> None:
    from tui.keymap import check_config

    with pytest.raises(ConfigError, match="already a reader command"):
        check_config(parse_config(tomllib.loads(f'[[labels]]\nname = "a"\nkey = "{key}"\n')))


# ------------------------------------------------------------- the model


def test_a_row_without_relations_or_attributes_stays_as_it_was() -> None:
    doc = Document(TEXT)
    ann = _span(doc, "Mayor Lindqvist", "speaker")
    assert "attrs" not in ann.to_dict() and "relations" not in ann.to_dict()
    full = ann.with_changes(attrs={"x": "y"}, relations=(Relation("r1", "said_by", "t"),))
    row = full.to_dict()
    assert row["relations"] == [{"id": "r1", "type": "said_by", "tail": "t"}]
    assert row["attrs"] == {"x": "y"}
    back = Annotation.from_dict(row)
    assert back == full and hash(back) == hash(full)
    with pytest.raises(ValueError, match="relation needs"):
        Annotation.from_dict({**row, "relations": [{"id": "r1", "type": 3, "tail": "t"}]})
    with pytest.raises(ValueError, match="attributes"):
        Annotation.from_dict({**row, "attrs": {"x": 1}})


def test_related_checks_the_types_allowed_between_the_two_labels() -> None:
    doc = Document(TEXT)
    config = Config()
    quote = _span(doc, "The bridge will open in June", "quote")
    mayor = _span(doc, "Mayor Lindqvist", "speaker")
    claim = _span(doc, "Costs rose by a third", "claim")
    head = related(quote, mayor, "said_by", config)
    (rel,) = head.relations
    assert (rel.type, rel.tail) == ("said_by", mayor.id)
    with pytest.raises(RelationError, match="already"):
        related(head, mayor, "said_by", config)
    with pytest.raises(RelationError, match="cannot go from a claim to a speaker"):
        related(claim, mayor, "said_by", config)
    with pytest.raises(RelationError, match="not declared"):
        related(quote, mayor, "paraphrases", config)
    with pytest.raises(RelationError, match="itself"):
        related(quote, quote, "cue", config)
    with pytest.raises(RelationError, match="one layer, not ana's and ben's"):
        related(quote.with_changes(annotator="ana"), mayor.with_changes(annotator="ben"),
                "said_by", config)
    other = _span(Document("Mayor Lindqvist spoke."), "Mayor Lindqvist", "speaker")
    with pytest.raises(RelationError, match="same document"):
        related(quote, other, "said_by", config)
    anns = [head, mayor, claim]
    assert [(e.head.id, e.type, e.tail.id) for e in edges(anns)] == [
        (quote.id, "said_by", mayor.id)]
    assert pointing_at(anns, mayor.id) == [head]
    assert edges([head, claim]) == []  # the tail is away (an orphan): nothing drawn
    labels = {a.id: a.label for a in anns}
    assert problems(head, labels, config) == []
    assert "not a span of this document" in problems(head, {}, config)[0]


def test_attribute_values_come_from_the_declared_set() -> None:
    doc = Document(TEXT)
    config = Config()
    claim = _span(doc, "Costs rose by a third", "claim")
    assert next_value(claim, "checkworthy", config) == "yes"
    yes = with_attribute(claim, "checkworthy", "yes", config)
    assert yes.attrs == {"checkworthy": "yes"} and claim.attrs == {}
    assert next_value(yes, "checkworthy", config) == "no"
    no = with_attribute(yes, "checkworthy", "no", config)
    assert next_value(no, "checkworthy", config) is None  # then unset
    assert with_attribute(no, "checkworthy", None, config).attrs == {}
    with pytest.raises(RelationError, match="'maybe' is not a value of claim's attribute"):
        with_attribute(claim, "checkworthy", "maybe", config)
    with pytest.raises(RelationError, match="not declared for label 'claim'"):
        with_attribute(claim, "polarity", "negative", config)
    assert "not a value" in problems(claim.with_changes(attrs={"checkworthy": "x"}), {},
                                     config)[0]


# ------------------------------------------------------------- saved, undone, carried


@pytest.fixture
def article(tmp_path: Path) -> Path:
    path = tmp_path / "bridge.txt"
    path.write_text(TEXT + "\n", encoding="utf-8")
    return path


def _open(store_dir: Path, path: Path) -> tuple[LocalStore, Workspace]:
    store = LocalStore(store_dir)
    return store, Workspace(store, [load_document(path, raw=True)], annotator="tester")


def _tag(ws: Workspace, text: str, label: str) -> Annotation:
    doc = ws.order[0]
    start = doc.text.index(text)
    ann = ws.tag(doc.id, 0, (start, start + len(text)), label)
    assert ann is not None
    return ann


def test_relations_and_attributes_are_saved_undone_and_survive_a_restart(
    tmp_path: Path, article: Path
) -> None:
    store_dir = tmp_path / "store"
    store, ws = _open(store_dir, article)
    doc = ws.order[0]
    quote = _tag(ws, "The bridge will open in June", "quote")
    mayor = _tag(ws, "Mayor Lindqvist", "speaker")
    claim = _tag(ws, "Costs rose by a third", "claim")
    head = ws.relate(quote, mayor, "said_by")
    ws.set_attribute(claim, "checkworthy", "yes")
    assert [(e.head.text, e.type, e.tail.text) for e in ws.edges(doc.id)] == [
        ("The bridge will open in June", "said_by", "Mayor Lindqvist")]
    ws.undo()  # the attribute
    ws.undo()  # the relation
    assert ws.edges(doc.id) == []
    assert all(not a.attrs for a in ws.annotations(doc.id))
    ws.redo()
    ws.redo()
    store.close()

    store, ws = _open(store_dir, article)
    by_id = {a.id: a for a in ws.annotations(doc.id)}
    assert by_id[quote.id].relations == head.relations
    assert by_id[claim.id].attrs == {"checkworthy": "yes"}
    # Undo reaches back across the restart.
    ws.undo()
    assert {a.id: a for a in ws.annotations(doc.id)}[claim.id].attrs == {}
    store.close()


def test_removing_a_span_removes_the_relations_to_it_in_one_undoable_step(
    tmp_path: Path, article: Path
) -> None:
    store, ws = _open(tmp_path / "store", article)
    doc = ws.order[0]
    quote = _tag(ws, "The bridge will open in June", "quote")
    mayor = _tag(ws, "Mayor Lindqvist", "speaker")
    head = ws.relate(quote, mayor, "said_by")
    before = ws.annotations(doc.id)
    assert ws.remove(doc.id, mayor.id) == mayor
    (left,) = ws.annotations(doc.id)
    assert left.id == quote.id and left.relations == ()
    change = ws.undo()  # one step brings back the speaker and the relation
    assert change is not None and change.kind == "group"
    assert ws.annotations(doc.id) == before
    assert ws.edges(doc.id)[0].relation == head.relations[0]
    ws.redo()
    assert [a.relations for a in ws.annotations(doc.id)] == [()]
    # Removing the head takes its own relations with it.
    ws.undo()
    assert ws.remove(doc.id, quote.id) is not None
    assert ws.edges(doc.id) == [] and ws.annotations(doc.id) == [mayor]
    store.close()


def test_a_group_that_cannot_be_saved_whole_is_taken_back(
    tmp_path: Path, article: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from annotations.errors import StoreError

    store, ws = _open(tmp_path / "store", article)
    doc = ws.order[0]
    quote = _tag(ws, "The bridge will open in June", "quote")
    mayor = _tag(ws, "Mayor Lindqvist", "speaker")
    ws.relate(quote, mayor, "said_by")
    before = ws.annotations(doc.id)
    real_remove = LocalStore.remove

    def failing_remove(self, doc_id, ann_id):  # type: ignore[no-untyped-def]
        raise StoreError("disk full")

    monkeypatch.setattr(LocalStore, "remove", failing_remove)
    with pytest.raises(StoreError):
        ws.remove(doc.id, mayor.id)
    monkeypatch.setattr(LocalStore, "remove", real_remove)
    assert ws.annotations(doc.id) == before  # the relation is back too
    store.close()


def test_relations_move_with_their_spans_when_the_article_changes(
    tmp_path: Path, article: Path
) -> None:
    store_dir = tmp_path / "store"
    store, ws = _open(store_dir, article)
    quote = _tag(ws, "The bridge will open in June", "quote")
    mayor = _tag(ws, "Mayor Lindqvist", "speaker")
    head = ws.relate(quote, mayor, "said_by")
    ws.set_attribute(head, "kind", "direct")
    store.close()

    # Re-scraped: a note on top moves everything; the speaker's name changes beyond a fuzzy match.
    article.write_text("Editor's note: updated.\n\n" + TEXT.replace(
        "Mayor Lindqvist", "Ms Karin Lindqvist-Berg, the mayor,") + "\n", encoding="utf-8")
    store, ws = _open(store_dir, article)
    doc = ws.order[0]
    (moved,) = ws.annotations(doc.id)
    assert moved.id == quote.id and moved.reanchored == "moved"
    assert moved.relations == head.relations and moved.attrs == {"kind": "direct"}
    assert ws.edges(doc.id) == []  # its tail is an orphan: the relation waits
    (orphan,) = ws.orphans(doc.id)
    start = doc.text.index("Ms Karin")
    ws.place_orphan(doc.id, orphan.id, start, start + len("Ms Karin Lindqvist-Berg"))
    (edge,) = ws.edges(doc.id)
    assert (edge.head.id, edge.type, edge.tail.text) == (
        quote.id, "said_by", "Ms Karin Lindqvist-Berg")
    store.close()


def test_history_rows_of_a_group_read_back(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "store")
    doc = Document(TEXT)
    store.register(doc)
    history = History(store)
    quote, mayor = _span(doc, "The bridge will open in June", "quote"), _span(
        doc, "Mayor Lindqvist", "speaker")
    head = related(quote, mayor, "said_by", Config())
    from annotations.history import Change

    history.group([Change("add", None, mayor), Change("add", None, head)], None, head)
    history.close()
    history = History(store)  # read from the journal
    change = history.undo()
    assert change is not None and change.parts == (
        Change("add", None, mayor), Change("add", None, head))
    assert store.annotations(doc.id) == []
    history.redo()
    assert {a.id for a in store.annotations(doc.id)} == {quote.id, mayor.id}
    store.close()


def test_labels_with_attributes_compare_by_value() -> None:
    assert Label("claim", "1") == Label("claim", "1", None, ())


# ------------------------------------------------------------- suggestions


def test_the_quotation_suggester_proposes_the_speaker_span(tmp_path: Path, article: Path) -> None:
    from annotations.suggest import speaker_span, suggest_quotes

    store, ws = _open(tmp_path / "store", article)
    doc = ws.order[0]
    (quote,) = [s for s in suggest_quotes(doc, ws.segmentation(doc.id))]
    assert quote.note == "speaker: Mayor Lindqvist"
    assert quote.speaker is not None
    assert doc.text[quote.speaker[0]:quote.speaker[1]] == "Mayor Lindqvist"
    assert speaker_span(doc.text, (quote.start, quote.end), "he") is None
    assert speaker_span(doc.text, (quote.start, quote.end), "Nobody Here") is None
    # Words inside the quotation are never its speaker.
    assert speaker_span("“Ann said no,” Ann said.", (1, 12), "Ann") == (15, 18)
    # A title and one name, as a pronoun resolves to, grow to the whole name.
    text = "Mr. Daniel Pryce spoke. “They told us,” he said."
    assert speaker_span(text, (25, 37), "Mr. Daniel") == (0, len("Mr. Daniel Pryce"))

    # Accepting the quote accepts both, with said_by, as one step.
    accepted = ws.accept(doc.id, quote)
    assert accepted is not None
    (edge,) = ws.edges(doc.id)
    assert (edge.head.id, edge.type, edge.tail.text, edge.tail.label, edge.tail.source) == (
        accepted.id, "said_by", "Mayor Lindqvist", "speaker", "suggested")
    assert ws.accept(doc.id, quote) is None  # tagged so already
    ws.undo()
    assert ws.annotations(doc.id) == []
    ws.redo()
    assert len(ws.annotations(doc.id)) == 2
    # A speaker tagged already is the one the relation points at.
    ws.undo()
    mayor = _tag(ws, "Mayor Lindqvist", "speaker")
    accepted = ws.accept(doc.id, quote)
    assert accepted is not None and accepted.relations[0].tail == mayor.id
    assert len(ws.annotations(doc.id)) == 2
    # The relation names the speaker: the note does not say it again (it went
    # stale when the speaker span was changed).
    assert accepted.note == ""
    store.close()


def test_a_speaker_tagged_over_other_words_is_not_tagged_twice(tmp_path: Path,
                                                               article: Path) -> None:
    # Found by a new user: "Lindqvist" tagged as speaker, then the suggested
    # quote accepted: a second speaker, "Mayor Lindqvist", over the first.
    from annotations.suggest import suggest_quotes

    store, ws = _open(tmp_path / "store", article)
    doc = ws.order[0]
    (quote,) = suggest_quotes(doc, ws.segmentation(doc.id))
    assert quote.speaker is not None
    surname = doc.text.index("Lindqvist", quote.speaker[0])
    tagged = ws.tag(doc.id, 0, (surname, surname + len("Lindqvist")), "speaker")
    assert tagged is not None
    accepted = ws.accept(doc.id, quote)
    assert accepted is not None and accepted.relations[0].tail == tagged.id
    assert sorted(a.label for a in ws.annotations(doc.id)) == ["quote", "speaker"]
    store.close()


def test_without_a_speaker_label_the_quote_is_accepted_alone(tmp_path: Path,
                                                             article: Path) -> None:
    from annotations.suggest import suggest_quotes

    store = LocalStore(tmp_path / "store")
    config = parse_config(tomllib.loads('[[labels]]\nname = "quote"\nkey = "1"\n'))
    ws = Workspace(store, [load_document(article, raw=True)], config=config)
    doc = ws.order[0]
    (quote,) = suggest_quotes(doc, ws.segmentation(doc.id))
    accepted = ws.accept(doc.id, quote)
    assert accepted is not None and accepted.relations == ()
    assert len(ws.annotations(doc.id)) == 1
    store.close()


def test_relabelling_drops_the_relations_the_new_label_cannot_have(tmp_path: Path,
                                                                    article: Path) -> None:
    # Found by a new user: a quote said_by a speaker, relabelled as opinion,
    # kept its said_by, and the export failed `newsmark validate`.
    store, ws = _open(tmp_path / "store", article)
    doc = ws.order[0]
    quote = _tag(ws, "The bridge will open in June", "quote")
    mayor = _tag(ws, "Mayor Lindqvist", "speaker")
    ws.relate(quote, mayor, "said_by")
    old, dropped, _values = ws.relabel(quote, "opinion")
    assert old.label == "quote" and dropped == 1
    by_id = {a.id: a for a in ws.annotations(doc.id)}
    assert by_id[quote.id].label == "opinion" and by_id[quote.id].relations == ()
    assert all(not problems(a, by_id, ws.config) for a in by_id.values())
    ws.undo()  # one step: the label and the relation back
    by_id = {a.id: a for a in ws.annotations(doc.id)}
    assert by_id[quote.id].label == "quote" and len(by_id[quote.id].relations) == 1
    # The tail relabelled: the relation pointing at it goes, in one step too.
    old, dropped, _values = ws.relabel(mayor, "claim")
    assert dropped == 1 and {a.id: a for a in ws.annotations(doc.id)}[quote.id].relations == ()
    ws.undo()
    assert len({a.id: a for a in ws.annotations(doc.id)}[quote.id].relations) == 1
    # A span without relations: relabelled alone.
    claim = _tag(ws, "Costs rose by a third", "claim")
    old, dropped, _values = ws.relabel(claim, "opinion")
    assert (old.label, dropped) == ("claim", 0)
    store.close()


def test_relabelling_drops_the_attribute_values_the_new_label_does_not_declare(
        tmp_path: Path, article: Path) -> None:
    # Found by a new user: a claim with checkworthy=yes relabelled as quote
    # kept checkworthy, and the export failed `newsmark validate`.
    store, ws = _open(tmp_path / "store", article)
    doc = ws.order[0]
    claim = _tag(ws, "Costs rose by a third", "claim")
    claim = ws.set_attribute(claim, "checkworthy", "yes")
    old, dropped, dropped_values = ws.relabel(claim, "quote")
    assert (old.attrs, dropped, dropped_values) == ({"checkworthy": "yes"}, 0, 1)
    by_id = {a.id: a for a in ws.annotations(doc.id)}
    assert by_id[claim.id].label == "quote" and dict(by_id[claim.id].attrs) == {}
    assert all(not problems(a, by_id, ws.config) for a in by_id.values())
    ws.undo()  # one step: the label and the value back
    assert dict(_current(ws, claim).attrs) == {"checkworthy": "yes"}
    store.close()


def _current(ws: Workspace, ann: Annotation) -> Annotation:
    return next(a for a in ws.annotations(ann.doc_id) if a.id == ann.id)
