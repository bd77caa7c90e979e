"""What an export wrote, in words: one list of messages for the command line and the reader."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from tui.wording import plural

if TYPE_CHECKING:
    from annotations.export import Counts, ExportOptions

# Default file names for an export started in the reader (brat writes a folder).
SUFFIXES = {"jsonl": ".jsonl", "prodigy": ".prodigy.jsonl", "doccano": ".doccano.jsonl",
            "conll": ".conll", "brat": "-brat", "spacy": ".spacy"}


def default_target(fmt: str, folder: Path) -> Path:
    """`newsmark-export.jsonl` in `folder`, or the first of `-2`, `-3`, … not taken."""
    suffix = SUFFIXES.get(fmt, f".{fmt}")
    target, n = folder / f"newsmark-export{suffix}", 1
    while target.exists():
        n += 1
        target = folder / f"newsmark-export-{n}{suffix}"
    return target


def report(counts: Counts, options: ExportOptions, where: object,
           filters_named: Sequence[str] = ()) -> list[tuple[str, str]]:
    """(kind, message) pairs: kind is "" for what was written, "note" or "warning"."""
    from annotations.export import carries_links

    fmt = options.format
    if not counts.records:
        return [("note", "no document has spans" + (
            f" that pass {' and '.join(filters_named)}" if filters_named else "")
            + f"; nothing exported (nothing written to {where})")]
    lines = [("", f"wrote {plural(counts.records, fmt + ' record')} "
                  f"({plural(counts.spans, 'span')}, {plural(counts.documents, 'document')}) "
                  f"to {where}")]
    if counts.misaligned:
        does = "does" if counts.misaligned == 1 else "do"
        lines.append(("note", f"{plural(counts.misaligned, 'span')} {does} not fall on "
                              "token bounds"))
    if counts.clipped:
        one = counts.clipped == 1
        lines.append(("warning", f"{plural(counts.clipped, 'span')} crossing a sentence end "
                                 f"{'was' if one else 'were'} clipped to the sentence "
                                 f"{'it starts' if one else 'they start'} in"))
    if counts.dropped:
        one = counts.dropped == 1
        lines.append(("warning", f"{plural(counts.dropped, 'span')} overlapping a longer span "
                                 f"{'is' if one else 'are'} not in the CoNLL file (export with "
                                 "--label for one label at a time)"))
    if counts.relations and fmt == "conll":
        # Once for the export, not per span: BIO tags have no place for them.
        are = "is" if counts.relations == 1 else "are"
        lines.append(("note", f"CoNLL cannot hold relations; {plural(counts.relations, 'relation')}"
                              f" between spans {are} not in this file (jsonl, prodigy, doccano, "
                              "brat and spacy carry them)"))
    lines += [("warning", warning) for warning in counts.warnings]
    if counts.links_path is not None:
        lines.append(("", f"wrote {plural(counts.links, 'link')} between documents to "
                          f"{counts.links_path}"))
    elif counts.links and not carries_links(options):
        are = "is" if counts.links == 1 else "are"
        lines.append(("note", f"{plural(counts.links, 'link')} between documents {are} not in "
                              f"the {fmt} records; give --out to write links.jsonl beside them, "
                              "or run `newsmark links --out links.jsonl`"))
    return lines
