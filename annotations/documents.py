"""Finding article files and reading them into `Document`s.

Every way a file can fail to be an article becomes an `ArticleError` in
plain words with a hint, so that one bad file in a folder of thousands is a
line in a list, not a crash.
"""

from __future__ import annotations

import codecs
import os
from collections.abc import Iterable
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


def load_document(path: str | Path, *, raw: bool = False, encoding: str | None = None) -> Document:
    """Read one article file into a cleaned `Document`.

    With `raw`, the text is only sanitized (newlines and terminal controls),
    nothing is removed and no metadata is guessed.
    """
    name = str(path)
    if encoding is not None:
        _check_encoding(name, encoding)
    data = _read_bytes(name, Path(path))
    text = sanitize(_decode(name, data, encoding))
    if not text.strip():
        raise ArticleError(name, "is empty", "the file holds no text")
    if raw:
        return Document(text=text, meta=DocumentMeta(path=name))
    cleaned = clean_article(text)
    if not cleaned.text:
        raise ArticleError(name, "is empty", "it holds only boilerplate such as cookie notices")
    meta = DocumentMeta(path=name, title=cleaned.title, source=cleaned.source, date=cleaned.date)
    return Document(text=cleaned.text, meta=meta)


def _check_encoding(name: str, encoding: str) -> None:
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise ArticleError(
            name, f"unknown encoding {encoding!r}", "try utf-8, latin-1 or cp1252"
        ) from None


def _read_bytes(name: str, path: Path) -> bytes:
    try:
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


def _decode(name: str, data: bytes, encoding: str | None) -> str:
    if not data.strip():
        raise ArticleError(name, "is empty", "the file holds no text")
    encoding = encoding or _bom_encoding(data) or "utf-8"
    # UTF-16/32 text is full of NUL bytes, so only sniff other encodings.
    if not _is_wide(encoding) and b"\x00" in data[:_SNIFF_BYTES]:
        raise _binary(name)
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as error:
        raise _decode_error(name, data, encoding, error) from None


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
    paths: Iterable[str | Path], *, raw: bool = False, encoding: str | None = None
) -> tuple[list[Document], list[ArticleError]]:
    """Discover and load articles; a bad file becomes an error, never a raise."""
    found, errors = discover(paths)
    documents: list[Document] = []
    for path in found:
        try:
            documents.append(load_document(path, raw=raw, encoding=encoding))
        except ArticleError as error:
            errors.append(error)
    return documents, errors
