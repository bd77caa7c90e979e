"""How the span model multiplies matrices (annotations/matrix_ops.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotations.store import open_store
from annotations.training import collect
from tests.model_fixtures import tiny_store


def _layers(nlp):  # type: ignore[no-untyped-def]
    return [layer for _name, component in nlp.pipeline for layer in component.model.walk()]


def test_trained_and_loaded_models_multiply_with_numpys_blas(tmp_path: Path) -> None:
    pytest.importorskip("spacy")
    from annotations.span_model import SpanModel
    from annotations.training import metadata, save, train

    tiny_store(tmp_path / "s")
    with open_store(tmp_path / "s", read_only=True) as store:
        docs, _ = collect(store)
    result = train(docs, epochs=2, patience=2)
    folder = save(result, tmp_path / "model", metadata(result, annotators=["ana"], seed=0,
                                                       dev=0.2))
    for nlp in (result.model.nlp, SpanModel.load(folder).nlp):
        layers = _layers(nlp)
        assert len(layers) > 10
        assert all(getattr(layer.ops, "use_blis", None) is False for layer in layers)


def test_one_blas_thread_holds_numpys_blas_to_one_thread() -> None:
    threadpoolctl = pytest.importorskip("threadpoolctl")
    import numpy  # noqa: F401  (its BLAS loaded, for threadpoolctl to find)

    from annotations.matrix_ops import one_blas_thread

    def blas_threads() -> list[int]:
        return [info["num_threads"] for info in threadpoolctl.threadpool_info()
                if info["user_api"] == "blas"]

    assert blas_threads()
    with one_blas_thread():
        assert set(blas_threads()) == {1}
