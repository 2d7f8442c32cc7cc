"""Timelines: an entity's appearances over time, a person's roles, a resolution's citations.

Bars link to the search that lists the communiqués behind them, so each facet is named here
by the search's own parameter names (an entity's slug is its facet key).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from urllib.parse import urlencode

from django.db.models import Max, Min, QuerySet
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from archive import stats
from archive.models import Communique, Organization, Person, Resolution
from archive.research import charts

SEARCH_URL = "/search/"  # the search page's fixed address (search.urls)
TOP_ISSUERS = 5

# The search facet that names an entity of each kind (search.facets.FACETS).
FACET_OF_KIND = {"people": "participant", "places": "place", "resolutions": "resolution"}
ORGANIZATION_FACETS = ("issuer", "organization", "addressee")


def primary_facet(kind: str, entity) -> str:
    """The facet under which the search finds this entity best.

    An organization is an issuer, a participant's organization or an addressee: the facet
    is the role in which it appears in most published communiqués.
    """
    if kind != "organizations":
        return FACET_OF_KIND[kind]
    published = Communique.objects.published()
    counts = {
        "issuer": published.filter(issuer=entity).count(),
        "organization": published.filter(participations__organization=entity)
        .values("pk")
        .distinct()
        .count(),
        "addressee": published.filter(demands__addressees=entity).values("pk").distinct().count(),
    }
    return max(ORGANIZATION_FACETS, key=lambda f: counts[f])  # ties: the first listed


def search_url(*pairs: tuple[str, str]) -> str:
    return f"{SEARCH_URL}?{urlencode(pairs)}"


def _span(communiques: QuerySet[Communique]) -> tuple[dt.date | None, dt.date | None]:
    span = communiques.filter(date__isnull=False).aggregate(first=Min("date"), last=Max("date"))
    return span["first"], span["last"]


def _count_by_period(communiques: QuerySet[Communique], unit: str) -> dict[str, int]:
    counts: Counter[str] = Counter()
    for day in communiques.filter(date__isnull=False).values_list("date", flat=True):
        counts[charts.period_of(day, unit).key] += 1
    return counts


# Whole sentences for each unit, so that every language can word them in its own way.
TIMELINE_TITLES = {
    "month": _("Communiqués naming %(name)s, by month"),
    "year": _("Communiqués naming %(name)s, by year"),
}
TIMELINE_DESCRIPTIONS = {
    "month": _("Bars: the number of published communiqués that name %(name)s each month."),
    "year": _("Bars: the number of published communiqués that name %(name)s each year."),
}
CITATIONS_TITLES = {
    "month": _("Communiqués citing %(name)s, by month and issuer"),
    "year": _("Communiqués citing %(name)s, by year and issuer"),
}
CITATIONS_DESCRIPTIONS = {
    "month": _("Stacked bars: for each month, the communiqués citing it, by issuer."),
    "year": _("Stacked bars: for each year, the communiqués citing it, by issuer."),
}


def _communiques_title(period: charts.Period, n: int, issuer: str | None = None) -> str:
    values = {"period": period.label, "count": n, "issuer": issuer}
    if issuer is None:
        return (
            ngettext("%(period)s: %(count)s communiqué", "%(period)s: %(count)s communiqués", n)
            % values
        )
    return (
        ngettext(
            "%(issuer)s, %(period)s: %(count)s communiqué",
            "%(issuer)s, %(period)s: %(count)s communiqués",
            n,
        )
        % values
    )


def entity_timeline(kind: str, entity, facet: str | None = None, communiques=None) -> charts.Chart:
    """Published communiqués naming the entity, per month (or year over long spans);
    `communiques`: stats.KINDS[kind].communiques(entity), where the caller has it already."""
    if communiques is None:
        communiques = stats.KINDS[kind].communiques(entity)
    communiques = communiques.order_by()
    facet = facet or primary_facet(kind, entity)
    first, last = _span(communiques)
    unit = charts.unit_for(first, last)
    counts = _count_by_period(communiques, unit)
    series = charts.Series("communiques", gettext("Communiqués"), charts.PALETTE[0])
    bars = []
    for period in charts.periods_between(first, last, unit) if first else []:
        n = counts.get(period.key, 0)
        href = search_url((facet, entity.slug), ("date_from", period.key), ("date_to", period.key))
        title = _communiques_title(period, n)
        bars.append(charts.Bar(period, [charts.Segment(series, n, href, title)]))
    return charts.Chart(
        id=f"timeline-{kind}",
        title=TIMELINE_TITLES[unit] % {"name": entity},
        description=TIMELINE_DESCRIPTIONS[unit] % {"name": entity},
        unit=unit,
        series=[series],
        bars=bars,
    )


def role_changes(person: Person) -> list[dict]:
    """The person's roles as they changed: one entry per run of the same role, oldest first."""
    changes: list[dict] = []
    for part in stats.roles_of(person):
        role = (part.rank, part.role, part.organization_id)
        date = part.communique.date
        if changes and changes[-1]["key"] == role:
            entry = changes[-1]
            entry["until"] = date or entry["until"]
            entry["count"] += 1
            entry["last_communique"] = part.communique
            continue
        changes.append(
            {
                "key": role,
                "rank": part.rank,
                "role": part.role,
                "organization": part.organization,
                "since": date,
                "until": date,
                "count": 1,
                "first_communique": part.communique,
                "last_communique": part.communique,
            }
        )
    for entry in changes:
        del entry["key"]
    return changes


