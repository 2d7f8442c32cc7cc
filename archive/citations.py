"""How to cite a communiqué: BibTeX, RIS, CSL-JSON and a Chicago-style sentence.

Pure functions of a `CitationRecord`, so that a live communiqué and the tombstone of a
deleted one (whose permalink answers 410 with its citation) are cited the same way.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass

MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


@dataclass(frozen=True)
class CitationRecord:
    public_id: str
    title: str
    url: str  # the absolute permalink
    accessed: dt.date
    organization: str = ""
    body: str = ""
    date: dt.date | None = None
    language: str = ""  # ISO 639-1 code of the version cited
    original_language: str = ""  # when the version cited is a translation: the original's


def record_for(communique, url: str, accessed: dt.date) -> CitationRecord:
    return CitationRecord(
        public_id=communique.public_id,
        title=communique.title,
        url=url,
        accessed=accessed,
        organization=communique.issuer.name if communique.issuer_id else "",
        body=communique.issuer_body,
        date=communique.date,
        language=communique.language,
        original_language=(
            communique.translation_of.language if communique.translation_of_id else ""
        ),
    )


def record_for_tombstone(tombstone, url: str, accessed: dt.date) -> CitationRecord:
    return CitationRecord(
        public_id=tombstone.public_id,
        title=tombstone.title,
        url=url,
        accessed=accessed,
        organization=tombstone.issuer,
        date=tombstone.date,
    )


def long_date(day: dt.date) -> str:
    """October 10, 2023: written out, not locale-dependent, as Chicago asks."""
    return f"{MONTHS[day.month - 1]} {day.day}, {day.year}"


def chicago(rec: CitationRecord) -> str:
    """Organization. "Title." Issuing body, Month D, YYYY. URL (accessed Month D, YYYY)."""
    parts = []
    if rec.organization:
        parts.append(_end(rec.organization))
    parts.append(f"“{_end(rec.title)}”")
    issued = ", ".join(p for p in (rec.body, long_date(rec.date) if rec.date else "") if p)
    if issued:
        parts.append(_end(issued))
    version = language_note(rec)
    if version:
        parts.append(version)
    parts.append(f"{rec.url} (accessed {long_date(rec.accessed)}).")
    return " ".join(parts)


def language_name(code: str) -> str:
    """ "Arabic" for "ar", in English whatever the interface language; the code if unknown."""
    from django.conf.locale import LANG_INFO

    return LANG_INFO.get((code or "").lower(), {}).get("name", code)


def language_note(rec: CitationRecord) -> str:
    """Which language was cited: "In Arabic.", "English translation from the Arabic."

    An English original needs no note (the citation is in English); anything else does.
    """
    if rec.original_language and rec.original_language != rec.language:
        return (
            f"{language_name(rec.language)} translation from the "
            f"{language_name(rec.original_language)}."
        )
    if rec.language and rec.language != "en":
        return f"In {language_name(rec.language)}."
    return ""


def _end(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "?", "!")) else text + "."


# One pass over the text: escaping the braces after writing \textbackslash{} escaped its own
# braces too ("\textbackslash\{\}", a backslash and two braces in the printed title).
_BIBTEX_ESCAPES = {
    **{char: "\\" + char for char in "&%$#_{}"},
    "\\": r"\textbackslash{}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_BIBTEX_SPECIAL = re.compile("|".join(re.escape(char) for char in _BIBTEX_ESCAPES))


def _bib(text: str) -> str:
    return _BIBTEX_SPECIAL.sub(lambda match: _BIBTEX_ESCAPES[match.group()], text)


def bibtex(rec: CitationRecord) -> str:
    fields = [("title", "{" + _bib(rec.title) + "}")]
    if rec.organization:
        # Double braces: a corporate author, not "Coalition, Syrian Opposition".
        fields.append(("author", "{" + _bib(rec.organization) + "}"))
        fields.append(("organization", _bib(rec.organization)))
    if rec.body:
        fields.append(("note", f"Issued by the {_bib(rec.body)}"))
    if rec.date:
        fields += [("year", str(rec.date.year)), ("month", MONTHS[rec.date.month - 1][:3].lower())]
        fields.append(("date", rec.date.isoformat()))
    if rec.language:
        fields.append(("language", rec.language))
    if rec.original_language and rec.original_language != rec.language:
        fields.append(("origlanguage", rec.original_language))  # biblatex: a translation
    fields += [("url", rec.url), ("urldate", rec.accessed.isoformat())]
    body = ",\n".join(
        f"  {name} = {value}" if name == "month" else f"  {name} = {{{value}}}"
        for name, value in fields
    )
    return f"@misc{{bayan-{rec.public_id},\n{body}\n}}\n"


def ris(rec: CitationRecord) -> str:
    lines = [("TY", "PRESS"), ("ID", f"bayan-{rec.public_id}"), ("TI", rec.title)]
    if rec.organization:
        lines += [("AU", rec.organization), ("PB", rec.organization)]
    if rec.body:
        lines.append(("A2", rec.body))
    if rec.date:
        lines += [("PY", str(rec.date.year)), ("DA", rec.date.strftime("%Y/%m/%d"))]
    if rec.language:
        lines.append(("LA", rec.language))
    lines += [("UR", rec.url), ("Y2", rec.accessed.strftime("%Y/%m/%d")), ("ER", "")]
    # RIS fields are one line each: a title that spans lines would end the field early.
    return "".join(f"{tag}  - {' '.join(value.split())}\r\n" for tag, value in lines)


def csl_item(rec: CitationRecord) -> dict:
    item: dict = {
        "id": f"bayan-{rec.public_id}",
        "type": "document",
        "genre": "Communiqué",
        "title": rec.title,
        "URL": rec.url,
        "accessed": {"date-parts": [_parts(rec.accessed)]},
    }
    if rec.organization:
        item["author"] = [{"literal": rec.organization}]
        item["publisher"] = rec.organization
    if rec.body:
        item["authority"] = rec.body
    if rec.date:
        item["issued"] = {"date-parts": [_parts(rec.date)]}
    if rec.language:
        item["language"] = rec.language
    return item


def csl_json(rec: CitationRecord) -> str:
    """A CSL-JSON document: a list of items, as Zotero and citeproc expect."""
    return json.dumps([csl_item(rec)], ensure_ascii=False, indent=2)


def _parts(day: dt.date) -> list[int]:
    return [day.year, day.month, day.day]
