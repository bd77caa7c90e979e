"""The `newsmark` command.

`newsmark [PATH ...]` opens the reader; `newsmark export` and
`newsmark stats` work on the store without starting the UI (Textual is
imported only when the reader opens, so they stay quick). Every error a
person can cause ends in one line on standard error and an exit code.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from annotations.documents import Decoding
from annotations.errors import (
    EXIT_INTERNAL,
    EXIT_NO_ARTICLES,
    EXIT_PROBLEMS_FOUND,
    EXIT_STORE,
    EXIT_USAGE,
    StoreError,
)
from annotations.formats import DOCCANO_OFFSETS, EXPORT_FORMATS, IMPORT_FORMATS
from tui.cli_common import (
    ANY_PATH,
    DEFAULT_STORE,
    GOLD,
    choose_annotator,
    dash_is_standard_output,
    echo,
    echo_skipped,
    reports_errors,
    store_option,
)
from tui.cli_common import open_existing_store as _open_existing_store
from tui.literal import safe
from tui.startup import pause_collection, resume_collection
from tui.wording import plural, possessive

if TYPE_CHECKING:
    from annotations.model import Document
    from annotations.prefetch import ArticlePrefetch


class DefaultToOpen(click.Group):
    """`newsmark a.txt b.txt` means `newsmark open a.txt b.txt`.

    Commands of modules of their own may be registered by name
    (`add_lazy_command`): their module is imported when the command is
    asked for (run, or listed by --help), not on every start of the reader
    (~1.5 ms for four of them before its first frame, issue 18).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy_commands: dict[str, tuple[str, str]] = {}

    def add_lazy_command(self, name: str, module: str, attribute: str) -> None:
        """Register `module.attribute` (a click command) as `name`, imported when needed."""
        self.lazy_commands[name] = (module, attribute)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in self.lazy_commands:
            module, attribute = self.lazy_commands[cmd_name]
            command = getattr(importlib.import_module(module), attribute)
            if command.name != cmd_name:
                raise RuntimeError(f"{module}.{attribute} is `{command.name}`, not `{cmd_name}`")
            self.add_command(command)
        return super().get_command(ctx, cmd_name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *self.lazy_commands})

    def _known(self, name: str) -> bool:
        return name in self.commands or name in self.lazy_commands

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        args = self._options_after_command(ctx, list(args))
        if not args or (not self._known(args[0])
                        and args[0] not in ("--help", "-h", "--version")):
            args = ["open", *args]
        return super().parse_args(ctx, args)

    def _options_after_command(self, ctx: click.Context, args: list[str]) -> list[str]:
        """`newsmark --store DIR CMD ...` means `newsmark CMD --store DIR ...`.

        Options are each command's own; given before a command's name they
        are handed to it (they were taken as the reader's, and the command's
        name as a file to open: `newsmark --annotator ana export` said
        "export: no such file"). An option the command has not is refused.
        """
        count = 0
        while count < len(args) and args[count].startswith("-") and args[count] not in (
                "--help", "-h", "--"):
            takes_value = "=" not in args[count] and self._takes_value(ctx, args[count])
            count += 2 if takes_value else 1
        if count == 0 or count >= len(args) or not self._known(args[count]):
            return args  # `newsmark --store DIR a.txt`: the reader's own options
        name, lead = args[count], args[:count]
        command = self.get_command(ctx, name)
        assert command is not None  # known
        known = {opt for param in command.params for opt in param.opts}
        for option in (arg.split("=", 1)[0] for arg in lead if arg.startswith("-")):
            if option not in known:
                if option == "--store":
                    raise click.UsageError(f"`newsmark {name}` works on no store: drop --store",
                                           ctx)
                raise click.UsageError(
                    f"`newsmark {name}` has no option {safe(option)} "
                    f"(see `newsmark {name} --help`)", ctx)
        return [name, *lead, *args[count + 1:]]

    def _takes_value(self, ctx: click.Context, option: str) -> bool:
        """Whether `option`, in any command, is followed by a value (the commands
        registered by name are imported only for an option no other has)."""
        def takes(command: click.Command | None) -> bool:
            return command is not None and any(
                option in param.opts and not getattr(param, "is_flag", False)
                and not getattr(param, "count", False)
                for param in command.params if isinstance(param, click.Option))

        return (any(takes(command) for command in list(self.commands.values()))
                or any(takes(self.get_command(ctx, name)) for name in self.lazy_commands
                       if name not in self.commands))


