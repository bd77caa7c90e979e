"""Sentence alignment of two outlets' versions of one story."""

from __future__ import annotations

import time

from annotations.alignment import (
    MUTUAL_THRESHOLD,
    STOP_WORDS,
    THRESHOLD,
    Alignment,
    align,
    terms,
)
from annotations.segmentation import Segmenter

# Two outlets retell one (invented) story. Known counterparts:
#   A0 ~ B0 (the closure), A1 ~ B2 (the inspector's finding),
#   A2 ~ B3 + B4 (one sentence paraphrased as two), A4 ~ B5 (reopening).
# Only A carries A3 (the cyclists' petition); only B carries B1 (the ferry).
ARTICLE_A = (
    "The Kettle Street bridge was closed to all traffic on Monday after engineers "
    "found cracks in two of its steel girders. "
    "A council inspector said the corrosion had spread faster than the 2019 survey predicted. "
    "Repairs will cost about 4 million pounds and take at least eight months, "
    "according to the council's transport committee. "
    "Local cyclists have started a petition asking for a temporary footbridge. "
    "The council hopes to reopen the bridge to pedestrians before Christmas."
)
ARTICLE_B = (
    "Engineers shut the Kettle Street bridge on Monday, citing cracked steel girders. "
    "Commuters were advised to use the river ferry, which will run every ten minutes. "
    "Corrosion had advanced far faster than the 2019 survey predicted, "
    "an inspector told the council. "
    "The transport committee put the cost of repairs at 4 million pounds. "
    "The work is expected to take at least eight months. "
    "Pedestrians may be allowed back on the bridge before Christmas, the council hopes."
)


def _align(a: str, b: str, **kwargs) -> Alignment:
    segmenter = Segmenter.train([a, b])
    return align(segmenter.segment(a), segmenter.segment(b), **kwargs)


def test_terms_are_stemmed_content_words() -> None:
    assert terms("The engineers were closing the Bridges’ girders") == [
        "engin",
        "close",
        "bridg",
        "girder",
    ]
    assert "the" in STOP_WORDS and 100 <= len(STOP_WORDS) <= 260


def test_known_pairs_and_unmatched_sentences() -> None:
    result = _align(ARTICLE_A, ARTICLE_B)
    a, b = result.a, result.b
    assert len(a.sentences) == 5 and len(b.sentences) == 6
    got = {(p.a_index, p.b_index) for p in result.pairs}
    assert got == {(0, 0), (1, 2), (2, 3), (2, 4), (4, 5)}
    assert result.counterparts_of_a(2) == [3, 4]  # one-to-many
    assert result.counterparts_of_b(4) == [2]
    assert result.unmatched_a() == [3]
    assert result.unmatched_b() == [1]
    for p in result.pairs:
        assert 0 < p.score <= 1


# A paraphrase sharing one word ("unthinkable") scores under THRESHOLD but
# is each side's best match, between the counterparts before and after it.
WEAK_A = (
    "The Kettle Street bridge was closed to all traffic on Monday after engineers "
    "found cracks in two of its steel girders. "
    "Closing it had once seemed unthinkable to the council, which fought for years "
    "to keep the crossing open for buses and taxis. "
    "Repairs will cost about 4 million pounds, according to the council's transport committee."
)
WEAK_B = [
    "Engineers shut the Kettle Street bridge on Monday, citing cracked steel girders.",
    "Only a year ago such a step was unthinkable, a councillor admitted at a packed "
    "public meeting in the town hall.",
    "The transport committee put the cost of repairs at 4 million pounds.",
]


def test_weak_mutual_match_pairs_only_in_the_story_order() -> None:
    result = _align(WEAK_A, " ".join(WEAK_B))
    weak = [p for p in result.pairs if (p.a_index, p.b_index) == (1, 1)]
    assert weak and MUTUAL_THRESHOLD <= weak[0].score < THRESHOLD
    assert result.unmatched_a() == [] and result.unmatched_b() == []
    # The same sentence out of order (after the last shared claim) is a
    # word in common, not a counterpart.
    moved = _align(WEAK_A, " ".join([WEAK_B[0], WEAK_B[2], WEAK_B[1]]))
    assert {(p.a_index, p.b_index) for p in moved.pairs} == {(0, 0), (2, 1)}
    assert moved.unmatched_a() == [1] and moved.unmatched_b() == [2]


# B2 says the other half of A1 (twice the estimate) and is paired with
# nothing else; A2 and B3 share only "bridge", a word of the whole story.
RESCUE_A = (
    "The Kettle Street bridge was closed to all traffic on Monday after engineers "
    "found cracks in its steel girders. "
    "Repairs will cost about 4 million pounds, twice the estimate the council gave "
    "in the spring. "
    "“I want the bridge back.”"
)
RESCUE_B = (
    "Engineers shut the Kettle Street crossing on Monday, citing cracked steel girders. "
    "The transport committee put the cost of repairs at 4 million pounds. "
    "That is twice the spring estimate, when officials said the old girders had years "
    "of life left and no closure would be needed before 2030. "
    "“The bridge will outlast us.”"
)


