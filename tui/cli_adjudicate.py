"""`newsmark adjudicate`: the reader as the curator, on the gold layer.

It is `newsmark open` with the curator as the annotator and the reader in
adjudication mode (see `annotations/adjudication.py` for what is merged
and what a disagreement is; README, "Several annotators", for the keys).
"""

from __future__ import annotations

from pathlib import Path

import click

from tui.cli_common import ANY_PATH, store_option

GOLD = "gold"  # annotations.layers.GOLD, not imported: `newsmark open` loads this module


@click.command("adjudicate")
@click.argument("paths", nargs=-1, type=ANY_PATH)
@store_option
@click.option("--curator", default=GOLD, show_default=True,
              help="The layer the decisions go to.")
@click.option("--config", "config_path", type=ANY_PATH,
              help="Label configuration (default: newsmark.toml beside the store).")
@click.option("--stored", is_flag=True,
              help="Also open every document kept in the store (with no PATH: only those).")
@click.pass_context
def adjudicate_command(ctx: click.Context, paths: tuple[Path, ...], store_dir: Path,
                       curator: str, config_path: Path | None, stored: bool) -> None:
    """Decide the annotators' disagreements into a gold layer.

    What every annotator of a document marked alike is put into gold at
    once (marked merged); n / N walk the disagreements left, t takes the
    annotator's span under the cursor, X takes none, a label key tags anew.
    Every decision is saved at once and undone with u.
    """
    # The `open` command of this program (not imported: tui.cli imports this module).
    open_command = ctx.find_root().command.get_command(ctx, "open")  # type: ignore[attr-defined]
    ctx.invoke(open_command, paths=paths, store_dir=store_dir, annotator=curator,
               config_path=config_path, raw=False, encoding=None, fix_mojibake=False,
               stored=stored or not paths, adjudicate=True)
