"""A bundle of hostile and broken inputs, made on the fly (no binary junk in git).

    python tests/bad_inputs.py FOLDER     # make the bundle to try by hand:
    newsmark FOLDER/*.txt FOLDER/missing.txt FOLDER/no-articles
    newsmark --config FOLDER/newsmark.toml FOLDER/good.txt

`make_bad_inputs(folder)` returns {name: expected message fragment}, the
name relative to `folder`; `None` means the file must open (shown
literally, not obeyed).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

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
    if not (hasattr(os, "geteuid") and os.geteuid() == 0):  # root reads anything
        write("unreadable.txt", GOOD.encode("utf-8"), "cannot be read (permission denied)")
        (folder / "unreadable.txt").chmod(0)
    # Not an article: the label configuration, broken on line 3.
    (folder / "newsmark.toml").write_text('[[labels]]\nname = "claim"\nkey = \n', encoding="utf-8")
    return expected


CONFIG_NAME = "newsmark.toml"
CONFIG_ERROR = "line 3"


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "bad-inputs")
    for name, fragment in make_bad_inputs(target).items():
        print(f"{target / name}: {fragment or 'opens'}")
    print(f"{target / CONFIG_NAME}: {CONFIG_ERROR}")
