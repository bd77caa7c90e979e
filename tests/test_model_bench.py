"""The model benchmark's own logic, without PolNeAR (bench/model_.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import model_


def test_skipped_without_the_corpus(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSMARK_POLNEAR", str(tmp_path))
    [figure] = model_.run(quick=True)
    assert figure.name == "(skipped)" and "NEWSMARK_POLNEAR" in figure.note


def test_brat_is_read_through_newsmark_import(tmp_path: Path) -> None:
    (tmp_path / "text").mkdir()
    (tmp_path / "attributions").mkdir()
    text = "Ana Berg said the bridge is safe.\n"
    (tmp_path / "text" / "story.txt").write_text(text, encoding="utf-8")
    ann = ("T1\tSource 0 8\tAna Berg\nT2\tCue 9 13\tsaid\n"
           "T3\tContent 14 20;25 32\tthe br safe\nT4\tAttribution 9 13\tsaid\n")
    (tmp_path / "attributions" / "story_ben.ann").write_text(ann, encoding="utf-8")
    # A second annotator of the same text: the first by name (ben) is taken.
    (tmp_path / "attributions" / "story_cy.ann").write_text("T1\tSource 0 3\tAna\n",
                                                            encoding="utf-8")
    [doc] = model_.read_brat(tmp_path)
    assert doc.text == text
    # Attribution is not learnt; a discontinuous Content counts as its hull.
    assert doc.spans == ((0, 8, "Source"), (9, 13, "Cue"), (14, 32, "Content"))
    assert list(tmp_path.rglob("*.ann")) and not list(tmp_path.rglob("*.json"))


def test_share_to_reach_interpolates_between_rounds() -> None:
    curve = [(10, 0.4), (20, 0.5), (35, 0.7), (50, 0.8)]
    assert model_.share_to_reach(curve, 0.6) == pytest.approx(27.5)
    assert model_.share_to_reach(curve, 0.4) == 10.0
    assert model_.share_to_reach(curve, 0.9) is None


def test_the_loop_runs_both_orders_and_counts_what_they_read() -> None:
    """Each order's rounds record documents and characters; the orders start
    from the same first round and, on two cores, run in processes of their own."""
    pytest.importorskip("spacy")
    from annotations.training import TrainingDoc
    from tests.model_fixtures import article

    docs = []
    for n in range(20):
        text, quotes = article(n)
        text += "The council met again on Friday.\n\n" * (n % 4)  # lengths differ
        docs.append(TrainingDoc(f"d{n}", text, tuple((s, e, "quote") for s, e in quotes)))
    curves = model_.simulate_loop(docs, docs[:3], epochs=1)
    assert set(curves) == {"model", "random"}
    for curve in curves.values():
        assert [r[0] for r in curve] == list(model_.LOOP_SHARES)
        assert [r[2] for r in curve] == [2, 4, 7, 10]  # documents annotated so far
        assert all(0.0 <= r[1] <= 1.0 for r in curve)
    assert curves["model"][0] == curves["random"][0]
    model_chars = [r[3] for r in curves["model"]]
    assert model_chars == sorted(model_chars) and model_chars[0] < model_chars[-1]


def test_the_loop_is_reported_by_documents_and_by_characters(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # Model order reaches random order's 0.74 half way from 20 to 35 %, having
    # read 1,200,000 characters against random order's 1,500,000 at 50 %.
    curves = {"model": [(10, 0.67, 10, 300_000), (20, 0.72, 20, 900_000),
                        (35, 0.76, 35, 1_500_000), (50, 0.77, 50, 2_000_000)],
              "random": [(10, 0.67, 10, 300_000), (20, 0.70, 20, 600_000),
                         (35, 0.73, 35, 1_000_000), (50, 0.74, 50, 1_500_000)]}
    monkeypatch.setattr(model_, "simulate_loop", lambda *args: curves)
    figures = {f.name: f for f in model_._loop_figures([], [], True)}
    documents = figures["loop: share of documents model order needs for random order's "
                        "F1 at 50 %"]
    assert documents.value is not None and documents.value["median"] == pytest.approx(27.5)
    characters = next(f for name, f in figures.items() if name.startswith("loop: characters"))
    assert characters.value is not None and characters.value["median"] == pytest.approx(80.0)
