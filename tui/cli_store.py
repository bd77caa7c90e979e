"""`newsmark store ...`: making and moving stores (PostgreSQL for teams).

`store init URL [--team]` creates (or upgrades) a PostgreSQL store's
schema; with `--team`, the roles and row-level security that give each
annotator their own layer. `store add-annotator URL NAME` makes a login
role for one annotator. `store copy SRC DST` copies a whole store between a
folder and PostgreSQL, either way.
"""

from __future__ import annotations

from pathlib import Path

import click

from annotations.errors import StoreError
from tui.cli_common import STORE_SPEC, echo, reports_errors
from tui.wording import plural


@click.group("store")
def store_group() -> None:
    """Make, upgrade and copy stores (a folder, or a postgresql:// URL for a team)."""


def _require_url(url: str) -> None:
    from annotations.engines import is_remote
    from annotations.postgres.url import driver

    if not is_remote(url):
        raise StoreError(f"{url} is not a postgresql:// URL; a folder store needs no init")
    driver()  # one line naming the extra if psycopg is missing


@store_group.command("init")
@click.argument("url")
@click.option("--team", is_flag=True,
              help="Also set up roles and row-level security: each annotator's role writes "
                   "only its own layer, newsmark_curator alone the gold layer.")
@reports_errors
def init_command(url: str, team: bool) -> None:
    """Create or upgrade the newsmark schema in the PostgreSQL database URL."""
    _require_url(url)
    from annotations.postgres import schema
    from annotations.postgres.url import connect, redact

    with connect(url, autocommit=True) as conn:
        applied = schema.migrate(conn, redact(url))
        if team:
            schema.setup_team(conn)
    done = (f"applied migrations {', '.join(map(str, applied))}" if applied
            else "already up to date")
    echo(f"store {redact(url)}: schema {schema.LATEST}, {done}", err=True)
    if team:
        echo(f"team roles: {schema.ANNOTATOR_ROLE} (each annotator), "
                   f"{schema.CURATOR_ROLE} (writes the '{schema.GOLD_LAYER}' layer); add "
                   f"people with `newsmark store add-annotator {redact(url)} NAME`", err=True)


@store_group.command("add-annotator")
@click.argument("url")
@click.argument("name")
@click.option("--curator", is_flag=True, help="May also write the gold layer.")
@click.option("--password-env", metavar="VAR",
              help="Set the role's password from this environment variable "
                   "(never from the command line, where others could read it).")
@reports_errors
def add_annotator_command(url: str, name: str, curator: bool, password_env: str | None) -> None:
    """Make NAME a login role of the team (run as the store's owner, after init --team)."""
    import os

    _require_url(url)
    from annotations.postgres import schema
    from annotations.postgres.url import as_role, connect, redact

    password = None
    if password_env:
        password = os.environ.get(password_env)
        if not password:
            raise StoreError(f"the environment variable {password_env} is empty or not set")
    with connect(url, autocommit=True) as conn:
        known = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s",
                             (schema.ANNOTATOR_ROLE,)).fetchone()
        if not known:
            raise StoreError(f"the store {redact(url)} has no team yet; run "
                             f"`newsmark store init {redact(url)} --team` first")
        schema.add_annotator(conn, name, curator=curator, password=password)
    echo(f"{name} may now connect as role {name}" + (" (curator)" if curator else "")
         + f": newsmark --store {as_role(url, name)}", err=True)


@store_group.command("copy")
@click.argument("source", type=STORE_SPEC)
@click.argument("target", type=STORE_SPEC)
@reports_errors
def copy_command(source: Path | str, target: Path | str) -> None:
    """Copy the whole store SOURCE into TARGET (a folder or a postgresql:// URL, either way)."""
    from annotations.engines import describe
    from annotations.store_copy import copy_store

    report = copy_store(source, target)
    echo(f"copied {plural(report.documents, 'document')}, "
               f"{plural(report.annotations, 'annotation')}, {plural(report.links, 'link')}, "
               f"{plural(report.statuses, 'status', 'statuses')}, "
               f"{plural(report.segmentations, 'segmentation')} and "
               f"{plural(report.state, 'state entry', 'state entries')} from {describe(source)} to "
               f"{describe(target)}"
               + (f" (with {report.annotators} "
                  + ("annotator's" if report.annotators == 1 else "annotators'")
                  + " own progress and undo history)" if report.annotators else ""), err=True)
