"""A bundle of hostile and broken inputs, made on the fly (no binary junk in git).

    python tests/bad_inputs.py FOLDER [--big]   # make the bundle to try by hand:
    newsmark FOLDER/*.txt FOLDER/missing.txt FOLDER/no-articles
    newsmark --config FOLDER/newsmark.toml FOLDER/good.txt

As root every file is readable; to see unreadable.txt refused, run newsmark
without root's power to ignore permissions:
`setpriv --bounding-set=-dac_override,-dac_read_search newsmark ...`.
`--big` adds a 50 MB article (not made in tests: the bench measures size).

`make_bad_inputs(folder)` returns {name: expected message fragment}, the
name relative to `folder`; `None` means the file must open (shown
literally, not obeyed).
"""

from __future__ import annotations

import errno
import os
import shutil
import sys
from pathlib import Path
from typing import Any

GOOD = (
    "Council backs the river plan\n\n"
    "The council voted 7-2 on Tuesday to fund a new weir on the Ash river, Mr. Patel said. "
    "Critics called the vote rushed.\n"
)

# ESC sequences a terminal would obey (clear screen, set the title, colour,
# a hyperlink), Rich/Textual markup, and a bidi override.
HOSTILE = (
    "Hostile article\n\n"
    "The \x1b[2J\x1b[31mred\x1b[0m text, a title \x1b]0;pwned\x07 change and a "
    "\x1b]8;;http://example.com\x1b\\link\x1b]8;;\x1b\\ are shown, not obeyed. "
    "Markup like [bold red]this[/] and [link=http://x]that[/link] stays literal. "
    "A bidi override \u202eevil\u202c is made visible.\n"
)

LONG_LINE_CHARS = 200_000


def make_bad_inputs(folder: str | Path) -> dict[str, str | None]:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    expected: dict[str, str | None] = {}

    def write(name: str, data: bytes, fragment: str | None) -> None:
        (folder / name).write_bytes(data)
        expected[name] = fragment

    write("good.txt", GOOD.encode("utf-8"), None)
    write(
        "latin1.txt",
        "Caf\u00e9 cr\u00e8me: the d\u00e9j\u00e0 vu of a r\u00e9sum\u00e9.\n".encode("latin-1"),
        "is not UTF-8 text",
    )
    write("binary.txt", bytes(range(256)) * 8, "looks like a binary file")
    write("empty.txt", b"", "is empty")
    write("blank.txt", b"  \n\t\n   \n", "is empty")
    write("hostile.txt", HOSTILE.encode("utf-8"), None)
    words = "word " * (LONG_LINE_CHARS // 5)
    write("long-line.txt", f"One long line\n\n{words.strip()}.".encode(), None)
    expected["missing.txt"] = "no such file"
    (folder / "no-articles").mkdir(exist_ok=True)
    (folder / "no-articles" / "notes.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    expected["no-articles"] = "no .txt or .md articles in this folder"
    write("unreadable.txt", GOOD.encode("utf-8"), "cannot be read (permission denied)")
    (folder / "unreadable.txt").chmod(0)  # as root, see refuse_unreadable_as_root
    # Not an article: the label configuration, broken on line 3.
    (folder / "newsmark.toml").write_text('[[labels]]\nname = "claim"\nkey = \n', encoding="utf-8")
    return expected


CONFIG_NAME = "newsmark.toml"
CONFIG_ERROR = "line 3"


def is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def refuse_unreadable_as_root(monkeypatch: Any) -> None:
    """Make reads of files without read permission fail for root too.

    The kernel lets root read a mode-000 file, so in-process tests run as
    root would never see the PermissionError everyone else gets. This
    raises it where the kernel would (for anyone but root); a real
    unprivileged read is checked in a child under `unprivileged_prefix`.
    """
    if not is_root():
        return
    real = Path.read_bytes

    def read_bytes(self: Path) -> bytes:
        if not self.stat().st_mode & 0o444:
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)


def unprivileged_prefix() -> list[str] | None:
    """A command prefix under which file permissions hold (None: none found).

    Root without CAP_DAC_OVERRIDE/CAP_DAC_READ_SEARCH obeys permission bits
    as any owner does; `setpriv` (util-linux) drops them for the child.
    """
    if not is_root():
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        return None
    return [setpriv, "--bounding-set=-dac_override,-dac_read_search"]


def make_big_article(path: Path, size: int = 50 * 1024 * 1024) -> None:
    """An article of `size` bytes: numbered paragraphs of plain news prose."""
    paragraph = (
        "The council voted on Tuesday to fund the weir, Mr. Patel said, and critics "
        "called the vote rushed. \u201cWe will be paying for this for years,\u201d said one "
        "resident, who asked the U.S. agency to review the plan before work begins.\n\n"
    )
    with path.open("w", encoding="utf-8") as out:
        out.write("A very long article\n\n")
        written, n = 0, 0
        while written < size:
            chunk = f"Part {n}. {paragraph}"
            out.write(chunk)
            written += len(chunk.encode("utf-8"))
            n += 1


if __name__ == "__main__":
    args = [arg for arg in sys.argv[1:] if arg != "--big"]
    target = Path(args[0] if args else "bad-inputs")
    for name, fragment in make_bad_inputs(target).items():
        print(f"{target / name}: {fragment or 'opens'}")
    print(f"{target / CONFIG_NAME}: {CONFIG_ERROR}")
    if "--big" in sys.argv:
        make_big_article(target / "big.txt")
        print(f"{target / 'big.txt'}: opens (50 MB)")
