"""Date of issue and meeting date.

Rules, in order of trust:
- ISSUED_ON: "Issued on 11 Jul. 2018" anywhere in the header.
- HEADER_DATE: the first header line holding a date ("October 10, 2023", "20 DECEMBER 2016",
  "… – 4 September 2016", "(Münster, 4 novembre 2022)", "٣٠ تشرين أول ٢٠١٨").
- MEETING_FALLBACK: a statement without a dated header is issued at the close of its meeting,
  so its date is the meeting's last day ("held its periodic meeting … on November 17-18, 2023").
Meeting date:
- MEETING_EXPLICIT: a date right after a meeting word ("met in Elmau on 26-28 June 2022").
- MEETING_WEEKDAY: "convened … on Monday" -> that weekday on or before the header date.
- DATELINE: "(Münster, 4 novembre 2022)" dates the meeting held at the dateline's place.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import dateparser

from .lexicon import LEVANTINE_MONTHS, MEETING_WORDS, WEEKDAYS
from .text import normalize_digits

# Month names dateparser parses (English, French, Modern Standard Arabic) plus the Levantine
# ones it does not; only used to *find* candidate dates, dateparser does the parsing.
_MONTHS = (
    "January|February|March|April|May|June|July|August|September|October|November|December|"
    "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|"
    "janvier|février|fevrier|mars|avril|mai|juin|juillet|août|aout|septembre|octobre|novembre|"
    "décembre|decembre|"
    "يناير|فبراير|مارس|أبريل|ابريل|مايو|يونيو|يوليو|أغسطس|اغسطس|سبتمبر|أكتوبر|اكتوبر|نوفمبر|"
    "ديسمبر|" + "|".join(sorted(LEVANTINE_MONTHS, key=len, reverse=True))
)
# Arabic may carry diacritics (tashkeel) and tatweel inside a month name: "تِشْرِين الأوَّل".
_ARABIC_MARKS = "[\u064b-\u0652\u0640]"


def _tolerant(name: str) -> str:
    """A month name as a pattern: Arabic letters may carry marks, spaces may repeat."""
    out = []
    for char in name:
        if char == " ":
            out.append(r"\s+")
        else:
            out.append(
                re.escape(char) + (f"{_ARABIC_MARKS}*" if "\u0600" <= char <= "\u06ff" else "")
            )
    return "".join(out)


_MONTHS = "|".join(_tolerant(name) for name in _MONTHS.split("|"))
_DAY = r"(?P<d1>\d{1,2})(?:er)?(?:\s*[-–]\s*(?P<d2>\d{1,2}))?"
# Syrian and Lebanese texts often give both calendars' names: "5 آذار/مارس 2020",
# "12 أيار (مايو) 2022"; the second name is the same month.
_SECOND_MONTH = rf"(?:\s*(?:/|\()\s*(?:{_MONTHS})\s*\)?)?"
# "7 August 2019", "11-12 July 2018", "1er mars 2022", "٣٠ تشرين أول ٢٠١٨"
_DAY_FIRST = re.compile(
    rf"(?<!\d){_DAY}\s+(?P<m>{_MONTHS}){_SECOND_MONTH}\.?,?\s+(?P<y>\d{{4}})(?!\d)",
    re.IGNORECASE,
)
# "October 10, 2023", "November 17-18, 2023"
_MONTH_FIRST = re.compile(
    rf"(?<![\w])(?P<m>{_MONTHS})\.?\s+{_DAY},?\s+(?P<y>\d{{4}})(?!\d)", re.IGNORECASE
)
_ISSUED_ON = re.compile(r"\b(?:issued|adopted|published)\s+on\b", re.IGNORECASE)
# "(Münster, " or "Elmau, " right before a header date: the place a dateline names.
_DATELINE = re.compile(r"(?:^|\()\s*[A-ZÀ-Ý][\w\s’'-]{1,40},\s*$")
_SETTINGS = {"PREFER_DATES_FROM": "past", "REQUIRE_PARTS": ["day", "month", "year"]}
_MEETING = re.compile(r"(?<!\w)(?:" + "|".join(MEETING_WORDS) + r")(?!\w)", re.IGNORECASE)
_WEEKDAY = re.compile(r"(?<!\w)(" + "|".join(WEEKDAYS) + r")(?!\w)", re.IGNORECASE)
_NEAR_MEETING = 80  # characters after a meeting word in which its date or weekday is stated


@dataclass(frozen=True)
class DateSpan:
    """A found date; a range '17-18' keeps both days."""

    first: dt.date
    last: dt.date
    start: int  # offset in the searched text
    end: int


def _to_date(day: str, month: str, year: str) -> dt.date | None:
    levantine = LEVANTINE_MONTHS.get(month)
    if levantine:
        try:
            return dt.date(int(year), levantine, int(day))
        except ValueError:
            return None
    parsed = dateparser.parse(
        f"{day} {month} {year}", settings=_SETTINGS, languages=["en", "fr", "ar"]
    )
    return parsed.date() if parsed else None


def find_dates(text: str) -> list[DateSpan]:
    """All full dates (day, month, year) in the text, in order."""
    text = normalize_digits(text)
    found: list[DateSpan] = []
    for pattern in (_DAY_FIRST, _MONTH_FIRST):
        for match in pattern.finditer(text):
            if any(span.start <= match.start() < span.end for span in found):
                continue
            month = re.sub(r"\s+", " ", re.sub(_ARABIC_MARKS, "", match.group("m")))
            first = _to_date(match.group("d1"), month, match.group("y"))
            last = _to_date(match.group("d2") or match.group("d1"), month, match.group("y"))
            if first and last:
                found.append(DateSpan(first, last, match.start(), match.end()))
    return sorted(found, key=lambda span: span.start)


def _search_dates_fallback(line: str) -> dt.date | None:
    """Header lines in a layout the patterns miss ('10/10/2023'): ask dateparser to search."""
    from dateparser.search import search_dates

    if not re.search(r"\d{4}", line):
        return None
    try:
        hits = search_dates(line, settings=_SETTINGS, languages=["en", "fr", "ar"])
    except Exception:  # dateparser can fail on odd input; a missing date is the safe answer
        return None
    return hits[0][1].date() if hits else None


def issue_date(header: list[str]) -> dt.date | None:
    """ISSUED_ON, then HEADER_DATE."""
    for line in header:
        match = _ISSUED_ON.search(line)
        spans = find_dates(line[match.end() :]) if match else []
        if spans:
            return spans[0].first
    for line in header:
        spans = find_dates(line)
        if spans:
            return spans[0].last
    for line in header:
        fallback = _search_dates_fallback(normalize_digits(line))
        if fallback:
            return fallback
    return None


@dataclass(frozen=True)
class Meeting:
    """Where the meeting is described: its sentence and the offset right after the verb."""

    sentence: str
    after: int


def first_meeting_sentence(sentences: list[str]) -> Meeting | None:
    """The first sentence using a meeting word: the one describing this communiqué's meeting."""
    for sentence in sentences:
        match = _MEETING.search(sentence)
        if match:
            return Meeting(sentence, match.end())
    return None


def meeting_dates(meeting: Meeting | None, header_date: dt.date | None) -> DateSpan | None:
    """MEETING_EXPLICIT, then MEETING_WEEKDAY."""
    if meeting is None:
        return None
    window = normalize_digits(meeting.sentence)[meeting.after : meeting.after + _NEAR_MEETING]
    spans = find_dates(window)
    if spans:
        return spans[0]
    weekday = _WEEKDAY.search(window)
    if weekday and header_date:
        wanted = WEEKDAYS[weekday.group(1).lower()]
        back = (header_date.weekday() - wanted) % 7
        day = header_date - dt.timedelta(days=back)
        return DateSpan(day, day, 0, 0)
    return None


def dateline(header: list[str]) -> tuple[str, dt.date] | None:
    """DATELINE: '(Münster, 4 novembre 2022)' or 'Elmau, 28 June 2022' -> (place, date)."""
    for line in header:
        for span in find_dates(line):
            before = normalize_digits(line)[: span.start]
            match = _DATELINE.search(before)
            if match:
                place = match.group().strip(" (,")
                return place, span.first
    return None
