"""PDF files with a text layer (pypdf). Runs inside the reading child process."""

from __future__ import annotations

import io
import logging
import re
import unicodedata
from collections import Counter

from pypdf import PdfReader
from pypdf.errors import DependencyError, FileNotDecryptedError

from archive.ingest.errors import IngestError
from archive.ingest.readers.paragraphs import join_lines, normalize, to_text
from archive.ingest.readers.result import ReadResult

# "3", "- 3 -", "Page 3", "Page 3 of 7", "3/7": page numbers, never statement text.
_PAGE_NUMBER = re.compile(r"^[-–\s]*(?:page\s*)?\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?[-–\s]*$", re.I)
# Ligatures (ﬁ) and Arabic presentation forms come out of many PDFs instead of plain
# letters; NFKC folds them back so search matches what people type.
_PRESENTATION_FORMS = re.compile("[\ufb00-\ufdff\ufe70-\ufefe]+")
_DAMAGED = "the PDF is damaged ({}); export it again from the source and re-upload"


def _fold_presentation_forms(text: str) -> str:
    return _PRESENTATION_FORMS.sub(lambda m: unicodedata.normalize("NFKC", m.group()), text)


def _open(filename: str, data: bytes) -> PdfReader:
    reader = PdfReader(io.BytesIO(data), strict=False)
    if reader.is_encrypted:
        # Many official PDFs are "encrypted" only to forbid printing or editing, with an
        # empty password for reading; those open fine.
        try:
            opened = reader.decrypt("")
        except DependencyError:
            opened = 0
        if not opened:
            raise IngestError(
                filename,
                "corrupt",
                "the PDF is password-protected; save an unprotected copy "
                "(e.g. print it to PDF) and re-upload",
            )
    return reader


def _page_lines(text: str) -> list[str]:
    lines = normalize(_fold_presentation_forms(text)).split("\n")
    return [line.strip() for line in lines]


def _running_lines(pages: list[list[str]]) -> set[str]:
    """Headers and footers: the same first or last line on most pages (digits ignored)."""
    if len(pages) < 2:
        return set()
    counts: Counter[str] = Counter()
    for lines in pages:
        content = [line for line in lines if line]
        edges = {content[0], content[-1]} if content else set()
        counts.update({re.sub(r"\d+", "#", line) for line in edges})
    return {key for key, count in counts.items() if count >= max(2, len(pages) * 0.6)}


def _strip_page_furniture(pages: list[list[str]]) -> list[str]:
    """Drop page numbers and running headers; join the pages into one run of lines."""
    running = _running_lines(pages)
    kept: list[str] = []
    for lines in pages:
        body = [
            line
            for line in lines
            if not _PAGE_NUMBER.match(line) and re.sub(r"\d+", "#", line) not in running
        ]
        # Blank lines at a page's edges are layout, not paragraph breaks: a paragraph
        # that runs on to the next page must still be joined.
        while body and not body[-1]:
            body.pop()
        while body and not body[0]:
            body.pop(0)
        kept.extend(body)
    return kept


def read_pdf(filename: str, data: bytes) -> ReadResult:
    # pypdf logs every repair it makes to damaged files; that is noise in an import log.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = _open(filename, data)
        page_count = len(reader.pages)
    except (IngestError, MemoryError):
        raise
    except FileNotDecryptedError as exc:
        raise IngestError(filename, "corrupt", _DAMAGED.format(exc)) from exc
    except Exception as exc:  # pypdf raises many types on broken input
        raise IngestError(filename, "corrupt", _DAMAGED.format(_short(exc))) from exc
    if page_count == 0:
        raise IngestError(filename, "empty", "the PDF has no pages; check the export")

    pages: list[list[str]] = []
    warnings: list[str] = []
    failed: list[int] = []
    for number, page in enumerate(reader.pages, start=1):
        try:
            pages.append(_page_lines(page.extract_text() or ""))
        except MemoryError:
            raise
        except Exception:  # one broken page should not lose the others
            failed.append(number)
            pages.append([])
    if len(failed) == page_count:
        raise IngestError(filename, "corrupt", _DAMAGED.format("no page could be read"))
    if failed:
        warnings.append(f"page(s) {_numbers(failed)} could not be read and were skipped")

    blank = [n for n, lines in enumerate(pages, start=1) if not any(lines)]
    if len(blank) == page_count:
        # A scan: keep the file so it can be OCRed later, with no text for now.
        return ReadResult(
            text="", format="pdf", needs_ocr=True, warnings=["the PDF has no text layer"]
        )
    if blank and len(blank) > len(failed):
        warnings.append(f"page(s) {_numbers(blank)} have no text layer (scanned?)")
    # Pages end without a blank line: a paragraph may run on to the next page.
    text = to_text(join_lines(_strip_page_furniture(pages)))
    return ReadResult(text=text, format="pdf", warnings=warnings)


def _numbers(numbers: list[int]) -> str:
    return ", ".join(map(str, numbers))


def _short(exc: Exception) -> str:
    message = " ".join(str(exc).split()) or type(exc).__name__
    return message if len(message) <= 120 else message[:117] + "..."
