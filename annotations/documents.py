"""Finding article files and reading them into `Document`s.

Every way a file can fail to be an article becomes an `ArticleError` in
plain words with a hint, so that one bad file in a folder of thousands is a
line in a list, not a crash.
"""

from __future__ import annotations

import codecs
import os
import stat
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from annotations.cleaning import clean_article, sanitize
from annotations.errors import ArticleError
from annotations.model import Document, DocumentMeta

ARTICLE_SUFFIXES = frozenset({".txt", ".md"})
# NUL bytes in this much of the start mean a binary file (as git decides).
_SNIFF_BYTES = 8192
# More undecodable characters than this share means binary, not a mis-named
# encoding: text in the wrong encoding fails on a few accented letters only.
_BINARY_SHARE = 0.30
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_UTF32_BOMS = (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)
_ENCODING_HINT = "name its encoding with --encoding, e.g. --encoding latin-1"


# --- one file ----------------------------------------------------------------


@dataclass(frozen=True)
class Decoding:
    """How article bytes become text.

    Every file is read as UTF-8 first (or UTF-16/32 when it starts with a
    byte-order mark): `fallback` (`--encoding`) is used only for a file that
    is not valid UTF-8, so a Latin-1 file opened beside UTF-8 ones never
    garbles them. `per_file` (`PATH:ENCODING`) names a file's encoding
    outright. `repair` undoes mojibake (UTF-8 read as Latin-1 or cp1252 once
    or more: "BasÃ¡Ã±ez") with ftfy; off by default, and reported.
    """

    fallback: str | None = None
    per_file: Mapping[str, str] = field(default_factory=dict)
    repair: bool = False

    def forced(self, path: str) -> str | None:
        """The encoding named for `path`, or for a folder it was found in."""
        if not self.per_file:
            return None
        while True:
            named = self.per_file.get(path)
            if named is not None:
                return named
            parent = os.path.dirname(path)
            if not parent or parent == path:
                return None
            path = parent


def split_path_encodings(given: Iterable[str | Path]) -> tuple[list[str], dict[str, str]]:
    """`PATH:ENCODING` arguments into paths and {path: encoding}.

    A path that exists is taken as it is, even with a colon in its name;
    otherwise the text after the last colon must name a known encoding.
    Paths are spelled as `str(Path(...))`, as the file list spells them.
    """
    paths: list[str] = []
    named: dict[str, str] = {}
    for item in given:
        text = os.fspath(item)
        path, colon, encoding = text.rpartition(":")
        if os.path.exists(text) or not colon or not path or "/" in encoding:
            paths.append(text)
            continue
        _check_encoding(text, encoding)
        spelled = str(Path(path))
        paths.append(spelled)
        named[spelled] = encoding
    return paths, named


def load_document(
    path: str | Path,
    *,
    raw: bool = False,
    encoding: str | None = None,
    decoding: Decoding | None = None,
) -> Document:
    """Read one article file into a cleaned `Document`.

    With `raw`, the text is only sanitized (newlines and terminal controls),
    nothing is removed and no metadata is guessed. `encoding` is shorthand
    for `Decoding(fallback=encoding)`. What was not plain UTF-8 (the encoding
    used, a repair) is recorded in the document's metadata.
    """
    name = str(path)
    decoding = decoding or Decoding(fallback=encoding)
    forced = decoding.forced(name)
    for named in (forced, decoding.fallback):
        if named is not None:
            _check_encoding(name, named)
    data = _read_bytes(name, Path(path))
    text, used = _decode(name, data, forced=forced, fallback=decoding.fallback)
    repaired = None
    if decoding.repair:
        # Before `sanitize`: mojibake often holds C1 characters ("\x83")
        # that sanitize would neutralise, and ftfy needs them to undo it.
        text, repaired = repair_mojibake(text)
    text = sanitize(text)
    if not text.strip():
        raise ArticleError(name, "is empty", "the file holds no text")
    read = {"encoding": used, "repaired": repaired}
    if raw:
        return Document(text=text, meta=DocumentMeta(path=name, raw="yes", **read))
    cleaned = clean_article(text)
    if not cleaned.text:
        raise ArticleError(name, "is empty", "it holds only boilerplate such as cookie notices")
    meta = DocumentMeta(path=name, title=cleaned.title, source=cleaned.source, date=cleaned.date,
                        cleaned=removal_summary(cleaned.removed), **read)
    return Document(text=cleaned.text, meta=meta)


# How many removed lines a summary quotes, and how much of each.
_QUOTED_REMOVALS = 3
_QUOTED_CHARS = 40


def removal_summary(removed: list[str]) -> str | None:
    """What `clean_article` took out, in a few words; None if nothing.

    "took 2 lines out of the text ('Reuters', 'Comments are closed.')":
    the first lines quoted (shortened), so a person can judge at a glance
    whether anything of the article went.
    """
    if not removed:
        return None
    quoted = []
    for line in removed[:_QUOTED_REMOVALS]:
        short = line if len(line) <= _QUOTED_CHARS else line[: _QUOTED_CHARS - 1] + "\u2026"
        quoted.append(f"'{short}'")
    if len(removed) > _QUOTED_REMOVALS:
        quoted.append("\u2026")
    lines = "line" if len(removed) == 1 else "lines"
    return f"took {len(removed)} {lines} out of the text ({', '.join(quoted)})"


