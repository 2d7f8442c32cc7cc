"""What the site tells link previews, search engines and browsers: a page's canonical URL,
title and description and its citation panel; /robots.txt and /opensearch.xml."""

from __future__ import annotations

from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.text import Truncator
from django.utils.translation import gettext
from django.views.decorators.http import require_safe

from archive import citations
from archive.citations import CitationRecord


def share_meta(request, title: str, description: str, path: str | None = None) -> dict:
    """Context for templates/archive/_meta.html; `path` defaults to the page's own, sans query."""
    return {
        "canonical": request.build_absolute_uri(path or request.path),
        "meta_title": title,
        "meta_description": Truncator(" ".join(description.split())).chars(200),
    }


def cite_panel(citation: CitationRecord) -> dict:
    """Context for templates/archive/_cite.html: Chicago on the page, three downloads."""
    formats = [
        ("bib", "BibTeX", citations.bibtex),
        ("ris", "RIS", citations.ris),
        ("json", "CSL-JSON", citations.csl_json),
    ]
    return {
        "chicago": citations.chicago(citation),
        "cite_formats": [
            (key, label, render(citation), reverse("archive:cite", args=[citation.public_id, key]))
            for key, label, render in formats
        ],
    }


@require_safe
def robots_txt(request):
    """/robots.txt: crawlers are pointed at the sitemap, which lists every page worth
    indexing, and kept out of the addresses that answer any query (results, exports, the
    API, the demand tracker's filters): an endless space, each address drawn for its crawler."""
    sitemap = request.build_absolute_uri(reverse("archive:sitemap"))
    return render(
        request, "robots.txt", {"sitemap": sitemap}, content_type="text/plain; charset=utf-8"
    )


@require_safe
def opensearch(request):
    """/opensearch.xml: browsers offer Bayan as a search engine of their address bar, and
    feed readers find the results of any search as Atom."""
    context = {
        "search": request.build_absolute_uri(reverse("search:search")),
        "feed": request.build_absolute_uri(reverse("archive:feed-search")),
        "icon": request.build_absolute_uri(static("favicon.svg")),
        "address": request.build_absolute_uri(reverse("archive:opensearch")),
        # Here, not in the template: makemessages reads no .xml file.
        "description": gettext("Search the official communiqués archived in Bayan"),
    }
    return render(
        request, "opensearch.xml", context, content_type="application/opensearchdescription+xml"
    )
