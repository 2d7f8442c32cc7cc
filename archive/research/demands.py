"""The demand tracker: every published demand, filtered, counted per addressee over time.

Only demands of published communiqués exist here: `published_demands()` is the start of
every query, so a draft's demand is never listed, counted, exported or suggested.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from difflib import SequenceMatcher
from urllib.parse import urlencode

import django_filters
from django import forms
from django.db.models import Count, F, Max, Min, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth, TruncYear
from django.urls import reverse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from archive.entities import current_slugs
from archive.models import Communique, Demand, DemandRepeat, Organization
from archive.research import charts

TOP_ADDRESSEES = 6
CANDIDATES = 5
CANDIDATE_POOL = 2000  # earlier demands read per suggestion, newest first
Addressees = Demand.addressees.through


def published_demands() -> QuerySet[Demand]:
    return (
        Demand.objects.filter(communique__status=Communique.Status.PUBLISHED)
        .select_related(
            "communique", "communique__issuer", "speaker", "repeat__earlier__communique"
        )
        .prefetch_related("addressees")
        .order_by("-communique__date", "-communique__pk", "position", "pk")
    )


# ---- Filters ----


def _current(slugs: list[str]) -> list[str]:
    """Organizations' slugs, a merged record's standing for the one it became (archive.entities):
    a saved or cited view of the tracker keeps its meaning after an editor's merge."""
    moved = current_slugs({(Organization, slug) for slug in slugs})
    return [moved.get((Organization, slug), slug) for slug in slugs]


class OrganizationSlugsField(forms.Field):
    """Organizations' slugs from repeated parameters (?addressee=a&addressee=b), as they now
    are: the filters and the chart read them from the cleaned data alike."""

    widget = forms.SelectMultiple

    def to_python(self, value):
        if not value:
            return []
        if isinstance(value, str):
            value = [value]
        return _current([v.strip() for v in value if v and v.strip()])


class OrganizationSlugField(forms.CharField):
    """One organization's slug, as it now is."""

    def to_python(self, value):
        slug = super().to_python(value)
        return _current([slug])[0] if slug else slug


class OrganizationsFilter(django_filters.Filter):
    field_class = OrganizationSlugsField


class OrganizationFilter(django_filters.CharFilter):
    field_class = OrganizationSlugField


def _with_addressee(queryset, name, slugs):
    if not slugs:
        return queryset
    ids = Addressees.objects.filter(organization__slug__in=slugs).values("demand_id")
    return queryset.filter(pk__in=ids)


def _with_other_addressee(queryset, name, slugs):
    """Demands with at least one addressee outside `slugs` (the chart's "other" bars)."""
    if not slugs:
        return queryset
    ids = Addressees.objects.exclude(organization__slug__in=slugs).values("demand_id")
    return queryset.filter(pk__in=ids)


def _text(queryset, name, value):
    for word in value.split()[:10]:
        queryset = queryset.filter(text__icontains=word)
    return queryset


class DemandFilter(django_filters.FilterSet):
    # The labels name the filters in the page's messages about them (what could not be read).
    addressee = OrganizationsFilter(method=_with_addressee, label=_("Addressed to"))
    other_than = OrganizationsFilter(
        method=_with_other_addressee, label=_("Addressed to others than")
    )
    issuer = OrganizationFilter(field_name="communique__issuer__slug", label=_("Issuer"))
    date_from = django_filters.DateFilter(
        field_name="communique__date", lookup_expr="gte", label=_("From")
    )
    date_to = django_filters.DateFilter(
        field_name="communique__date", lookup_expr="lte", label=_("To")
    )
    q = django_filters.CharFilter(method=_text, label=_("Text"))
    repeated = django_filters.BooleanFilter(
        field_name="repeat", lookup_expr="isnull", exclude=True, label=_("Only repeated calls")
    )

    class Meta:
        model = Demand
        fields: list[str] = []


def filtered(params) -> DemandFilter:
    return DemandFilter(params, queryset=published_demands())


def query_string(params, **changes) -> str:
    """The filters of `params` with `changes` applied (None drops a key), as a query string."""
    keep = [k for k in DemandFilter.base_filters if k in params]
    data = {k: params.getlist(k) if hasattr(params, "getlist") else params[k] for k in keep}
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    data = {k: v for k, v in data.items() if v not in ("", [], None)}
    return urlencode(data, doseq=True)


# ---- Chart: demands per addressee per month or year ----