def reading_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """`--encoding` and `--fix-mojibake`: how article files become text."""
    func = click.option(
        "--fix-mojibake", is_flag=True,
        help="Repair double-encoded UTF-8 (\"cafÃ©\" -> \"café\") with ftfy; "
             "each repaired file is named.")(func)
    return click.option(
        "--encoding",
        help="Encoding of the files that are not valid UTF-8, e.g. latin-1 "
             "(UTF-8 files are read as UTF-8; PATH:ENCODING names one file's).")(func)


def reading(paths: tuple[Path, ...] | list[Path], encoding: str | None,
            fix_mojibake: bool) -> tuple[list[str], Decoding]:
    """The paths given (`PATH:ENCODING` split off) and how to read them: every
    command that reads articles reads them alike."""
    from annotations.documents import split_path_encodings

    given, per_file = split_path_encodings(paths)
    return given, Decoding(fallback=encoding, per_file=per_file, repair=fix_mojibake)


def _read_article(path: Path | str, raw: bool, decoding: Decoding) -> Document:
    """One article for a command that prints JSON: how it was read goes to stderr."""
    from annotations.documents import cleaning_note, how_read, load_document

    doc = load_document(path, raw=raw, decoding=decoding)
    for line in [*how_read(doc, decoding), cleaning_note(doc)]:
        if line is not None:
            echo(f"newsmark: {line}", err=True)
    return doc


@click.group(cls=DefaultToOpen, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="newsmark")
@click.pass_context
def main(ctx: click.Context) -> None:
    """newsmark: read news articles side by side, tag what the text does, export training data.

    Run `newsmark [PATH ...]` to open articles (files, or folders of .txt/.md);
    with no path it opens the bundled sample articles. The reader's options
    (--store, --annotator, --raw, ...) are listed by `newsmark open --help`.
    """
    if ctx.invoked_subcommand != "open":
        # The entry (tui/launch.py) paused the collector for the reader's
        # start; no other command runs without it.
        resume_collection()


def has_terminal() -> bool:
    """Are the reader's keys read from, and its screen drawn on, a terminal?"""
    return sys.stdin.isatty() and sys.stdout.isatty()


def _read_ahead(paths: list[str], raw: bool, decoding: Decoding) -> ArticlePrefetch | None:
    """Start reading the articles the reader shows first in a second process
    (annotations/prefetch.py); only for the reader, so only with a terminal."""
    if not paths or not has_terminal():
        return None
    from annotations.prefetch import ArticlePrefetch
    from annotations.workspace import read_at_start

    prefetch = ArticlePrefetch.start(read_at_start(paths), raw=raw, decoding=decoding)
    if prefetch is not None:
        # Ended however the command ends (the workspace takes what it needs first).
        click.get_current_context().call_on_close(prefetch.close)
    return prefetch


@main.command("open")
@click.argument("paths", nargs=-1, type=ANY_PATH)
@store_option
@click.option("--annotator", envvar="NEWSMARK_ANNOTATOR",
              help="Who annotates: the layer you tag in (or NEWSMARK_ANNOTATOR, or "
                   "annotator in newsmark.toml; default: your login name).")
@click.option("--config", "config_path", type=ANY_PATH,
              help="Label configuration (default: newsmark.toml beside the store).")
@click.option("--raw", is_flag=True, help="Show files untouched (no boilerplate cleaning).")
@reading_options
@click.option("--stored", is_flag=True,
              help="Also open every document kept in the store, imported ones included "
                   "(with no PATH: only those).")