# ---- Resolutions: who cited them, when, in which demands ----


def _mentions(resolution: Resolution):
    number = re.escape(resolution.number)
    return re.compile(rf"(?<![\w/]){number}(?![\w/])")


def resolution_citations(resolution: Resolution) -> dict:
    """Each published communiqué citing the resolution, oldest first, with the demands in it
    that name the resolution (in their own sentence or in their paragraph)."""
    communiques = list(
        Communique.objects.published()
        .filter(resolutions=resolution)
        .select_related("issuer")
        .prefetch_related("paragraphs", "demands__addressees")
        .order_by("date", "pk")
    )
    pattern = _mentions(resolution)
    entries = []
    by_issuer: dict[int | None, dict] = {}
    for c in communiques:
        paragraphs = {p.number: p.text for p in c.paragraphs.all()}
        demands = [
            d
            for d in c.demands.all()
            if pattern.search(d.text) or pattern.search(paragraphs.get(d.paragraph, "") or "")
        ]
        entries.append({"communique": c, "demands": demands})
        row = by_issuer.setdefault(
            c.issuer_id,
            {"issuer": c.issuer, "count": 0, "demands": 0, "first": c.date, "last": c.date},
        )
        row["count"] += 1
        row["demands"] += len(demands)
        if c.date:
            row["first"] = min(filter(None, [row["first"], c.date]))
            row["last"] = max(filter(None, [row["last"], c.date]))
    issuers = sorted(
        by_issuer.values(),
        key=lambda r: (-r["count"], r["issuer"].name if r["issuer"] else ""),
    )
    return {
        "entries": entries,
        "issuers": issuers,
        "count": len(entries),
        "demand_count": sum(len(e["demands"]) for e in entries),
    }


def citations_chart(resolution: Resolution, top: int = TOP_ISSUERS) -> charts.Chart:
    """Citing communiqués per period, stacked by issuer (the `top` issuers and "other")."""
    communiques = Communique.objects.published().filter(resolutions=resolution).order_by()
    first, last = _span(communiques)
    unit = charts.unit_for(first, last)
    counts: dict[int | None, Counter[str]] = defaultdict(Counter)
    for issuer_id, day in communiques.filter(date__isnull=False).values_list("issuer_id", "date"):
        counts[issuer_id][charts.period_of(day, unit).key] += 1
    ranked = sorted(counts, key=lambda pk: -sum(counts[pk].values()))
    organizations = Organization.objects.in_bulk([pk for pk in ranked if pk])
    shown = [pk for pk in ranked if pk in organizations][:top]
    shown.sort(key=lambda pk: (-sum(counts[pk].values()), organizations[pk].name))
    rest = [pk for pk in ranked if pk not in shown]
    series = charts.series_for(
        [(organizations[pk].slug, organizations[pk].name) for pk in shown],
        gettext("Other issuers") if rest else None,
    )
    bars = []
    for period in charts.periods_between(first, last, unit) if first else []:
        bar = charts.Bar(period)
        dates = (("date_from", period.key), ("date_to", period.key))
        for s, pk in zip(series, [*shown, None], strict=False):
            if pk is None:
                n = sum(counts[r].get(period.key, 0) for r in rest)
                href = search_url(("resolution", resolution.slug), *dates)
                title = ngettext(
                    "%(period)s: %(count)s by other issuers",
                    "%(period)s: %(count)s by other issuers",
                    n,
                ) % {"period": period.label, "count": n}
            else:
                n = counts[pk].get(period.key, 0)
                href = search_url(("resolution", resolution.slug), ("issuer", s.key), *dates)
                title = _communiques_title(period, n, issuer=s.label)
            bar.segments.append(charts.Segment(s, n, href, title))
        bars.append(bar)
    return charts.Chart(
        id="citations-chart",
        title=CITATIONS_TITLES[unit] % {"name": resolution},
        description=str(CITATIONS_DESCRIPTIONS[unit]),
        unit=unit,
        series=series,
        bars=bars,
    )
