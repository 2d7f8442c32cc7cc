"""The strict Content-Security-Policy breaks nothing: no violation on our pages or the admin."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model

from tests.browser.conftest import index_all, watch_csp
from tests.pages.factories import CommuniqueFactory, seed_communique

pytestmark = pytest.mark.browser


def test_public_pages_run_without_csp_violations(page, live_server, transactional_db):
    seed = seed_communique()
    for n in range(5):
        CommuniqueFactory(title=f"Truce statement {n}", paragraphs=[f"Truce number {n}."])
    index_all()
    violations = watch_csp(page)
    for url in [
        "/",
        seed.get_absolute_url(),
        "/search/?q=truce",
        "/search/?q=syria",
        "/browse/",
        "/people/",
        "/organizations/syrian-opposition-coalition/",
    ]:
        response = page.goto(url)
        assert response.status == 200, url
        assert "unsafe-inline" not in response.headers["content-security-policy"]
        page.wait_for_load_state("networkidle")
    # The timeline bars get their height from classes, not style attributes.
    page.goto("/search/?q=truce")
    bars = page.locator(".timeline-bars a")
    if bars.count():
        assert bars.first.evaluate("e => getComputedStyle(e).height") not in ("", "0px")
    assert violations == []


def test_admin_change_form_and_upload_run_without_csp_violations(
    page, live_server, transactional_db
):
    seed = seed_communique()
    get_user_model().objects.create_superuser("editor", "e@example.org", "a-long-passphrase")
    violations = watch_csp(page)
    page.goto("/admin/login/")
    page.get_by_label("Username").fill("editor")
    page.get_by_label("Password").fill("a-long-passphrase")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/admin/$"))
    for url in [
        f"/admin/archive/communique/{seed.pk}/change/",
        "/admin/archive/communique/upload/",
        "/admin/archive/communique/",
        "/admin/archive/auditentry/",
    ]:
        assert page.goto(url).status == 200, url
        page.wait_for_load_state("networkidle")
    # The review styles come from static/css/admin-review.css now.
    page.goto(f"/admin/archive/communique/{seed.pk}/change/")
    mark = page.locator("mark.review-demand").first
    assert mark.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(255, 243, 176)"
    # Admin widgets driven by JavaScript still work (the inline "add another" rows).
    assert page.locator("#paragraphs-group").count() == 1
    assert violations == []