def how_read(doc: Document, decoding: Decoding | None = None) -> list[str]:
    """One line per way `doc`'s file was not read as plain UTF-8 (none if it
    was). `decoding`: how it was asked to be read."""
    name = doc.meta.path or doc.name
    lines = []
    if doc.meta.encoding is not None:
        # `PATH:ENCODING` is obeyed even for a file that is valid UTF-8.
        named = decoding is not None and decoding.forced(name) is not None
        why = "named for it" if named else "it is not UTF-8"
        lines.append(f"{name}: read as {doc.meta.encoding} ({why})")
    if doc.meta.repaired is not None:
        lines.append(f"{name}: repaired {doc.meta.repaired}")
    return lines


def cleaning_note(doc: Document) -> str | None:
    """What cleaning took out of `doc`'s file, in a line (None if nothing): news,
    where `how_read` is a warning (the text may not be what the file meant)."""
    if doc.meta.cleaned is None:
        return None
    return f"{doc.meta.path or doc.name}: {doc.meta.cleaned}; --raw shows the file untouched"


def repair_mojibake(text: str) -> tuple[str, str | None]:
    """`text` with mojibake undone, and what was done (None if nothing).

    Only ftfy's encoding repair runs (no quote, width or normalisation
    changes): a repair changes what the reader shows, so it is kept to what
    was certainly wrong.
    """
    try:
        import ftfy
    except ImportError as err:  # a dependency; missing only in a broken install
        raise ArticleError(
            "--fix-mojibake", "needs ftfy", "reinstall newsmark (pip install ftfy)"
        ) from err
    fixed = ftfy.fix_encoding_and_explain(text)
    if not fixed.explanation or fixed.text == text:
        return text, None
    steps = ", ".join(f"{step} {codec}" for step, codec in fixed.explanation)
    return fixed.text, f"mojibake ({steps})"


def _check_encoding(name: str, encoding: str) -> None:
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise ArticleError(
            name, f"unknown encoding {encoding!r}", "try utf-8, latin-1 or cp1252"
        ) from None


def _read_bytes(name: str, path: Path) -> bytes:
    try:
        mode = path.stat().st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError
        if not stat.S_ISREG(mode):
            # Opening a named pipe waits for a writer: the reader showed a
            # blank screen until Ctrl+C.
            raise ArticleError(name, "is not a regular file (a pipe, a socket or a device)",
                               "name an article file")
        return path.read_bytes()
    except FileNotFoundError:
        raise ArticleError(name, "no such file", "check the path") from None
    except IsADirectoryError:
        raise ArticleError(
            name, "is a folder, not a file", "name an article file in it"
        ) from None
    except PermissionError:
        raise ArticleError(
            name, "cannot be read (permission denied)", "check the file's permissions"
        ) from None
    except OSError as error:
        raise ArticleError(name, f"cannot be read ({error.strerror or error})") from None


def _decode(
    name: str, data: bytes, *, forced: str | None, fallback: str | None
) -> tuple[str, str | None]:
    """The file's text, and the encoding it was read with when not UTF-8."""
    if not data.strip():
        raise ArticleError(name, "is empty", "the file holds no text")
    if forced is not None:
        return _decode_as(name, data, forced), _unless_utf8(forced)
    bom = _bom_encoding(data)
    if bom is not None:
        return _decode_as(name, data, bom), bom
    # UTF-16/32 without a byte-order mark is full of NUL bytes that UTF-8
    # would accept: a wide encoding the user named is taken at its word.
    if fallback is not None and _is_wide(fallback):
        return _decode_as(name, data, fallback), fallback
    if b"\x00" in data[:_SNIFF_BYTES]:
        raise _binary(name)
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as error:
        if fallback is None:
            raise _decode_error(name, data, "utf-8", error) from None
    return _decode_as(name, data, fallback), _unless_utf8(fallback)


def _decode_as(name: str, data: bytes, encoding: str) -> str:
    # UTF-16/32 text is full of NUL bytes, so only sniff other encodings.
    if not _is_wide(encoding) and b"\x00" in data[:_SNIFF_BYTES]:
        raise _binary(name)
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as error:
        raise _decode_error(name, data, encoding, error) from None


def _unless_utf8(encoding: str) -> str | None:
    return None if codecs.lookup(encoding).name == "utf-8" else encoding


def _bom_encoding(data: bytes) -> str | None:
    """UTF-16/32 files announce themselves with a byte-order mark."""
    if data.startswith(_UTF32_BOMS):  # before UTF-16: FF FE 00 00 starts with FF FE
        return "utf-32"
    if data.startswith(_UTF16_BOMS):
        return "utf-16"
    return None


