"""Title: the first header line that is neither a date, a document symbol nor an issuer.

"Security Council Press Statement on … – 4 September 2016" and "Déclaration … (Münster,
4 novembre 2022)" lose their trailing date; an all-capitals "COMMUNIQUÉ" becomes "Communiqué".
"""

from __future__ import annotations

import re

from .dates import find_dates
from .lexicon import GENERIC_BODIES
from .orgs import whole_line_org
from .text import normalize_digits

_DOCUMENT_SYMBOL = re.compile(r"^[A-Z]{1,6}/[\w./()-]+$")  # "SC/12649", "PSC/PR/COMM.(DCCCLXV)"
_PRESS_RELEASE_NUMBER = re.compile(r"^Press Release \(\d{4}\) \d+$", re.IGNORECASE)


def _is_date_line(line: str) -> bool:
    """A line that is (almost) only a date: 'October 10, 2023', 'dimanche 8 avril 2012'."""
    spans = find_dates(line)
    if not spans:
        return False
    rest = normalize_digits(line)[: spans[0].start] + normalize_digits(line)[spans[0].end :]
    return len(rest.split()) <= 2 and not rest.strip().endswith(",")


def _strip_trailing_date(line: str) -> str:
    spans = find_dates(line)
    if not spans:
        return line
    cut = line[: spans[0].start]
    cut = re.sub(r"\s*[(–—-]\s*[^()–—-]*$", "", cut) if re.search(r"[(–—-]", cut) else cut
    return cut.strip(" ,–—-(") or line


def extract_title(header: list[str]) -> str:
    for line in header:
        if (
            _is_date_line(line)
            or _DOCUMENT_SYMBOL.match(line)
            or _PRESS_RELEASE_NUMBER.match(line)
            or whole_line_org(line)
            or line in GENERIC_BODIES
        ):
            continue
        title = _strip_trailing_date(line)
        if title.isupper():
            title = title[:1] + title[1:].lower()
        return title
    return ""
