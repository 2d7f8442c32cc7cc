"""Every test gets its own media directory and its own real Whoosh index."""

from __future__ import annotations

import os

import pytest
from django.conf import settings

from search import merging


@pytest.fixture(autouse=True)
def media_dir(tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


@pytest.fixture(autouse=True)
def search_index(tmp_path, settings):
    """A fresh Whoosh index per test; an external engine when SEARCH_URL points at one."""
    from haystack import connections

    if os.environ.get("SEARCH_URL", "").split(":", 1)[0] in {"elasticsearch", "solr"}:
        connections.reload("default")
        # A shared engine keeps documents between tests: start each test from an empty index.
        connections["default"].get_backend().clear()
        yield None
        return
    path = tmp_path / "index"
    settings.HAYSTACK_CONNECTIONS = {
        "default": {**settings.HAYSTACK_CONNECTIONS["default"], "PATH": str(path)}
    }
    connections.connections_info = settings.HAYSTACK_CONNECTIONS
    connections.reload("default")
    yield path
    merging.wait()  # a merge the test started in the background, before its index goes
    connections.reload("default")


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Django's default hasher spends half a second on each password by design; the suites
    create and try hundreds. What they check (who may log in, lockouts, the audit trail)
    does not depend on the hash's strength."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def pages_kept(settings):
    """Communiqué and results pages are kept, as in production: the settings, read with DEBUG
    on, keep none (and size each store for one page, whose cull leaves the two a test reads)."""
    settings.BAYAN_PAGE_CACHE_PAGES = 5000
    settings.BAYAN_RESULTS_CACHE_PAGES = 1000


@pytest.fixture(autouse=True)
def no_rate_limits(settings):
    """Suites make hundreds of requests a minute: limits are off unless a test sets them."""
    from django.core.cache import caches

    settings.BAYAN_RATE_LIMIT = "0"
    settings.BAYAN_EXPORT_RATE_LIMIT = "0"
    for alias in settings.CACHES:
        caches[alias].clear()


class _StillClock:
    """Stands in for the time module in config.ratelimit, which reads only time.time()."""

    now = 1_800_000_030.0  # 30 s into a minute

    def time(self) -> float:
        return self.now


@pytest.fixture(autouse=True)
def limiter_clock(monkeypatch):
    """The rate limiter's clock stands still mid-minute: a test's requests in a row never
    straddle a window's end, where the count starts again and one more gets through (a CI run
    failed on it). A test moves the clock on with `limiter_clock.now += 60`."""
    clock = _StillClock()
    monkeypatch.setattr("config.ratelimit.time", clock)
    return clock


def pytest_report_header(config):
    db = settings.DATABASES["default"]
    return f"database: {db['ENGINE'].rsplit('.', 1)[-1]} {db.get('HOST') or db['NAME']}"
