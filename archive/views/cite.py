"""Citation downloads: /c/<id>/cite.bib, cite.ris, cite.json."""

from __future__ import annotations

from django.http import HttpResponse
from django.views.decorators.http import require_safe

from archive import citations
from archive.views.permalinks import citation_for, published_or_gone

FORMATS = {
    # extension: (formatter, content type)
    "bib": (citations.bibtex, "application/x-bibtex; charset=utf-8"),
    "ris": (citations.ris, "application/x-research-info-systems; charset=utf-8"),
    "json": (citations.csl_json, "application/vnd.citationstyles.csl+json; charset=utf-8"),
}


@require_safe
@published_or_gone
def cite(request, communique, ext: str):
    formatter, content_type = FORMATS[ext]
    response = HttpResponse(formatter(citation_for(request, communique)), content_type=content_type)
    # inline: the "copy" control fetches the text; the "download" link sets its own name.
    filename = f"bayan-{communique.public_id}.{ext}"
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response