@click.option("--adjudicate", is_flag=True, hidden=True)  # `newsmark adjudicate` sets it
@reports_errors
def open_command(
    paths: tuple[Path, ...],
    store_dir: Path,
    annotator: str | None,
    config_path: Path | None,
    raw: bool,
    encoding: str | None,
    fix_mojibake: bool,
    stored: bool,
    adjudicate: bool = False,
) -> None:
    """Open articles in the reader.

    PATH may end in `:ENCODING` (e.g. `old.txt:cp1252`) to name the encoding
    of that file, or of every file in that folder.
    """
    from annotations.documents import find_articles
    from annotations.engines import describe, is_remote, open_store
    from annotations.labels import load_config
    from annotations.samples import sample_paths
    from annotations.store import StoreLocked
    from annotations.workspace import Stored, Workspace, stored_documents
    from tui.keymap import check_config

    remote = is_remote(store_dir)
    # A PostgreSQL store has no folder: newsmark.toml is looked for here.
    config = load_config(config_path, Path(DEFAULT_STORE) if remote else Path(store_dir))
    if stored and not remote and not Path(store_dir).is_dir():
        raise StoreError(f"no store at {store_dir}; import some records first, or pass --store")
    # Only the file list is made here: a folder of 100,000 articles opens at
    # once, and each article is read when it is shown.
    given, decoding = reading(paths, encoding, fix_mojibake)
    article_paths, errors = find_articles(given or ([] if stored else sample_paths()))
    # The panes' articles are read in a second process from here on, while
    # this one imports Textual (checking the keys does) and the reader.
    prefetch = _read_ahead(article_paths, raw, decoding)
    check_config(config)  # [keys] and label keys against the reader's bindings
    named = annotator is not None or config.annotator is not None
    annotator = choose_annotator(annotator, config)
    for error in errors:
        echo(f"newsmark: {safe(error)}", err=True)
    if not article_paths and not stored:
        echo(f"newsmark: no article could be opened{_stored_hint(store_dir)}", err=True)
        sys.exit(EXIT_NO_ARTICLES)
    notices = [str(error) for error in errors]
    try:
        if remote:
            # Each annotator's layer is their role's name unless --annotator,
            # NEWSMARK_ANNOTATOR or newsmark.toml says otherwise.
            store = open_store(store_dir, annotator=annotator if named else None)
            annotator = store.annotator
        else:
            # Named, each annotator may write the folder beside the others (one
            # newsmark each); unnamed, one newsmark writes it.
            store = open_store(store_dir, annotator=annotator if named else None)
    except StoreLocked as locked:
        store = open_store(store_dir, read_only=True)
        who = f"of annotator {annotator} " if named and not remote else ""
        notices.append(
            f"Another newsmark {who}(process {locked.pid}) is using {store_dir}: "
            "opened read-only, changes will not be saved."
        )
    if store.upgraded is not None:
        old_format, backup = store.upgraded
        notices.append(f"The store {describe(store_dir)} was upgraded from format {old_format}; "
                       f"a copy of it as it was is in {backup}.")
        echo(f"newsmark: {safe(notices[-1])}", err=True)
    interrupted = _interrupted_import(store, store_dir)
    if interrupted:
        notices.append(interrupted)
        echo(f"newsmark: {safe(interrupted)}", err=True)
    pause_collection()  # until the app's first frame, if the entry has not (tui/launch.py)
    try:
        sources: list[str | Stored] = list(article_paths)
        if stored:
            # A document read from one of the given files is opened as that file.
            sources += stored_documents(store, except_paths=article_paths)
        if not sources:
            echo(f"newsmark: the store {describe(store_dir)} holds no document",
                       err=True)
            sys.exit(EXIT_NO_ARTICLES)
        # New articles' texts are written after the first frame (the app
        # starts that), and before anything else is saved: Workspace.
        workspace = Workspace(store, sources, config=config, annotator=annotator,
                              raw=raw, decoding=decoding, write_new_documents_later=True,
                              prefetched=prefetch)
        for error in workspace.load_errors:
            echo(f"newsmark: {safe(error)}", err=True)
            notices.append(str(error))
        for warning in [*workspace.warnings, *workspace.cleaning_notes]:
            echo(f"newsmark: {warning}", err=True)  # files not read as plain UTF-8, or cleaned
        if annotator == GOLD and not adjudicate:
            # Allowed (a curator may add a span no one tagged), but the curator's
            # view is elsewhere: said once, so gold is not mistaken for a layer.
            notices.append("You are writing the gold layer directly; newsmark adjudicate "
                           "shows the annotators' disagreements to decide")
        if workspace.store_errors:
            # A damaged store file is never written: refuse to start on it.
            for store_error in workspace.store_errors:
                echo(f"newsmark: {safe(store_error)}", err=True)
            sys.exit(EXIT_STORE)
        if not workspace.documents:
            echo(f"newsmark: no article could be opened{_stored_hint(store_dir)}",
                       err=True)
            sys.exit(EXIT_NO_ARTICLES)
        if not has_terminal():
            # Without a terminal the reader would draw into a pipe or a file
            # and wait for keys that never come, holding the store's lock.
            echo("newsmark: the reader needs a terminal (its input or output is "
                       "redirected); for scripts use `newsmark export`, `stats` or "
                       "`suggest`", err=True)
            sys.exit(EXIT_USAGE)
        from tui.app import NewsmarkApp

        app = (NewsmarkApp(workspace, notices=notices, adjudicating=True) if adjudicate
               else NewsmarkApp(workspace, notices=notices))
        app.run()
        if app.return_code:  # an internal error, already explained on screen
            sys.exit(EXIT_INTERNAL)
    finally:
        resume_collection()  # if the app never drew a frame
        store.close()


