"""Training-set formats: export, import and validation (see docs/formats.md).

One module per format, each turning the views of `records` into that
format's records (and, for the formats that can be imported, back). Every
offset inside newsmark is a code point; a format that counts otherwise
(UTF-16 for doccano, bytes for byte readers) converts through `offsets`.
"""

from __future__ import annotations

from annotations.errors import EXIT_FORMAT, NewsmarkError

# Formats `newsmark export` writes, `import` reads, and which take --unit sentence.
EXPORT_FORMATS = ("jsonl", "prodigy", "doccano", "conll", "brat", "spacy")
IMPORT_FORMATS = ("jsonl", "prodigy", "doccano")
SENTENCE_FORMATS = ("jsonl", "prodigy", "doccano")
# Formats of one JSON object per line (one per document or sentence).
JSON_LINES_FORMATS = ("jsonl", "prodigy", "doccano")
# Formats written to a folder or as binary: they need --out.
NEEDS_OUT = ("brat", "spacy")
DOCCANO_OFFSETS = ("utf16", "codepoints")


class FormatError(NewsmarkError):
    """A file that is not in the format asked for, or a format that cannot be written."""

    exit_code = EXIT_FORMAT
