"""Text plumbing shared by the field extractors: digits, paragraphs, header, sentences."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .lexicon import ABBREVIATIONS

# Arabic-Indic (U+0660..) and Persian (U+06F0..) digits -> ASCII, so one set of patterns reads
# "١٠ تشرين الأول ٢٠٢٣" and "10 October 2023" alike.
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")

# A header line is short and is not a sentence (no final period), e.g. "Final communique",
# "General Assembly", "October 10, 2023", "Issued on 11 Jul. 2018".
_MAX_HEADER_LINES = 6
_MAX_HEADER_CHARS = 160
_NUMBERED_PARAGRAPH = re.compile(r"^\s*\d+\.\s")
_DATE_END = re.compile(r"\b\d{4}\s*\)?$")


def normalize_digits(text: str) -> str:
    """Replace Arabic-Indic and Persian digits by ASCII digits (same length, same offsets)."""
    return text.translate(_DIGITS)


def lines(text: str) -> list[str]:
    """Non-empty, stripped lines: one paragraph or header line each."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def is_header_line(line: str) -> bool:
    """Short, not numbered, and not ending like a sentence (a date may end with 'Jul. 2018')."""
    if len(line) > _MAX_HEADER_CHARS or _NUMBERED_PARAGRAPH.match(line):
        return False
    return not line.endswith((".", ":", ";", ",")) or bool(_DATE_END.search(line))


@dataclass(frozen=True)
class Layout:
    """A communiqué split into its header lines and its body paragraphs."""

    header: list[str]
    paragraphs: list[str]


def layout(text: str) -> Layout:
    """Leading header lines, then everything else as paragraphs.

    A single-line text is all body: a header needs a body under it.
    """
    all_lines = lines(text)
    header: list[str] = []
    for line in all_lines[:_MAX_HEADER_LINES]:
        if not is_header_line(line) or len(header) == len(all_lines) - 1:
            break
        header.append(line)
    return Layout(header=header, paragraphs=all_lines[len(header) :])


_PROTECT = "\ue000"  # stands in for the period of an abbreviation while splitting
_SENTENCE_END = re.compile(r"(?<=[.!?؟])[\"”’)]?\s+(?=[\"“(]?[\w\u0600-\u06FF])")


def sentences(paragraph: str) -> list[str]:
    """Split a paragraph into sentences, keeping 'H.E.', 'Jul.' and 'M.' inside them."""
    protected = paragraph
    for abbreviation in ABBREVIATIONS:
        pattern = r"(?<![\w.])" + re.escape(abbreviation)
        protected = re.sub(pattern, abbreviation.replace(".", _PROTECT), protected)
    parts = _SENTENCE_END.split(protected)
    return [part.replace(_PROTECT, ".").strip() for part in parts if part.strip()]


def has_arabic(text: str) -> bool:
    return any("\u0600" <= char <= "\u06ff" for char in text)
