"""What every `newsmark` command module shares: the --store value type and error reporting.

In a module of its own so that command modules (`tui/cli_store.py`, ...)
and `tui/cli.py`, which registers them, import it without importing each
other.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any

import click

from annotations.errors import NewsmarkError
from tui.literal import safe


class StoreSpecType(click.ParamType):
    """A store folder (a Path), or a PostgreSQL URL kept as given (a str)."""

    name = "FOLDER|URL"

    def convert(self, value: Any, param: Any, ctx: Any) -> Path | str:
        from annotations.engines import is_remote

        if isinstance(value, Path) or not is_remote(value):
            return Path(value)
        return str(value)


STORE_SPEC = StoreSpecType()


def reports_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn a NewsmarkError into one plain line and its exit code."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except NewsmarkError as err:
            click.echo(f"newsmark: {safe(err)}", err=True)
            sys.exit(err.exit_code)
        except BrokenPipeError:
            # `newsmark export | head` is fine: stop quietly.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(0)

    return wrapper