class _SQLiteDates:
    """A Trunc of a date column that SQLite computes with its own date(): Django's calls back
    into Python for every row there, 8 of the demand tracker's 12 s at 100,000 communiqués
    (measured). Elsewhere Django's own SQL."""

    def as_sqlite(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.lhs)
        return f"date({sql}, 'start of {self.kind}')", params


class _YearOf(_SQLiteDates, TruncYear):
    pass


class _MonthOf(_SQLiteDates, TruncMonth):
    pass


def _trunc(unit: str, path: str):
    return _YearOf(path) if unit == "year" else _MonthOf(path)


# Whole sentences for each unit, so that every language can word them in its own way.
CHART_TITLES = {
    "month": _("Demands per addressee, by month"),
    "year": _("Demands per addressee, by year"),
}
CHART_DESCRIPTIONS = {  # (unit, with an "other addressees" series)
    ("month", True): _(
        "Stacked bars: for each month, the number of demands made to each of the most "
        "frequent addressees and to all others."
    ),
    ("month", False): _(
        "Stacked bars: for each month, the number of demands made to each of the most "
        "frequent addressees."
    ),
    ("year", True): _(
        "Stacked bars: for each year, the number of demands made to each of the most "
        "frequent addressees and to all others."
    ),
    ("year", False): _(
        "Stacked bars: for each year, the number of demands made to each of the most "
        "frequent addressees."
    ),
}


def demands_chart(filterset: DemandFilter, top: int = TOP_ADDRESSEES) -> charts.Chart:
    """Demands per addressee per period, the `top` addressees and "other" stacked.

    A demand made to two addressees counts once in each one's bar; "other" counts a demand
    once per period however many of its addressees fall outside the top.
    """
    params = filterset.data
    cleaned = filterset.form.cleaned_data if filterset.is_valid() else {}
    demands = filterset.qs.filter(communique__date__isnull=False).order_by()
    chosen = cleaned.get("addressee") or []

    span = demands.aggregate(first=Min("communique__date"), last=Max("communique__date"))
    start = cleaned.get("date_from") or span["first"]
    end = cleaned.get("date_to") or span["last"]
    if span["first"] is None:
        start = end = None
    unit = charts.unit_for(start, end)
    period = _trunc(unit, "communique__date")

    # Counted from the filtered demands themselves, each joined to its addressees: through
    # the addressees, with the demands as a subquery, SQLite took 1.15 s rather than 0.68
    # for the whole archive at 100,000 communiqués (measured). A demand names an addressee
    # once, so each row is a demand of its own and needs no DISTINCT.
    pairs = demands.filter(addressees__slug__in=chosen) if chosen else demands
    rows = pairs.values(period=period, addressee=F("addressees")).annotate(n=Count("pk")).order_by()
    counts: dict[int, dict[dt.date, int]] = defaultdict(dict)
    totals: dict[int, int] = defaultdict(int)
    for row in rows:
        if row["addressee"] is None:  # a demand to no one in particular
            continue
        day = _as_date(row["period"])
        counts[row["addressee"]][day] = row["n"]
        totals[row["addressee"]] += row["n"]
    ranked = sorted(totals, key=lambda pk: -totals[pk])
    shown = ranked if chosen else ranked[:top]
    organizations = Organization.objects.in_bulk(shown)
    shown = [pk for pk in shown if pk in organizations]
    # Same total: alphabetical, so the order never depends on the database.
    shown.sort(key=lambda pk: (-totals[pk], organizations[pk].name))

    other: dict[dt.date, int] = {}
    if len(ranked) > len(shown):
        # Each demand once: those with an addressee outside the top (0.22 s; 0.66 s counting
        # distinct demands among the pairs).
        beyond = Addressees.objects.exclude(organization_id__in=shown).values("demand_id")
        other = {
            _as_date(row["period"]): row["n"]
            for row in demands.filter(pk__in=beyond)
            .values(period=period)
            .annotate(n=Count("pk"))
            .order_by()
        }

    series = charts.series_for(
        [(organizations[pk].slug, organizations[pk].label) for pk in shown],
        gettext("Other addressees") if other else None,
    )

    bars = []
    periods = charts.periods_between(start, end, unit) if start and end else []
    top_slugs = [organizations[pk].slug for pk in shown]
    for p in periods:
        bar = charts.Bar(p)
        lo = max(p.start, cleaned.get("date_from") or p.start)
        hi = min(p.end, cleaned.get("date_to") or p.end)
        for s, pk in zip(series, [*shown, None], strict=False):
            n = counts[pk].get(p.start, 0) if pk is not None else other.get(p.start, 0)
            if s.key == charts.OTHER:
                qs = query_string(
                    params, addressee=None, other_than=top_slugs, date_from=str(lo), date_to=str(hi)
                )
                title = ngettext(
                    "%(period)s: %(count)s demand to other addressees",
                    "%(period)s: %(count)s demands to other addressees",
                    n,
                ) % {"period": p.label, "count": n}
            else:
                qs = query_string(
                    params, addressee=s.key, other_than=None, date_from=str(lo), date_to=str(hi)
                )
                title = ngettext(
                    "%(addressee)s, %(period)s: %(count)s demand",
                    "%(addressee)s, %(period)s: %(count)s demands",
                    n,
                ) % {"addressee": s.label, "period": p.label, "count": n}
            bar.segments.append(
                charts.Segment(s, n, f"{reverse('archive:research:demands')}?{qs}", title)
            )
        bars.append(bar)
    return charts.Chart(
        id="demands-chart",
        title=str(CHART_TITLES[unit]),
        description=str(CHART_DESCRIPTIONS[unit, bool(other)]),
        unit=unit,
        series=series,
        bars=bars,
        noun="demands",
    )


