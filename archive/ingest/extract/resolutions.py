"""Resolutions cited, normalised to "UNSC Resolution 2254 (2015)".

Rules:
- RESOLUTION_LIST: "resolution(s)" (résolution, القرار, قراري …) followed, possibly after the
  body's name, by numbers each with an optional "(year)", joined by commas, "and", "et", "و":
  "Resolutions 2254 and 2118" are two resolutions.
- BODY: the Security Council unless the General Assembly is named next to the citation
  ("résolution 2254 (2015) du Conseil de sécurité", "UNSCR 2254").
- MERGE: one entry per (body, number); a year stated anywhere is kept ("2254 (2015)" later in
  the text completes an earlier "2254").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .text import normalize_digits

_ANCHOR = (
    r"(?:resolutions?|Resolutions?|UNSCRs?|UNSC resolutions?|résolutions?|Résolutions?|"
    r"القرارات|القرار|قرارات|قراراي|قراري|قرار)"
)
# What may stand between the anchor word and the first number: "(UNSCR)", "مجلس الأمن".
_GAP = r"(?:\s*\([A-Z]+\))?(?:\s+(?:مجلس الأمن|مجلس الأمن الدولي|الأممي|الدولي|رقم|No\.|n°))*"
_NUMBER = r"(\d{1,4})(?:\s*\((\d{4})\))?"
_SEPARATOR = r"(?:\s*,\s*(?:and\s+|et\s+)?|\s+and\s+|\s+et\s+|\s+و\s*|\s*،\s*)"
_CITATION = re.compile(
    rf"(?:(?<!\w)|(?<=\s[وبل])){_ANCHOR}{_GAP}\s*(?P<numbers>{_NUMBER}(?:{_SEPARATOR}{_NUMBER})*)(?![\d/])"
)
_ONE = re.compile(_NUMBER)
_GENERAL_ASSEMBLY = re.compile(r"General Assembly|Assemblée générale|الجمعية العامة")
_CONTEXT = 60


@dataclass(frozen=True)
class ResolutionRef:
    body: str
    number: int
    year: int | None = None

    def __str__(self) -> str:
        year = f" ({self.year})" if self.year else ""
        return f"{self.body} Resolution {self.number}{year}"


def find_resolutions(text: str) -> list[ResolutionRef]:
    text = normalize_digits(text)
    merged: dict[tuple[str, int], int | None] = {}
    for citation in _CITATION.finditer(text):
        around = text[max(0, citation.start() - _CONTEXT) : citation.end() + _CONTEXT]
        body = "UNGA" if _GENERAL_ASSEMBLY.search(around) else "UNSC"
        for number, year in _ONE.findall(citation.group("numbers")):
            key = (body, int(number))
            known = merged.get(key)
            merged[key] = known or (int(year) if year else None)
    return [ResolutionRef(body, number, year) for (body, number), year in merged.items()]
