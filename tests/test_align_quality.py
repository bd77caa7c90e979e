"""The alignment bench: gold files, scoring, and skipping without the corpus."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from types import SimpleNamespace

import pytest

import bench.align_quality as quality
from annotations.segmentation import Segmenter
from bench.gold_sentences import locate, sentence_key

ARTICLE_A = (
    "The Kettle Street bridge was closed on Monday after engineers found cracks. "
    "Repairs will cost about 4 million pounds. "
    "Local cyclists have started a petition."
)
ARTICLE_B = (
    "Engineers shut the Kettle Street bridge on Monday, citing cracks. "
    "The ferry will run every ten minutes. "
    "The council put the cost of repairs at 4 million pounds."
)


def test_every_gold_file_holds_judgements_not_text() -> None:
    files = sorted(quality.GOLD.glob("*/*.json"))
    assert {p.parent.name for p in files} == set(quality.SETS)
    assert len([p for p in files if p.parent.name == "dev"]) >= 3
    assert len([p for p in files if p.parent.name == "heldout"]) >= 3
    for path in files:
        record = json.loads(path.read_text(encoding="utf-8"))
        assert set(record) == {"a", "b", "sha256_a", "sha256_b", "sentences_a", "sentences_b",
                               "annotator", "notes", "pairs"}, path
        assert record["pairs"], path
        for pair in record["pairs"]:
            assert set(pair) == {"a", "b", "a_span", "b_span", "a_key", "b_key"}
            assert 0 <= pair["a"] < record["sentences_a"]
            assert 0 <= pair["b"] < record["sentences_b"]
            assert pair["a_span"][0] < pair["a_span"][1]
            assert pair["b_span"][0] < pair["b_span"][1]
    # No article is both tuned on and held out: held out means held out.
    def articles(split: str) -> set[str]:
        return {json.loads(p.read_text())[side] for p in files if p.parent.name == split
                for side in ("a", "b")}

    assert not articles("dev") & articles("heldout")


def test_score_counts_pairs_by_overlap() -> None:
    gold = [((0, 10), (0, 8)), ((11, 20), (9, 30))]
    # Right, wrong, and right under another segmentation (a gold sentence split).
    proposed = [((0, 10), (0, 8)), ((0, 10), (9, 30)), ((11, 15), (20, 30))]
    assert quality.score(proposed, gold) == (2, 3, 2, 2)
    assert quality.score([], gold) == (0, 0, 0, 2)
    # Recall as the issue counts it: sentences with a counterpart that get
    # one. One outlet splits in two what the other says in one sentence:
    # finding one half gives the whole sentence and one half (2 of 3),
    # though only one of the two gold pairs.
    split = [((0, 10), (0, 8)), ((0, 10), (9, 30))]
    assert quality.sentences_found([((0, 10), (0, 8))], split) == (2, 3)
    assert quality.score([((0, 10), (0, 8))], split)[2:] == (1, 2)
    assert quality.sentences_found([((0, 10), (40, 50))], split) == (0, 3)
    assert quality.ratio(0, 0) == 1.0 and quality.ratio(1, 4) == 0.25


@pytest.fixture
def gold_folder(tmp_path: Path, monkeypatch) -> Path:
    """A gold set of one pair of our own articles, aligned by hand."""
    articles = tmp_path / "articles"
    articles.mkdir()
    (articles / "a.txt").write_text(ARTICLE_A, encoding="utf-8")
    (articles / "b.txt").write_text(ARTICLE_B, encoding="utf-8")
    segmenter = Segmenter.train([ARTICLE_A, ARTICLE_B])
    sa, sb = segmenter.segment(ARTICLE_A), segmenter.segment(ARTICLE_B)
    record = {
        "a": "a.txt", "b": "b.txt",
        "sha256_a": hashlib.sha256(ARTICLE_A.encode()).hexdigest(),
        "sha256_b": hashlib.sha256(ARTICLE_B.encode()).hexdigest(),
        "sentences_a": 3, "sentences_b": 3, "annotator": "test", "notes": "",
        "pairs": [{"a": i, "b": j, "a_span": list(sa.sentences[i]),
                   "b_span": list(sb.sentences[j]),
                   "a_key": sentence_key(ARTICLE_A[slice(*sa.sentences[i])]),
                   "b_key": sentence_key(ARTICLE_B[slice(*sb.sentences[j])])}
                  for i, j in ((0, 0), (1, 2))],
    }
    gold = tmp_path / "gold"
    (gold / "dev").mkdir(parents=True)
    (gold / "dev" / "bridge.json").write_text(json.dumps(record), encoding="utf-8")
    monkeypatch.setattr(quality, "GOLD", gold)
    return articles


def test_evaluate_scores_an_aligner_on_the_gold(gold_folder: Path) -> None:
    gold, problems = quality.load_gold("dev", gold_folder)
    assert problems == [] and [g.name for g in gold] == ["bridge"]
    result = quality.evaluate(gold)
    assert (result["precision"], result["recall"]) == (1.0, 1.0)

    def first_with_first(a, b):  # a poor aligner: every sentence with B's first
        from annotations.alignment import AlignedPair, Alignment

        return Alignment(a, b, [AlignedPair(i, 0, 1.0) for i in range(len(a.sentences))])

    poor = quality.evaluate(gold, first_with_first)
    assert poor["precision"] == pytest.approx(1 / 3) and poor["recall"] == 0.5


def test_a_changed_or_missing_article_is_named_and_left_out(gold_folder: Path) -> None:
    (gold_folder / "b.txt").write_text(ARTICLE_B + " Updated.", encoding="utf-8")
    gold, problems = quality.load_gold("dev", gold_folder)
    assert gold == [] and "b.txt differs from the one aligned" in problems[0]
    (gold_folder / "b.txt").unlink()
    gold, problems = quality.load_gold("dev", gold_folder)
    assert gold == [] and "b.txt not in" in problems[0]


def test_gold_sentences_are_found_again_when_the_offsets_move(gold_folder: Path,
                                                             monkeypatch) -> None:
    # A cleaning that drops a first line moves every offset, while the corpus
    # file (and its checksum) stays the same: the sentences are found by
    # their keys, not scored at stale offsets.
    from annotations import documents

    real = documents.load_document

    def shifted(path):  # type: ignore[no-untyped-def]
        return SimpleNamespace(text="Breaking.\n\n" + real(path).text)

    monkeypatch.setattr(documents, "load_document", shifted)
    gold, problems = quality.load_gold("dev", gold_folder)
    assert problems == []
    case = gold[0]
    (a0, b0), (a1, b1) = case.pairs
    assert case.a_text[slice(*a0)].startswith("The Kettle Street bridge")
    assert case.b_text[slice(*b1)].startswith("The council put the cost")
    assert quality.evaluate(gold)["recall"] == 1.0


def test_a_gold_sentence_gone_from_the_text_is_named(gold_folder: Path) -> None:
    record_path = quality.GOLD / "dev" / "bridge.json"
    record = json.loads(record_path.read_text())
    record["pairs"][1]["b_key"] = sentence_key("A sentence no article holds.")
    record_path.write_text(json.dumps(record))
    gold, problems = quality.load_gold("dev", gold_folder)
    assert gold == [] and problems == [
        "bridge.json: sentence B2 no longer in the cleaned text (has the cleaning changed?)"]


def test_locate_keys_sentences_by_text_whatever_the_spaces() -> None:
    text = "One thing.  The  bridge was\nclosed. Another thing. The bridge was closed."
    key = sentence_key("The bridge was closed.")
    assert key.startswith("22:")
    # At its span; moved (the nearest copy wins); gone.
    assert locate(text, key, (51, 73)) == (51, 73)
    assert locate(text, key, (0, 10)) == (12, 35)
    assert locate("Nothing here.", key, (0, 5)) is None


def test_without_the_corpus_the_group_skips(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("NEWSMARK_POLNEAR", str(tmp_path / "nowhere"))
    monkeypatch.setenv("NEWSMARK_SEED_ARTICLES", str(tmp_path / "nowhere"))
    # As without the embeddings extra (the method by meaning is then skipped,
    # with how to install it).
    monkeypatch.setattr(quality, "methods", lambda: ["words"])
    figures = quality.run(quick=True)
    skipped = [f.name for f in figures if f.group == "alignment quality"]
    assert skipped == ["(by meaning: skipped)", "(seed pair: skipped)", "(tuned: skipped)",
                       "(held out: skipped)"]
    assert "[embeddings]" in figures[0].note
    assert all(f.value is None and f.verdict == "-" for f in figures
               if f.group == "alignment quality")
    speed = [f for f in figures if f.group == "alignment speed"]
    assert speed[0].value is not None and speed[0].target == 200.0


def test_both_methods_are_reported_side_by_side(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("NEWSMARK_POLNEAR", str(tmp_path / "nowhere"))
    monkeypatch.setenv("NEWSMARK_SEED_ARTICLES", str(tmp_path / "nowhere"))
    monkeypatch.setattr(quality, "methods", lambda: ["words", "meaning"])
    monkeypatch.setattr(quality, "time_two_articles", lambda runs, align=None: (
        {"median": 1.0}, {"median": 1.0}))
    monkeypatch.setattr(quality, "time_first_encoding", lambda: (
        {"median": 1.0}, {"median": 1.0}))
    figures = quality.run(quick=True)
    names = [f.name for f in figures if f.group == "alignment quality"]
    assert names == ["(seed pair: skipped)", "(seed pair, by meaning: skipped)",
                     "(tuned: skipped)", "(tuned, by meaning: skipped)",
                     "(held out: skipped)", "(held out, by meaning: skipped)"]
    speed = [f.name for f in figures if f.group == "alignment speed"]
    assert any("by meaning" in name for name in speed)


def test_align_gold_shows_sentences_and_writes_judgements(tmp_path: Path, monkeypatch,
                                                          capsys) -> None:
    import bench.align_gold as tool

    articles = tmp_path / "articles"
    articles.mkdir()
    (articles / "a.txt").write_text(ARTICLE_A + " Odd \x1b[31m ending.", encoding="utf-8")
    (articles / "b.txt").write_text(ARTICLE_B, encoding="utf-8")
    monkeypatch.setattr(tool, "GOLD", tmp_path / "gold")
    assert tool.main(["--folder", str(articles), "show", "a.txt", "b.txt"]) == 0
    shown = capsys.readouterr().out
    assert "A0: The Kettle Street bridge" in shown and "B2: The council put" in shown
    assert "\x1b" not in shown
    assert tool.main(["--folder", str(articles), "write", "dev", "bridge", "a.txt", "b.txt",
                      "1-2", "0-0"]) == 0
    record = json.loads((tmp_path / "gold" / "dev" / "bridge.json").read_text())
    assert [(p["a"], p["b"]) for p in record["pairs"]] == [(0, 0), (1, 2)]
    text = (articles / "a.txt").read_text()
    start, end = record["pairs"][1]["a_span"]
    assert text[start:end].startswith("Repairs will cost")
    with pytest.raises(SystemExit):
        tool.main(["--folder", str(articles), "write", "dev", "x", "a.txt", "b.txt", "9-9"])


def test_every_gold_sentence_is_found_in_the_corpus_as_keyed() -> None:
    # The gold against the articles it was made on: every file's articles
    # unchanged and every keyed sentence where its key says (skipped where
    # the seed articles or the PolNeAR corpus are not beside the checkout).
    checked = 0
    for split in quality.SETS:
        folder = quality.source_folder(split)
        if folder is None:
            continue
        gold, problems = quality.load_gold(split, folder)
        assert problems == [], problems
        checked += len(gold)
    if not checked:
        pytest.skip("no seed articles or PolNeAR corpus here")


def test_the_curve_reports_the_ceiling_and_the_best_points(gold_folder: Path) -> None:
    from annotations.sentence_evidence import Evidence
    from bench import align_curve, fit_alignment

    gold, _ = quality.load_gold("dev", gold_folder)
    case = fit_alignment._case("dev", gold[0], Segmenter, Evidence)
    ceiling = align_curve.ceiling([case])
    # Both hand-aligned pairs share rare words: candidates, and best matches.
    assert ceiling["candidates"] == 1.0 and ceiling["featured_pairs"] == 1.0
    curve = [(0.1, 0.5, 0.9), (0.5, 0.95, 0.85), (0.9, 1.0, 0.4)]
    assert align_curve.best_points(curve) == ("P 0.95 (R 0.85, t=0.5)",
                                              "R 0.85 (P 0.95, t=0.5)")
    low = align_curve.best_points([(0.9, 0.6, 0.4)])
    assert low == ("recall 0.8 never reached (at most 0.40)",
                   "precision 0.9 never reached (at most 0.60)")