doccano_offsets_option = click.option(
    "--doccano-offsets", type=click.Choice(DOCCANO_OFFSETS), default="utf16",
    show_default=True, help="How doccano offsets count (doccano's screen counts UTF-16).")


def _progress(total: int, label: str):  # type: ignore[no-untyped-def]
    """A progress bar on standard error when it is a terminal; else nothing."""
    import contextlib

    if total < 2 or not sys.stderr.isatty():
        return contextlib.nullcontext(None)
    return click.progressbar(length=total, label=label, file=sys.stderr)


@main.command("export")
@store_option
@click.option("--format", "fmt", type=click.Choice(EXPORT_FORMATS), default="jsonl",
              show_default=True, help="Output format (see docs/formats.md).")
@click.option("--out", "out_path", type=ANY_PATH, callback=dash_is_standard_output,
              help="File (folder for brat) to write (default, or -: standard output).")
@click.option("--unit", type=click.Choice(["document", "sentence"]), default="document",
              show_default=True, help="One record per document, or per sentence.")
@click.option("--label", "labels", multiple=True, help="Only spans with this label (repeatable).")
@click.option("--annotator", "annotators", multiple=True,
              help="Only this annotator's layer, e.g. gold (repeatable).")
@click.option("--annotators", "annotator_lists", multiple=True,
              help="Only these annotators' layers, comma-separated: ana,ben.")
@click.option("--done-only", is_flag=True, help="Only documents marked done.")
@doccano_offsets_option
@click.option("--force", is_flag=True,
              help="Overwrite an existing --out file, or replace a folder that holds an "
                   "earlier brat export and nothing else.")
@click.option("--jobs", type=click.IntRange(min=0), default=0, show_default=True,
              help="Processes formatting JSON lines: 0 is one per core for a store of "
                   "many documents; 1 formats in this process only.")
@reports_errors
def export_command(store_dir: Path, fmt: str, out_path: Path | None, unit: str,
                   labels: tuple[str, ...], annotators: tuple[str, ...],
                   annotator_lists: tuple[str, ...], done_only: bool,
                   doccano_offsets: str, force: bool, jobs: int) -> None:
    """Export annotations as training data, one record per annotated document."""
    annotators += tuple(name.strip() for names in annotator_lists
                        for name in names.split(",") if name.strip())
    from annotations.export import ExportOptions, check_target, export
    from annotations.formats.records import Filters
    from tui.export_report import report

    options = ExportOptions(
        format=fmt, unit=unit, doccano_offsets=doccano_offsets, jobs=jobs,
        filters=Filters(frozenset(labels), frozenset(annotators), done_only),
    )
    options.check(out_path)
    if out_path is not None:
        # Before the progress bar is drawn; a PostgreSQL URL has no folder to keep clear of.
        check_target(out_path, fmt, force, store_dir if isinstance(store_dir, Path) else None)
    with _open_existing_store(store_dir) as store, \
            _progress(len(store.documents()), "exporting") as bar:
        counts = export(store, options, out_path=out_path, stream=sys.stdout, force=force,
                        progress=None if bar is None else lambda: bar.update(1))
    where = out_path if out_path is not None else "standard output"
    named = [flag for flag, given in (("--label", labels), ("--annotator", annotators),
                                      ("--done-only", done_only)) if given]
    for kind, message in report(counts, options, where, named):
        echo(f"{kind}: {message}" if kind else message, err=True)


@main.command("import")
@click.argument("path", type=ANY_PATH)
@click.option("--format", "fmt", type=click.Choice([*IMPORT_FORMATS, "brat"]), default=None,
              help="Format of the file (brat: a folder of .txt and .ann files); "
                   "default: brat for a folder, else jsonl (as export writes).")
