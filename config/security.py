"""Security headers and admin login protection.

SecurityHeadersMiddleware sets Content-Security-Policy (no 'unsafe-inline': our templates
carry no inline script, style or event handler) and Permissions-Policy on every response;
Django's SecurityMiddleware already sets HSTS, nosniff, Referrer-Policy and COOP.

LoginLockoutMiddleware stops brute force on the admin login: after BAYAN_LOGIN_MAX_FAILURES
failed attempts for one username from one client within BAYAN_LOGIN_LOCKOUT_MINUTES, further
attempts get a 429 with Retry-After until the window has passed. A successful login clears
the count. A per-client cap (ten times the per-username one) stops guessing across usernames.
"""

from __future__ import annotations

import hashlib
import logging
import time

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext

from config.ratelimit import cache, client_ip

logger = logging.getLogger("bayan.security")

DEFAULT_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}

DEFAULT_PERMISSIONS_POLICY = {
    "accelerometer": [],
    "camera": [],
    "geolocation": [],
    "gyroscope": [],
    "magnetometer": [],
    "microphone": [],
    "payment": [],
    "usb": [],
    "interest-cohort": [],
}


def csp_header(directives: dict[str, list[str]]) -> str:
    return "; ".join(
        " ".join([name, *values]) if values else name for name, values in directives.items()
    )


def permissions_header(features: dict[str, list[str]]) -> str:
    return ", ".join(f"{name}=({' '.join(origins)})" for name, origins in features.items())


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.csp = csp_header(getattr(settings, "BAYAN_CSP", DEFAULT_CSP))
        self.csp_name = (
            "Content-Security-Policy-Report-Only"
            if getattr(settings, "BAYAN_CSP_REPORT_ONLY", False)
            else "Content-Security-Policy"
        )
        self.permissions = permissions_header(
            getattr(settings, "BAYAN_PERMISSIONS_POLICY", DEFAULT_PERMISSIONS_POLICY)
        )

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault(self.csp_name, self.csp)
        response.headers.setdefault("Permissions-Policy", self.permissions)
        return response


class RejectNulMiddleware:
    """An address or cookie holding a NUL character (%00) answers 400, before any view (and
    after LocaleMiddleware, so that it says so in the reader's language).

    No page, id, slug, search or session has one, and PostgreSQL refuses text holding it: a
    lookup of /c/a%00b/ raised a ValueError there, a 500, where SQLite simply found nothing."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        address = [request.path, *(t for k, vs in request.GET.lists() for t in (k, *vs))]
        if any("\x00" in text for text in address):
            reason = gettext(
                "The address holds a NUL character (%00): check the link you followed."
            )
            return bad_request(request, reason)
        if any("\x00" in text for item in request.COOKIES.items() for text in item):
            reason = gettext("A cookie holds a NUL character: clear this site's cookies.")
            return bad_request(request, reason)
        return self.get_response(request)


def bad_request(request: HttpRequest, reason: str) -> HttpResponse:
    """A 400 that says why and what to do next: JSON under /api/, a page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": reason}, status=400)
    page = render_to_string("400.html", {"reason": reason}, request=request)
    return HttpResponse(page, status=400)


# -- Admin login lockout ----------------------------------------------------------------------


def _max_failures() -> int:
    return getattr(settings, "BAYAN_LOGIN_MAX_FAILURES", 5)


def _window() -> int:
    return getattr(settings, "BAYAN_LOGIN_LOCKOUT_MINUTES", 15) * 60


def _key(kind: str, *parts: str) -> str:
    digest = hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:32]
    return f"bayan:login:{kind}:{digest}"


def _keys(request: HttpRequest, username: str) -> list[tuple[str, int]]:
    ip = client_ip(request)
    limit = _max_failures()
    return [
        (_key("user", ip, (username or "").strip().lower()), limit),
        (_key("ip", ip), limit * 10),
    ]


def locked_for(request: HttpRequest, username: str) -> int:
    """Seconds until this client may try this username again; 0 if it may now."""
    now = time.time()
    waits = []
    for key, limit in _keys(request, username):
        record = cache().get(key)
        if record and record["count"] >= limit:
            waits.append(int(record["start"] + _window() - now) + 1)
    return max([w for w in waits if w > 0], default=0)


@receiver(user_login_failed)
def _count_failure(sender, credentials, request=None, **kwargs) -> None:
    if request is None:
        return
    username = credentials.get("username", "")
    now = time.time()
    for key, _limit in _keys(request, username):
        record = cache().get(key)
        if not record or now - record["start"] > _window():
            record = {"start": now, "count": 0}
        record["count"] += 1
        cache().set(key, record, _window())
    logger.warning("failed admin login for %r from %s", username[:150], client_ip(request))


@receiver(user_logged_in)
def _clear_failures(sender, request=None, user=None, **kwargs) -> None:
    if request is None or user is None:
        return
    cache().delete(_keys(request, user.get_username())[0][0])


class LoginLockoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "POST" and request.path == _login_path():
            wait = locked_for(request, request.POST.get("username", ""))
            if wait:
                return locked_response(request, wait)
        return self.get_response(request)


def _login_path() -> str:
    try:
        return reverse("admin:login")
    except NoReverseMatch:
        return "/admin/login/"


def locked_response(request: HttpRequest, wait: int) -> HttpResponse:
    minutes = max(1, round(wait / 60))
    message = (
        "Too many failed sign-in attempts for this account from your address. "
        f"Try again in about {minutes} minute{'s' if minutes != 1 else ''}."
    )
    body = render_to_string("429.html", {"message": message, "retry_after": wait}, request=request)
    response = HttpResponse(body, status=429)
    response["Retry-After"] = str(wait)
    return response
