"""Settings for Bayan.

With nothing set, everything lives under var/ (SQLite, the Whoosh index, uploaded files):
the embedded default needs no service. Production values come only from the environment;
config/env.py refuses malformed ones.
"""

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from config.env import (
    database_config,
    env_bool,
    env_int,
    env_list,
    env_path,
    env_str,
    search_connection,
)
from config.ratelimit import parse_rate

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = env_path("DATA_DIR", BASE_DIR / "var")

# Dev-safe default: DEBUG on. A deployment sets DJANGO_DEBUG=0, and then must set a key.
DEBUG = env_bool("DJANGO_DEBUG", True)
SECRET_KEY = env_str("DJANGO_SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_DEBUG is off, so set DJANGO_SECRET_KEY to a long random string "
            "(python -c 'import secrets; print(secrets.token_urlsafe(50))')."
        )
    SECRET_KEY = "dev-only-insecure-key-never-use-in-production"
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
    "django_filters",
    "search",  # before haystack: its rebuild_index/update_index (progress, batches) win
    "haystack",
    "archive",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "config.security.SecurityHeadersMiddleware",  # CSP, Permissions-Policy
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "config.ratelimit.RateLimitMiddleware",  # 429 + Retry-After on search, API, exports
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "config.security.RejectNulMiddleware",  # %00 in an address: 400, in the reader's language
    "django.middleware.common.CommonMiddleware",
    "config.security.LoginLockoutMiddleware",  # admin login brute force
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "archive.audit.AuditActorMiddleware",  # who did it, for the audit log
    "django.contrib.messages.middleware.MessageMiddleware",
    "config.middleware.IndexHealthMiddleware",  # admins see why the index lags
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "config.middleware.SearchUnavailableMiddleware",  # index errors: 503, not 500
    "archive.entities.MovedEntityMiddleware",  # a merged entity's old addresses: 301
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                # After Django's own CSRF token, which it stands in for in pages kept.
                "archive.pagecache.csrf_placeholder",
            ],
        },
    },
]

