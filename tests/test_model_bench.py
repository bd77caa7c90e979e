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
