"""What every `newsmark` subcommand shares: the store option, error reporting, the annotator.

Subcommands live in modules of their own (`cli_<topic>.py`) and import
these from here, so that `cli.py` can register them without an import cycle.
"""

from __future__ import annotations

import getpass
import os
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any

import click

from annotations.errors import NewsmarkError, StoreError

DEFAULT_STORE = ".newsmark"

# Paths are checked by newsmark itself, not by click: click's checks end in a
# three-line usage error with exit code 2 and stop every other file from
# opening, where newsmark says in one line what is wrong with that file.
ANY_PATH = click.Path(path_type=Path, readable=False)


def store_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--store",
        "store_dir",
        type=ANY_PATH,
        envvar="NEWSMARK_STORE",
        default=DEFAULT_STORE,
        show_default=True,
        help="Folder of the annotation store (or NEWSMARK_STORE).",
    )(func)


def reports_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn a NewsmarkError into one plain line and its exit code."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except NewsmarkError as err:
            click.echo(f"newsmark: {err}", err=True)
            sys.exit(err.exit_code)
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


def open_existing_store(store_dir: Path):  # type: ignore[no-untyped-def]
    from annotations.store import open_store

    if not store_dir.is_dir():
        raise StoreError(f"no store at {store_dir}; open some articles first, or pass --store")
    # Read-only: export and stats may run while the reader holds the store.
    return open_store(store_dir, read_only=True)
