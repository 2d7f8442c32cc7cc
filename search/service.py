"""The one search function behind the page, the API, the exports and the feed.

It speaks only Haystack's SearchQuerySet, so the same code runs on Whoosh, Elasticsearch or
Solr; what Whoosh needs beyond that lives in search.backend.

Faceting is multi-select: several values of one facet combine with OR, facets combine with
AND, and the counts of facet F are computed with every filter except F's own, so that the
sidebar shows what choosing another value of F would give. That costs one extra engine call
per facet that has a selection; the main call counts the others.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property

from django.conf import settings
from django.urls import reverse
from django.utils.dateformat import format as date_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import ngettext
from haystack import connections
from haystack.inputs import Raw
from haystack.query import SearchQuerySet

from archive.models import Communique
from search.facets import FACETS, MONTH_FIELD, Facet, labels_of
from search.forms import SearchForm
from search.highlighting import MARK_END, MARK_START
from search.params import PAGE_SIZE, SORTS, Period, SearchParams, parse_period
from search.query import Not, Or, is_negative_only, parse, render

FACET_LIMIT = 100  # values per facet fetched from the engine
FACET_VISIBLE = 8  # values shown before "more"
TIMELINE_LIMIT = 2000


class SearchError(ValueError):
    """The request cannot be answered as asked; the message says why (a 400, not a 500)."""


# -- Results ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Hit:
    pk: int
    id: str  # the public id
    permalink: str
    title: str
    issuer: str
    date: date | None
    language: str
    summary: str
    highlights: tuple[SafeString, ...] = ()

    def as_json(self, absolute) -> dict:
        return {
            "id": self.id,
            "permalink": absolute(self.permalink),
            "title": self.title,
            "issuer": self.issuer,
            "date": self.date.isoformat() if self.date else None,
            "highlights": [str(h) for h in self.highlights],
        }


# Not frozen: a page builds some 600 of these, and a frozen dataclass's __init__ sets each
# field through object.__setattr__ (2.4 µs a value against 1.0, measured).
@dataclass(slots=True)
class FacetValue:
    key: str
    label: str
    count: int
    selected: bool
    # key -> URL (SearchParams.toggle_url): `url` is built when a page draws it (the JSON
    # API never does; building up to 100 URLs per facet cost more than counting them).
    toggle_url: Callable[[str], str] = field(repr=False, compare=False)

    @property
    def url(self) -> str:
        """This search with the value toggled."""
        return self.toggle_url(self.key)


@dataclass(frozen=True)
class FacetCounts:
    facet: Facet
    values: tuple[FacetValue, ...]

    @property
    def visible(self) -> tuple[FacetValue, ...]:
        return self.values[:FACET_VISIBLE]

    @property
    def more(self) -> tuple[FacetValue, ...]:
        return self.values[FACET_VISIBLE:]


@dataclass(frozen=True)
class Bucket:
    key: str  # "2015" or "2015-03"
    label: str
    count: int
    height: int  # percent of the tallest bucket
    # period -> URL (SearchParams.period_url): `url` is made when a page draws it, which the
    # JSON API never does.
    link: Callable[[Period], str] = field(repr=False, compare=False)

    @cached_property
    def url(self) -> str:
        """This search narrowed to the bucket's dates."""
        return self.link(parse_period(self.key))


@dataclass
class SearchPage:
    params: SearchParams
    total: int
    hits: list[Hit]
    facets: list[FacetCounts]
    timeline: list[Bucket] = field(default_factory=list)
    timeline_unit: str = "year"
    suggestion: str | None = None

    @property
    def page(self) -> int:
        return self.params.page

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))

    @property
    def first(self) -> int:
        return (self.page - 1) * PAGE_SIZE + 1 if self.hits else 0

    @property
    def last(self) -> int:
        return self.first + len(self.hits) - 1 if self.hits else 0

    @property
    def communiques(self) -> list[Communique]:
        """The page's communiqués as database records, in result order (for the feed)."""
        found = (
            Communique.objects.published()
            .select_related("issuer")
            .order_by()
            .in_bulk([hit.pk for hit in self.hits])
        )
        return [found[hit.pk] for hit in self.hits if hit.pk in found]

    @property
    def suggestion_url(self) -> str | None:
        if not self.suggestion:
            return None
        return self.params.url(query=parse(self.suggestion))

    def as_json(self, absolute) -> dict:
        p = self.params
        filters: dict[str, object] = {name: list(keys) for name, keys in p.filters.items()}
        if p.date_from:
            filters["date_from"] = p.date_from.start.isoformat()
        if p.date_to:
            filters["date_to"] = p.date_to.end.isoformat()
        return {
            "query": p.query.source,
            "filters": filters,
            "sort": p.sort_key,
            "page": self.page,
            "pages": self.pages,
            "page_size": PAGE_SIZE,
            "total": self.total,
            "suggestion": self.suggestion,
            "results": [hit.as_json(absolute) for hit in self.hits],
            "facets": {
                counts.facet.name: [
                    {"key": v.key, "label": v.label, "count": v.count} for v in counts.values
                ]
                for counts in self.facets
            },
            "timeline": {
                "unit": self.timeline_unit,
                "buckets": [{"key": b.key, "count": b.count} for b in self.timeline],
            },
        }


