"""Plain-data forms of communiqués and entities for the JSON API (documented in openapi.py)."""

from __future__ import annotations

from django.urls import reverse

from archive.models import Communique, Organization, Place, Resolution
from archive.stats import KINDS


def _date(value) -> str | None:
    return value.isoformat() if value else None


def entity_ref(obj, absolute) -> dict | None:
    """A link to an entity: enough to show it and follow it."""
    if obj is None:
        return None
    kind = kind_of(obj)
    return {
        "name": str(obj),
        "slug": obj.slug,
        "url": absolute(obj.get_absolute_url()),
        "api_url": absolute(reverse("archive:api-entity", args=[kind, obj.slug])),
    }


def kind_of(obj) -> str:
    return next(key for key, spec in KINDS.items() if isinstance(obj, spec.model))


def communique_summary(c: Communique, absolute) -> dict:
    return {
        "id": c.public_id,
        "title": c.title,
        "language": c.language,
        "date": _date(c.date),
        "issuer": entity_ref(c.issuer, absolute),
        "issuer_body": c.issuer_body,
        "published_at": c.published_at.isoformat() if c.published_at else None,
        "url": absolute(c.get_absolute_url()),
        "api_url": absolute(reverse("archive:api-communique", args=[c.public_id])),
    }


def communique_detail(c: Communique, absolute) -> dict:
    """Everything the page shows; `c` comes from Communique.objects.with_structure()."""
    cite = {
        fmt: absolute(reverse("archive:cite", args=[c.public_id, fmt]))
        for fmt in ("bib", "ris", "json")
    }
    return {
        **communique_summary(c, absolute),
        "meeting_date": _date(c.meeting_date),
        "meeting_place": entity_ref(c.meeting_place, absolute),
        "source_url": c.source_url or None,
        "original": {
            "name": c.original_name,
            "sha256": c.sha256,
            "url": absolute(reverse("archive:original", args=[c.public_id])),
        }
        if c.original
        else None,
        "paragraphs": [
            {"number": p.number, "anchor": p.anchor, "text": p.text} for p in c.paragraphs.all()
        ],
        "participants": [
            {
                "person": entity_ref(p.person, absolute),
                "role": p.role,
                "rank": p.rank,
                "organization": entity_ref(p.organization, absolute),
            }
            for p in c.participations.all()
        ],
        "demands": [
            {
                "number": n,
                "text": d.text,
                "paragraph": d.paragraph,
                "verb": d.verb,
                "speaker": entity_ref(d.speaker, absolute),
                "addressees": [entity_ref(a, absolute) for a in d.addressees.all()],
            }
            for n, d in enumerate(c.demands.all(), start=1)
        ],
        "places": [entity_ref(p, absolute) for p in c.places.all()],
        "resolutions": [entity_ref(r, absolute) for r in c.resolutions.all()],
        "revisions": [
            {
                "number": r.number,
                "created_at": r.created_at.isoformat(),
                "url": absolute(r.get_absolute_url()),
            }
            for r in c.revisions.order_by("number")
        ],
        "cite": cite,
    }


def entity_summary(obj, absolute) -> dict:
    data = {**entity_ref(obj, absolute), "communique_count": getattr(obj, "communique_count", None)}
    if isinstance(obj, Organization):
        data.update(acronym=obj.acronym, kind=obj.kind)
    elif isinstance(obj, Place):
        data.update(
            kind=obj.kind,
            country_code=obj.country_code,
            latitude=obj.latitude,
            longitude=obj.longitude,
        )
    elif isinstance(obj, Resolution):
        data.update(body=obj.body, number=obj.number, year=obj.year, title=obj.title)
    return data


def entity_detail(obj, absolute) -> dict:
    kind = kind_of(obj)
    query = f"?{kind}={obj.slug}"
    return {
        **entity_summary(obj, absolute),
        "description": getattr(obj, "description", ""),
        "communiques": absolute(reverse("archive:api-communiques") + query),
    }
