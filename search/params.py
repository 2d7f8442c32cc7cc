"""A search's state: what the URL says, checked, and how to write it back into a URL.

Every state of the page lives in its query string (shareable, bookmarkable, safe with the
back button), so the same SearchParams drive the page, the API, the exports and the feed.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from urllib.parse import quote_plus, urlencode

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from search.facets import FACETS
from search.query import ParsedQuery

PAGE_SIZE = 20
# Deeper pages cost every engine more than they help anyone: filters narrow better.
MAX_PAGE = 500

# sort parameter -> (label, engine order_by); "" is the default (see SearchParams.sort_key).
SORTS: dict[str, tuple[str, list[str]]] = {
    "relevance": (_("Relevance"), []),
    "-date": (_("Newest first"), ["-date"]),
    "date": (_("Oldest first"), ["date"]),
}

_MARK = "\0"  # a value no URL holds: where a link puts its own part (SearchParams._around)

_PERIOD = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")


@dataclass(frozen=True)
class Period:
    """A year, a month or a day, as typed in the URL: date_from=2015, date_to=2016-03."""

    text: str
    start: date
    end: date


def parse_period(text: str) -> Period:
    """Raises ValueError with a message a user can act on."""
    match = _PERIOD.match(text.strip())
    if not match:
        raise ValueError(
            gettext(
                "“%(text)s” is not a date: write a year (2015), a month (2015-03) "
                "or a day (2015-03-21)."
            )
            % {"text": text[:40]}
        )
    year, month, day = (int(g) if g else None for g in match.groups())
    if not 1 <= year <= 9999:
        raise ValueError(gettext("%(year)s is not a year.") % {"year": year})
    if month is None:
        return Period(f"{year:04d}", date(year, 1, 1), date(year, 12, 31))
    if not 1 <= month <= 12:
        raise ValueError(
            gettext("“%(text)s”: the month must be between 01 and 12.") % {"text": text}
        )
    last = calendar.monthrange(year, month)[1]
    if day is None:
        return Period(f"{year:04d}-{month:02d}", date(year, month, 1), date(year, month, last))
    if not 1 <= day <= last:
        raise ValueError(
            gettext("“%(text)s”: that month has no day %(day)s.") % {"text": text, "day": day}
        )
    day_date = date(year, month, day)
    return Period(day_date.isoformat(), day_date, day_date)


@dataclass(frozen=True)
class SearchParams:
    query: ParsedQuery
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)  # facet -> keys
    date_from: Period | None = None
    date_to: Period | None = None
    sort: str = ""  # a key of SORTS, or "" for the default
    page: int = 1

    @property
    def sort_key(self) -> str:
        """Relevance when there is a query; newest first when listing everything."""
        if self.sort:
            return self.sort
        return "-date" if self.query.is_empty else "relevance"

    def selected(self, facet: str) -> tuple[str, ...]:
        return self.filters.get(facet, ())

    def items(self) -> list[tuple[str, str]]:
        """The URL query string items, in a stable order; defaults left out."""
        items: list[tuple[str, str]] = []
        if self.query.source:
            items.append(("q", self.query.source))
        for facet in FACETS:
            items.extend((facet.name, key) for key in self.selected(facet.name))
        if self.date_from:
            items.append(("date_from", self.date_from.text))
        if self.date_to:
            items.append(("date_to", self.date_to.text))
        if self.sort:
            items.append(("sort", self.sort))
        if self.page > 1:
            items.append(("page", str(self.page)))
        return items

    def url(self, path: str = "/search/", **changes) -> str:
        """This search with `changes` (any field of SearchParams); back to page 1 unless given."""
        changes.setdefault("page", 1)
        query = urlencode(replace(self, **changes).items())
        return f"{path}?{query}" if query else path

    def toggle_url(self, facet: str, path: str = "/search/") -> Callable[[str], str]:
        """key -> self.url(path, filters=self.toggled(facet, key)), for every value of a facet.

        A page links up to 100 values of each facet; the query string around the facet's own
        keys is the same for all of them, so it is encoded once, at the first link drawn (the
        JSON API draws none)."""
        around: list[str] = []
        name, selected = quote_plus(facet), self.selected(facet)

        def url(key: str) -> str:
            if not around:
                chosen = urlencode([(facet, k) for k in selected])
                before, after = self._around(filters={**self.filters, facet: (_MARK,)})
                # The usual link, a key not chosen: the keys chosen so far, then this one.
                head = "&".join(p for p in (before, chosen) if p)
                around.extend(
                    (
                        before,
                        after,
                        f"{path}?{head}{'&' if head else ''}{name}=",
                        f"&{after}" if after else "",
                    )
                )
            before, after, head, tail = around
            if key not in selected:
                return head + quote_plus(key) + tail
            # A chosen key's link takes it out.
            keys = urlencode([(facet, k) for k in self.toggled(facet, key).get(facet, ())])
            query = "&".join(p for p in (before, keys, after) if p)
            return f"{path}?{query}" if query else path

        return url

    def period_url(self, path: str = "/search/") -> Callable[[Period], str]:
        """period -> self.url(path, date_from=period, date_to=period), for every bar of the
        timeline: the query around the dates is encoded once."""
        marker = Period(_MARK, date.min, date.min)
        before, after = self._around(date_from=marker, date_to=marker)

        def url(period: Period) -> str:
            text = quote_plus(period.text)
            query = "&".join(p for p in (before, f"date_from={text}&date_to={text}", after) if p)
            return f"{path}?{query}"

        return url

    def _around(self, **changes) -> tuple[str, str]:
        """This search at page 1 with `changes`, encoded as two parts: the items before those
        whose value is _MARK, and the items after them (the marked ones left out, for a link
        to put its own there)."""
        items = replace(self, page=1, **changes).items()
        at = next(n for n, (_name, value) in enumerate(items) if value == _MARK)
        return urlencode(items[:at]), urlencode([i for i in items[at:] if i[1] != _MARK])

    def toggled(self, facet: str, key: str) -> dict[str, tuple[str, ...]]:
        keys = self.selected(facet)
        new = tuple(k for k in keys if k != key) if key in keys else (*keys, key)
        filters = {**self.filters, facet: new}
        return {name: keys for name, keys in filters.items() if keys}