@store_option
@click.option("--annotator", default=None,
              help="Put every span in this annotator's layer (default: the annotator each "
                   "record names, else none).")
@click.option("--names", "names", default="{text}", show_default=True,
              help="brat: how an .ann file's path names its text and annotator, "
                   "e.g. {text}_{annotator} or {annotator}/{text}.")
@doccano_offsets_option
@click.option("--config", "config_path", type=ANY_PATH,
              help="Relation types and attribute values (default: newsmark.toml beside "
                   "the store).")
@reports_errors
def import_command(path: Path, fmt: str | None, store_dir: Path, annotator: str | None,
                   names: str, doccano_offsets: str, config_path: Path | None) -> None:
    """Import jsonl, prodigy or doccano records, or a brat folder, as documents and spans.

    The same text imported for several annotators is one document with a
    layer per annotator. Relation types and attribute values are checked
    against the configuration (--config, or newsmark.toml beside the store).
    """
    from annotations.engines import is_remote, open_store
    from annotations.formats.importing import import_file
    from annotations.labels import load_config

    # A PostgreSQL store has no folder: newsmark.toml is looked for here.
    config = load_config(config_path, Path(DEFAULT_STORE) if is_remote(store_dir)
                         else Path(store_dir))
    if fmt is None:
        fmt = "brat" if path.is_dir() else "jsonl"
    if fmt == "brat":
        from tui.cli_layers import import_brat_folder

        import_brat_folder(path, store_dir, names, annotator, config)
        return
    if not path.is_file():
        raise StoreError(f"{path} is not a file")
    with open_store(store_dir) as store:
        if store.upgraded is not None:
            echo(f"newsmark: the store {store_dir} was upgraded from format "
                       f"{store.upgraded[0]}; a copy of it as it was is in {store.upgraded[1]}",
                       err=True)
        interrupted = _interrupted_import(store, store_dir)
        if interrupted:
            echo(f"newsmark: {interrupted}", err=True)
        report = import_file(store, path, fmt, layer=annotator,
                             doccano_offsets=doccano_offsets, config=config)
    for line in report.skipped_records:
        echo(f"skipped {line}", err=True)
    echo_skipped(report.problems)
    links = f"; {plural(report.links, 'link')} between documents" if report.links else ""
    if report.relations:
        links += f"; {plural(report.relations, 'relation')} between spans"
    echo(f"imported {report.records - len(report.skipped_records)} of "
               f"{plural(report.records, 'record')}: {plural(report.documents, 'new document')}, "
               f"{plural(report.spans, 'span')} "
               f"({report.duplicates} already there, {len(report.problems)} skipped){links}",
               err=True)
    if report.undeclared_labels:
        counted = ", ".join(f"{safe(label)} {count}"
                            for label, count in sorted(report.undeclared_labels.items()))
        echo(f"warning: spans kept with labels the configuration does not declare: "
                   f"{counted} (declare them in newsmark.toml's [[labels]] to tag them "
                   "in the reader)", err=True)
    if report.normalised:
        its = possessive(report.normalised)
        echo(f"note: {plural(report.normalised, 'text')} had {its} newlines or control "
                   f"characters normalised; {its} offsets were moved with them", err=True)
    if report.utf16_shifted:
        # Offsets counted the other way land on other characters, silently.
        echo(f"note: in {plural(report.utf16_shifted, 'record')}, spans follow emoji or "
                   "other characters outside the BMP, so their offsets were read as doccano counts "
                   "them (UTF-16 code units); a file made with Python string indices "
                   "needs --doccano-offsets codepoints (check the spans with "
                   "newsmark --stored)", err=True)
    if report.records > len(report.skipped_records):
        where = "" if store_dir == Path(DEFAULT_STORE) else f" --store {_quoted(store_dir)}"
        echo(f"open them in the reader: newsmark --stored{where}", err=True)
    if report.records and report.records == len(report.skipped_records):
        sys.exit(EXIT_PROBLEMS_FOUND)


@main.command("validate")
@click.argument("path", type=ANY_PATH)
@click.option("--format", "fmt", type=click.Choice(EXPORT_FORMATS),
              help="Format of the export (default: brat for a folder, spacy for *.spacy, "
                   "conll for *.conll, else jsonl).")
