"""Suggested spans: quotations with speakers, claims, opinion, terms; rejections."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotations.model import Annotation, Document, DocumentMeta
from annotations.segmentation import Segmenter
from annotations.store import LocalStore
from annotations.suggest import (
    SuggestionState,
    evaluate,
    in_view,
    pending,
    quotations,
    suggest,
)

GOLD = Path(__file__).parent / "data" / "gold"


def _suggest(text: str):
    doc = Document(text)
    seg = Segmenter.train([text]).segment(text)
    return doc, seg, suggest(doc, seg)


def _quotes(text: str) -> list[tuple[str, str]]:
    _doc, _seg, found = _suggest(text)
    return [(text[s.start : s.end], s.note) for s in found if s.label == "quote"]


def test_curly_quote_with_speaker_after() -> None:
    text = "“We will not retreat,” the minister said on Monday. The army agreed."
    assert _quotes(text) == [("We will not retreat", "speaker: the minister")]


def test_straight_quotes_and_inverted_speaker() -> None:
    text = 'The vote was close. "This is the cheapest flood defence we have," said Mr. Patel.'
    assert _quotes(text) == [("This is the cheapest flood defence we have", "speaker: Mr. Patel")]


def test_speaker_before_the_quote() -> None:
    text = "French President Emmanuel Macron declared that “nothing must be decided without us.”"
    assert _quotes(text) == [
        ("nothing must be decided without us.", "speaker: French President Emmanuel Macron")
    ]


def test_nested_quotes_give_the_outer_quotation() -> None:
    text = "“They called it ‘a final offer’ and walked out,” Ms. Hale said."
    assert _quotes(text) == [("They called it ‘a final offer’ and walked out", "speaker: Ms. Hale")]


def test_quote_spanning_a_sentence_end_and_pronoun_speaker() -> None:
    text = (
        "Dana Osei chairs the users' group. "
        "“Fares rise every year. The trains never improve,” she said."
    )
    assert _quotes(text) == [
        ("Fares rise every year. The trains never improve", "speaker: Dana Osei")
    ]


def test_apostrophes_are_not_quotes_and_scare_quotes_are_said_to_be() -> None:
    text = "Ukraine’s ‘bleak’ outlook and the Smiths' house were in the 1990s' news."
    assert _quotes(text) == [("bleak", "scare quote: one word")]


def test_quote_continued_over_paragraphs() -> None:
    text = "“The first paragraph of the speech ends here.\n\n“The second one closes it,” he said."
    doc = Document(text)
    seg = Segmenter.default().segment(text)
    spans = [text[s:e] for s, e in quotations(text, seg)]
    assert spans == [
        "The first paragraph of the speech ends here.",
        "The second one closes it",
    ]
    assert len([s for s in suggest(doc, seg) if s.label == "quote"]) == 2


def test_whole_sentence_quote_keeps_previous_speaker() -> None:
    text = "“That matters,” one official told the Post. “It can never be seen as a victory.”"
    assert _quotes(text) == [
        ("That matters", "speaker: one official"),
        ("It can never be seen as a victory.", "speaker: one official"),
    ]


def test_claims_opinion_and_terms() -> None:
    text = (
        "The Harbour Board of Elmsworth approved the plan, according to published minutes. "
        "Fishermen said the mussel beds would be ruined. "
        "The plan is reportedly the most controversial in years. "
        "The Harbour Board of Elmsworth will review the mussel beds in spring."
    )
    _doc, _seg, found = _suggest(text)
    by_label: dict[str, list[str]] = {}
    for s in found:
        by_label.setdefault(s.label, []).append(text[s.start : s.end])
    assert by_label["claim"] == [
        "The Harbour Board of Elmsworth approved the plan, according to published minutes.",
        "Fishermen said the mussel beds would be ruined.",
    ]
    assert by_label["opinion"] == ["The plan is reportedly the most controversial in years."]
    assert by_label["terms"].count("Harbour Board of Elmsworth") == 2
    assert by_label["terms"].count("mussel beds") == 2
    claim = next(s for s in found if s.label == "claim")
    assert claim.note == "source: published minutes"
    assert claim.rule == "according-to"


def test_rejections_persist_and_annotated_are_not_proposed(tmp_path: Path) -> None:
    text = (
        "“We cannot keep turning away the big ships,” said Harriet Vance. "
        "“Every month we wait, trade goes elsewhere,” she added."
    )
    doc = Document(text, DocumentMeta(path="a.txt"))
    seg = Segmenter.default().segment(text)
    root = tmp_path / "store"
    with LocalStore(root) as store:
        store.register(doc)
        first, second = pending(doc, seg, store, store.annotations(doc.id))
        assert first.label == second.label == "quote"
        SuggestionState(store).reject(doc.id, first)
        assert pending(doc, seg, store, store.annotations(doc.id)) == [second]
        # Accepting makes an annotation marked as suggested; it is not proposed again.
        ann = second.to_annotation(doc, annotator="tester")
        assert ann.source == "suggested" and ann.note == "speaker: Harriet Vance"
        assert store.add(ann)
        assert pending(doc, seg, store, store.annotations(doc.id)) == []
    with LocalStore(root) as store:
        assert pending(doc, seg, store, store.annotations(doc.id)) == []
        state = SuggestionState(store)
        assert state.rejected(doc.id) == {first.key}
        state.unreject(doc.id, first)
        store.remove(doc.id, ann.id)
        assert pending(doc, seg, store, store.annotations(doc.id)) == [first, second]
        assert in_view([first, second], second.start, second.start + 1) == [second]


def test_accepting_suggestion_keeps_offsets() -> None:
    doc, _seg, found = _suggest("“Hold the line,” he said.")
    ann = found[0].to_annotation(doc)
    assert isinstance(ann, Annotation) and ann.text == "Hold the line"


def _records(folder: Path) -> list[dict]:
    records = []
    for path in sorted(folder.glob("*.jsonl")):
        records.extend(json.loads(line) for line in path.read_text("utf-8").splitlines())
    return records


@pytest.fixture(scope="module")
def gold() -> list[dict]:
    return _records(GOLD)


def test_gold_records_are_consistent(gold) -> None:
    assert len(gold) >= 2
    for record in [*gold, *_records(GOLD.parent / "gold-heldout")]:
        labels = {span["label"] for span in record["spans"]}
        assert labels == {"quote", "claim", "opinion", "terms"}
        for span in record["spans"]:
            assert record["text"][span["start"] : span["end"]] == span["text"]


def test_evaluate_on_gold(gold) -> None:
    scores = evaluate(gold)
    assert set(scores) == {"quote", "claim", "opinion", "terms"}
    precision, recall = scores["quote"]
    assert precision >= 0.9 and recall >= 0.9
    for label, (p, r) in scores.items():
        assert 0 <= p <= 1 and 0 <= r <= 1, label
    # Nothing suggested and nothing in gold: perfect by convention.
    assert evaluate([{"text": "Plain words here.", "spans": []}])["quote"] == (1.0, 1.0)


def test_bench_reports_per_label() -> None:
    from bench.suggest_quality import run

    result = run()
    assert result["documents"] >= 3
    assert set(result["per_label"]["quote"]) == {"precision", "recall"}
    assert set(result["per_label"]["quote (held out)"]) == {"precision", "recall"}


def test_cli_suggest_prints_json_lines(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from tui.cli import main

    path = tmp_path / "a.txt"
    path.write_text("“Hold the line,” the general said on Monday.\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["suggest", str(path)])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.output.splitlines()]
    assert records[0]["label"] == "quote" and records[0]["text"] == "Hold the line"
    assert records[0]["note"] == "speaker: the general"


def test_headline_attribution_and_scare_quote_speaker() -> None:
    text = (
        "Council looking at ‘toll for repairs’ on the bridge, Gazette claims\n\n"
        "The repairs were delayed by the “dire” state of the girders, according to the engineers. "
        "The mayor dismissed the claims. "
        "President Ada Kettle’s ‘robust’ plan was not discussed."
    )
    assert _quotes(text) == [
        ("toll for repairs", "speaker: Gazette"),
        ("dire", "speaker: the engineers; scare quote: one word"),
        # A name before a scare-quoted word is not who said it.
        ("robust", "scare quote: one word"),
    ]
    _doc, _seg, found = _suggest(text)
    claims = [text[s.start : s.end] for s in found if s.label == "claim"]
    assert "The mayor dismissed the claims." not in claims


def test_claim_by_a_pronoun_names_the_person_before() -> None:
    text = "Dana Osei chairs the users' group. She argued that fares should be frozen."
    _doc, _seg, found = _suggest(text)
    [claim] = [s for s in found if s.label == "claim"]
    assert claim.note == "source: Dana Osei"


@pytest.mark.parametrize(("pronoun", "who"), [("She", "Ana Berg"), ("He", "Mr. Tom Reyes")])
def test_a_pronoun_is_not_given_a_name_whose_title_says_otherwise(pronoun: str,
                                                                   who: str) -> None:
    # "She added" was given the man named in the sentence before.
    text = ("Council member Ana Berg met residents on Monday. Mr. Tom Reyes, the city "
            "engineer, said the bridge would open in May. "
            f"{pronoun} added that construction costs had doubled.")
    _doc, _seg, found = _suggest(text)
    claims = {text[s.start : s.end].split()[0]: s.note for s in found if s.label == "claim"}
    assert claims[pronoun] == f"source: {who}"
    assert claims["Mr."] == "source: Mr. Tom Reyes"


def test_a_headline_above_is_not_part_of_the_name_a_pronoun_stands_for() -> None:
    text = ("Harbour Plan Divides Town\n\nAnna Berg, the harbour master, has opposed the "
            "plan. Mr. Tom Hale, the developer, said that the marina would bring jobs. "
            "She added that the town had not been consulted.")
    _doc, _seg, found = _suggest(text)
    [claim] = [s for s in found if s.label == "claim" and text[s.start:].startswith("She")]
    assert claim.note == "source: Anna Berg"


def test_he_is_not_the_woman_an_earlier_she_stood_for() -> None:
    text = ("Councillor Mr. Ian Ross said that the budget was balanced. Mayor Karen Liu "
            "disagreed. She added that the reserves were empty. "
            "\u201cThat is simply untrue,\u201d he said.")
    _doc, _seg, found = _suggest(text)
    [quote] = [s for s in found if s.label == "quote"]
    assert quote.note == "speaker: Mr. Ian Ross"
    [she] = [s for s in found if s.label == "claim" and text[s.start:].startswith("She")]
    assert she.note == "source: Mayor Karen Liu"


def test_a_claim_whose_last_verb_of_saying_names_no_one_is_the_first_speakers() -> None:
    # "had estimated" has no subject of its own: the claim was not proposed.
    text = ("Harbour repairs\n\nCouncillor Mr. James Doyle said the repairs would cost "
            "more than the council had estimated.")
    _doc, _seg, found = _suggest(text)
    [claim] = [s for s in found if s.label == "claim"]
    assert claim.note == "source: Councillor Mr. James Doyle"


@pytest.mark.parametrize(("text", "she_is"), [
    # A place is not who "she" is, nor is a man a lower-case "he" stood for.
    ("Sarah Jensen, a nurse at St. Mary's Hospital, said the wards were full. Peter "
     "Olsen, a porter, disagreed. He said the beds were empty. She added that three "
     "wards had closed.", "Sarah Jensen"),
    ("Mrs. Alice Ward said the road was dark. Her neighbour, James Holt, said he heard "
     "a loud crash. The police came at midnight. She said the council should act.",
     "Mrs. Alice Ward"),
])
def test_she_is_a_person_and_not_one_the_text_calls_he(text: str, she_is: str) -> None:
    _doc, _seg, found = _suggest(text)
    [claim] = [s for s in found if s.label == "claim" and text[s.start:].startswith("She")]
    assert claim.note == f"source: {she_is}"


# "said <role> Name", the usual news style: the role words are lower case.
@pytest.mark.parametrize(
    ("attribution", "who"),
    [
        ("said councillor Peter Holm", "councillor Peter Holm"),
        ("said board chair Linda Park", "board chair Linda Park"),
        ("said driver Ken Wu", "driver Ken Wu"),
        ("said director Eva Moss", "director Eva Moss"),
        ("said farmer Jon Olsen", "farmer Jon Olsen"),
        ("said union spokesman Lars Holm", "union spokesman Lars Holm"),
        ("said the board chair Linda Park", "the board chair Linda Park"),
        ("said Mayor Ana Lindqvist", "Mayor Ana Lindqvist"),
        ("said Maria Chen", "Maria Chen"),
        ("said former deputy health minister Jane Doe", "former deputy health minister Jane Doe"),
        ("said Clinton’s top foreign policy aide Jake Sullivan",
         "Clinton’s top foreign policy aide Jake Sullivan"),
        ("Peter Holm, the councillor, said", "Peter Holm"),
        ("Linda Park, a board member, said", "Linda Park"),
        ("Mr. Daniel Reyes, chairman of the museum’s trustees, said", "Mr. Daniel Reyes"),
        ("Peter Holm said", "Peter Holm"),
        ("the councillor said", "the councillor"),
    ],
)
def test_speaker_after_the_quote_in_news_style(attribution: str, who: str) -> None:
    text = f"The bridge closed in May. “We will rebuild it,” {attribution}. Work starts soon."
    assert _quotes(text) == [("We will rebuild it", f"speaker: {who}")]


@pytest.mark.parametrize(
    "attribution",
    [
        "said on Tuesday",
        "said on Tuesday that Work would start",
        "said in a statement to Reuters",
        "said during a visit to Kyiv",
        "said last week in Oslo",
        "said with a smile to Anna",
        "said Tuesday",
        "said in March",
        "said",
    ],
)
def test_no_speaker_is_made_of_a_time_or_place_after_said(attribution: str) -> None:
    text = f"The bridge closed in May. “We will rebuild it,” {attribution}. Work starts soon."
    notes = [note for _quote, note in _quotes(text)]
    assert notes == [""]


@pytest.mark.parametrize(
    "attribution",
    [
        "suggested business mogul Donald Trump’s refusal",
        "said a prominent Republican National Committee member",
        "said Trump’s refusal",
    ],
)
def test_a_name_that_only_qualifies_a_noun_is_not_the_speaker(attribution: str) -> None:
    text = f"The bridge closed in May. “We will rebuild it,” {attribution}. Work starts soon."
    assert _quotes(text) == [("We will rebuild it", "")]
