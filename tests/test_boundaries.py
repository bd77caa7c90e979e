"""The core is a library: importing all of it must not load Textual."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import annotations


def test_annotations_never_imports_textual() -> None:
    modules = [
        f"annotations.{info.name}"
        for info in pkgutil.walk_packages(annotations.__path__)
    ]
    assert "annotations.store" in modules
    script = (
        "import importlib, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        "leaked = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'tui'))\n"
        "assert not leaked, leaked\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
