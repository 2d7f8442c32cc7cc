"""Every word of the interface in the reader's language: the permalink page's chrome, the
revision page, the error pages and the messages the scripts show."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from tests.pages.factories import add_revision, attach_original, seed_communique

pytestmark = pytest.mark.django_db

TEMPLATES = Path(settings.BASE_DIR) / "templates"
# Text a template may show as it is, in any language: the name, formats, and examples of the
# query syntax (in <code>, stripped below), which are typed as they are.
AS_IS = {"Bayan", "CSV", "JSON", "Atom", "YYYY[-MM[-DD]]"}


def untranslated(source: str) -> list[str]:
    """Words a reader sees that no {% translate %} or {% blocktranslate %} carries."""
    for pattern in (
        r"{%\s*blocktranslate.*?{%\s*endblocktranslate\s*%}",
        r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}",
        r"{#.*?#}",
        r"<(script|style|code)\b.*?</\1>",
        r"{%.*?%}",
        r"{{.*?}}",
    ):
        source = re.sub(pattern, " ", source, flags=re.S)
    shown = re.findall(r'(?:aria-label|title|placeholder|alt)="([^"]*)"', source)
    shown += re.sub(r"<[^>]*>", "\n", source).splitlines()
    return [
        text.strip()
        for text in shown
        if not set(re.findall(r"[A-Za-z]{2,}[\w\[\]-]*", text)) <= AS_IS
    ]


def test_every_public_template_marks_its_words_for_translation():
    found = {
        str(path.relative_to(TEMPLATES)): words
        for path in sorted(TEMPLATES.rglob("*.html"))
        if "admin" not in path.parts  # the admin is Django's, in English for editors
        and (words := untranslated(path.read_text(encoding="utf-8")))
    }
    assert found == {}


def test_the_scan_finds_a_word_left_out():
    assert untranslated('<p>{% translate "Cite" %} <a title="Copy">Revisions</a></p>') == [
        "Copy",
        "Revisions",
    ]


@pytest.fixture
def statement():
    c = seed_communique()
    attach_original(c)
    add_revision(c, 1)
    add_revision(c, 2)
    return c


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("fr", ["Copier le lien", "vers le paragraphe", "Révisions (2)", "À :", "Révision 1"]),
        ("ar", ["نسخ الرابط", "إلى الفقرة", "المراجعات (2)", "إلى:", "المراجعة 1"]),
    ],
)
def test_the_permalink_pages_chrome_is_in_the_readers_language(client, statement, language, words):
    page = client.get(statement.get_absolute_url(), HTTP_ACCEPT_LANGUAGE=language)
    html = page.content.decode()
    for word in words:
        assert word in html, word
    for english in ("Copy link", "to paragraph", "Revisions (", "To:", "Every published state"):
        assert english not in html, english
    # Inside the text, which speaks the communiqué's language, the chrome keeps the reader's.
    assert f'data-copy-link lang="{language}"' in html


def test_a_revision_page_in_french(client, statement):
    page = client.get(f"/c/{statement.public_id}/r/1/", HTTP_ACCEPT_LANGUAGE="fr")
    html = page.content.decode()
    assert "Une révision plus récente existe." in html
    assert "Ceci est la révision 1 sur 2" in html
    assert "Citer cette révision" in html
    assert "Cite this revision" not in html


def test_the_server_error_page_in_arabic():
    with translation.override("ar"):
        html = render_to_string("500.html")
    assert '<html lang="ar" dir="rtl">' in html
    assert "حدث خطأ ما" in html


def test_too_many_requests_in_the_readers_language(client, settings):
    # Answered before LocaleMiddleware has chosen the language: the limiter chooses it.
    settings.BAYAN_RATE_LIMIT = "1/m"
    client.get("/search/?q=truce", HTTP_ACCEPT_LANGUAGE="fr")
    page = client.get("/search/?q=truce", HTTP_ACCEPT_LANGUAGE="fr")
    assert page.status_code == 429
    html = page.content.decode()
    assert '<html lang="fr" dir="ltr">' in html
    assert "la limite est de 1 par minute" in html
    # The API's messages stay English, as docs/query-syntax.md gives them.
    client.get("/api/search/?q=truce", HTTP_ACCEPT_LANGUAGE="ar")
    answer = client.get("/api/search/?q=truce", HTTP_ACCEPT_LANGUAGE="ar")
    assert answer.status_code == 429
    assert "the limit is 1 per minute" in answer.json()["detail"]


def test_excerpts_of_a_text_are_marked_with_its_language_in_any_interface(client, statement):
    # A screen reader reads an English demand in English on an Arabic page (WCAG 3.1.2).
    html = client.get(statement.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    assert '<a class="demand-text" href="#d1" lang="en" dir="auto">' in html


def test_a_results_snippet_is_marked_with_its_texts_language(client, statement, index):
    index()
    html = client.get("/search/?q=phosphorus", HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    assert '<p class="snippet" lang="en" dir="auto">' in html


def test_a_demands_quote_keeps_its_own_direction_on_an_arabic_page(client, statement):
    # An English sentence right-aligned by the page's direction puts its full stop first.
    html = client.get("/demands/", HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    assert '<blockquote class="demand-quote" lang="en" dir="auto">' in html


def test_the_archives_own_revision_note_is_translated_and_an_editors_is_not(client, db):
    from archive.models.communique import EDITED_NOTE
    from archive.publishing import publish, record_revision

    c = seed_communique(status="draft")
    publish(c)  # no note given: the archive writes its own
    c.title = "Final communique (corrected)"
    c.save()
    record_revision(c, note="Date corrected")
    c.title = "Final communique (second correction)"
    c.save()
    record_revision(c, note=EDITED_NOTE)  # as the admin's change form notes it
    html = client.get(c.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "— Publiée</li>" in html
    assert "— Date corrected</li>" in html
    assert "— Modifiée dans l’administration</li>" in html


@pytest.mark.parametrize(
    ("url", "description"),
    [
        ("/", "Une archive ouverte de 1 communiqué officiel : son texte"),
        ("/browse/", "Les communiqués par année de publication."),
        ("/issuers/", "Les organisations qui ont publié des communiqués."),
    ],
)
def test_link_previews_describe_the_page_in_the_readers_language(
    client, statement, url, description
):
    html = client.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert f'<meta name="description" content="{description}' in html
