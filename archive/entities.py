"""Merging two records of one entity: an admin's decision, never an automatic one."""

from __future__ import annotations

from django.db import transaction

from archive.models import Communique, Organization, Person, Place
from search import queue


def merge(duplicate, *, into):
    """Move every reference and alias of `duplicate` to `into`, then delete `duplicate`."""
    if type(duplicate) is not type(into) or duplicate.pk == into.pk:
        raise ValueError("Merge two different records of the same kind.")
    with transaction.atomic():
        touched = set(_communique_ids(duplicate))
        if isinstance(duplicate, Organization):
            Communique.objects.filter(issuer=duplicate).update(issuer=into)
            duplicate.participations.update(organization=into)
            for demand in duplicate.demands_received.all():
                demand.addressees.remove(duplicate)
                demand.addressees.add(into)
        elif isinstance(duplicate, Person):
            duplicate.participations.update(person=into)
            duplicate.demands_voiced.update(speaker=into)
        elif isinstance(duplicate, Place):
            Communique.objects.filter(meeting_place=duplicate).update(meeting_place=into)
            for communique in duplicate.communiques.all():
                communique.places.remove(duplicate)
                communique.places.add(into)
        duplicate.aliases.update(**{_alias_fk(duplicate): into})
        duplicate.delete()
        for pk in touched:
            queue.enqueue(pk)
    return into


def _alias_fk(entity) -> str:
    return type(entity).__name__.lower()


def _communique_ids(entity) -> list[int]:
    if isinstance(entity, Organization):
        ids = set(entity.issued.values_list("pk", flat=True))
        ids |= set(entity.participations.values_list("communique_id", flat=True))
        ids |= set(entity.demands_received.values_list("communique_id", flat=True))
    elif isinstance(entity, Person):
        ids = set(entity.participations.values_list("communique_id", flat=True))
        ids |= set(entity.demands_voiced.values_list("communique_id", flat=True))
    else:
        ids = set(entity.communiques.values_list("pk", flat=True))
        ids |= set(entity.meetings.values_list("pk", flat=True))
    return sorted(ids)
