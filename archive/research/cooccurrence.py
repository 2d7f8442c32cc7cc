"""Who appears most often in the same communiqués as an entity.

Other entities are counted per search facet (a participant, a participants' organization,
an issuer, an addressee, a place, a resolution), each facet by one aggregate query over the
entity's published communiqués, so that every row can link to the search that lists them.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from django.db.models import Count, QuerySet
from django.utils.translation import gettext_lazy as _

from archive import stats
from archive.models import (
    Communique,
    Demand,
    Organization,
    Participation,
    Person,
    Place,
    Resolution,
)
from archive.research.citations_timeline import primary_facet, search_url

TOP = 10

FACET_LABELS = {  # the "As" column: in which role the other entity appears
    "participant": _("Participant"),
    "organization": _("Participants' organization"),
    "issuer": _("Issuer"),
    "addressee": _("Addressed"),
    "place": _("Place"),
    "resolution": _("Resolution"),
}
# Facets the search's query language can name twice in one query (search.query.PREFIXES).
QUERY_PREFIXES = {"participant", "place", "addressee", "issuer"}
MODEL_OF_FACET = {
    "participant": Person,
    "organization": Organization,
    "issuer": Organization,
    "addressee": Organization,
    "place": Place,
    "resolution": Resolution,
}


@dataclass(frozen=True)
class CoOccurrence:
    facet: str
    entity: object
    count: int
    search_url: str

    @property
    def facet_label(self) -> str:
        return str(FACET_LABELS[self.facet])


def _counts(facet: str, ids) -> Counter:
    """{entity pk: number of the communiqués (ids) it appears in under this facet}."""

    def aggregate(queryset, key: str, communique: str) -> Counter:
        rows = queryset.values(key).annotate(n=Count(communique, distinct=True)).order_by()
        return Counter({row[key]: row["n"] for row in rows if row[key] is not None})

    if facet == "participant":
        return aggregate(Participation.objects.filter(communique__in=ids), "person", "communique")
    if facet == "organization":
        return aggregate(
            Participation.objects.filter(communique__in=ids), "organization", "communique"
        )
    if facet == "issuer":
        return aggregate(Communique.objects.filter(pk__in=ids), "issuer", "pk")
    if facet == "addressee":
        through = Demand.addressees.through
        return aggregate(
            through.objects.filter(demand__communique__in=ids),
            "organization",
            "demand__communique",
        )
    if facet == "resolution":
        through = Communique.resolutions.through
        return aggregate(through.objects.filter(communique__in=ids), "resolution", "communique")
    if facet == "place":
        # Mentioned or the meeting place: one communiqué counts once for a place.
        through = Communique.places.through
        pairs = set(through.objects.filter(communique__in=ids).values_list("place", "communique"))
        pairs |= set(
            Communique.objects.filter(pk__in=ids, meeting_place__isnull=False).values_list(
                "meeting_place", "pk"
            )
        )
        return Counter(place for place, _ in pairs)
    raise ValueError(facet)


def cooccurring(
    kind: str, entity, top: int = TOP, facet: str | None = None, communiques=None
) -> list[CoOccurrence]:
    """The `top` entities sharing the most published communiqués with this one;
    `communiques`: stats.KINDS[kind].communiques(entity), where the caller has it already."""
    if communiques is None:
        communiques = stats.KINDS[kind].communiques(entity)
    ids: QuerySet = communiques.order_by().values("pk")
    own_facet = facet or primary_facet(kind, entity)
    found = []
    for other_facet, model in MODEL_OF_FACET.items():
        counts = _counts(other_facet, ids)
        if isinstance(entity, model):
            counts.pop(entity.pk, None)
        for pk, n in counts.most_common(top):
            found.append((other_facet, model, pk, n))
    objects = {
        model: model.objects.in_bulk({pk for _, m, pk, _ in found if m is model})
        for model in set(MODEL_OF_FACET.values())
    }
    rows = [(f, objects[m][pk], n) for f, m, pk, n in found if pk in objects[m]]
    rows.sort(key=lambda r: (-r[2], str(r[1]).casefold(), r[0]))
    return [
        CoOccurrence(f, other, n, both_url(own_facet, entity, f, other))
        for f, other, n in rows[:top]
    ]


def _quoted(prefix: str, name: str) -> str:
    return f'{prefix}:"{name.replace(chr(34), " ")}"'


def both_url(facet: str, entity, other_facet: str, other) -> str:
    """The search for communiqués with both. Two values of one facet mean "either" in the
    search, so for the same facet the query language names both instead."""
    if facet != other_facet:
        return search_url((facet, entity.slug), (other_facet, other.slug))
    if facet in QUERY_PREFIXES:
        return search_url(("q", f"{_quoted(facet, str(entity))} {_quoted(facet, str(other))}"))
    # Two resolutions: one as the facet, the other by its number in the text.
    number = getattr(other, "number", str(other))
    return search_url((facet, entity.slug), ("q", f'"{number}"'))


def csv_rows(items: list[CoOccurrence], absolute):
    yield ["facet", "key", "label", "communiques", "search"]
    for item in items:
        yield [
            item.facet,
            item.entity.slug,
            str(item.entity),
            item.count,
            absolute(item.search_url),
        ]
