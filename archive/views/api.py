"""The read-only JSON API: /api/communiques/, /api/<kind>/, /api/openapi.json."""

from __future__ import annotations

from django.core.paginator import EmptyPage, Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_safe

from archive import serializers, stats
from archive.filters import CommuniqueFilter
from archive.models import Communique
from archive.openapi import openapi_document

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


class BadRequest(Exception):
    pass


def _json(data, status: int = 200) -> JsonResponse:
    response = JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})
    # Public, read-only data: any site may read it from a browser.
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _positive_int(value: str | None, default: int, name: str) -> int:
    if value in (None, ""):
        return default
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise BadRequest(f"{name} must be a positive integer")
    return number


def paginated(request, queryset, serialize, complete=list) -> JsonResponse:
    """{count, next, previous, results}, with ?page= and ?page_size= (at most 100);
    `complete` adds to a page's records what the list alone does not hold."""
    try:
        size = min(
            _positive_int(request.GET.get("page_size"), DEFAULT_PAGE_SIZE, "page_size"),
            MAX_PAGE_SIZE,
        )
        number = _positive_int(request.GET.get("page"), 1, "page")
    except BadRequest as error:
        return _json({"detail": str(error)}, status=400)
    paginator = Paginator(queryset, size)
    try:
        page = paginator.page(number)
    except EmptyPage:
        return _json({"detail": "No such page."}, status=404)

    def link(n: int) -> str:
        query = request.GET.copy()
        query["page"] = str(n)
        return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")

    absolute = request.build_absolute_uri
    return _json(
        {
            "count": paginator.count,
            "next": link(page.next_page_number()) if page.has_next() else None,
            "previous": link(page.previous_page_number()) if page.has_previous() else None,
            "results": [serialize(item, absolute) for item in complete(page.object_list)],
        }
    )


@require_safe
def communiques(request):
    filterset = CommuniqueFilter(request.GET, queryset=stats.published().order_by("-date", "-pk"))
    if not filterset.is_valid():
        return _json({"detail": "Invalid filter.", "errors": filterset.errors}, status=400)
    return paginated(request, filterset.qs, serializers.communique_summary)


@require_safe
def communique(request, public_id: str):
    record = Communique.objects.published().with_structure().filter(public_id=public_id).first()
    if record is None:
        return _json({"detail": "No published communiqué has this id."}, status=404)
    return _json(serializers.communique_detail(record, request.build_absolute_uri))


@require_safe
def entities(request, kind: str):
    spec = stats.KINDS[kind]
    return paginated(
        request,
        stats.named(spec),
        serializers.entity_summary,
        complete=lambda page: stats.counted(spec, page),
    )


@require_safe
def entity(request, kind: str, slug: str):
    try:
        obj = get_object_or_404(stats.with_published_count(stats.KINDS[kind]), slug=slug)
    except Http404:
        return _json({"detail": "Not found."}, status=404)
    return _json(serializers.entity_detail(obj, request.build_absolute_uri))


@require_safe
def openapi(request):
    return _json(openapi_document(request.build_absolute_uri("/")))
