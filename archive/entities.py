"""Merging two records of one entity: an admin's decision, never an automatic one; and the
merged record's old addresses, which lead to the one it became."""

from __future__ import annotations

from collections import defaultdict

from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.urls import Resolver404, resolve, reverse

from archive import stats
from archive.models import Communique, FormerAddress, Organization, Person, Place
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
        # Its address, and those of records merged into it before, now lead to `into`.
        model = duplicate._meta.label_lower
        FormerAddress.objects.filter(model=model, entity_id=duplicate.pk).update(entity_id=into.pk)
        FormerAddress.objects.update_or_create(
            model=model, slug=duplicate.slug, defaults={"entity_id": into.pk}
        )
        duplicate.delete()
        for pk in touched:
            queue.enqueue(pk)
    return into


class MovedEntityMiddleware:
    """A 404 at a merged entity's old address becomes a 301 to where it now is: its page,
    feeds, CSV files and API answer alike (only 404s pay for the lookup)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code == 404:
            moved = moved_address(request)
            if moved is not None:
                return HttpResponsePermanentRedirect(moved)
        return response


def moved_address(request: HttpRequest) -> str | None:
    """Where this address of a merged entity now is: the same page, feed or answer of the
    entity it was merged into, with the same query; None for any other address."""
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return None
    slug = match.kwargs.get("slug")
    kind = "organizations" if match.url_name == "feed-issuer" else match.kwargs.get("kind")
    if not slug or kind not in stats.KINDS:
        return None
    model = stats.KINDS[kind].model
    current = current_slugs({(model, slug)}).get((model, slug))
    if current is None:
        return None
    url = reverse(match.view_name, kwargs={**match.kwargs, "slug": current})
    query = request.META.get("QUERY_STRING", "")
    return f"{url}?{query}" if query else url


def current_slugs(wanted: set[tuple[type, str]]) -> dict[tuple[type, str], str]:
    """(model, former slug) -> the slug of the record it now is, for those of `wanted` that
    are former addresses: one query, and one per model found; none when nothing is wanted."""
    if not wanted:
        return {}
    models = {model._meta.label_lower: model for model, _ in wanted}
    former = FormerAddress.objects.filter(slug__in={slug for _, slug in wanted})
    found: dict[type, dict[int, list[str]]] = defaultdict(lambda: defaultdict(list))
    for address in former.filter(model__in=models):
        model = models[address.model]
        if (model, address.slug) in wanted:
            found[model][address.entity_id].append(address.slug)
    out = {}
    for model, slugs_of in found.items():  # the records they became, a query per model
        for pk, slug in model.objects.filter(pk__in=slugs_of).values_list("pk", "slug"):
            out.update({(model, old): slug for old in slugs_of[pk]})
    return out


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
