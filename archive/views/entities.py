"""Entity lists (/people/, /organizations/, ...) and each entity's own page."""

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from archive import stats
from archive.views.meta import share_meta

PAGE_SIZE = 50


@require_safe
def issuers(request):
    context = {
        **share_meta(request, "Issuers", "Organizations that issued communiqués."),
        "issuers": stats.issuers(),
    }
    return render(request, "archive/issuers.html", context)


@require_safe
def entity_list(request, kind: str):
    spec = stats.KINDS[kind]
    page = Paginator(stats.named(spec), 100).get_page(request.GET.get("page"))
    page.object_list = stats.counted(spec, page.object_list)
    description = f"{spec.label_plural} named in the communiqués of the Bayan archive."
    context = {**share_meta(request, spec.label_plural, description), "kind": spec, "page": page}
    return render(request, "archive/entity_list.html", context)


@require_safe
def entity(request, kind: str, slug: str):
    spec = stats.KINDS[kind]
    obj = get_object_or_404(spec.model, slug=slug)
    communiques = spec.communiques(obj).order_by("-date", "-pk")
    # An entity named only in drafts is not public yet: its very name could leak them.
    if not communiques.exists():
        raise Http404("Nothing published mentions this.")
    description = f"Communiqués naming {obj} ({spec.label.lower()}), over time."
    context = {
        **share_meta(request, str(obj), description, obj.get_absolute_url()),
        "kind": spec,
        "entity": obj,
        "page": Paginator(communiques, PAGE_SIZE).get_page(request.GET.get("page")),
        "roles": stats.roles_of(obj) if kind == "people" else None,
        "issued_count": stats.issued_by(obj).count() if kind == "organizations" else None,
    }
    return render(request, "archive/entity.html", context)