DATABASES = {"default": database_config(env_str("DATABASE_URL"), DATA_DIR / "bayan.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

HAYSTACK_CONNECTIONS = {
    "default": search_connection(env_str("SEARCH_URL"), DATA_DIR / "index"),
}
# Index updates go through search.queue (durable, drained by one writer), never through
# Haystack's realtime processor, which drops updates when the index is locked.
HAYSTACK_SIGNAL_PROCESSOR = "haystack.signals.BaseSignalProcessor"
HAYSTACK_SEARCH_RESULTS_PER_PAGE = 20

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("ar", "العربية"), ("fr", "Français")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env_path("STATIC_ROOT", DATA_DIR / "static")
MEDIA_URL = "/media/"
MEDIA_ROOT = env_path("MEDIA_ROOT", DATA_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# Rebuilding the index (search.bulk): worker processes, and documents per segment, whose
# postings a worker holds in memory until the segment is written (a worker peaked at 1.3 GB
# with 25,000 synthetic communiqués: docs/deployment.md).
BAYAN_INDEX_PROCS = env_int("BAYAN_INDEX_PROCS", min(os.cpu_count() or 1, 4), minimum=1)
BAYAN_INDEX_SEGMENT_DOCS = env_int("BAYAN_INDEX_SEGMENT_DOCS", 25_000, minimum=1)
# Index updates in background threads of the process that made the change (search.background):
# the queue's drains and the merges of small segments. Off (0), the caller drains the queue
# itself, and merges run in the thread that made the update.
BAYAN_INDEX_IN_BACKGROUND = env_bool("BAYAN_INDEX_IN_BACKGROUND", True)

# Searching the embedded index (search.fast): the fast path, which BAYAN_SEARCH_FAST=0 turns
# off for Whoosh's own (the baseline the benchmark and the equivalence tests compare with),
# and the decoded postings each process keeps, least recently used out first.
BAYAN_SEARCH_FAST = env_bool("BAYAN_SEARCH_FAST", True)
BAYAN_SEARCH_CACHE_BYTES = env_int("BAYAN_SEARCH_CACHE_MB", 64, minimum=1) * 1024 * 1024

# Ingestion limits (archive.ingest): generous for real statements, small enough that a
# hostile upload cannot exhaust the machine.
BAYAN_MAX_FILE_BYTES = env_int("BAYAN_MAX_FILE_MB", 25, minimum=1) * 1024 * 1024
BAYAN_MAX_ARCHIVE_BYTES = env_int("BAYAN_MAX_ARCHIVE_MB", 500, minimum=1) * 1024 * 1024
BAYAN_READ_TIMEOUT = env_int("BAYAN_READ_TIMEOUT", 30, minimum=1)
DATA_UPLOAD_MAX_NUMBER_FILES = 5000
# The admin's form of a communiqué carries each paragraph, demand and participant as about
# four fields, and its whole text: Django's defaults (1,000 fields, 2.5 MB) refused to save a
# record of 240 paragraphs. A record may hold as much text as the largest file accepted.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 50_000
DATA_UPLOAD_MAX_MEMORY_SIZE = BAYAN_MAX_FILE_BYTES
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Production hardening, on whenever DEBUG is off; manage.py check --deploy is clean with it.
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 0 if DEBUG else 31536000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"

# Security headers (config.security): a strict CSP, no 'unsafe-inline' anywhere.
BAYAN_CSP_REPORT_ONLY = env_bool("BAYAN_CSP_REPORT_ONLY", False)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# Caches. "ratelimit" holds the rate-limit and login-failure counters: per process by default;
# BAYAN_RATE_LIMIT_CACHE=database shares them between gunicorn workers (after
# `manage.py createcachetable`).
BAYAN_RATE_LIMIT_CACHE = env_str("BAYAN_RATE_LIMIT_CACHE", "local")
if BAYAN_RATE_LIMIT_CACHE not in {"local", "database"}:
    raise ImproperlyConfigured(
        f"BAYAN_RATE_LIMIT_CACHE={BAYAN_RATE_LIMIT_CACHE!r}: use local or database."
    )
# Pages as drawn (archive.pagecache), per process, compressed: communiqué pages about 6 KB
# each, results pages (some 600 facet links) about 20 KB, so each kind has a store of its own.
# None with DEBUG on, so that an edited template shows at the next reading.
BAYAN_PAGE_CACHE_PAGES = env_int("BAYAN_PAGE_CACHE_PAGES", 0 if DEBUG else 5000, minimum=0)
BAYAN_RESULTS_CACHE_PAGES = env_int("BAYAN_RESULTS_CACHE_PAGES", 0 if DEBUG else 1000, minimum=0)

CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "pages": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "pages",
        "OPTIONS": {"MAX_ENTRIES": max(BAYAN_PAGE_CACHE_PAGES, 1)},
    },
    "results": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "results",
        "OPTIONS": {"MAX_ENTRIES": max(BAYAN_RESULTS_CACHE_PAGES, 1)},
    },
    "ratelimit": (
        {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "bayan_ratelimit_cache",
        }
        if BAYAN_RATE_LIMIT_CACHE == "database"
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "ratelimit"}
    ),
}

# Abuse (config.ratelimit): requests per client IP; "0" turns a limit off.
BAYAN_RATE_LIMIT = env_str("BAYAN_RATE_LIMIT", "120/m")
BAYAN_EXPORT_RATE_LIMIT = env_str("BAYAN_EXPORT_RATE_LIMIT", "20/m")
parse_rate(BAYAN_RATE_LIMIT, "BAYAN_RATE_LIMIT")  # refuse a malformed value at start
parse_rate(BAYAN_EXPORT_RATE_LIMIT, "BAYAN_EXPORT_RATE_LIMIT")
# How many reverse proxies append to X-Forwarded-For; 0 trusts only the socket's address.
BAYAN_TRUSTED_PROXIES = env_int("BAYAN_TRUSTED_PROXIES", 0, minimum=0)
# Admin login (config.security): lock a username+address out after N failures for M minutes.
BAYAN_LOGIN_MAX_FAILURES = env_int("BAYAN_LOGIN_MAX_FAILURES", 5, minimum=1)
BAYAN_LOGIN_LOCKOUT_MINUTES = env_int("BAYAN_LOGIN_LOCKOUT_MINUTES", 15, minimum=1)

LOG_LEVEL = env_str("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # The handler's level too: Django's own loggers set theirs (django.request: a warning
    # for every 404), and what they log reaches this handler past the root's level.
    "handlers": {"console": {"class": "logging.StreamHandler", "level": LOG_LEVEL}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