def _as_date(value) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


# ---- Choices for the form ----


def addressee_choices(limit: int = 200) -> list[dict]:
    """Organizations that received published demands, most addressed first."""
    # A demand names an addressee once: each row is a demand of its own.
    counts = (
        Addressees.objects.filter(demand__communique__status=Communique.Status.PUBLISHED)
        .values_list("organization_id")
        .annotate(n=Count("demand_id"))
        .order_by()
    )
    return _ranked(counts, limit)


def issuer_choices(limit: int = 200) -> list[dict]:
    """Organizations that issued published demands, most demanding first."""
    # From the demands, so that each is read once, joined to its own communiqué. Joined from
    # the issuer in two filter() calls, Django paired every demand with every published
    # communiqué of its issuer: at 100,000 communiqués SQLite's sort of those pairs filled
    # the disk and the demand tracker answered 500.
    counts = (
        Demand.objects.filter(
            communique__status=Communique.Status.PUBLISHED, communique__issuer__isnull=False
        )
        .values_list("communique__issuer_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return _ranked(counts, limit)


def _ranked(counts, limit: int) -> list[dict]:
    """The `limit` organizations with the most, from (organization id, count) rows.

    Counted per id and named after: grouped by the organization's whole row, as Django
    groups an annotated model, SQLite sorted 217,602 demands by name and description,
    twice as long (0.8 s against 0.4 s at 100,000 communiqués, measured)."""
    n = dict(counts)
    names = Organization.objects.filter(pk__in=n).values("pk", "slug", "name", "acronym")
    ranked = sorted(names, key=lambda o: (-n[o["pk"]], o["name"]))[:limit]
    return [
        {"slug": o["slug"], "name": o["name"], "acronym": o["acronym"], "n": n[o["pk"]]}
        for o in ranked
    ]


# ---- One demand as data ----


def permalink(demand: Demand) -> str:
    url = demand.communique.get_absolute_url()
    return f"{url}#p{demand.paragraph}" if demand.paragraph else url


def repeats_id(demand: Demand) -> int | None:
    """The earlier demand this one repeats, if it is public."""
    repeat = demand.repeat if _has_repeat(demand) else None
    if repeat is None or repeat.earlier.communique.status != Communique.Status.PUBLISHED:
        return None
    return repeat.earlier_id


def _has_repeat(demand: Demand) -> bool:
    try:
        demand.repeat  # noqa: B018
    except DemandRepeat.DoesNotExist:
        return False
    return True


def as_json(demand: Demand, absolute) -> dict:
    c = demand.communique
    return {
        "id": demand.pk,
        "text": demand.text,
        "url": absolute(permalink(demand)),
        "communique": {"id": c.public_id, "title": c.title, "url": absolute(c.get_absolute_url())},
        "paragraph": demand.paragraph,
        "issuer": {"key": c.issuer.slug, "label": c.issuer.label} if c.issuer_id else None,
        "date": c.date.isoformat() if c.date else None,
        "verb": demand.verb,
        "speaker": (
            {"key": demand.speaker.slug, "label": demand.speaker.name} if demand.speaker else None
        ),
        "addressees": [{"key": a.slug, "label": a.label} for a in demand.addressees.all()],
        "repeats": repeats_id(demand),
    }


CSV_HEADER = [
    "id",
    "date",
    "issuer",
    "addressees",
    "text",
    "verb",
    "speaker",
    "paragraph",
    "communique",
    "url",
    "repeats",
]


def csv_rows(demands: QuerySet[Demand], absolute):
    yield CSV_HEADER
    for d in demands.iterator(chunk_size=500):
        c = d.communique
        yield [
            d.pk,
            c.date.isoformat() if c.date else "",
            c.issuer.name if c.issuer_id else "",
            "; ".join(a.name for a in d.addressees.all()),
            d.text,
            d.verb,
            d.speaker.name if d.speaker else "",
            d.paragraph or "",
            c.public_id,
            absolute(permalink(d)),
            repeats_id(d) or "",
        ]


# ---- Repeated calls ----


def marks() -> tuple:
    """What the demand tracker shows that the search index does not hold: the repeated calls
    marked, as a token that marking, unmarking or re-pointing one changes (the admin edits a
    mark in place, so its newest id alone would not do)."""
    return tuple(
        DemandRepeat.objects.aggregate(
            Count("pk"), Max("pk"), Sum("demand_id"), Sum("earlier_id")
        ).values()
    )


def repeat_chain(demand: Demand, limit: int = 50) -> list[Demand]:
    """The earlier demands this one repeats, nearest first, up to the first public one."""
    chain, seen, current = [], {demand.pk}, demand
    while len(chain) < limit:
        link = (
            DemandRepeat.objects.filter(demand=current)
            .select_related("earlier__communique__issuer")
            .first()
        )
        if link is None or link.earlier_id in seen:
            break
        if link.earlier.communique.status != Communique.Status.PUBLISHED:
            break
        chain.append(link.earlier)
        seen.add(link.earlier_id)
        current = link.earlier
    return chain


def repeat_summary(demand: Demand) -> dict | None:
    """For a repeated call: since when it has been made, how many times, and to whom."""
    chain = repeat_chain(demand)
    if not chain:
        return None
    first = chain[-1]
    addressees = {a.pk: a for d in [demand, *chain] for a in d.addressees.all()}
    since = first.communique.date
    days = (demand.communique.date - since).days if since and demand.communique.date else None
    return {
        "earlier": chain[0],
        "url": permalink(chain[0]),
        "first": first,
        "since": since,
        "days": days,
        "times": len(chain) + 1,
        "addressees": sorted(addressees.values(), key=lambda a: a.name),
    }


_WORDS = re.compile(r"\w+")


def _tokens(text: str) -> set[str]:
    return {w for w in _WORDS.findall(text.casefold()) if len(w) > 2}


def similarity(a: str, b: str) -> float:
    """Text similarity 0–1: the mean of token Jaccard and difflib's ratio."""
    ta, tb = _tokens(a), _tokens(b)
    jaccard = len(ta & tb) / len(ta | tb) if ta | tb else 0.0
    ratio = SequenceMatcher(None, a.casefold(), b.casefold(), autojunk=False).ratio()
    return round((jaccard + ratio) / 2, 3)


def earlier_demands(demand: Demand) -> QuerySet[Demand]:
    """Published demands made before this one; to the same addressees when it has any."""
    c = demand.communique
    earlier = Demand.objects.filter(communique__status=Communique.Status.PUBLISHED).exclude(
        communique=c
    )
    if c.date:
        earlier = earlier.filter(
            Q(communique__date__lt=c.date) | Q(communique__date=c.date, communique__pk__lt=c.pk)
        )
    addressees = list(demand.addressees.values_list("pk", flat=True))
    if addressees:
        earlier = earlier.filter(
            pk__in=Addressees.objects.filter(organization_id__in=addressees).values("demand_id")
        )
    return earlier.exclude(pk=demand.pk)


def repeat_candidates(demand: Demand, n: int = CANDIDATES) -> list[tuple[Demand, float]]:
    """The `n` earlier demands most similar in wording, best first, with their score."""
    pool = (
        earlier_demands(demand)
        .select_related("communique__issuer")
        .prefetch_related("addressees")
        .order_by("-communique__date", "-pk")[:CANDIDATE_POOL]
    )
    scored = [(d, similarity(demand.text, d.text)) for d in pool]
    scored.sort(key=lambda pair: (-pair[1], pair[0].pk))
    return [pair for pair in scored[:n] if pair[1] > 0]


def mark_repeat(demand: Demand, earlier: Demand, user=None, note: str = "") -> DemandRepeat:
    link = DemandRepeat(
        demand=demand,
        earlier=earlier,
        similarity=similarity(demand.text, earlier.text),
        marked_by=user if getattr(user, "is_authenticated", False) else None,
        note=note,
    )
    link.clean()  # not itself, no loop
    DemandRepeat.objects.filter(demand=demand).delete()
    link.save()
    return link
