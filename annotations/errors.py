"""Errors that reach a person: each says what went wrong and what to do.

The CLI prints `str(error)` on one line and exits with `exit_code`; the TUI
shows it in a notification. No traceback ever reaches the screen.

Exit codes, one per kind of trouble so that scripts can tell them apart
(README's "Exit codes" lists the same; `tests/test_bad_input.py` checks both):

    0  done (the reader opened, perhaps with some files reported)
    1  `validate` found bad spans, or `import` could use no record
    2  the command line itself is wrong (click's usage errors)
    3  no article could be opened (each file's problem is printed)
    4  the store cannot be opened, read or written, or an export's --out cannot be written
    5  an import or validated file is not in its format (or holds no record), or a format
       cannot be written
    6  newsmark.toml is not valid
    7  a PostgreSQL store's server cannot be reached (the URL is named without its password)
    70 newsmark stopped on an internal error (details in newsmark-crash.log)
    130 stopped by Ctrl+C (before the reader took the terminal, or in a command)
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_PROBLEMS_FOUND = 1
EXIT_USAGE = 2  # click's own code for usage errors
EXIT_NO_ARTICLES = 3
EXIT_STORE = 4
EXIT_FORMAT = 5
EXIT_CONFIG = 6
EXIT_STORE_UNREACHABLE = 7
EXIT_INTERNAL = 70  # EX_SOFTWARE of sysexits.h
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report a Ctrl+C


class WorkStopped(Exception):
    """A background job (segmenting, aligning, suggesting) stopped because it
    was asked to: the reader is closing, or a newer job replaced it. Not an
    error anyone is told of; the job's caller just drops its result."""


class NewsmarkError(Exception):
    """Base of every error newsmark reports to a person."""

    exit_code = EXIT_PROBLEMS_FOUND


class ArticleError(NewsmarkError):
    """An article file that cannot be opened as text."""

    exit_code = EXIT_NO_ARTICLES

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

    exit_code = EXIT_STORE


class StoreUnreachable(StoreError):
    """A PostgreSQL store's server cannot be reached (down, wrong host, refused login)."""

    exit_code = EXIT_STORE_UNREACHABLE

    def __init__(self, where: str, reason: str) -> None:
        # `where` is the URL already redacted: no password ever reaches here.
        self.where = where
        self.reason = reason
        super().__init__(
            f"cannot reach the PostgreSQL store {where} ({reason}); "
            "start the server or check the URL"
        )


class ConfigError(NewsmarkError):
    """newsmark.toml is not valid; the message names the file and the line or entry."""

    exit_code = EXIT_CONFIG
    HINT = "fix it, or name another file with --config"

    def __str__(self) -> str:
        return f"{super().__str__()} ({self.HINT})"
