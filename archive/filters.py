"""The API's filters on communiqués (django-filter); the OpenAPI document lists the same."""

from __future__ import annotations

from functools import reduce
from operator import or_

import django_filters
from django.db.models import Q

from archive.models import Communique
from archive.stats import KINDS


def _mentions(kind: str):
    """A filter method: communiqués that concern the entity of this kind with that slug."""

    def method(queryset, name, value):
        paths = KINDS[kind].paths
        condition = reduce(or_, (Q(**{f"{path}__slug": value}) for path in paths))
        return queryset.filter(pk__in=Communique.objects.filter(condition).values("pk"))

    return method


class CommuniqueFilter(django_filters.FilterSet):
    issuer = django_filters.CharFilter(field_name="issuer__slug", help_text="Issuer's slug")
    date_from = django_filters.DateFilter(field_name="date", lookup_expr="gte")
    date_to = django_filters.DateFilter(field_name="date", lookup_expr="lte")
    language = django_filters.CharFilter(field_name="language")
    people = django_filters.CharFilter(method=_mentions("people"))
    organizations = django_filters.CharFilter(method=_mentions("organizations"))
    places = django_filters.CharFilter(method=_mentions("places"))
    resolutions = django_filters.CharFilter(method=_mentions("resolutions"))

    class Meta:
        model = Communique
        fields: list[str] = []