def _is_wide(encoding: str) -> bool:
    return codecs.lookup(encoding).name.startswith(("utf-16", "utf-32"))


def _binary(name: str) -> ArticleError:
    return ArticleError(
        name, "looks like a binary file, not an article", "articles are .txt or .md text files"
    )


def _decode_error(name: str, data: bytes, encoding: str, error: UnicodeDecodeError) -> ArticleError:
    replaced = data.decode(encoding, errors="replace")
    if replaced.count("\ufffd") > _BINARY_SHARE * len(replaced):
        return _binary(name)
    where = f"bad byte at offset {error.start}"
    if codecs.lookup(encoding).name == "utf-8":
        return ArticleError(name, f"is not UTF-8 text ({where})", _ENCODING_HINT)
    return ArticleError(
        name, f"is not valid {encoding} text ({where})", "check the --encoding name"
    )


# --- many paths ----------------------------------------------------------------


def discover(paths: Iterable[str | Path]) -> tuple[list[Path], list[ArticleError]]:
    """Expand files and folders into article paths, without reading any file.

    Files are taken as given, whatever their suffix; folders are walked for
    .txt and .md files, in sorted order, skipping hidden files and folders.
    A path met twice (also through another spelling) is listed once.
    """
    found, errors = find_articles(paths)
    return [Path(path) for path in found], errors


def find_articles(paths: Iterable[str | Path]) -> tuple[list[str], list[ArticleError]]:
    """`discover`, with the paths as strings (spelled as `str(Path(...))` would).

    A folder of 100,000 articles costs ~0.5 s more as `Path` objects
    (pathlib parses every one), and the reader only needs their names
    until it opens one.
    """
    found: list[str] = []
    errors: list[ArticleError] = []
    seen: set[str] = set()
    for given in paths:
        path = Path(given)
        if path.is_dir():
            _add_folder(str(path), found, errors, seen)
        elif path.exists():
            _add(str(path), os.path.realpath(path), found, seen)
        else:
            errors.append(ArticleError(str(given), "no such file or folder", "check the path"))
    return found, errors


def _add(path: str, key: str, found: list[str], seen: set[str]) -> bool:
    if key in seen:
        return False
    seen.add(key)
    found.append(path)
    return True


def _add_folder(
    folder: str, found: list[str], errors: list[ArticleError], seen: set[str]
) -> None:
    errors_before = len(errors)
    articles: list[tuple[str, str]] = []
    _walk(folder, errors, articles)
    # An unreadable folder already has its error; "no articles" would repeat it.
    if not articles and len(errors) == errors_before:
        errors.append(ArticleError(
            folder, "no .txt or .md articles in this folder",
            "articles are .txt or .md files; name a file directly to open another kind",
        ))
    for path, key in articles:
        if key not in seen:
            seen.add(key)
            found.append(path)


def _walk(folder: str, errors: list[ArticleError], out: list[tuple[str, str]]) -> None:
    """Append (path, resolved key) of every article under `folder`, sorted by name.

    os.scandir gives file types without a stat per file, and the folder is
    resolved once, so that a folder of 100,000 articles lists quickly; only
    symlinked files cost a realpath of their own. Names are joined by hand
    (os.path.join costs more than the rest of the loop).
    """
    real = os.path.join(os.path.realpath(folder), "")
    try:
        with os.scandir(folder) as listing:
            entries = sorted(listing, key=_name)
    except OSError as error:
        problem = (
            "cannot be read (permission denied)"
            if isinstance(error, PermissionError)
            else f"cannot be read ({error.strerror or error})"
        )
        errors.append(ArticleError(folder, problem, "check the folder's permissions"))
        return
    # As `Path(folder) / name` spells it: Path(".") / "a.txt" is "a.txt".
    prefix = "" if folder == "." else os.path.join(folder, "")
    append = out.append
    for entry in entries:
        name = entry.name
        if name[0] == ".":
            continue
        if entry.is_dir(follow_symlinks=False):
            _walk(prefix + name, errors, out)
            continue
        dot = name.rfind(".")  # the suffix as os.path.splitext finds it
        if dot > 0 and name[dot:].lower() in ARTICLE_SUFFIXES and entry.is_file():
            key = os.path.realpath(entry.path) if entry.is_symlink() else real + name
            append((prefix + name, key))


def _name(entry: os.DirEntry[str]) -> str:
    return entry.name


def load_documents(
    paths: Iterable[str | Path],
    *,
    raw: bool = False,
    encoding: str | None = None,
    decoding: Decoding | None = None,
) -> tuple[list[Document], list[ArticleError]]:
    """Discover and load articles; a bad file becomes an error, never a raise."""
    found, errors = discover(paths)
    documents: list[Document] = []
    for path in found:
        try:
            documents.append(load_document(path, raw=raw, encoding=encoding, decoding=decoding))
        except ArticleError as error:
            errors.append(error)
    return documents, errors
