"""Write what extraction found into the records, linking names to existing entities.

The one place that turns an `Extraction` into rows. Entities are matched through their
aliases (`EntityQuerySet.resolve`), so a name seen in two documents is one record.
"""

from __future__ import annotations

from django.db import transaction

from archive.ingest.extract import Extraction
from archive.models import (
    Communique,
    Demand,
    Organization,
    Participation,
    Person,
    Place,
    Resolution,
)


def organization(name: str, acronym: str = "", kind: str = "") -> Organization | None:
    if not name.strip():
        return None
    defaults = {"acronym": acronym} if acronym else {}
    if kind:
        defaults["kind"] = kind
    org, _ = Organization.objects.resolve(name, **defaults)
    if acronym:
        if not org.acronym:
            org.acronym = acronym
            org.save(update_fields=["acronym"])
        org.add_alias(acronym)
    return org


def place(found) -> Place:
    """A gazetteer place, matched first by its GeoNames id, then by name or alias."""
    if getattr(found, "geonameid", None):
        existing = Place.objects.filter(geonameid=found.geonameid).first()
        if existing:
            existing.add_alias(found.name)
            return existing
    defaults = {
        "kind": getattr(found, "kind", "") or Place.Kind.OTHER,
        "country_code": (getattr(found, "country_code", "") or "")[:2],
        "geonameid": getattr(found, "geonameid", None) or None,
        "latitude": getattr(found, "latitude", None),
        "longitude": getattr(found, "longitude", None),
    }
    return Place.objects.resolve(found.name, **defaults)[0]


def resolution(ref) -> Resolution:
    found, _ = Resolution.objects.get_or_create(
        body=ref.body, number=str(ref.number), defaults={"year": ref.year}
    )
    if ref.year and not found.year:
        found.year = ref.year
        found.save(update_fields=["year"])
    return found


def fill(communique: Communique, ex: Extraction) -> Communique:
    """Set the communiqué's fields and structure from an extraction (replacing what was there)."""
    with transaction.atomic():
        communique.title = (ex.title or communique.title or "Untitled communiqué")[:500]
        communique.language = ex.language or communique.language
        communique.issuer = organization(ex.issuer, ex.issuer_acronym)
        communique.issuer_body = ex.issuer_body
        communique.date = ex.date
        communique.meeting_date = ex.meeting_date
        communique.meeting_place = (
            Place.objects.resolve(ex.meeting_place)[0] if ex.meeting_place else None
        )
        communique.save()
        communique.set_paragraphs(ex.paragraphs)

        communique.participations.all().delete()
        for position, found in enumerate(ex.participants):
            Participation.objects.create(
                communique=communique,
                position=position,
                person=Person.objects.resolve(found.name)[0],
                role=found.role[:200],
                rank=(found.rank or "")[:100],
                organization=organization(found.organization, found.organization_acronym),
            )

        communique.demands.all().delete()
        for position, found in enumerate(ex.demands):
            demand = Demand.objects.create(
                communique=communique,
                position=position,
                text=found.text,
                paragraph=found.paragraph or None,
                verb=found.verb[:40],
                speaker=Person.objects.by_alias(found.speaker) if found.speaker else None,
            )
            demand.addressees.set([org for name in found.addressees if (org := organization(name))])

        communique.places.set([place(p) for p in ex.places])
        communique.resolutions.set([resolution(r) for r in ex.resolutions])
    return communique
