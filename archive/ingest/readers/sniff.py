"""Decide what a file is from its bytes; the extension only breaks ties."""

from __future__ import annotations

import codecs
import io
import zipfile
from pathlib import PurePosixPath

# Extensions that name a format we read.
EXTENSIONS = {
    ".txt": "text",
    ".text": "text",
    ".pdf": "pdf",
    ".docx": "docx",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".md": "markdown",
    ".markdown": "markdown",
}
# Formats we recognise only to refuse them with a helpful message.
_REFUSED_MAGIC = (
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Office file (.doc/.xls)"),
    (b"{\\rtf", "an RTF document"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"RIFF", "a media file"),
    (b"OggS", "a media file"),
    (b"ID3", "an audio file"),
    (b"\x7fELF", "a program"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"%!PS", "a PostScript file"),
)
_HTML_MARKERS = (b"<!doctype html", b"<html", b"<head", b"<body")
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_HARMLESS_CONTROLS = frozenset(b"\t\n\r\f\x1b\x08")


def extension_format(filename: str) -> str | None:
    return EXTENSIONS.get(PurePosixPath(filename.replace("\\", "/")).suffix.lower())


def is_zip(data: bytes) -> bool:
    return data.startswith(_ZIP_MAGIC)


def is_office_package(names: list[str]) -> bool:
    """A zip that is a document (OOXML or OpenDocument), not an archive of files."""
    return "[Content_Types].xml" in names or "mimetype" in names


def _zip_format(filename: str, data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        # A broken .docx is still a .docx: its reader reports it as damaged.
        return "docx" if extension_format(filename) == "docx" else "zip"
    if "word/document.xml" in names:
        return "docx"
    if is_office_package(names):
        return "unknown"  # a spreadsheet, presentation or OpenDocument file
    return "zip"


def refused_kind(data: bytes) -> str | None:
    """A human name for a known binary format we do not read."""
    for magic, kind in _REFUSED_MAGIC:
        if data.startswith(magic):
            return kind
    if data[4:8] == b"ftyp":
        return "a video or HEIC image"
    return None


def _looks_binary(head: bytes) -> bool:
    if head.startswith((codecs.BOM_UTF8, *_UTF16_BOMS)):
        return False
    if b"\x00" in head:
        # UTF-16 without a BOM has a zero in every other byte; anything else is binary.
        even, odd = head[0::2].count(0), head[1::2].count(0)
        half = max(len(head) // 2, 1)
        return not (max(even, odd) > 0.3 * half and min(even, odd) < 0.02 * half)
    controls = sum(1 for byte in head if byte < 32 and byte not in _HARMLESS_CONTROLS)
    return controls > 0.05 * max(len(head), 1)


def _head_as_ascii(head: bytes) -> bytes:
    if head.startswith(_UTF16_BOMS) or head[1::2].count(0) > len(head) // 4:
        head = head.replace(b"\x00", b"")  # good enough to spot ASCII tags in UTF-16
    return head.lower()


def sniff_format(filename: str, data: bytes) -> str:
    """Return "pdf", "docx", "html", "markdown", "text", "zip" (an archive of files) or
    "unknown" (a binary format the archive does not read)."""
    head = data[:4096]
    if b"%PDF-" in data[:1024]:  # the PDF spec allows junk before the header
        return "pdf"
    if is_zip(data):
        return _zip_format(filename, data)
    if refused_kind(head) or _looks_binary(head):
        return "unknown" if extension_format(filename) != "docx" else "docx"
    by_extension = extension_format(filename)
    ascii_head = _head_as_ascii(head).lstrip()
    if ascii_head.startswith((b"<!doctype html", b"<html")) or any(
        marker in ascii_head for marker in _HTML_MARKERS[2:]
    ):
        return "html"
    if by_extension in ("html", "markdown"):
        return by_extension
    return "text"
