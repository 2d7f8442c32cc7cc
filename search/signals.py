"""Every change to a communiqué queues an index update in the same transaction.

Covered: the communiqué itself (saved, published, unpublished, deleted), its paragraphs,
participations and demands, its places, resolutions and demands' addressees (m2m), and a
rename of an entity it names. Not covered, because Django sends no signal for them:
QuerySet.update() and bulk_create(); code that uses them calls search.queue.enqueue().
"""

from __future__ import annotations

from django.db.models import Q
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.dispatch import receiver

from archive.models import (
    Communique,
    Demand,
    Organization,
    Paragraph,
    Participation,
    Person,
    Place,
    Resolution,
)
from search.queue import enqueue

# Entity fields that the index copies: a change to any other field needs no reindexing.
_INDEXED_ENTITY_FIELDS = {
    Organization: ("name", "acronym", "slug"),
    Person: ("name", "slug"),
    Place: ("name", "slug"),
    Resolution: ("body", "number", "year", "slug", "title"),
}


@receiver(post_save, sender=Communique)
@receiver(post_delete, sender=Communique)
def communique_changed(sender, instance: Communique, **kwargs) -> None:
    enqueue(instance.pk)


@receiver(post_save, sender=Paragraph)
@receiver(post_delete, sender=Paragraph)
@receiver(post_save, sender=Participation)
@receiver(post_delete, sender=Participation)
@receiver(post_save, sender=Demand)
@receiver(post_delete, sender=Demand)
def part_changed(sender, instance, **kwargs) -> None:
    enqueue(instance.communique_id)


@receiver(m2m_changed, sender=Communique.places.through)
@receiver(m2m_changed, sender=Communique.resolutions.through)
def mentions_changed(sender, instance, action: str, reverse: bool, pk_set, **kwargs) -> None:
    if reverse and action == "pre_clear":
        # place.communiques.clear() does not say which communiqués it touches: ask first.
        enqueue(_linked(sender, instance, "communique_id"))
    elif not action.startswith("post_"):
        return
    elif not reverse:
        enqueue(instance.pk)
    elif pk_set:  # place.communiques.add(...): pk_set holds communiqués
        enqueue(pk_set)


@receiver(m2m_changed, sender=Demand.addressees.through)
def addressees_changed(sender, instance, action: str, reverse: bool, pk_set, **kwargs) -> None:
    if reverse and action == "pre_clear":
        demands = _linked(sender, instance, "demand_id")
        enqueue(Demand.objects.filter(pk__in=demands).values_list("communique_id", flat=True))
    elif not action.startswith("post_"):
        return
    elif not reverse:
        enqueue(instance.communique_id)
    elif pk_set:  # organization.demands_received.add(...): pk_set holds demands
        enqueue(Demand.objects.filter(pk__in=pk_set).values_list("communique_id", flat=True))


def _linked(through, entity, column: str) -> list[int]:
    """The rows of an m2m table that point to this entity, read before they are cleared."""
    key = type(entity)._meta.model_name
    return list(through.objects.filter(**{key: entity}).values_list(column, flat=True))


def _entity_values(instance) -> tuple:
    return tuple(getattr(instance, name) for name in _INDEXED_ENTITY_FIELDS[type(instance)])


@receiver(pre_save)
def entity_before(sender, instance, **kwargs) -> None:
    if sender in _INDEXED_ENTITY_FIELDS and instance.pk:
        old = sender._default_manager.filter(pk=instance.pk).first()
        instance._search_before = _entity_values(old) if old else None


@receiver(post_save)
def entity_after(sender, instance, created: bool, **kwargs) -> None:
    if sender not in _INDEXED_ENTITY_FIELDS or created:
        return  # a new entity is named by no communiqué yet
    if getattr(instance, "_search_before", None) == _entity_values(instance):
        return
    enqueue(_communiques_naming(instance).values_list("pk", flat=True))


def _communiques_naming(entity):
    published = Communique.objects.published()
    if isinstance(entity, Organization):
        return published.filter(
            Q(issuer=entity)
            | Q(participations__organization=entity)
            | Q(demands__addressees=entity)
        ).distinct()
    if isinstance(entity, Person):
        return published.filter(participations__person=entity).distinct()
    if isinstance(entity, Place):
        return published.filter(Q(places=entity) | Q(meeting_place=entity)).distinct()
    return published.filter(resolutions=entity).distinct()
