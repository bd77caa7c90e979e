"""`newsmark train`: fit the span model to the store's annotations (docs/model.md).

spaCy is imported only when the command runs, so the rest of newsmark
works without the `newsmark[model]` extra; without it this command says
which extra to install, in one line.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from annotations.errors import EXIT_INTERRUPTED
from tui.cli_common import ANY_PATH, echo, open_existing_store, reports_errors, store_option
from tui.wording import plural


def _annotator_list(values: tuple[str, ...], listed: str | None) -> list[str]:
    names = list(values)
    if listed:
        names += [name.strip() for name in listed.split(",") if name.strip()]
    return list(dict.fromkeys(names))


@click.command("train")
@store_option
@click.option("--annotator", "annotators", multiple=True,
              help="Learn this annotator's spans (repeatable; default: the 'gold' layer "
                   "when there is one, else everyone's).")
@click.option("--annotators", "annotator_list", metavar="A,B",
              help="Learn these annotators' spans (comma-separated).")
@click.option("--done-only", is_flag=True,
              help="Learn only from documents marked done (d): in a document begun, what "
                   "is not tagged yet is learnt as nothing to tag.")
@click.option("--dev", type=click.FloatRange(0, 0.9), default=0.2, show_default=True,
              help="Share of the documents held out to score the model (by document).")
@click.option("--seed", type=int, default=0, show_default=True,
              help="Seed of the held-out choice and of training.")
@click.option("--epochs", type=click.IntRange(min=1), default=30, show_default=True,
              help="Most passes over the training documents.")
@click.option("--patience", type=click.IntRange(min=1), default=5, show_default=True,
              help="Stop after this many epochs without a better held-out score.")
@click.option("--max-minutes", type=click.FloatRange(min=0, min_open=True),
              help="Train for at most this many minutes in all, the steps after the "
                   "training loop included (the best model so far is kept).")
@click.option("--processes", type=click.IntRange(1, 4),
              help="Pipelines trained at once, one process each, deciding together at "
                   "prediction (default: 2 with two cores and at least 200,000 characters "
                   "of text, else 1).")
@click.option("--out", "out_dir", type=ANY_PATH,
              help="Model folder to write (default: [model] path of newsmark.toml, "
                   "else model/ in the store).")
@click.option("--config", "config_path", type=ANY_PATH,
              help="Label configuration (default: newsmark.toml beside the store).")
@reports_errors
def train_command(store_dir: Path, annotators: tuple[str, ...], annotator_list: str | None,
                  done_only: bool, dev: float, seed: int, epochs: int, patience: int,
                  max_minutes: float | None,
                  processes: int | None, out_dir: Path | None, config_path: Path | None) -> None:
    """Train the span model on the store's annotations and save it (needs newsmark[model])."""
    from annotations.labels import load_config
    from annotations.model_boundaries import describe as describe_boundaries
    from annotations.span_model import ModelError, model_folder, require_spacy
    from annotations.training import (
        check_model_folder,
        collect,
        done_documents,
        folder_size,
        metadata,
        save,
        train,
    )
    from annotations.training_members import default_processes

    started = time.monotonic()  # --max-minutes counts reading the store too
    require_spacy()
    config = load_config(config_path, store_dir)
    out = out_dir or model_folder(store_dir, config.model_path)
    check_model_folder(out)  # before training: a bad --out is said at once
    chosen = _annotator_list(annotators, annotator_list)
    with open_existing_store(store_dir) as store:
        docs, layers = collect(store, chosen, done_only=done_only)
        begun = len({d.doc_id for d in docs} - done_documents(store, layers))
    if not docs:
        who = ", ".join(layers) or "anyone"
        raise ModelError(f"no document in {store_dir} is marked done (d) by {who}; mark the "
                         "finished ones done first, or leave out --done-only" if done_only else
                         f"no document in {store_dir} has spans by {who}; tag some first")
    if processes is None:
        processes = default_processes(sum(len(d.text) for d in docs))
    # `split` holds out at least one of two or more documents, none of one.
    held = "none held out (one document: no scores)" if len(docs) < 2 else f"{dev:.0%} held out"
    echo(f"training on {plural(len(docs), 'document')} of {store_dir} (annotators: "
               f"{', '.join(layers)}), {held}"
               + (f", {processes} processes" if processes > 1 else "")
               + "; Ctrl+C stops and keeps the best model so far", err=True)
    if begun:
        echo(f"note: {plural(begun, 'document')} of {len(docs)} not marked done (d): what is "
             "not tagged in them is learnt as nothing to tag (--done-only leaves them out)",
             err=True)
    bar = click.progressbar(length=epochs, label="training", file=sys.stderr,
                            show_pos=True) if sys.stderr.isatty() else None
    shown = [0]

    def progress(p):  # type: ignore[no-untyped-def]
        if bar is None:
            return
        if bar.length != p.total:
            bar.length = p.total
        bar.update(p.step - shown[0])
        shown[0] = p.step
        best = "" if p.best_f1 is None else f", best held-out F1 {p.best_f1:.2f}"
        bar.label = f"epoch {p.epoch}, loss {p.loss:.1f}{best}"

    try:
        result = train(docs, dev=dev, seed=seed, epochs=epochs, patience=patience,
                       max_seconds=None if max_minutes is None else max_minutes * 60,
                       started=started, processes=processes,
                       on_progress=progress)
    except KeyboardInterrupt:
        # Ctrl+C before the first batch (while the pipeline was set up), or a
        # second one while the other process handed its model over: there is
        # no model yet, and the one in --out is left as it was.
        echo("newsmark: stopped before a model was ready; nothing saved", err=True)
        sys.exit(EXIT_INTERRUPTED)
    finally:
        if bar is not None:
            bar.render_finish()
    if result.interrupted:
        echo(f"stopped by Ctrl+C after {plural(result.epochs_run, 'epoch')}; keeping epoch "
                   f"{result.best_epoch}", err=True)
    elif result.epochs_run < epochs and result.epochs_run - result.best_epoch >= patience:
        # The bar counts up to --epochs and is left part way: say it ended
        # on purpose, not that training broke off.
        echo(f"stopped after epoch {result.epochs_run} of up to {epochs}: no better held-out "
             f"score in {plural(patience, 'epoch')} (--patience)", err=True)
    for note in result.notes:
        echo(f"note: {note}", err=True)
    meta = metadata(result, annotators=layers, seed=seed, dev=dev, store_root=str(store_dir))
    save(result, out, meta)
    if result.scores is None:
        echo("no document held out (too few documents, or --dev 0): no scores")
    else:
        echo(f"scores on {plural(len(result.dev_docs), 'held-out document')} "
                   f"(epoch {result.best_epoch} of {result.epochs_run}):")
        echo(result.scores.table())
        # Said, not hidden: a store's few documents are all there is to
        # choose with (the benchmark keeps articles apart that training never sees).
        echo("(these documents also chose the epoch and the settings below, so the scores "
             "flatter the model" + (", the more so with so few" if len(result.dev_docs) < 10
                                    else "") + ")")
    moved = None if result.boundaries is None else describe_boundaries(result.boundaries.knobs)
    if moved is not None:
        echo(moved + " (chosen on the held-out documents)")
    if result.joins:
        echo("quotations split at their attribution are joined: " + ", ".join(
            f"{label} across up to {gap} characters" for label, gap in sorted(result.joins.items()))
            + " (chosen on the held-out documents)")
    if result.cuts:
        echo("quotations run on over their attribution are cut at the closing mark: "
             + ", ".join(result.cuts) + " (chosen on the held-out documents)")
    if result.carries:
        echo("a quotation's first piece is carried on to a second piece the model missed: "
             + ", ".join(f"{label} across up to {gap} characters"
                         for label, gap in sorted(result.carries.items()))
             + " (chosen on the held-out documents)")
    if result.threshold is not None:
        echo(f"suggests spans the model scores at least {result.threshold:.2f} (of 0 to 1): "
             "the threshold with the best F1 on the held-out documents ([model] threshold "
             "in newsmark.toml overrides it)")
    echo(f"model saved in {out} ({folder_size(out) / 1e6:.1f} MB, "
               f"{plural(len(result.train_docs), 'document')} trained on, {result.seconds:.0f} s"
               + (f", {result.cpu_seconds:.0f} CPU s in {1 + len(result.model.others)} processes"
                  if result.model.others else "") + ")")
    if result.interrupted:
        # Saved, but not the training asked for: a script tells it by the
        # exit code, as for Ctrl+C in every other command (README, "Exit codes").
        sys.exit(EXIT_INTERRUPTED)
