"""Public search, API and exports are rate-limited per client: 429 with Retry-After."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.ratelimit import Rate, parse_rate

pytestmark = pytest.mark.django_db


@pytest.fixture
def limited(settings):
    settings.BAYAN_RATE_LIMIT = "3/m"
    settings.BAYAN_EXPORT_RATE_LIMIT = "2/m"


def test_rates_parse():
    assert parse_rate("120/m") == Rate(120, 60)
    assert parse_rate("10/s") == Rate(10, 1)
    assert parse_rate("5/10m") == Rate(5, 600)
    assert parse_rate("1000/hour") == Rate(1000, 3600)
    assert parse_rate("0") is None and parse_rate("off") is None
    with pytest.raises(ImproperlyConfigured, match="BAYAN_RATE_LIMIT"):
        parse_rate("lots", "BAYAN_RATE_LIMIT")


def test_the_api_answers_429_in_json_with_retry_after(client, limited):
    for _ in range(3):
        assert client.get("/api/communiques/").status_code == 200
    response = client.get("/api/communiques/")
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 61
    data = response.json()
    assert "Too many requests" in data["detail"] and data["retry_after"] >= 1


def test_the_search_page_answers_429_as_a_page(client, limited):
    for _ in range(3):
        client.get("/search/?q=truce")
    response = client.get("/search/?q=truce")
    assert response.status_code == 429
    assert response["Content-Type"].startswith("text/html")
    assert "Too many requests" in response.content.decode()
    assert "Retry-After" in response


def test_exports_have_their_own_stricter_limit(client, limited):
    for _ in range(2):
        assert client.get("/api/search/export.csv?q=x").status_code == 200
    assert client.get("/api/search/export.csv?q=x").status_code == 429
    # The general API budget is untouched by the exports.
    assert client.get("/api/communiques/").status_code == 200


def test_limits_are_per_client(client, limited):
    for _ in range(4):
        client.get("/api/communiques/", REMOTE_ADDR="10.0.0.1")
    assert client.get("/api/communiques/", REMOTE_ADDR="10.0.0.2").status_code == 200


def test_forwarded_for_counts_only_when_proxies_are_trusted(client, limited, settings):
    for n in range(4):
        last = client.get("/api/communiques/", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")
    assert last.status_code == 429  # one socket address: one client
    settings.BAYAN_TRUSTED_PROXIES = 1
    for n in range(4):
        last = client.get("/api/communiques/", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
    assert last.status_code == 200  # behind a trusted proxy: each forwarded address counts


def test_pages_outside_search_and_api_are_not_limited(client, limited):
    for _ in range(6):
        assert client.get("/").status_code == 200


def test_the_window_resets(client, limited, limiter_clock):
    for _ in range(4):
        client.get("/api/communiques/")
    assert client.get("/api/communiques/").status_code == 429
    limiter_clock.now += 60
    assert client.get("/api/communiques/").status_code == 200


def test_the_database_cache_shares_counts_between_processes(settings, db):
    """With BAYAN_RATE_LIMIT_CACHE=database gunicorn workers share the counter table."""
    from django.core.cache import caches
    from django.core.management import call_command

    settings.CACHES = {
        **settings.CACHES,
        "ratelimit": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "bayan_ratelimit_cache",
        },
    }
    call_command("createcachetable", "--database", "default", verbosity=0)
    from config.ratelimit import hit

    rate = Rate(2, 60)
    assert hit("/api/", "10.9.9.9", rate, now=1000.0) == 0
    assert hit("/api/", "10.9.9.9", rate, now=1001.0) == 0
    assert hit("/api/", "10.9.9.9", rate, now=1002.0) > 0
    caches["ratelimit"].clear()
