"""Shared clean-up: turn extracted lines into one paragraph per line.

Plain-text files and PDF text layers both arrive as hard-wrapped lines. The search index and
the statement page want paragraphs, so wrapped lines are joined back together here.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

# Invisible characters that only get in the way of search. ZWNJ/ZWJ (U+200C/D) are kept:
# they change how Persian and Urdu words are spelled.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\ufeff\u2060\u00ad"), None)
# C0/C1 control characters other than tab and newline: junk from bad encodings or PDFs.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SPACES = re.compile(r"[^\S\n]+")

_SENTENCE_END = frozenset(".!?:;…؟۔。")
_CLOSERS = "\"'”’»)]"
# A line that starts a list item must not be glued onto the line before it.
_LIST_ITEM = re.compile(r"^(?:[-*•▪◦–·]|\(?[0-9٠-٩]{1,3}[.)]|\(?[a-zA-Z]\))\s")
_HYPHENATED = re.compile(r"[^\W\d_]-$")


def normalize(text: str) -> str:
    """NFC, Unix newlines, no control or invisible characters, single spaces."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n")
    text = text.replace("\u2028", "\n").replace("\u2029", "\n")
    text = text.replace("\u00ad\n", "")  # a soft hyphen at a line end splits one word
    text = unicodedata.normalize("NFC", text).translate(_INVISIBLE)
    text = _CONTROL.sub("", text)
    return _SPACES.sub(" ", text)


def ends_sentence(line: str) -> bool:
    stripped = line.rstrip(_CLOSERS)
    return bool(stripped) and stripped[-1] in _SENTENCE_END


def _starts_lowercase(line: str) -> bool:
    return line[:1].islower()


def _wrap_width(lines: list[str]) -> int:
    """The width the text was wrapped at: a high percentile of line lengths."""
    lengths = sorted(len(line) for line in lines if line)
    if len(lengths) < 3:
        return 0
    return lengths[int(len(lengths) * 0.9) - 1]


def _continues(previous: str, line: str, width: int) -> bool:
    if _LIST_ITEM.match(line) or ends_sentence(previous):
        return False
    if _starts_lowercase(line):
        return True
    # A line that reaches (almost) the right margin was wrapped, not ended. Only trusted
    # when the text really is wrapped at a normal width, not a list of short lines.
    return width >= 40 and len(previous) >= 0.8 * width


def join_lines(lines: Iterable[str]) -> list[str]:
    """Join wrapped lines into paragraphs; an empty line always ends a paragraph."""
    lines = [line.strip() for line in lines]
    width = _wrap_width(lines)
    paragraphs: list[str] = []
    current = ""
    last_line = ""  # the wrap rule looks at the last physical line, not the paragraph
    for line in lines:
        if not line:
            if current:
                paragraphs.append(current)
            current = ""
        elif not current:
            current = line
        elif _HYPHENATED.search(current) and _starts_lowercase(line):
            current = current[:-1] + line  # "govern-" + "ment" -> "government"
        elif _continues(last_line, line, width):
            current = f"{current} {line}"
        else:
            paragraphs.append(current)
            current = line
        last_line = line
    if current:
        paragraphs.append(current)
    return paragraphs


def to_text(paragraphs: Iterable[str]) -> str:
    """One paragraph per line, blank lines and stray spaces dropped."""
    kept = (" ".join(p.split()) for p in paragraphs)
    return "\n".join(p for p in kept if p)
