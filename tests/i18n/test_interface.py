"""The interface in Arabic, French or English; right-to-left pages; bidi isolation."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from tests.pages.factories import CommuniqueFactory, PersonFactory

pytestmark = pytest.mark.django_db


def test_english_by_default(client):
    page = client.get("/").content.decode()
    assert '<html lang="en" dir="ltr">' in page
    assert ">Browse<" in page


def test_accept_language_arabic_gives_arabic_chrome_right_to_left(client):
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    assert '<html lang="ar" dir="rtl">' in page
    assert ">تصفّح<" in page  # Browse
    assert "بيان — أرشيف مفتوح للبيانات الرسمية." in page


def test_accept_language_french(client):
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9").content.decode()
    assert '<html lang="fr" dir="ltr">' in page
    assert ">Parcourir<" in page


def test_the_language_selector_sets_the_interface_language(client):
    page = client.get("/").content.decode()
    assert 'action="/i18n/setlang/"' in page
    response = client.post("/i18n/setlang/", {"language": "ar", "next": "/browse/"})
    assert response.status_code == 302
    assert response["Location"] == "/browse/"
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ar"
    assert '<html lang="ar" dir="rtl">' in client.get("/").content.decode()


def test_communique_page_chrome_is_translated_and_text_keeps_its_direction(client):
    c = CommuniqueFactory(title="Final communique", language="en")
    page = client.get(c.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    assert '<html lang="ar" dir="rtl">' in page
    assert "<dt>اللغة</dt>" in page  # Language
    assert '<h1 id="title" lang="en" dir="ltr">' in page  # an English text stays left-to-right


def test_names_are_isolated_from_the_surrounding_direction(client):
    from archive.models import Participation

    c = CommuniqueFactory(title="بيان", language="ar", issuer_body="الهيئة السياسية")
    person = PersonFactory(name="Hadi al-Bahra")
    Participation.objects.create(communique=c, person=person, role="رئيس الائتلاف")
    page = client.get(c.get_absolute_url()).content.decode()
    assert f'<a href="{c.issuer.get_absolute_url()}" dir="auto">{c.issuer.name}</a>' in page
    assert "<bdi>الهيئة السياسية</bdi>" in page
    # Names in lists (people, organizations, places, roles) are isolated by the stylesheet.
    css = (Path(settings.BASE_DIR) / "static/css/bayan.css").read_text()
    assert ".role, .rank, .org, .chips a, .entity-list a { unicode-bidi: isolate; }" in css


def test_home_page_chrome_in_arabic_and_french(client):
    CommuniqueFactory(title="Final communique", language="en")
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    assert '<h2 id="holdings-heading">ما يحويه الأرشيف</h2>' in page  # What the archive holds
    assert '<h2 id="issuers-heading">الجهات الأكثر إصدارًا</h2>' in page  # Most frequent issuers
    assert 'placeholder="مثلًا: وقف إطلاق النار إدلب"' in page
    assert "What the archive holds" not in page
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert '<h2 id="holdings-heading">Ce que contient l’archive</h2>' in page
    assert "<strong>1</strong> communiqué</a>" in page  # French: singular for one
    assert "Rechercher dans 1 communiqué</label>" in page


def test_search_page_chrome_in_arabic_and_french(client):
    page = client.get("/search/", HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    assert "<summary>صيغة الاستعلام</summary>" in page  # Query syntax
    assert '<button type="submit">بحث</button>' in page  # Search
    assert '<legend class="visually-hidden">التواريخ والترتيب</legend>' in page
    assert "Query syntax" not in page
    page = client.get("/search/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "<summary>Syntaxe des requêtes</summary>" in page
    assert '<button type="submit" class="button-small">Appliquer</button>' in page
