"""Plain-text files in whatever encoding they were saved in."""

from __future__ import annotations

import codecs
import unicodedata

from charset_normalizer import from_bytes

from archive.ingest.errors import IngestError
from archive.ingest.readers.paragraphs import join_lines, normalize, to_text
from archive.ingest.readers.result import ReadResult

# Longest BOM first: the UTF-32 LE mark starts with the UTF-16 LE one.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def _bom_encoding(data: bytes) -> str | None:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return encoding
    return None


def _is_latin(text: str) -> bool:
    letters = [c for c in text if ord(c) > 127 and c.isalpha()]
    return all(unicodedata.name(c, "").startswith("LATIN") for c in letters)


def decode(filename: str, data: bytes) -> tuple[str, str]:
    """Return (text, encoding). Raises IngestError "undecodable"."""
    first = _bom_encoding(data) or "utf-8"
    try:
        return data.decode(first), first
    except UnicodeDecodeError:
        pass
    guess = from_bytes(data).best()
    if guess is not None:
        # charset-normalizer cannot tell Western code pages apart on short texts and
        # often answers cp1250 for French or Spanish. Windows-1252 is by far the most
        # common legacy encoding for Latin-script statements, so it wins that tie.
        candidates = ["cp1252", guess.encoding] if _is_latin(str(guess)) else [guess.encoding]
        for encoding in candidates:
            try:
                return data.decode(encoding), encoding
            except (UnicodeDecodeError, LookupError):
                continue
    raise IngestError(
        filename,
        "undecodable",
        "the text is in an encoding that could not be recognised (or the file is not text); "
        "open it in an editor, save it as UTF-8 and re-upload",
    )


def read_text(filename: str, data: bytes) -> ReadResult:
    text, encoding = decode(filename, data)
    lines = normalize(text).split("\n")
    result = ReadResult(text=to_text(join_lines(lines)), format="text")
    if encoding not in ("utf-8", "utf-8-sig", "ascii"):
        result.warnings.append(f"decoded as {encoding} (not UTF-8)")
    return result
