"""Pages kept as drawn, for as long as what they show is unchanged: communiqué pages, search
results pages, the demand tracker's, entity pages and lists, the front page, the issuers and
browsing by date.

A communiqué's page costs 35–50 ms of CPU (the record's structure in seven queries, "more
like this", the template), a results page 35–45 ms (the search, its facets and highlights, a
template of some 600 links; both measured at 100,000 communiqués), and 16 readers at once
queue behind two workers for eight times that. Both are read far more often than the archive
changes, and are the same for every reader but for the language form's CSRF token, which is
drawn as a placeholder and filled in for each response.

A page is kept under everything it shows:
- the address as asked (scheme, host, path and query): the page prints absolute links, and
  its query says what it shows;
- the interface language, and the day: the citation gives the date of access, and a date
  range may be relative ("last year");
- the search index's version, which every publication, withdrawal or correction changes, and
  every rename of an entity a page names (pages show only entity fields the index copies:
  search.signals): results, counts and labels, "more like this", the issuer's previous
  statement and the other language versions change only with it;
- for a communiqué, the record's last change (`updated_at`, one indexed lookup, which also
  finds a page withdrawn or deleted since: the view then answers 410 as ever);
- for the demand tracker, the repeated calls marked, which the index does not hold
  (`archive.research.demands.marks`). Its chart and choices count every demand of the
  archive: 1–1.6 s at 100,000 communiqués;
- for an entity's page, the entity's own row (its description is not indexed). Its research
  sections count every communiqué naming it: 1.2 s for the largest issuer at 100,000.
- for the front page, the issuers and browsing by date, nothing more: they count and list
  published communiqués (the years page 220 ms at 100,000).

Where the engine gives no version (Elasticsearch, Solr), or a part of the page failed (the
view sets `response.keep = False`), nothing is kept. Django's cache_page would hand one
reader's CSRF token to every other, and knows of no change but a timeout.

Pages are held per process, compressed, the least recently read dropped first, each kind in
a store of its own (the demand tracker's and the entities' in the results pages', being as
large): a results page keeps in four times a communiqué page's room (BAYAN_PAGE_CACHE_PAGES,
BAYAN_RESULTS_CACHE_PAGES; 0 keeps none, the default with DEBUG on).
"""

from __future__ import annotations

import functools
import hashlib
import logging
import secrets
import zlib
from collections.abc import Callable

from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.translation import get_language

from archive.models import Communique
from search.service import index_version

logger = logging.getLogger(__name__)

# Each kind of page: its store (settings.CACHES) and the setting that sizes it.
STORES = {
    "communique": ("pages", "BAYAN_PAGE_CACHE_PAGES"),
    "results": ("results", "BAYAN_RESULTS_CACHE_PAGES"),
}

# Drawn where the language form's CSRF token goes. Random per process, like the pages it is
# in, so that no text a page shows (a communiqué, a query typed) can hold it.
CSRF_PLACEHOLDER = f"csrf-{secrets.token_hex(16)}"


def page(
    request: HttpRequest,
    draw: Callable[[], HttpResponse],
    also: Callable[[], object] | None = None,
    kind: str = "communique",
) -> HttpResponse:
    """The page that `draw()` renders, kept while it stays current, in the store for its
    `kind` (STORES); each reader gets it with a CSRF token of their own, put where
    `csrf_placeholder` had the templates draw CSRF_PLACEHOLDER. `also()` gives what else the
    page shows, besides its address and the index; None there keeps nothing. Any answer but
    a page (400, 410, a redirect) is passed on, never kept.
    """
    store, size = STORES[kind]
    key = _key(request, also) if getattr(settings, size) else None
    kept = caches[store].get(key) if key else None
    if kept is not None:
        html = zlib.decompress(kept).decode()
    else:
        request.drawn_to_keep = True
        try:
            response = draw()
        finally:
            del request.drawn_to_keep
        if response.streaming:
            return response
        html = response.content.decode(response.charset)
        if response.status_code != 200:  # drawn alike (a form's errors), but never kept
            response.content = html.replace(CSRF_PLACEHOLDER, get_token(request))
            return response
        if key and getattr(response, "keep", True):
            # Compressed: a communiqué page of 24 KB keeps in 5 KB, for 0.4 ms once and
            # 0.05 ms a reading, a results page of 210 KB in 20 KB, for 2.9 ms and 0.6 ms
            # (measured), so that a process holds five to ten times the pages.
            caches[store].set(key, zlib.compress(html.encode()), timeout=None)
    return HttpResponse(html.replace(CSRF_PLACEHOLDER, get_token(request)))


def csrf_placeholder(request: HttpRequest) -> dict:
    """Context processor: a page that `page()` draws holds CSRF_PLACEHOLDER where its CSRF
    token goes, whichever view draws it; any other page keeps Django's token."""
    return {"csrf_token": CSRF_PLACEHOLDER} if getattr(request, "drawn_to_keep", False) else {}


def kept(kind: str = "results"):
    """`page()` as a decorator, for a view whose page shows nothing but what its address and
    the index say: the function decorated draws the page, as it would without being kept."""

    def decorate(draw: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(draw)
        def view(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            return page(request, lambda: draw(request, *args, **kwargs), kind=kind)

        return view

    return decorate


def last_change(public_id: str) -> str | None:
    """When the published communiqué last changed, or None for one not (or no longer) public."""
    sql, params, slot = _last_change_query()
    params = list(params)
    params[slot] = public_id
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return str(row[0]) if row else None


@functools.cache
def _last_change_query() -> tuple[str, tuple, int]:
    """The SQL of last_change's lookup, made by the ORM once, and where the id goes in it.

    A warm page cost a worker 3.7 ms of CPU under load, and building this query through the
    ORM took 0.8 ms of it, for a 0.06 ms lookup (measured at 100,000 communiqués).
    `published()` filters on constants only, so its SQL holds for every later call.
    """
    marker = "\0public_id"
    query = (
        Communique.objects.published()
        .filter(public_id=marker)
        .order_by()
        .values_list("updated_at", flat=True)[:1]
        .query
    )
    sql, params = query.sql_with_params()
    return sql, tuple(params), list(params).index(marker)


def _key(request: HttpRequest, also: Callable[[], object] | None) -> str | None:
    try:
        version = index_version()
    except Exception:  # no index to read: the page is drawn, and its trouble shown, each time
        logger.debug("no index version for the page cache", exc_info=True)
        return None
    if version is None:
        return None
    more = also() if also else ()
    if more is None:
        return None
    shown = (
        request.scheme,
        request.get_host(),
        request.get_full_path(),
        get_language(),
        timezone.localdate().isoformat(),
        more,
        version,
    )
    return "page:" + hashlib.sha256(repr(shown).encode()).hexdigest()
