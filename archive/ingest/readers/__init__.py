"""Turn the bytes of an uploaded file into plain text.

``read_document`` decides the format from the content (a PDF named .txt is still a PDF),
reads it in a child process with a time limit and a memory cap, and returns a
:class:`ReadResult`. Every failure is an :class:`~archive.ingest.errors.IngestError` whose
message names the file and says what to do.
"""

from __future__ import annotations

from archive.ingest.errors import IngestError
from archive.ingest.readers.isolation import Reader, run_isolated
from archive.ingest.readers.result import FORMATS, ReadResult
from archive.ingest.readers.sniff import extension_format, refused_kind, sniff_format

__all__ = ["FORMATS", "IngestError", "ReadResult", "read_document", "sniff_format"]

_SUPPORTED = "PDF, Word (.docx), HTML, Markdown and plain text"
_FORMAT_NAMES = {
    "text": "plain text",
    "pdf": "a PDF",
    "docx": "a Word document",
    "html": "an HTML page",
    "markdown": "Markdown",
}


def _reader(format: str) -> Reader:
    # Imported here so that importing this package stays cheap for callers that only
    # sniff; the child process has them preloaded anyway.
    if format == "pdf":
        from archive.ingest.readers.pdf import read_pdf

        return read_pdf
    if format == "docx":
        from archive.ingest.readers.docx import read_docx

        return read_docx
    if format == "html":
        from archive.ingest.readers.html import read_html

        return read_html
    if format == "markdown":
        from archive.ingest.readers.markdown import read_markdown

        return read_markdown
    from archive.ingest.readers.text import read_text

    return read_text


def _refuse(filename: str, data: bytes, format: str) -> IngestError:
    if format == "zip":
        what = "a zip archive; upload it through the batch import, which unpacks it"
    else:
        what = refused_kind(data[:4096]) or "not a document format the archive can read"
        if what.startswith("an old Office"):
            what += "; open it in Word or LibreOffice and save it as .docx or PDF"
    return IngestError(filename, "unsupported", f"is {what}. Supported formats: {_SUPPORTED}")


def read_document(
    filename: str, data: bytes, *, timeout: float = 30.0, memory_limit_mb: int = 1024
) -> ReadResult:
    """Read one file. Raises IngestError (empty, corrupt, unsupported, timeout, ...)."""
    if not data.strip():
        raise IngestError(filename, "empty", "the file is empty; check that the upload worked")
    format = sniff_format(filename, data)
    if format not in FORMATS:
        raise _refuse(filename, data, format)
    # Every format goes through the child: besides PDF and DOCX, a hostile HTML or
    # Markdown file can also make a parser or charset detection crawl.
    result = run_isolated(
        _reader(format), filename, data, timeout=timeout, memory_limit_mb=memory_limit_mb
    )
    claimed = extension_format(filename)
    if claimed is not None and claimed != format:
        result.warnings.insert(
            0, f"named like {_FORMAT_NAMES[claimed]} but is {_FORMAT_NAMES[format]}; read as such"
        )
    if not result.text and not result.needs_ocr:
        raise IngestError(
            filename, "empty", "contains no readable text; check that it is the right file"
        )
    return result
