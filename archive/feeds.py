"""Atom feeds: new communiqués overall, per issuer, per entity, and for any search.

A saved search is a feed URL: /feeds/search.atom takes the same query string as /search/.
"""

from __future__ import annotations

import re

from django.contrib.syndication.views import Feed
from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.text import Truncator

from archive import stats
from archive.models import Communique, Organization, Paragraph
from search.service import SearchError, run_search

FEED_SIZE = 50


def _newest(queryset: QuerySet[Communique]) -> QuerySet[Communique]:
    first_paragraphs = Prefetch("paragraphs", queryset=Paragraph.objects.filter(number=1))
    return queryset.prefetch_related(first_paragraphs).order_by("-published_at", "-pk")[:FEED_SIZE]


class CommuniqueFeed(Feed):
    """What every feed of communiqués says about each entry."""

    feed_type = Atom1Feed

    def item_title(self, item: Communique) -> str:
        return item.title

    def item_description(self, item: Communique) -> str:
        first = next(iter(item.paragraphs.all()), None)
        return Truncator(first.text).words(60) if first else ""

    def item_pubdate(self, item: Communique):
        return item.published_at

    def item_updateddate(self, item: Communique):
        return item.updated_at

    def item_author_name(self, item: Communique) -> str:
        return item.issuer.name if item.issuer_id else ""

    def item_guid(self, item: Communique) -> str:
        # The permalink never changes, so it is the entry's identity.
        return item.get_absolute_url()


class LatestFeed(CommuniqueFeed):
    title = "Bayan: new communiqués"
    subtitle = "Communiqués newly added to the Bayan archive."

    def link(self):
        return reverse("archive:home")

    def items(self):
        return _newest(stats.published())


class IssuerFeed(CommuniqueFeed):
    def get_object(self, request, slug: str) -> Organization:
        return get_object_or_404(Organization, slug=slug)

    def title(self, obj: Organization) -> str:
        return f"Bayan: communiqués issued by {obj.name}"

    def link(self, obj: Organization) -> str:
        return obj.get_absolute_url()

    def items(self, obj: Organization):
        return _newest(stats.issued_by(obj))


class EntityFeed(CommuniqueFeed):
    def get_object(self, request, kind: str, slug: str):
        spec = stats.KINDS[kind]
        return spec, get_object_or_404(spec.model, slug=slug)

    def title(self, obj) -> str:
        spec, entity = obj
        return f"Bayan: communiqués about {entity} ({spec.label.lower()})"

    def link(self, obj) -> str:
        return obj[1].get_absolute_url()

    def items(self, obj):
        spec, entity = obj
        return _newest(spec.communiques(entity))


# The characters Django's feed writer refuses: XML 1.0 has no place for them.
_NOT_IN_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


class SearchFeed(CommuniqueFeed):
    """The results of a search, newest first, for the query string of the request."""

    def get_object(self, request):
        params = request.GET.copy()
        params.pop("page", None)  # a feed is always the newest results
        params.setdefault("sort", "-date")
        try:
            return request.GET, run_search(params)
        except SearchError as error:  # parameters the search cannot honour
            raise Http404(str(error)) from error

    def title(self, obj) -> str:
        # A query may hold control characters, which XML 1.0 cannot (a 500 before).
        query = _NOT_IN_XML.sub("", obj[0].get("q", "")).strip()
        return f"Bayan: search “{query}”" if query else "Bayan: search"

    def link(self, obj) -> str:
        query = obj[0].urlencode()
        return "/search/" + (f"?{query}" if query else "")  # the search page's fixed URL

    def items(self, obj):
        ids = [c.pk for c in obj[1].communiques]
        return _newest(stats.published().filter(pk__in=ids))
