"""Errors that reach a person: each says what went wrong and what to do.

The CLI prints `str(error)` on one line and exits with `exit_code`; the TUI
shows it in a notification. No traceback ever reaches the screen.
"""

from __future__ import annotations


class NewsmarkError(Exception):
    """Base of every error newsmark reports to a person."""

    exit_code = 1


class ArticleError(NewsmarkError):
    """An article file that cannot be opened as text."""

    exit_code = 3

    def __init__(self, path: str, problem: str, hint: str = "") -> None:
        self.path = path
        self.problem = problem
        self.hint = hint
        message = f"{path}: {problem}"
        if hint:
            message += f" ({hint})"
        super().__init__(message)


class StoreError(NewsmarkError):
    """The annotation store cannot be read or written."""

    exit_code = 4


class ConfigError(NewsmarkError):
    """newsmark.toml is not valid."""

    exit_code = 2