# -- Engine-specific request options ----------------------------------------------------------


def _engine() -> str:
    engine = settings.HAYSTACK_CONNECTIONS["default"]["ENGINE"].lower()
    return next((name for name in ("elasticsearch", "solr") if name in engine), "whoosh")


def _facet_options(limit: int) -> dict:
    # Haystack passes these through: Elasticsearch's terms aggregation says "size" (and
    # defaults to 10), Solr says "limit" and lists zero counts unless told otherwise.
    if _engine() == "solr":
        return {"limit": limit, "mincount": 1}
    return {"size": limit}


def _highlight_options() -> dict:
    if _engine() == "elasticsearch":
        return {"pre_tags": [MARK_START], "post_tags": [MARK_END], "number_of_fragments": 3}
    if _engine() == "solr":
        return {"simple.pre": MARK_START, "simple.post": MARK_END, "snippets": 3}
    return {}


# -- Building the engine query ----------------------------------------------------------------


def _base(params: SearchParams) -> SearchQuerySet:
    """The query text and the date range: what every count and result shares."""
    sqs = SearchQuerySet()
    node = params.query.node
    if node is not None:
        text = params.query.engine_query
        if is_negative_only(node):
            # "NOT idlib" alone: everything, minus the matches (engines disagree on a bare NOT).
            sqs = sqs.exclude(content=Raw(_positive(params)))
        else:
            sqs = sqs.filter(content=Raw(text))
    build = sqs.query.build_query_fragment
    if params.date_from:
        sqs = sqs.narrow(build("date", "gte", params.date_from.start))
    if params.date_to:
        sqs = sqs.narrow(build("date", "lte", params.date_to.end))
    return sqs


def _positive(params: SearchParams) -> str:
    """The terms of an exclusion-only query, so that the engine can exclude their matches."""
    node = params.query.node
    children = node.children if not isinstance(node, Not) else (node,)
    return render(Or(tuple(child.child for child in children)))


def _filtered(sqs: SearchQuerySet, params: SearchParams, without: str | None = None):
    build = sqs.query.build_query_fragment
    for name, keys in params.filters.items():
        if name != without and keys:
            sqs = sqs.narrow(build(name, "in", list(keys)))
    return sqs


def _counts_only(sqs: SearchQuerySet) -> dict:
    # No page: Whoosh's backend (search.backend) then scores nothing; others return one hit.
    sqs.query.set_limits(0, 0)
    return sqs.facet_counts().get("fields", {})


# -- The search -------------------------------------------------------------------------------


def run_search(params: SearchParams | Mapping) -> SearchPage:
    """One page of results with its facets, timeline and suggestion.

    Accepts checked SearchParams or raw URL parameters (a QueryDict), which it checks.
    Raises SearchError for parameters it cannot honour, with a message for the user.
    """
    if not isinstance(params, SearchParams):
        params = params_from(params)
    with _one_page():
        return _run_search(params)


def _one_page():
    """Where the engine offers it, the page's searches share their work (search.backend)."""
    remembering = _offered("remembering")
    return remembering() if remembering else nullcontext()


