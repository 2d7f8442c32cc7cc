"""Degrading gracefully when the search index is unreadable, and telling admins why.

SearchUnavailableMiddleware: an error from the search engine (missing, unreadable or corrupt
index directory, an engine that is down) under the public search paths becomes a 503 page
"Search is temporarily unavailable" (JSON under /api/) with Retry-After, instead of a 500.
The rest of the site does not depend on the index (pages, browse, entities, feeds).

IndexHealthMiddleware: on admin pages, staff see a warning when index updates are failing
(for example a read-only or full index directory): what fails and how many updates wait.
The updates stay in the durable queue (search.queue) and are applied by themselves once the
cause is fixed.
"""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string

from search.locking import IndexBusy

logger = logging.getLogger("bayan.search")

SEARCH_PATHS = ("/search/", "/api/search/", "/feeds/search.atom")
RETRY_AFTER = 60
LOW_DISK_BYTES = 50 * 1024 * 1024
_ENGINE_MODULES = ("whoosh", "haystack", "elasticsearch", "pysolr", "search.backend")


def is_index_error(error: BaseException) -> bool:
    if isinstance(error, OSError | IndexBusy):
        return True
    module = type(error).__module__ or ""
    return module.startswith(_ENGINE_MODULES)


def search_unavailable(request: HttpRequest) -> HttpResponse:
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {
                "detail": "Search is temporarily unavailable; please try again in a minute.",
                "retry_after": RETRY_AFTER,
            },
            status=503,
        )
    else:
        response = HttpResponse(
            render_to_string("503_search.html", {}, request=request), status=503
        )
    response["Retry-After"] = str(RETRY_AFTER)
    return response


class SearchUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        if request.path.startswith(SEARCH_PATHS) and is_index_error(exception):
            logger.error("search unavailable: %s", exception, exc_info=exception)
            return search_unavailable(request)
        return None


def index_problems() -> list[str]:
    """What keeps the index from being updated, in words an admin can act on."""
    from search.models import IndexTask

    problems = []
    options = settings.HAYSTACK_CONNECTIONS["default"]
    path = options.get("PATH")
    if path:
        folder = Path(path)
        existing = folder if folder.exists() else folder.parent
        if not os.access(existing, os.W_OK):
            problems.append(
                f"The search index directory {folder} is not writable by the server: "
                "new and changed communiqués cannot be indexed."
            )
        else:
            try:
                free = shutil.disk_usage(existing).free
            except OSError:
                free = None
            if free is not None and free < LOW_DISK_BYTES:
                problems.append(
                    f"The disk holding the search index {folder} is almost full "
                    f"({free // (1024 * 1024)} MB free)."
                )
    failing = IndexTask.objects.filter(attempts__gt=0)
    count = failing.count()
    if count:
        last = failing.order_by("-id").values_list("last_error", flat=True).first() or ""
        problems.append(
            f"{count} search index update(s) are failing and will be retried: {last[:300]}"
        )
    waiting = IndexTask.objects.count()
    if problems and waiting:
        problems.append(
            f"{waiting} update(s) wait in the queue; nothing is lost, and the index catches up "
            "by itself once the cause is fixed (or run manage.py drain_index)."
        )
    return problems


class IndexHealthMiddleware:
    CACHE_KEY = "bayan:index-health"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            request.method == "GET"
            and request.path.startswith("/admin/")
            and getattr(request, "user", None) is not None
            and request.user.is_active
            and request.user.is_staff
            and "autocomplete" not in request.path
            and "jsi18n" not in request.path
        ):
            problems = cache.get(self.CACHE_KEY)
            if problems is None:
                try:
                    problems = index_problems()
                except Exception:  # the warning must never break the admin
                    logger.exception("index health check failed")
                    problems = []
                cache.set(self.CACHE_KEY, problems, 30)
            for problem in problems:
                messages.warning(request, problem)
        return self.get_response(request)
