"""Resolving a public id: the published communiqué, or the reason it is not there."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from archive.citations import CitationRecord, chicago, record_for, record_for_tombstone
from archive.models import Communique, Tombstone


class Gone(Exception):
    """The id was public once: its permalink answers 410 with what is needed to cite it."""

    def __init__(self, citation: CitationRecord):
        self.citation = citation


def permalink(request: HttpRequest, public_id: str) -> str:
    return request.build_absolute_uri(reverse("archive:communique", args=[public_id]))


def citation_for(request: HttpRequest, communique: Communique) -> CitationRecord:
    return record_for(communique, permalink(request, communique.public_id), timezone.localdate())


def get_published(request: HttpRequest, public_id: str, queryset=None) -> Communique:
    """The published communiqué with this id; raises Gone (410) or Http404.

    A communiqué that was published once and then deleted or withdrawn answers 410 with its
    citation, since people may have cited it. A draft that was never published answers 404
    like an id that never existed: its title must not leak.
    """
    queryset = queryset if queryset is not None else Communique.objects.all()
    communique = queryset.published().filter(public_id=public_id).first()
    if communique is not None:
        return communique
    url, today = permalink(request, public_id), timezone.localdate()
    tombstone = Tombstone.objects.filter(public_id=public_id).first()
    if tombstone is not None:
        raise Gone(record_for_tombstone(tombstone, url, today))
    withdrawn = (
        Communique.objects.filter(public_id=public_id, published_at__isnull=False)
        .select_related("issuer")
        .first()
    )
    if withdrawn is not None:
        raise Gone(record_for(withdrawn, url, today))
    raise Http404("No communiqué has this id.")


def gone(request: HttpRequest, error: Gone) -> HttpResponse:
    context = {"citation": error.citation, "chicago": chicago(error.citation)}
    return render(request, "410.html", context, status=410)


def published_or_gone(view):
    """Decorate a view taking `communique` instead of `public_id`; turn Gone into a 410."""

    def wrapper(request, public_id, *args, **kwargs):
        try:
            communique = get_published(request, public_id)
        except Gone as error:
            return gone(request, error)
        return view(request, communique, *args, **kwargs)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper
