"""The communiqué page, its slugged alias, its earlier revisions and its original file."""

from __future__ import annotations

import logging
from dataclasses import replace
from types import SimpleNamespace

from django.http import FileResponse, Http404, HttpResponsePermanentRedirect, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from archive import pagecache, stats, translations
from archive.citations import chicago
from archive.highlight import demand_marks
from archive.models import Communique, Revision
from archive.views.meta import cite_panel, share_meta
from archive.views.permalinks import (
    Gone,
    citation_for,
    get_published,
    gone,
    published_or_gone,
)
from search.service import more_like_this

logger = logging.getLogger(__name__)


def related(communique: Communique) -> list[Communique] | None:
    """Similar communiqués from the search engine, or None while it is unavailable."""
    try:
        return list(more_like_this(communique, n=5))
    except Exception:  # a broken index must not take the page down with it
        logger.exception("more_like_this failed for %s", communique.public_id)
        return None


def side_by_side(record: Communique, paragraphs, others, language: str) -> dict | None:
    """?compare=<language>: this version and that one, paragraph by paragraph."""
    other = next((v for v in others if v.language == language), None) if language else None
    if other is None:
        return None
    return {
        "other": other,
        "rows": translations.align(paragraphs, list(other.paragraphs.all())),
    }


@require_safe
def communique(request, public_id: str):
    return pagecache.page(
        request, lambda: _draw(request, public_id), lambda: pagecache.last_change(public_id)
    )


def _draw(request, public_id: str):
    """The page itself, from the record; its CSRF token is archive.pagecache's to fill in."""
    try:
        record = get_published(request, public_id, Communique.objects.with_structure())
    except Gone as error:
        return gone(request, error)
    others = translations.other_versions(record)
    if not others and not record.translation_of_id:
        # No translation recorded: versions guessed from the same issuer and date.
        others = list(stats.other_languages(record))
    wanted = request.GET.get("lang", "")
    if wanted and wanted != record.language:
        # /c/<id>/?lang=ar: the same statement's Arabic version, at its own permalink.
        version = next((v for v in others if v.language == wanted), None)
        if version is None:
            raise Http404("This communiqué has no version in that language.")
        return HttpResponseRedirect(version.get_absolute_url())
    demands = list(record.demands.all())
    paragraphs = list(record.paragraphs.all())
    lead = paragraphs[0].text if paragraphs else record.title
    context = {
        **share_meta(request, record.title, lead, record.get_absolute_url()),
        **cite_panel(citation_for(request, record)),
        "c": record,
        "paragraphs": paragraphs,
        "marks": demand_marks((d.paragraph, d.text) for d in demands),
        "demands": demands,
        "participations": record.participations.all(),
        "places": record.places.all(),
        "resolutions": record.resolutions.all(),
        "other_languages": others,
        "side_by_side": side_by_side(record, paragraphs, others, request.GET.get("compare", "")),
        # A revision's snapshot (the whole record as it was) is for its own page, not the list.
        "revisions": record.revisions.order_by("-number").defer("data"),
        "related": related(record),
    }
    response = render(request, "archive/communique.html", context)
    # A page drawn without its similar statements is not kept: the next reader may get them.
    response.keep = context["related"] is not None
    return response


@require_safe
@published_or_gone
def communique_slug(request, communique: Communique, slug: str):
    # Any slug, current or stale, leads to the one canonical URL.
    return HttpResponsePermanentRedirect(communique.get_absolute_url())


@require_safe
@published_or_gone
def revision(request, communique: Communique, number: int):
    rev = get_object_or_404(Revision, communique=communique, number=number)
    data = rev.data or {}
    paragraphs = [
        SimpleNamespace(number=n, text=text, anchor=f"p{n}")
        for n, text in enumerate(data.get("paragraphs", []), start=1)
    ]
    demands = data.get("demands", [])
    latest = stats.latest_revision_number(communique)
    context = {
        "c": communique,
        "revision": rev,
        "data": data,
        "language": data.get("language") or communique.language,  # of the text as it was
        "paragraphs": paragraphs,
        "demands": demands,
        "marks": demand_marks((d.get("paragraph"), d.get("text", "")) for d in demands),
        "is_latest": rev.number == latest,
        "latest": latest,
        **share_meta(
            request,
            _("%(title)s (revision %(n)s)")
            % {"title": data.get("title", communique.title), "n": rev.number},
            " ".join(data.get("paragraphs", [])[:1]) or communique.title,
        ),
        # What was read at this address is cited at this address.
        "chicago": chicago(
            replace(
                citation_for(request, communique),
                title=data.get("title", communique.title),
                url=request.build_absolute_uri(rev.get_absolute_url()),
            )
        ),
    }
    return render(request, "archive/revision.html", context)


@require_safe
@published_or_gone
def original(request, communique: Communique):
    if not communique.original:
        raise Http404("This communiqué has no original file.")
    name = communique.original_name or communique.original.name.rsplit("/", 1)[-1]
    return FileResponse(communique.original.open("rb"), as_attachment=True, filename=name)