@doccano_offsets_option
@click.option("--config", "config_path", type=ANY_PATH,
              help="Relation types and attribute values to check against (default: "
                   "newsmark.toml in this folder, else the defaults).")
@reports_errors
def validate_command(path: Path, fmt: str | None, doccano_offsets: str,
                     config_path: Path | None) -> None:
    """Check every span of an export against its text; exit 1 on any error."""
    from annotations.formats.validate import guess_format, validate
    from annotations.labels import load_config

    config = load_config(config_path, Path(DEFAULT_STORE))
    report = validate(path, fmt or guess_format(path), doccano_offsets=doccano_offsets,
                      config=config)
    for message in report.errors:
        echo(f"error: {message}")
    for message in report.warnings:
        echo(f"warning: {message}")
    echo(f"{plural(report.records, 'record')}, {plural(report.spans, 'span')}: "
               f"{plural(report.error_count, 'error')}, {plural(report.warning_count, 'warning')}")
    if not report.ok:
        sys.exit(EXIT_PROBLEMS_FOUND)


@main.command("stats")
@store_option
@reports_errors
def stats_command(store_dir: Path) -> None:
    """Count annotations per label and per document."""
    from annotations.export import collect_stats
    from tui.cli_layers import print_layers

    with _open_existing_store(store_dir) as store:
        stats = collect_stats(store)
        echo(f"{plural(stats.documents, 'document')}, {stats.annotated} annotated, "
                   f"{plural(sum(stats.per_label.values()), 'annotation')}")
        for label, count in sorted(stats.per_label.items()):
            echo(f"  {label:<12} {count}")
        print_layers(store)
    moved = stats.reanchoring
    if moved.get("kept", 0) + moved.get("moved", 0) + moved.get("fuzzy", 0) + moved.get(
        "orphaned", 0
    ):
        echo(f"changed articles, annotations re-anchored: {moved['kept']} kept, "
                   f"{moved['moved']} moved, {moved['fuzzy']} fuzzy, {moved['orphaned']} "
                   f"orphaned ({plural(moved['unplaced'], 'orphan')} still to place)")
    for doc_id, name, counts in stats.per_document:
        summary = ", ".join(f"{label} {n}" for label, n in sorted(counts.items())) or "none"
        echo(f"{doc_id}  {name}: {summary}")


def _write_json_lines(records: Any) -> int:
    import json

    count = 0
    for record in records:
        click.echo(json.dumps(record, ensure_ascii=False))
        count += 1
    return count


@main.command("align")
@click.argument("a_path", metavar="A", type=ANY_PATH)
@click.argument("b_path", metavar="B", type=ANY_PATH)
@click.option("--raw", is_flag=True, help="Align the files untouched (no boilerplate cleaning).")
@reading_options
@reports_errors
def align_command(a_path: Path, b_path: Path, raw: bool, encoding: str | None,
                  fix_mojibake: bool) -> None:
    """Align the sentences of two articles, as JSON lines.

    One line per aligned pair, `{"a": [start, end], "b": [start, end], "score": 0.62}`,
    then one per sentence without counterpart (`"b": null` or `"a": null`).
    Offsets are code points into each cleaned text.
    """
    from annotations.alignment import align
    from annotations.segmentation import Segmenter

    (a_name, b_name), decoding = reading([a_path, b_path], encoding, fix_mojibake)
    a = _read_article(a_name, raw, decoding)
    b = _read_article(b_name, raw, decoding)
    segmenter = Segmenter.train([a.text, b.text])
    result = align(segmenter.segment(a.text), segmenter.segment(b.text))
    _write_json_lines(result.records())


@main.command("suggest")
@click.argument("path", type=ANY_PATH)
@click.option("--raw", is_flag=True, help="Read the file untouched (no boilerplate cleaning).")
@reading_options
@click.option("--model", "model_dir", type=ANY_PATH,
              help="Also the spans of this trained model (newsmark train), beside the rules'.")
@store_option
@click.option("--config", "config_path", type=ANY_PATH,
              help="Where the model's threshold is (default: newsmark.toml beside the store).")
@reports_errors
def suggest_command(path: Path, raw: bool, encoding: str | None, fix_mojibake: bool,
                    model_dir: Path | None, store_dir: Path, config_path: Path | None) -> None:
    """Propose spans for an article (quotes, attributed claims, opinion, terms), as JSON lines.

    One line per suggestion: `{"start", "end", "label", "text", "note", "rule",
    "source", "score"}`, offsets in code points into the cleaned text;
    `source` is `rule` or `model` (with the model's score, 0-1, at least
    `[model] threshold` of newsmark.toml, else the threshold the model
    learnt on its held-out documents).
    """
    from annotations.segmentation import Segmenter
    from annotations.suggest import suggest

    model = None
    if model_dir is not None:
        from annotations.labels import load_config
        from annotations.model_threshold import threshold_for
        from annotations.span_model import SpanModel

        model = SpanModel.load(model_dir)
        threshold = threshold_for(load_config(config_path, store_dir).model_threshold,
                                  model.meta.get("threshold"))
    (name,), decoding = reading([path], encoding, fix_mojibake)
    doc = _read_article(name, raw, decoding)
    seg = Segmenter.train([doc.text]).segment(doc.text)
    found = suggest(doc, seg)
    if model is not None:
        from annotations.span_model import as_suggestions

        found = sorted(found + as_suggestions(model.predict(doc.text), threshold),
                       key=lambda s: (s.start, -s.end, s.label, s.origin))

    def record(s):  # type: ignore[no-untyped-def]
        fields = s.to_dict()
        fields["source"] = fields.pop("origin")
        return {**fields, "text": doc.text[s.start : s.end]}

    _write_json_lines(record(s) for s in found)


@main.command("links")
@store_option
@click.option("--out", "out_path", type=ANY_PATH, callback=dash_is_standard_output,
              help="File to write, e.g. links.jsonl (default, or -: standard output).")
@click.option("--force", is_flag=True, help="Overwrite an existing --out file.")
@reports_errors
def links_command(store_dir: Path, out_path: Path | None, force: bool) -> None:
    """Export cross-document links as JSON lines (for formats that cannot hold them)."""
    from annotations.export import check_target
    from annotations.links import write_links_jsonl

    if out_path is not None:  # the checks of a file export: never a folder, nor in the store
        check_target(out_path, "jsonl", force, store_dir if isinstance(store_dir, Path) else None)
    with _open_existing_store(store_dir) as store:
        if out_path is None:
            write_links_jsonl(store, sys.stdout)
            return
        tmp = out_path.with_name(f".{out_path.name}.{os.getpid()}.tmp")
        try:
            with tmp.open("w", encoding="utf-8") as out:
                count = write_links_jsonl(store, out)
            os.replace(tmp, out_path)
        finally:
            tmp.unlink(missing_ok=True)
        echo(f"wrote {plural(count, 'link')} to {out_path}", err=True)


def _stored_hint(store_dir: Path | str) -> str:
    """How to open the store's documents when the articles' files are gone, or ""."""
    from annotations.engines import has_documents

    if not has_documents(store_dir):
        return ""  # no folder store here: nothing kept to open
    where = "" if Path(store_dir) == Path(DEFAULT_STORE) else f" --store {_quoted(store_dir)}"
    return (f"; the store keeps the text of every document tagged before: "
            f"newsmark --stored{where} opens them")


def _interrupted_import(store: object, store_dir: Path) -> str:
    """What an import killed half way left (whole documents, absent ones), or ""."""
    found = getattr(store, "interrupted_import", None)  # the local engine's word on it
    if not found:
        return ""
    whole, absent, names = found
    shown = "; ".join(safe(names.get(doc_id, doc_id)) for doc_id in absent[:5])
    shown += "; …" if len(absent) > 5 else ""
    lost = f"; {len(absent)} absent (not stored: import them again): {shown}" if absent else ""
    return (f"an import into {store_dir} was stopped before it finished: "
            f"{plural(len(whole), 'document')} of its last batch "
            f"{'is' if len(whole) == 1 else 'are'} stored whole{lost}")


def _quoted(path: Path | str) -> str:
    import shlex

    from annotations.engines import describe

    return shlex.quote(describe(path))


# Commands of their own modules (each imports what it needs from here),
# imported when asked for.
main.add_lazy_command("store", "tui.cli_store", "store_group")
main.add_lazy_command("agree", "tui.cli_agree", "agree_command")
main.add_lazy_command("adjudicate", "tui.cli_adjudicate", "adjudicate_command")
main.add_lazy_command("train", "tui.cli_train", "train_command")
