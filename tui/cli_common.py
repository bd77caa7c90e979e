"""What every `newsmark` command module shares: the --store option and its value type,
error reporting, and who annotates.

In a module of its own so that command modules (`tui/cli_store.py`,
`tui/cli_agree.py`, ...) and `tui/cli.py`, which registers them, import it
without importing each other.
"""

from __future__ import annotations

import getpass
import os
import sys
from collections import Counter
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any

import click

from annotations.errors import EXIT_INTERRUPTED, NewsmarkError
from tui.literal import safe

DEFAULT_STORE = ".newsmark"
# annotations.layers.GOLD (a test checks they are the same), not imported:
# the reader imports this module, and layers imports the agreement measures.
GOLD = "gold"

# Paths are checked by newsmark itself, not by click: click's checks end in a
# three-line usage error with exit code 2 and stop every other file from
# opening, where newsmark says in one line what is wrong with that file.
ANY_PATH = click.Path(path_type=Path, readable=False)


def dash_is_standard_output(ctx: click.Context, param: click.Parameter,
                            value: Path | None) -> Path | None:
    """`--out -` means standard output, as the option's absence does (it wrote a file named "-")."""
    return None if value is not None and str(value) == "-" else value


class StoreSpecType(click.ParamType):
    """A store folder (a Path), or a PostgreSQL URL kept as given (a str)."""

    name = "FOLDER|URL"

    def convert(self, value: Any, param: Any, ctx: Any) -> Path | str:
        from annotations.engines import is_remote

        if isinstance(value, Path) or not is_remote(value):
            return Path(value)
        return str(value)


STORE_SPEC = StoreSpecType()


def store_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--store",
        "store_dir",
        type=STORE_SPEC,
        envvar="NEWSMARK_STORE",
        default=DEFAULT_STORE,
        show_default=True,
        help="Folder of the annotation store, or a postgresql:// URL (or NEWSMARK_STORE).",
    )(func)


def echo(message: object = "", *, err: bool = False) -> None:
    """`click.echo` for what people read: file names, labels, annotators and
    lines of imported files are untrusted, and an ESC in a file name printed
    as it is retitled the terminal (tests/test_cli_output.py). Machine output
    (JSON lines) goes through `click.echo` as it is."""
    click.echo(safe(message, one_line=False), err=err)


# Skipped lines an import prints one by one; the rest are counted by reason.
SKIPPED_SHOWN = 10


def echo_skipped(lines: list[str]) -> None:
    """An import's skipped lines on standard error: the first `SKIPPED_SHOWN`
    as they are, then the rest counted by reason (the words after "): "), so
    a corpus whose event arguments no relation type declares says so in a
    few lines, not in tens of thousands."""
    for line in lines[:SKIPPED_SHOWN]:
        echo(f"skipped {line}", err=True)
    rest = lines[SKIPPED_SHOWN:]
    if not rest:
        return
    reasons = Counter(line.rsplit("): ", 1)[-1] for line in rest)
    common = reasons.most_common(5)
    counted = "; ".join(f"{count:,} × {reason}" for reason, count in common)
    others = sum(reasons.values()) - sum(count for _reason, count in common)
    echo(f"skipped {len(rest):,} more: {counted}"
         + (f"; {others:,} for other reasons" if others else ""), err=True)


def reports_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn a NewsmarkError into one plain line and its exit code."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except NewsmarkError as err:
            echo(f"newsmark: {err}", err=True)
            sys.exit(err.exit_code)
        except KeyboardInterrupt:
            # Ctrl+C before the reader has the terminal, or in another command:
            # one line and the code shells give it, not click's "Aborted!" and
            # 1 (the code of `validate`'s findings).
            echo("newsmark: interrupted", err=True)
            sys.exit(EXIT_INTERRUPTED)
        except BrokenPipeError:
            # `newsmark export | head` is fine: stop quietly.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(0)

    return wrapper


def default_annotator() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers
        return "anonymous"


def choose_annotator(given: str | None, config: Any) -> str:
    """Who annotates: --annotator or NEWSMARK_ANNOTATOR, else newsmark.toml, else the login.

    A bad name given on the command line is a usage error (exit 2).
    """
    from annotations.labels import annotator_problem

    if given is not None:
        problem = annotator_problem(given)
        if problem:
            raise click.BadParameter(f"the annotator's name {problem}",
                                     param_hint="'--annotator' / NEWSMARK_ANNOTATOR")
        return given
    return getattr(config, "annotator", None) or default_annotator()


def open_existing_store(store_dir: Path | str):  # type: ignore[no-untyped-def]
    from annotations.engines import open_store

    # Read-only: export and stats may run while the reader holds the store.
    return open_store(store_dir, read_only=True, existing=True)
