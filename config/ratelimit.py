"""Per-client rate limits for the public search, the JSON API and the exports.

A fixed-window counter in Django's cache (the "ratelimit" alias): each client IP may make
`N` requests per window to each rule's paths; one more gets a 429 with Retry-After and a
clear message (JSON under /api/, an HTML page elsewhere).

Settings (from the environment, see config/settings.py):
    BAYAN_RATE_LIMIT          "120/m" for search, API and feeds of searches; "0" turns it off
    BAYAN_EXPORT_RATE_LIMIT   "20/m" for the streamed CSV/JSON exports (they cost the most)
    BAYAN_TRUSTED_PROXIES     how many reverse proxies append to X-Forwarded-For (0: ignore
                              the header, trust only REMOTE_ADDR)
    BAYAN_RATE_LIMIT_CACHE    "local" (per process) or "database" (shared by gunicorn
                              workers; run `manage.py createcachetable` once)
"""

from __future__ import annotations

import hashlib
import re
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext, ngettext

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([smhd])\w*\s*$")


@dataclass(frozen=True)
class Rate:
    count: int
    seconds: int

    def __str__(self) -> str:
        return f"{self.count} requests per {self.seconds} s"


def parse_rate(value: str, name: str = "rate") -> Rate | None:
    """ "120/m", "10/s", "1000/h", "5/10m"; "0", "off" or "" turn the limit off (None)."""
    if value is None or value.strip().lower() in {"", "0", "off", "none"}:
        return None
    match = _RATE.match(value)
    if not match:
        raise ImproperlyConfigured(
            f"{name}={value!r} is not a rate: use requests/period, e.g. 120/m, 10/s, 1000/h."
        )
    count, multiple, unit = int(match[1]), int(match[2] or 1), match[3]
    if count == 0:
        return None
    return Rate(count, multiple * _UNITS[unit])


def cache():
    alias = "ratelimit" if "ratelimit" in settings.CACHES else "default"
    return caches[alias]


def client_ip(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or X-Forwarded-For when proxies are trusted."""
    proxies = getattr(settings, "BAYAN_TRUSTED_PROXIES", 0)
    if proxies:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            return forwarded[-proxies][:64]
    return request.META.get("REMOTE_ADDR", "")[:64] or "unknown"


def rules() -> list[tuple[str, Rate | None]]:
    """(path prefix, rate): the first prefix that matches the request's path applies."""
    general = parse_rate(getattr(settings, "BAYAN_RATE_LIMIT", "120/m"), "BAYAN_RATE_LIMIT")
    export = parse_rate(
        getattr(settings, "BAYAN_EXPORT_RATE_LIMIT", "20/m"), "BAYAN_EXPORT_RATE_LIMIT"
    )
    return [
        ("/api/search/export", export),
        ("/api/", general),
        ("/search/", general),
        ("/feeds/search.atom", general),
    ]


def hit(bucket: str, ip: str, rate: Rate, now: float | None = None) -> int:
    """Count one request; returns 0 if allowed, else the seconds until the window ends."""
    now = time.time() if now is None else now
    window = int(now // rate.seconds)
    digest = hashlib.sha256(f"{bucket}\x00{ip}".encode()).hexdigest()[:32]
    key = f"bayan:rl:{digest}:{window}"
    store = cache()
    store.add(key, 0, timeout=rate.seconds + 5)
    try:
        count = store.incr(key)
    except ValueError:  # expired between add and incr
        store.set(key, 1, timeout=rate.seconds + 5)
        count = 1
    if count <= rate.count:
        return 0
    return max(1, int((window + 1) * rate.seconds - now) + 1)


def too_many(request: HttpRequest, rate: Rate, retry_after: int) -> HttpResponse:
    if request.path.startswith("/api/") or "json" in request.headers.get("Accept", ""):
        with translation.override("en"):  # the API's messages are English, as documented
            detail = _message(rate, retry_after)
        response = JsonResponse({"detail": detail, "retry_after": retry_after}, status=429)
        response["Access-Control-Allow-Origin"] = "*"
    else:
        # Answered before LocaleMiddleware, so in the reader's language by the same rules.
        with translation.override(translation.get_language_from_request(request)):
            context = {"message": _message(rate, retry_after), "retry_after": retry_after}
            body = render_to_string("429.html", context, request=request)
        response = HttpResponse(body, status=429)
    response["Retry-After"] = str(retry_after)
    return response


def _message(rate: Rate, retry_after: int) -> str:
    return " ".join(
        (
            gettext("Too many requests from your address: the limit is %(count)d %(period)s.")
            % {"count": rate.count, "period": _period(rate.seconds)},
            ngettext(
                "Please wait %(n)d second and try again.",
                "Please wait %(n)d seconds and try again.",
                retry_after,
            )
            % {"n": retry_after},
        )
    )


def _period(seconds: int) -> str:
    """ "per minute", "per 2 hours": the window of a rate, in the active language."""
    for size, one_or_many in (
        (86400, lambda n: ngettext("per day", "per %(n)d days", n)),
        (3600, lambda n: ngettext("per hour", "per %(n)d hours", n)),
        (60, lambda n: ngettext("per minute", "per %(n)d minutes", n)),
    ):
        if seconds % size == 0:
            n = seconds // size
            return one_or_many(n) % {"n": n}
    return ngettext("per %(n)d second", "per %(n)d seconds", seconds) % {"n": seconds}


class RateLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        for prefix, rate in rules():
            if request.path.startswith(prefix):
                if rate is not None and request.method not in ("OPTIONS",):
                    wait = hit(prefix, client_ip(request), rate)
                    if wait:
                        return too_many(request, rate, wait)
                break
        return self.get_response(request)
