"""Thin views over search.service: the page, the JSON API and the exports."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator

import orjson
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from archive import pagecache
from archive.spreadsheets import safe_cell
from search.facets import FACETS
from search.forms import SearchForm
from search.grouping import group_versions
from search.params import SORTS
from search.service import Hit, SearchError, iter_hits, run_search


@require_safe
@pagecache.kept()
def search_page(request: HttpRequest):
    """The results page, or the form's errors; its CSRF token is archive.pagecache's."""
    form = SearchForm(request.GET)
    context = {
        "form": form,
        "query": form.source(),
        "sorts": SORTS,
        "facets": FACETS,
        # As typed, so that a malformed date is shown back for fixing.
        "date_from": request.GET.get("date_from", "")[:40],
        "date_to": request.GET.get("date_to", "")[:40],
    }
    if not form.is_valid():
        context["errors"] = form.messages()
        return render(request, "search/search.html", context, status=400)
    params = form.params()
    context.update(params=params, query=params.query.source)
    try:
        context["result"] = run_search(params)
    except SearchError as error:
        context["errors"] = [str(error)]
        return render(request, "search/search.html", context, status=400)
    result = context["result"]
    context.update(
        entries=group_versions(result.hits),
        chips=_chips(result),
        prev_url=params.url(page=params.page - 1),
        next_url=params.url(page=params.page + 1),
        export_csv=params.url(reverse("search:export-csv"), page=1),
        export_json=params.url(reverse("search:export-json"), page=1),
        api_url=params.url(reverse("search:api-search"), page=params.page),
    )
    return render(request, "search/search.html", context)


def _chips(result) -> list[dict]:
    """The active filters, each with the URL that removes it."""
    params = result.params
    chips = []
    for counts in result.facets:
        for value in counts.values:
            if value.selected:
                chips.append({"label": f"{counts.facet.label}: {value.label}", "url": value.url})
    if params.date_from:
        label = _("From %(date)s") % {"date": params.date_from.text}
        chips.append({"label": label, "url": params.url(date_from=None)})
    if params.date_to:
        label = _("To %(date)s") % {"date": params.date_to.text}
        chips.append({"label": label, "url": params.url(date_to=None)})
    return chips


def _error(message: str) -> JsonResponse:
    return JsonResponse({"error": message}, status=400)


def _checked(request: HttpRequest):
    # The API's and the exports' messages are part of their contract (docs/query-syntax.md):
    # English, whatever language the caller's browser asks the pages in.
    with translation.override("en"):
        form = SearchForm(request.GET)
        if not form.is_valid():
            return None, _error(" ".join(form.messages()))
    return form.params(), None


# Types orjson does not know, as JsonResponse takes them (lazy text, dates).
_ENCODER = DjangoJSONEncoder()


@require_safe
def api_search(request: HttpRequest):
    params, error = _checked(request)
    if error:
        return error
    with translation.override("en"):  # the JSON contract's words (messages, month labels)
        try:
            page = run_search(params)
        except SearchError as exc:
            return _error(str(exc))
        # orjson: an answer of some 800 facet values encodes in 0.1 ms, against 1.2 ms through
        # json (measured at 100,000 communiqués; 3 % of a search). UTF-8, as ensure_ascii=False;
        # other types as JsonResponse's encoder takes them (lazy text, dates), or a TypeError.
        body = orjson.dumps(page.as_json(_absolute(request)), default=_ENCODER.default)
    return HttpResponse(body, content_type="application/json")


def _absolute(request: HttpRequest) -> Callable[[str], str]:
    """request.build_absolute_uri for absolute paths (permalinks: reverse() gives them), with
    the scheme and host read once (it parses them again for each of a page's links)."""
    origin = request.build_absolute_uri("/").removesuffix("/")
    return lambda path: origin + path


EXPORT_COLUMNS = ["id", "permalink", "title", "issuer", "date", "language"]


def _row(hit: Hit, absolute) -> dict:
    return {
        "id": hit.id,
        "permalink": absolute(hit.permalink),
        "title": hit.title,
        "issuer": hit.issuer,
        "date": hit.date.isoformat() if hit.date else "",
        "language": hit.language,
    }


class _Line:
    """csv.writer writes into this and we hand each line to the response as it comes."""

    def write(self, value: str) -> str:
        return value


@require_safe
def export_csv(request: HttpRequest):
    params, error = _checked(request)
    if error:
        return error
    absolute = _absolute(request)

    def lines() -> Iterator[str]:
        writer = csv.writer(_Line())
        yield "\ufeff" + writer.writerow(EXPORT_COLUMNS)  # the BOM tells Excel it is UTF-8
        for hit in iter_hits(params):
            yield writer.writerow([safe_cell(v) for v in _row(hit, absolute).values()])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="bayan-search.csv"'
    return response


@require_safe
def export_json(request: HttpRequest):
    params, error = _checked(request)
    if error:
        return error
    absolute = _absolute(request)

    def chunks() -> Iterator[str]:
        yield "["
        for n, hit in enumerate(iter_hits(params)):
            yield ("," if n else "") + "\n" + json.dumps(_row(hit, absolute), ensure_ascii=False)
        yield "\n]\n"

    response = StreamingHttpResponse(chunks(), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="bayan-search.json"'
    return response
