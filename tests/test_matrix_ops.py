"""How the span model multiplies matrices (annotations/matrix_ops.py)."""

from __future__ import annotations

import subprocess
import sys
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
    # In a fresh interpreter, as a training member process starts: numpy not
    # imported yet when the block is entered.
    pytest.importorskip("threadpoolctl")
    probe = ("import sys; from annotations.matrix_ops import one_blas_thread\n"
             "assert 'numpy' not in sys.modules\n"
             "with one_blas_thread():\n"
             "    import threadpoolctl\n"
             "    print(sorted({i['num_threads'] for i in threadpoolctl.threadpool_info()\n"
             "                  if i['user_api'] == 'blas'}))\n")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True, cwd=Path(__file__).parent.parent, timeout=60)
    assert out.stdout.strip() == "[1]"