def _run_search(params: SearchParams) -> SearchPage:
    base = _base(params)
    main = _filtered(base, params)
    order = SORTS[params.sort_key][1]
    if order:
        main = main.order_by(*order)
    if not params.query.is_empty:
        main = main.highlight(**_highlight_options())
    if params.query.words:
        main.query.set_spelling_query(" ".join(params.query.words))
    options = _facet_options(FACET_LIMIT)
    # One copy for every facet (SearchQuerySet.facet() deep-copies the query each time).
    main = main.all()
    for facet in FACETS:
        if not params.selected(facet.name):
            main.query.add_field_facet(facet.name, **options)
    main.query.add_field_facet("year", **_facet_options(TIMELINE_LIMIT))
    months_needed = _short_range(params)
    if months_needed:
        main.query.add_field_facet(MONTH_FIELD, **_facet_options(TIMELINE_LIMIT))

    start = (params.page - 1) * PAGE_SIZE
    results = list(main[start : start + PAGE_SIZE])
    total = main.count()
    if params.page > 1 and start >= total:
        pages = max(1, -(-total // PAGE_SIZE))
        raise SearchError(
            ngettext(
                "Page %(page)d is past the end: this search has %(pages)d page of results.",
                "Page %(page)d is past the end: this search has %(pages)d pages of results.",
                pages,
            )
            % {"page": params.page, "pages": pages}
        )
    counts = dict(main.facet_counts().get("fields", {}))
    suggestion = main.spelling_suggestion() if params.query.words else None

    version = index_version()
    sidebar = {}
    for facet in FACETS:
        if params.selected(facet.name):
            own = _filtered(base, params, without=facet.name).facet(facet.name, **options)
            sidebar[facet.name] = _counts_only(own).get(facet.name, [])
        else:
            sidebar[facet.name] = counts.get(facet.name, [])

    permalink = _permalinks()
    page = SearchPage(
        params=params,
        total=total,
        hits=[_hit(r, permalink) for r in results if r is not None],
        facets=[_facet_counts(facet, sidebar[facet.name], params, version) for facet in FACETS],
        suggestion=_clean_suggestion(suggestion, params),
    )
    page.timeline_unit, page.timeline = _timeline(params, main, counts, months_needed)
    return page


def index_version():
    """A token that changes with the index, where the engine gives one (search.backend)."""
    version = _offered("index_version")
    return version() if version else None


def _offered(name: str):
    """The engine's method `name`, one that Haystack's backends lack and search.backend
    adds; None for an engine without it (Elasticsearch, Solr)."""
    return getattr(connections["default"].get_backend(), name, None)


def params_from(data: Mapping) -> SearchParams:
    """Checked SearchParams from raw URL parameters; SearchError with the user's message."""
    form = SearchForm(data)
    if not form.is_valid():
        raise SearchError(" ".join(form.messages()))
    return form.params()


def _hit(result, permalink: Callable[[str], str]) -> Hit:
    public_id = getattr(result, "public_id", "") or ""
    when = getattr(result, "date", None)
    if isinstance(when, datetime):
        when = when.date()
    return Hit(
        pk=int(result.pk),
        id=public_id,
        permalink=permalink(public_id),
        title=getattr(result, "title", "") or "",
        issuer=getattr(result, "issuer_name", "") or "",
        date=when if isinstance(when, date) else None,
        language=getattr(result, "lang", "") or "",
        summary=getattr(result, "summary", "") or "",
        highlights=tuple(_marked(f) for f in _fragments(getattr(result, "highlighted", None))),
    )


def _permalinks() -> Callable[[str], str]:
    """The permalink of a public id, with reverse() resolved once for a page of hits (twenty
    calls took 1 ms of a search): the id goes where a marker went. Ids are letters and
    digits (archive.models.communique.new_public_id), which a path holds unquoted."""
    marker = "publicid"
    head, _, tail = reverse("archive:communique", args=[marker]).rpartition(marker)
    return lambda public_id: head + public_id + tail


def _fragments(highlighted) -> list[str]:
    # Whoosh and Solr answer {field: [fragments]}, Elasticsearch a bare list.
    if isinstance(highlighted, dict):
        highlighted = next(iter(highlighted.values()), [])
    return [f for f in (highlighted or []) if f and f.strip()]


def _marked(fragment: str) -> SafeString:
    """The fragment escaped, with only the engine's match markers turned into <mark>."""
    text = escape(fragment)
    return mark_safe(text.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>"))


def _facet_counts(facet: Facet, pairs, params: SearchParams, version=None) -> FacetCounts:
    counts = {str(key): int(count) for key, count in pairs if key not in (None, "")}
    selected = params.selected(facet.name)
    for key in selected:  # a chosen value stays listed (and removable) even at zero
        counts.setdefault(key, 0)
    labels = labels_of(facet, counts.keys(), version)
    toggle_url = params.toggle_url(facet.name)
    # Positional (key, label, count, selected, toggle_url): a page makes some 600 of these,
    # and keyword arguments cost 0.7 µs a value against 0.3 (measured).
    values = [
        FacetValue(key, labels.get(key, key), count, key in selected, toggle_url)
        for key, count in counts.items()
    ]
    if facet.newest_first:
        values.sort(key=lambda v: v.key, reverse=True)
    else:
        values.sort(key=lambda v: (-v.count, v.label.casefold()))
    chosen = [v for v in values if v.selected]
    rest = [v for v in values if not v.selected]
    return FacetCounts(facet, tuple(chosen + rest)[: max(FACET_LIMIT, len(chosen))])


def _clean_suggestion(suggestion, params: SearchParams) -> str | None:
    if not suggestion or not isinstance(suggestion, str):
        return None
    words = params.query.words
    suggested = suggestion.split()
    if [w.lower() for w in suggested] == [w.lower() for w in words]:
        return None
    if len(suggested) == len(words):
        # Keep the user's query, swapping only the misspelled words.
        source = params.query.source
        for old, new in zip(words, suggested, strict=True):
            if old.lower() != new.lower():
                source = _replace_word(source, old, new)
        return source
    return suggestion


def _replace_word(source: str, old: str, new: str) -> str:
    return re.sub(rf"(?<!\w){re.escape(old)}(?!\w)", new, source, count=1, flags=re.IGNORECASE)


# -- Timeline ---------------------------------------------------------------------------------


def _short_range(params: SearchParams) -> bool:
    if params.date_from and params.date_to:
        return (params.date_to.end - params.date_from.start).days <= 731
    return False


def _timeline(params: SearchParams, main, counts: dict, months_ready: bool):
    """Matches by year, or by month when they span two calendar years or fewer."""
    years = {int(k): int(c) for k, c in counts.get("year", []) if str(k).isdigit() and c}
    if not years:
        return "year", []
    if max(years) - min(years) <= 1:
        pairs = counts.get(MONTH_FIELD) if months_ready else None
        if pairs is None:
            sqs = main._clone().facet(MONTH_FIELD, **_facet_options(TIMELINE_LIMIT))
            pairs = _counts_only(sqs).get(MONTH_FIELD, [])
        months = {str(k): int(c) for k, c in pairs if k and c}
        if months:
            return "month", _month_buckets(params, months)
    return "year", _year_buckets(params, years)


def _year_buckets(params: SearchParams, years: dict[int, int]) -> list[Bucket]:
    top, link = max(years.values()), params.period_url()
    return [
        _bucket(link, str(y), str(y), years.get(y, 0), top)
        for y in range(min(years), max(years) + 1)
    ]


def _month_buckets(params: SearchParams, months: dict[str, int]) -> list[Bucket]:
    keys = sorted(months)
    first_year, first_month = (int(x) for x in keys[0].split("-"))
    last_year, last_month = (int(x) for x in keys[-1].split("-"))
    top, link = max(months.values()), params.period_url()
    buckets = []
    year, month = first_year, first_month
    while (year, month) <= (last_year, last_month):
        key = f"{year:04d}-{month:02d}"
        label = date_format(date(year, month, 1), "M Y")  # "Oct 2023", in the page's language
        buckets.append(_bucket(link, key, label, months.get(key, 0), top))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return buckets


def _bucket(link: Callable[[Period], str], key: str, label: str, count: int, top: int) -> Bucket:
    return Bucket(key, label, count, round(100 * count / top) if top else 0, link)


# -- Export and "more like this" --------------------------------------------------------------

EXPORT_CHUNK = 500


def iter_hits(params: SearchParams, chunk: int | None = None) -> Iterator[Hit]:
    """Every match, fetched `chunk` at a time so that memory stays flat."""
    chunk = chunk or EXPORT_CHUNK
    order = SORTS[params.sort_key][1] or ["-date"]
    start = 0
    permalink = _permalinks()
    while True:
        # A fresh query per chunk: a SearchQuerySet caches what it has read.
        sqs = _filtered(_base(params), params).order_by(*order)
        results = [r for r in sqs[start : start + chunk] if r is not None]
        yield from (_hit(r, permalink) for r in results)
        if len(results) < chunk:
            return
        start += chunk


def more_like_this(communique: Communique, n: int = 5) -> list[Communique]:
    """Published communiqués similar to this one, most similar first."""
    if not communique.pk or not communique.is_published:
        return []
    # Haystack hands no slice's limits to the engine's "more like this" (which then reads 20
    # results, each a read of its stored fields): the limit goes to the engine directly.
    query = SearchQuerySet().more_like_this(communique).query
    results = query.get_results(end_offset=n + 1)
    ids = [int(r.pk) for r in results if r is not None and int(r.pk) != communique.pk][:n]
    found = Communique.objects.published().select_related("issuer").order_by().in_bulk(ids)
    return [found[pk] for pk in ids if pk in found]
