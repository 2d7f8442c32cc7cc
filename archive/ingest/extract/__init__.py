"""Structured fields from the plain text of a communiqué.

    from archive.ingest.extract import extract
    record = extract(text)          # never raises
    record.as_json()                # the JSON contract (see Extraction.as_json)

Each field has its own small module; every vocabulary is in `lexicon.py`.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Any

from . import dates
from .demands import Demand, extract_demands
from .issuer import extract_issuer
from .language import detect_language
from .meeting import meeting_place
from .orgs import find_orgs
from .participants import Participant, extract_participants
from .places import Place, find_places
from .resolutions import ResolutionRef, find_resolutions
from .text import layout, sentences
from .title import extract_title

__all__ = ["Demand", "Extraction", "Participant", "Place", "ResolutionRef", "extract"]

log = logging.getLogger(__name__)

# The rules read this many characters at most: communiqués are short, and the rules are linear
# but not free; a huge paste must not stall an import. The text itself is kept whole.
MAX_CHARS = 200_000


@dataclass
class Extraction:
    title: str = ""
    issuer: str = ""
    issuer_acronym: str = ""
    issuer_body: str = ""
    date: dt.date | None = None
    meeting_date: dt.date | None = None
    meeting_place: str = ""
    language: str = ""
    paragraphs: list[str] = field(default_factory=list)
    participants: list[Participant] = field(default_factory=list)
    demands: list[Demand] = field(default_factory=list)
    places: list[Place] = field(default_factory=list)
    resolutions: list[ResolutionRef] = field(default_factory=list)
    organizations: list[str] = field(default_factory=list)
    read_chars: int | None = None  # set when the rules read only the beginning of the text

    def as_json(self) -> dict[str, Any]:
        """The JSON contract: these keys exactly; missing values are "" or []."""
        return {
            "title": self.title,
            "issuer": self.issuer,
            "issuer_body": self.issuer_body,
            "date": self.date.isoformat() if self.date else "",
            "meeting_date": self.meeting_date.isoformat() if self.meeting_date else "",
            "meeting_place": self.meeting_place,
            "language": self.language,
            "participants": [
                {"name": p.name, "role": p.role, "organization": p.organization}
                for p in self.participants
            ],
            "demands": [{"text": d.text, "addressee": list(d.addressees)} for d in self.demands],
            "places": [place.name for place in self.places],
            "resolutions": [str(ref) for ref in self.resolutions],
        }


def extract(text: str) -> Extraction:
    """Fill an Extraction from a communiqué's text; any failure leaves fields empty."""
    try:
        return _extract(text if isinstance(text, str) else "")
    except Exception:  # a bad document must never break an import: log it, return empties
        log.exception("extraction failed; returning an empty record")
        return Extraction()


def _extract(text: str) -> Extraction:
    text = text.replace("\r\n", "\n").replace("\x00", "")
    whole = layout(text)
    record = Extraction(paragraphs=whole.paragraphs)
    if len(text) > MAX_CHARS:
        # Every paragraph is kept; the rules below read the first MAX_CHARS characters.
        text, record.read_chars = text[:MAX_CHARS], MAX_CHARS
    parts = layout(text) if record.read_chars else whole
    record.language = detect_language(text)
    record.title = extract_title(parts.header)
    issuer = extract_issuer(parts.header, parts.paragraphs)
    record.issuer, record.issuer_acronym, record.issuer_body = (
        issuer.name,
        issuer.acronym,
        issuer.body,
    )

    # The title names the kind of meeting ("Summit Declaration"), not when or where it was held.
    header = [line for line in parts.header if not (record.title and line.startswith(record.title))]
    all_sentences = [s for block in (*header, *parts.paragraphs) for s in sentences(block)]
    meeting = dates.first_meeting_sentence(all_sentences)
    header_date = dates.issue_date(parts.header)
    dated_meeting = dates.meeting_dates(meeting, header_date)
    dateline = dates.dateline(parts.header)
    record.meeting_date = dated_meeting.first if dated_meeting else None
    if record.meeting_date is None and dateline:
        record.meeting_date = dateline[1]
    record.date = header_date or (dated_meeting.last if dated_meeting else None)
    record.meeting_place = meeting_place(meeting, dateline[0] if dateline else "")

    record.participants = extract_participants(parts.paragraphs)
    record.demands = extract_demands(parts.paragraphs, record.language, record.participants)
    record.places = find_places(text)
    record.resolutions = find_resolutions(text)
    record.organizations = list(dict.fromkeys(m.org.name for m in find_orgs(text)))
    return record
