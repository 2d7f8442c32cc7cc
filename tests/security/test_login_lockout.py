"""Admin login resists brute force: a username+client is locked out after N failures."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_user(db, settings):
    settings.BAYAN_LOGIN_MAX_FAILURES = 3
    settings.BAYAN_LOGIN_LOCKOUT_MINUTES = 10
    return User.objects.create_superuser("boss", password="correct-horse-battery")


def login(client, password, username="boss", ip="10.0.0.1"):
    return client.post(
        "/admin/login/?next=/admin/",
        {"username": username, "password": password},
        REMOTE_ADDR=ip,
    )


def test_after_n_failures_even_the_right_password_is_refused_for_a_while(client, admin_user):
    for _ in range(3):
        assert login(client, "wrong").status_code == 200  # the form again, with an error
    response = login(client, "correct-horse-battery")
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 600
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_lockout_is_per_client(client, admin_user):
    for _ in range(3):
        login(client, "wrong", ip="10.0.0.1")
    assert login(client, "correct-horse-battery", ip="10.0.0.2").status_code == 302


def test_the_lockout_ends_after_the_window(client, admin_user, monkeypatch):
    import time

    for _ in range(3):
        login(client, "wrong")
    later = time.time() + 601
    monkeypatch.setattr(time, "time", lambda: later)
    assert login(client, "correct-horse-battery").status_code == 302


def test_a_success_clears_earlier_failures(client, admin_user):
    for _ in range(2):
        login(client, "wrong")
    assert login(client, "correct-horse-battery").status_code == 302
    client.logout()
    for _ in range(2):
        login(client, "wrong")
    assert login(client, "correct-horse-battery").status_code == 302


def test_guessing_across_usernames_is_capped_per_client(client, admin_user):
    for n in range(30):
        login(client, "wrong", username=f"guess{n}")
    assert login(client, "correct-horse-battery").status_code == 429


def test_forwarded_for_is_ignored_unless_proxies_are_trusted(client, admin_user, settings):
    for n in range(3):
        client.post(
            "/admin/login/",
            {"username": "boss", "password": "wrong"},
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR=f"203.0.113.{n}",
        )
    assert login(client, "correct-horse-battery", ip="10.0.0.1").status_code == 429
