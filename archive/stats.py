"""Read-only queries behind the public pages, the feeds and the API.

Every function here starts from `Communique.objects.published()`: a draft must never show
up in a public list, count, feed or entity page, so no caller has to remember to filter.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db.models import (
    Count,
    Exists,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import ExtractMonth, ExtractYear
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from archive.idset import id_set
from archive.models import Communique, Organization, Participation, Person, Place, Resolution

StrOrPromise = str | Promise


@dataclass(frozen=True)
class EntityKind:
    """One kind of entity as the public site names it (`/people/<slug>/`, `/api/people/`)."""

    key: str  # URL segment and API name
    model: type
    label: StrOrPromise
    label_plural: StrOrPromise
    # Paths from Communique to the entity: a communiqué "concerns" the entity through any.
    paths: tuple[str, ...]

    def communiques(self, entity) -> QuerySet[Communique]:
        return communiques_linked(self.paths, entity)


KINDS: dict[str, EntityKind] = {
    kind.key: kind
    for kind in (
        EntityKind(
            "people",
            Person,
            _("Person"),
            _("People"),
            ("participations__person", "demands__speaker"),
        ),
        EntityKind(
            "organizations",
            Organization,
            _("Organization"),
            _("Organizations"),
            ("issuer", "participations__organization", "demands__addressees"),
        ),
        EntityKind("places", Place, _("Place"), _("Places"), ("places", "meeting_place")),
        EntityKind("resolutions", Resolution, _("Resolution"), _("Resolutions"), ("resolutions",)),
    )
}


def published() -> QuerySet[Communique]:
    return Communique.objects.published().select_related("issuer")


def communiques_linked(paths: tuple[str, ...], entity) -> QuerySet[Communique]:
    """The published communiqués that name `entity` along any of `paths`.

    Their ids are read here, once, from the union of one indexed lookup per path, and the
    queryset returned holds them (archive.idset). Its callers count, sort, page and
    aggregate it a dozen times on an entity's page, and each of those queries ran the union
    again: 60–80 ms apiece for the largest issuer at 100,000 communiqués, most of its 1.5 s
    (measured). One query OR-ing the paths instead joined every communiqué with its
    participations, demands and addressees: 1.7 s.
    """
    ids = list(_union(_along(paths, entity)).values_list("pk", flat=True))
    return published().filter(pk__in=id_set(ids))


def _along(paths: tuple[str, ...], target) -> list[QuerySet]:
    """For each path, the ids of the published communiqués that reach `target` along it (an
    entity, or OuterRef("pk") for the entity of an outer query)."""
    return [
        Communique.objects.published().filter(**{path: target}).order_by().values("pk")
        for path in paths
    ]


def _union(queries: list[QuerySet]) -> QuerySet:
    """UNION also counts a communiqué once when it names the entity along two paths."""
    return queries[0].union(*queries[1:]) if len(queries) > 1 else queries[0]


class _CountOf(Subquery):
    """COUNT(*) of a correlated subquery, usable as an annotation on SQLite and PostgreSQL."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) AS _counted)"
    output_field = IntegerField()


def named(kind: EntityKind) -> QuerySet:
    """The kind's entities that appear in at least one published communiqué."""
    linked = _along(kind.paths, OuterRef("pk"))
    return kind.model.objects.filter(reduce(or_, (Q(Exists(q)) for q in linked)))


def is_named(kind: EntityKind, entity) -> bool:
    """Whether a published communiqué names `entity`: asked path by path, each lookup
    stopping at its first communiqué (the largest issuer's: 2 ms, against 74 for reading
    all its communiqués first)."""
    return named(kind).filter(pk=entity.pk).exists()


def with_published_count(kind: EntityKind) -> QuerySet:
    """named(kind), each with the count of published communiqués that name it.

    One indexed lookup per path, never a join across all paths at once: OR-ing the paths in
    one query joins participations with demands with addressees, which at archive scale
    multiplies rows per entity and made /people/ take seconds.
    """
    return (
        named(kind)
        .annotate(communique_count=_CountOf(_union(_along(kind.paths, OuterRef("pk")))))
        .order_by(*kind.model._meta.ordering)
    )


def counted(kind: EntityKind, entities) -> list:
    """`entities` (a page of named(kind)), each given its `communique_count`, in order.

    Counted for the page alone: annotated on the whole list, SQLite counted every entity's
    communiqués before it could sort and cut the list, 1.5 s for a page of people at 100,000
    communiqués; 58 ms this way (measured).
    """
    entities = list(entities)
    pks = [entity.pk for entity in entities]
    counts = dict(
        with_published_count(kind).filter(pk__in=pks).values_list("pk", "communique_count")
    )
    for entity in entities:
        entity.communique_count = counts.get(entity.pk, 0)
    return entities


def issuers() -> QuerySet[Organization]:
    """Organizations that issued a published communiqué, the most prolific first."""
    return (
        Organization.objects.filter(issued__status=Communique.Status.PUBLISHED)
        .annotate(issued_count=Count("issued"))
        .order_by("-issued_count", "name")
    )


def issued_by(organization: Organization) -> QuerySet[Communique]:
    return published().filter(issuer=organization)


@dataclass(frozen=True)
class Summary:
    communiques: int
    issuers: int
    people: int
    organizations: int
    places: int
    first_date: object
    last_date: object


def summary() -> Summary:
    span = Communique.objects.published().aggregate(first=Min("date"), last=Max("date"))
    return Summary(
        communiques=Communique.objects.published().count(),
        issuers=issuers().count(),
        people=named(KINDS["people"]).count(),
        organizations=named(KINDS["organizations"]).count(),
        places=named(KINDS["places"]).count(),
        first_date=span["first"],
        last_date=span["last"],
    )


def latest(n: int = 10) -> QuerySet[Communique]:
    """Newest in the archive first: what a reader or a feed reader has not seen yet."""
    return published().order_by("-published_at", "-pk")[:n]


def years() -> list[dict]:
    """[{"year": 2023, "count": 12}, ...], newest first; undated communiqués are left out."""
    return list(
        Communique.objects.published()
        .filter(date__isnull=False)
        .annotate(year=ExtractYear("date"))
        .values("year")
        .annotate(count=Count("pk"))
        .order_by("-year")
    )


def months(year: int) -> list[dict]:
    """[{"month": 10, "count": 3}, ...] for one year, in calendar order."""
    return list(
        Communique.objects.published()
        .filter(date__year=year)
        .annotate(month=ExtractMonth("date"))
        .values("month")
        .annotate(count=Count("pk"))
        .order_by("month")
    )


def in_month(year: int, month: int) -> QuerySet[Communique]:
    return published().filter(date__year=year, date__month=month).order_by("date", "pk")


def roles_of(person: Person) -> QuerySet[Participation]:
    """Each role the person held, as stated in each published communiqué, oldest first."""
    return (
        Participation.objects.filter(person=person, communique__status=Communique.Status.PUBLISHED)
        .select_related("communique", "organization")
        .order_by("communique__date", "communique__pk", "position")
    )


def other_languages(communique: Communique) -> QuerySet[Communique]:
    """Versions of the same statement in other languages.

    The record has no explicit translation link yet, so a version is a published
    communiqué from the same issuer, on the same date, in another language.
    """
    if not (communique.issuer_id and communique.date):
        return Communique.objects.none()
    return (
        Communique.objects.published()
        .filter(issuer_id=communique.issuer_id, date=communique.date)
        .exclude(language=communique.language)
        .exclude(pk=communique.pk)
        .order_by("language")
    )


def latest_revision_number(communique: Communique) -> int | None:
    return communique.revisions.aggregate(n=Max("number"))["n"]