def test_lone_neighbour_joins_and_one_common_word_does_not_pair() -> None:
    result = _align(RESCUE_A, RESCUE_B)
    got = {(p.a_index, p.b_index) for p in result.pairs}
    assert got == {(0, 0), (1, 1), (1, 2)}
    assert result.unmatched_a() == [2] and result.unmatched_b() == [3]
    # Not for want of score (they score 0.26 on "bridge" alone): with no
    # threshold at all they stay apart, one shared word being no evidence.
    a_terms = [tuple(terms(RESCUE_A[s:e])) for s, e in result.a.sentences]
    assert set(a_terms[2]) & set(terms(RESCUE_B[slice(*result.b.sentences[3])])) == {"bridg"}
    lone = align(result.a, result.b, threshold=0.0)
    assert lone.score(2, 3) is None


def test_verbs_of_saying_do_not_match_nouns() -> None:
    # "stating" is reporting, "Secretary of State" a title: neither is content.
    assert terms("officials stating that") == ["offici"]
    assert "state" in terms("the Secretary of State")


def test_counterpart_spans_follow_the_cursor() -> None:
    result = _align(ARTICLE_A, ARTICLE_B)
    cursor = ARTICLE_A.index("inspector")
    assert result.counterpart_spans("a", cursor) == [result.b.sentences[2]]
    cursor = ARTICLE_B.index("ferry")
    assert result.counterpart_spans("b", cursor) == []


def test_records_are_offsets_into_each_text() -> None:
    result = _align(ARTICLE_A, ARTICLE_B)
    records = list(result.records())
    pairs = [r for r in records if r["a"] is not None and r["b"] is not None]
    assert len(pairs) == len(result.pairs)
    first = pairs[0]
    assert ARTICLE_A[first["a"][0] : first["a"][1]].startswith("The Kettle Street bridge")
    assert ARTICLE_B[first["b"][0] : first["b"][1]].startswith("Engineers shut")
    assert {"a": None, "b": list(result.b.sentences[1])} in records
    assert {"a": list(result.a.sentences[3]), "b": None} in records


def test_unrelated_articles_do_not_align() -> None:
    other = (
        "The orchestra will tour three cities this spring. "
        "Tickets go on sale in March, the conductor said."
    )
    result = _align(ARTICLE_A, other)
    assert result.pairs == []
    assert result.unmatched_b() == [0, 1]


def test_empty_and_corpus() -> None:
    segmenter = Segmenter.default()
    empty = segmenter.segment("")
    assert align(empty, empty).pairs == []
    # Other articles only refine the weights; the same text is not counted twice.
    result = _align(ARTICLE_A, ARTICLE_B, corpus=[ARTICLE_A, "The bridge. The council."])
    assert (1, 2) in {(p.a_index, p.b_index) for p in result.pairs}


def test_repeated_text_aligns_copy_to_copy() -> None:
    segmenter = Segmenter.default()
    a = segmenter.segment(" ".join([ARTICLE_A] * 3))
    b = segmenter.segment(" ".join([ARTICLE_B] * 3))
    result = align(a, b)
    # The second copy of A's first sentence matches the second copy of B's.
    assert result.counterparts_of_a(5) == [6]


def test_large_articles_align_quickly() -> None:
    segmenter = Segmenter.default()
    filler = [
        f"Item {n} of the ledger records {n % 97} barrels shipped to port {n % 13}."
        for n in range(1500)
    ]
    a = segmenter.segment(" ".join([ARTICLE_A, *filler]))
    b = segmenter.segment(" ".join([ARTICLE_B, *filler[::-1]]))
    started = time.perf_counter()
    result = align(a, b)
    assert time.perf_counter() - started < 5
    assert (1, 2) in {(p.a_index, p.b_index) for p in result.pairs}


def test_cli_align_prints_json_lines(tmp_path) -> None:
    import json

    from click.testing import CliRunner

    from tui.cli import main

    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text(ARTICLE_A, encoding="utf-8")
    b.write_text(ARTICLE_B, encoding="utf-8")
    result = CliRunner().invoke(main, ["align", str(a), str(b)])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines()]
    pairs = [r for r in lines if r["a"] and r["b"]]
    assert len(pairs) == 5 and all(0 < r["score"] <= 1 for r in pairs)
    assert {"a": None, "b": [r for r in lines if r["a"] is None][0]["b"]} in lines
    assert sum(1 for r in lines if r["b"] is None) == 1
