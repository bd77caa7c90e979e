"""PostgreSQL URLs: which specs name one, redaction, and opening a connection.

A URL may carry a password (`postgresql://ana:secret@host/db`). It is used
to connect and never shown: every message names `redact(url)`, which keeps
user, host, port and database and drops the password (in the authority and
in a `password=` query parameter alike).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

from annotations.errors import StoreError, StoreUnreachable

SCHEMES = ("postgresql://", "postgres://")
EXTRA = "newsmark[postgres]"

# Seconds to wait for a server before saying it cannot be reached.
CONNECT_TIMEOUT = 5


def is_postgres_url(spec: object) -> bool:
    """True if `spec` (a --store value) names a PostgreSQL database, not a folder."""
    return isinstance(spec, str) and spec.lower().startswith(SCHEMES)


def _password_params(query: str) -> list[tuple[str, str]]:
    return [(k, v) for k, v in parse_qsl(query, keep_blank_values=True)
            if k.lower() != "password"]


def redact(url: str) -> str:
    """`url` without its password, for messages (the rest kept as given)."""
    parts = urlsplit(url)
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, host = netloc.rsplit("@", 1)
        user = userinfo.split(":", 1)[0]
        netloc = f"{user}@{host}"
    query = urlencode(_password_params(parts.query), safe="/")
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def password_of(url: str) -> str | None:
    """The password `url` carries, if any (to scrub it from a server's message)."""
    parts = urlsplit(url)
    if parts.password:
        return unquote(parts.password)
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        if key.lower() == "password" and value:
            return value
    return None


def with_database(url: str, name: str) -> str:
    """`url` naming database `name` instead of its own."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + quote(name), parts.query,
                       parts.fragment))


def as_role(url: str, role: str) -> str:
    """`url` connecting as `role`, with no password (what to tell that person)."""
    parts = urlsplit(url)
    host = parts.netloc.rsplit("@", 1)[-1]
    query = urlencode([(k, v) for k, v in _password_params(parts.query) if k.lower() != "user"],
                      safe="/")
    return urlunsplit((parts.scheme, f"{quote(role, safe='')}@{host}", parts.path, query,
                       parts.fragment))


def user_of(url: str) -> str | None:
    """The role `url` connects as, if it names one."""
    parts = urlsplit(url)
    if parts.username:
        return unquote(parts.username)
    for key, value in parse_qsl(parts.query):
        if key.lower() == "user":
            return value
    return None


def driver() -> Any:
    """The psycopg module, or a one-line StoreError naming the extra to install."""
    try:
        import psycopg
    except ImportError as err:
        raise StoreError(
            f"a postgresql:// store needs the PostgreSQL driver: "
            f"pip install '{EXTRA}' (or .venv/bin/pip install -e '.[postgres]')"
        ) from err
    return psycopg


def scrub(message: str, url: str) -> str:
    """A server's or driver's message as one line, never holding the password."""
    line = " ".join(str(message).split())
    secret = password_of(url)
    if secret:
        line = line.replace(secret, "***")
    return line


def connect(url: str, **options: Any) -> Any:
    """A new connection to `url`; StoreUnreachable (naming the redacted URL) if none."""
    psycopg = driver()
    try:
        return psycopg.connect(url, connect_timeout=CONNECT_TIMEOUT, **options)
    except psycopg.OperationalError as err:
        raise StoreUnreachable(redact(url), scrub(str(err), url)) from err
    except psycopg.ProgrammingError as err:  # a URL the driver cannot parse
        raise StoreError(f"{redact(url)} is not a usable PostgreSQL URL "
                         f"({scrub(str(err), url)})") from err
