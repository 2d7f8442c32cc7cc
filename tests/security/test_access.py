"""Only staff can upload, review, publish, edit or unpublish; every write is CSRF-protected."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from archive.models import Communique
from tests.pages.factories import CommuniqueFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(db):
    return CommuniqueFactory(draft=True, title="A draft under review")


def _upload():
    return {"files": SimpleUploadedFile("a.txt", b"Final communique\n\nThe council met.\n")}


@pytest.mark.parametrize("who", ["anonymous", "user", "staff_without_permission"])
def test_only_permitted_staff_reach_the_upload(client, who):
    if who != "anonymous":
        user = User.objects.create_user("u", password="pw-123-long", is_staff=who != "user")
        client.force_login(user)
    response = client.post("/admin/archive/communique/upload/", _upload())
    assert response.status_code in (302, 403)
    if response.status_code == 302:
        assert "/admin/login/" in response["Location"]
    assert not Communique.objects.exists()


@pytest.mark.parametrize("who", ["anonymous", "user", "staff_without_permission"])
def test_only_permitted_staff_publish(client, draft, who):
    if who != "anonymous":
        user = User.objects.create_user("u", password="pw-123-long", is_staff=who != "user")
        user.user_permissions.add(Permission.objects.get(codename="view_communique"))
        client.force_login(user)
    client.post(
        "/admin/archive/communique/",
        {"action": "publish", "_selected_action": [draft.pk]},
    )
    draft.refresh_from_db()
    assert draft.status == Communique.Status.DRAFT


@pytest.mark.parametrize("who", ["anonymous", "user"])
def test_only_staff_edit(client, draft, who):
    if who == "user":
        client.force_login(User.objects.create_user("u", password="pw-123-long"))
    client.post(f"/admin/archive/communique/{draft.pk}/change/", {"title": "Hijacked"})
    draft.refresh_from_db()
    assert draft.title == "A draft under review"


@pytest.fixture
def csrf_admin(db):
    admin = User.objects.create_superuser("boss", password="pw-123-long")
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin)
    return client


def test_upload_without_a_csrf_token_is_refused(csrf_admin):
    response = csrf_admin.post("/admin/archive/communique/upload/", _upload())
    assert response.status_code == 403
    assert not Communique.objects.exists()


def test_publish_action_without_a_csrf_token_is_refused(csrf_admin, draft):
    response = csrf_admin.post(
        "/admin/archive/communique/", {"action": "publish", "_selected_action": [draft.pk]}
    )
    assert response.status_code == 403
    draft.refresh_from_db()
    assert draft.status == Communique.Status.DRAFT


def test_edit_without_a_csrf_token_is_refused(csrf_admin, draft):
    response = csrf_admin.post(f"/admin/archive/communique/{draft.pk}/change/", {"title": "X"})
    assert response.status_code == 403


def test_login_without_a_csrf_token_is_refused(db):
    User.objects.create_superuser("boss", password="pw-123-long")
    client = Client(enforce_csrf_checks=True)
    response = client.post("/admin/login/", {"username": "boss", "password": "pw-123-long"})
    assert response.status_code == 403


def _public_patterns(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if str(entry.pattern).startswith("admin/"):
                continue
            yield from _public_patterns(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry.callback


def test_no_public_address_accepts_a_write_without_a_csrf_token(db):
    """Every public URL either refuses POST (405) or refuses it without a token (403)."""
    client = Client(enforce_csrf_checks=True)
    checked = 0
    for pattern, _ in _public_patterns():
        if "<" in pattern or "(?P" in pattern or "^" in pattern:
            continue  # parameterised: the same views are covered with concrete URLs below
        url = "/" + pattern
        response = client.post(url, {"q": "x"})
        assert response.status_code in (403, 405), (url, response.status_code)
        checked += 1
    for url in ["/people/", "/c/abc/", "/feeds/search.atom", "/api/people/"]:
        assert client.post(url, {"q": "x"}).status_code in (403, 405), url
    assert checked >= 8
