"""Entity lists (/people/, /organizations/, ...) and each entity's own page."""

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from archive import pagecache, stats
from archive.views.meta import share_meta

PAGE_SIZE = 50


@require_safe
@pagecache.kept()
def issuers(request):
    context = {
        **share_meta(request, _("Issuers"), _("Organizations that issued communiqués.")),
        "issuers": stats.issuers(),
    }
    return render(request, "archive/issuers.html", context)


@require_safe
@pagecache.kept()  # names and counts, which change only with the index
def entity_list(request, kind: str):
    spec = stats.KINDS[kind]
    page = Paginator(stats.named(spec), 100).get_page(request.GET.get("page"))
    page.object_list = stats.counted(spec, page.object_list)
    description = _("%(kind)s named in the communiqués of the Bayan archive.") % {
        "kind": spec.label_plural
    }
    context = {
        **share_meta(request, spec.label_plural, description),
        "kind": spec,
        "page": page,
    }
    return render(request, "archive/entity_list.html", context)


@require_safe
def entity(request, kind: str, slug: str):
    # Kept as drawn (archive.pagecache): its research sections count every communiqué that
    # names the entity, 1.2 s for the largest issuer at 100,000 communiqués. The index's version
    # stands for those communiqués and the other entities' names; the entity's own fields
    # (a description, a title) are not indexed, so its row is read each time, with the page.
    spec = stats.KINDS[kind]
    return pagecache.page(
        request, lambda: _draw_entity(request, spec, slug), lambda: _row(spec, slug), "results"
    )


def _row(spec: stats.EntityKind, slug: str) -> tuple | None:
    """The entity's fields as stored, or None (nothing kept) for one that does not exist."""
    return spec.model.objects.filter(slug=slug).values_list().first()


def public_entity(spec: stats.EntityKind, slug: str):
    """The entity with this slug, or Http404: also when only drafts name it, since its very
    name could leak them (its page, its CSV files)."""
    entity = get_object_or_404(spec.model, slug=slug)
    if not stats.is_named(spec, entity):
        raise Http404("Nothing published mentions this.")
    return entity


def _draw_entity(request, spec: stats.EntityKind, slug: str):
    obj = public_entity(spec, slug)
    communiques = spec.communiques(obj).order_by("-date", "-pk")
    description = _("Communiqués naming %(name)s (%(kind)s), over time.") % {
        "name": obj,
        "kind": str(spec.label).lower(),
    }
    context = {
        **share_meta(request, str(obj), description, obj.get_absolute_url()),
        "kind": spec,
        "entity": obj,
        "communiques": communiques,
        "page": Paginator(communiques, PAGE_SIZE).get_page(request.GET.get("page")),
        "roles": stats.roles_of(obj) if spec.key == "people" else None,
        "issued_count": stats.issued_by(obj).count() if spec.key == "organizations" else None,
    }
    return render(request, "archive/entity.html", context)
