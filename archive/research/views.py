"""Thin views over archive.research: the demand tracker, exports, compare, CSV of charts."""

from __future__ import annotations

import csv
import math
from collections.abc import Callable

from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from archive import pagecache, stats
from archive.models import Communique, Resolution
from archive.research import charts, citations_timeline, compare, cooccurrence, demands
from archive.spreadsheets import safe_cell
from archive.views.entities import public_entity
from archive.views.meta import share_meta

PAGE_SIZE = 50
API_PAGE_SIZE = 100


class _Echo:
    def write(self, value):
        return value


def _csv(rows, filename: str) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())
    response = StreamingHttpResponse(
        (writer.writerow([safe_cell(cell) for cell in row]) for row in rows),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_safe
def demand_tracker(request):
    fmt = request.GET.get("format")
    if fmt == "csv":
        return demands_csv(request)
    if fmt == "json":
        return demands_json(request)
    if fmt == "chart-csv":
        return demands_chart_csv(request)
    # Kept as drawn (archive.pagecache): the chart and the choices count every demand of the
    # archive, 1–1.6 s at 100,000 communiqués, on every visit, for a page that changes only
    # when a communiqué or an entity does, or a repeated call is marked.
    return pagecache.page(request, lambda: _draw_tracker(request), demands.marks, "results")


def _draw_tracker(request):
    filterset = demands.filtered(request.GET)
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    items = [{"demand": d, "repeat": demands.repeat_summary(d)} for d in page.object_list]
    query = demands.query_string(request.GET)
    context = {
        **share_meta(
            request,
            _("Demand tracker"),
            _("Every demand in the archive's communiqués: who demanded what of whom, and when."),
        ),
        "filterset": filterset,
        "page": page,
        "items": items,
        "chart": demands.demands_chart(filterset),
        "addressees": demands.addressee_choices(),
        "issuers": demands.issuer_choices(),
        "chosen": request.GET.getlist("addressee"),
        "filters_query": query,  # not "query": base.html puts that in the header's search box
        "csv_url": f"{reverse('archive:research:demands-csv')}?{query}",
        "json_url": f"{reverse('archive:research:demands-json')}?{query}",
        "chart_csv_url": f"{reverse('archive:research:demands-chart-csv')}?{query}",
    }
    return render(request, "research/demands.html", context)


@require_safe
def demands_json(request):
    filterset = demands.filtered(request.GET)
    if not filterset.is_valid():
        return JsonResponse({"errors": filterset.errors.get_json_data()}, status=400)
    try:
        size = max(1, min(int(request.GET.get("page_size", API_PAGE_SIZE)), 500))
    except ValueError:
        size = API_PAGE_SIZE
    paginator = Paginator(filterset.qs, size)
    page = paginator.get_page(request.GET.get("page"))
    base = reverse("archive:research:demands-json")

    def link(number):
        query = demands.query_string(request.GET, page=str(number), page_size=str(size))
        return request.build_absolute_uri(f"{base}?{query}")

    return JsonResponse(
        {
            "count": paginator.count,
            "page": page.number,
            "pages": paginator.num_pages or math.ceil(paginator.count / size),
            "next": link(page.next_page_number()) if page.has_next() else None,
            "previous": link(page.previous_page_number()) if page.has_previous() else None,
            "results": [demands.as_json(d, request.build_absolute_uri) for d in page.object_list],
        },
        json_dumps_params={"ensure_ascii": False},
    )


@require_safe
def demands_csv(request):
    filterset = demands.filtered(request.GET)
    return _csv(demands.csv_rows(filterset.qs, request.build_absolute_uri), "bayan-demands.csv")


def _chart_csv(build: Callable[[], charts.Chart], filename: str) -> StreamingHttpResponse:
    """The chart `build()` draws, as CSV. Its header ("month", "start", "end", the series,
    "total") is what scripts reading it rely on: English, whatever the interface language."""
    with translation.override("en"):
        chart = build()
    return _csv(charts.chart_csv_rows(chart), filename)


@require_safe
def demands_chart_csv(request):
    filterset = demands.filtered(request.GET)
    return _chart_csv(lambda: demands.demands_chart(filterset), "bayan-demands-per-addressee.csv")


# ---- Entities ----


@require_safe
def entity_timeline_csv(request, kind: str, slug: str):
    entity = public_entity(stats.KINDS[kind], slug)
    return _chart_csv(
        lambda: citations_timeline.entity_timeline(kind, entity),
        f"bayan-{kind}-{entity.slug}-timeline.csv",
    )


@require_safe
def entity_cooccurrence_csv(request, kind: str, slug: str):
    entity = public_entity(stats.KINDS[kind], slug)
    items = cooccurrence.cooccurring(kind, entity)
    return _csv(
        cooccurrence.csv_rows(items, request.build_absolute_uri),
        f"bayan-{kind}-{entity.slug}-cooccurrence.csv",
    )


@require_safe
def resolution_citations_csv(request, slug: str):
    resolution: Resolution = public_entity(stats.KINDS["resolutions"], slug)
    return _chart_csv(
        lambda: citations_timeline.citations_chart(resolution),
        f"bayan-{resolution.slug}-citations.csv",
    )


# ---- Compare ----


def _published(public_id: str) -> Communique:
    return get_object_or_404(Communique.objects.published().with_structure(), public_id=public_id)


@require_safe
def compare_view(request, id_a: str, id_b: str):
    a, b = _published(id_a), _published(id_b)
    context = {
        **share_meta(
            request,
            _("Compare: %(a)s / %(b)s") % {"a": a.title, "b": b.title},
            _("%(a)s and %(b)s") % {"a": a.title, "b": b.title},
        ),
        "a": a,
        "b": b,
        **compare.compare(a, b),
        "swap_url": reverse("archive:research:compare", args=[b.public_id, a.public_id]),
    }
    return render(request, "research/compare.html", context)


@require_safe
def compare_previous(request, public_id: str):
    current = get_object_or_404(Communique.objects.published(), public_id=public_id)
    previous = compare.previous_from_issuer(current)
    if previous is None:
        raise Http404("No earlier communiqué from this issuer.")
    return HttpResponseRedirect(
        reverse("archive:research:compare", args=[previous.public_id, current.public_id])
    )
