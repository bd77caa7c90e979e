"""Sentence alignment of two outlets' versions of one story."""

from __future__ import annotations

import time

from annotations.alignment import STOP_WORDS, Alignment, align, terms
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
