"""How the span model multiplies matrices: numpy's BLAS, one thread while training.

thinc (spaCy's machine-learning library) multiplies with the BLIS it
bundles. BLIS chooses its kernels by the CPU at run time and falls back to
portable reference kernels on a CPU it does not know: on the AMD EPYC (Zen
4) machines newsmark is developed on, `BLIS_ARCH_DEBUG=1` prints
"selecting sub-configuration 'generic'", and one multiplication the size of
the encoder's (2,000 × 480 by 480 × 288, float32) took 15.8 ms against
5.4 ms with numpy's OpenBLAS on one thread. The encoder's multiplications
are most of a training step and of a suggestion, so the model's layers are
given thinc's numpy backend without BLIS (`numpy_blas`): numpy's BLAS
chooses its kernels for the CPU it finds, old or new.

numpy's BLAS runs on every core it may, where BLIS ran on one: two
training processes on two cores would then fight over them. Training holds
it to one thread per process (`one_blas_thread`, with threadpoolctl, which
the `model` extra installs); suggesting keeps the default.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any


@cache
def _numpy_ops() -> Any:
    from thinc.api import NumpyOps

    return NumpyOps(use_blis=False)


def numpy_blas(nlp: Any) -> Any:
    """`nlp` with every layer of its components multiplying through numpy's BLAS.

    Set on the layers themselves, after the pipeline is built, initialised
    or loaded: thinc gives a layer the backend current when it is made, and
    the backend is per thread (the reader trains and suggests in workers).
    """
    ops = _numpy_ops()
    for _name, component in nlp.pipeline:
        model = getattr(component, "model", None)
        if model is not None:
            for layer in model.walk():
                layer.ops = ops
    return nlp


@contextmanager
def one_blas_thread() -> Iterator[None]:
    """numpy's BLAS on one thread within the block (see the module's note);
    as it was without threadpoolctl (an install older than this extra)."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        yield
        return
    # threadpoolctl limits the libraries loaded already: numpy's BLAS comes
    # with numpy, which a fresh training process may not have imported yet.
    import numpy  # noqa: F401

    with threadpool_limits(limits=1, user_api="blas"):
        yield
