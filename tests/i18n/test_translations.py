"""An Arabic original and its English translation: one statement, two languages."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from archive import translations
from archive.citations import CitationRecord, bibtex, chicago
from tests.pages.factories import CommuniqueFactory, OrganizationFactory

pytestmark = pytest.mark.django_db

ARABIC = [
    "نشرت بعض وسائل الإعلام معلومات عن وثيقة تم التوصل إليها في العاصمة الإيطالية روما.",
    "يؤكد الائتلاف الوطني أنْ لا صلة له بهذه الوثيقة، ويدعو كافة الأطراف إلى التنفيذ الكامل "
    "لقراري مجلس الأمن ٢٢٥٤ و٢١١٨.",
]
ENGLISH = [
    "Some media outlets published information about a document reached in the Italian "
    "capital, Rome.",
    "The National Coalition affirms that it has no connection to this document, and calls on "
    "all parties to fully implement Security Council resolutions 2254 and 2118.",
]


@pytest.fixture
def pair(db):
    issuer = OrganizationFactory(name="Syrian Opposition Coalition")
    original = CommuniqueFactory(
        title="تصريح صحفي", language="ar", issuer=issuer, paragraphs=ARABIC
    )
    translation = CommuniqueFactory(
        title="Press statement", language="en", issuer=issuer, paragraphs=ENGLISH
    )
    translations.link(original, translation)
    return original, translation


def test_versions_list_the_original_first(pair):
    original, translation = pair
    assert translations.versions(translation) == [original, translation]
    assert translations.other_versions(original) == [translation]


def test_an_originals_other_versions_are_its_published_translations_in_one_query(
    pair, django_assert_num_queries
):
    """The language switch of an original's permalink: its translations by language, drafts
    left out, read in one query (the page already holds the original itself)."""
    original, english = pair
    french = CommuniqueFactory(title="Déclaration", language="fr", issuer=original.issuer)
    draft = CommuniqueFactory(title="Statement", language="de", issuer=original.issuer)
    for version in (french, draft):
        translations.link(original, version)
    draft.status = draft.Status.DRAFT
    draft.save(update_fields=["status"])
    with django_assert_num_queries(1):
        others = translations.other_versions(original)
    assert others == [english, french]
    assert others == translations.versions(original)[1:]
    # From a translation: the original first, then the other translations.
    assert translations.other_versions(french) == [original, english]


def test_a_translation_of_a_translation_points_at_the_original(pair):
    original, translation = pair
    french = CommuniqueFactory(title="Déclaration", language="fr", issuer=original.issuer)
    translations.link(translation, french)
    french.refresh_from_db()
    assert french.translation_of == original
    with pytest.raises(ValueError):
        translations.link(translation, original)


def test_each_page_links_the_other_language_at_its_own_permalink(client, pair):
    original, translation = pair
    page = client.get(original.get_absolute_url()).content.decode()
    assert f'href="{translation.get_absolute_url()}" hreflang="en"' in page
    assert (
        f'<link rel="alternate" hreflang="en" href="http://testserver{translation.get_absolute_url()}">'
        in page
    )
    back = client.get(translation.get_absolute_url()).content.decode()
    assert f'href="{original.get_absolute_url()}" hreflang="ar"' in back
    assert "(original)" in back


def test_lang_parameter_switches_to_that_version(client, pair):
    original, translation = pair
    response = client.get(original.get_absolute_url() + "?lang=en")
    assert response.status_code == 302
    assert response["Location"] == translation.get_absolute_url()
    assert client.get(original.get_absolute_url() + "?lang=de").status_code == 404


def test_side_by_side_pairs_paragraphs(client, pair):
    original, _translation = pair
    page = client.get(original.get_absolute_url() + "?compare=en").content.decode()
    assert 'id="side-by-side"' in page
    assert page.count('class="sbs-cell"') == 4  # two aligned rows, two cells each
    left = page.index("يؤكد الائتلاف الوطني")
    right = page.index("The National Coalition affirms")
    assert left < right < page.index('class="communique-body"')
    assert '<div class="sbs-cell" lang="ar" dir="rtl">' in page
    assert '<div class="sbs-cell" lang="en" dir="ltr">' in page


def test_alignment_skips_a_paragraph_without_counterpart():
    p = lambda text: SimpleNamespace(text=text)  # noqa: E731
    left = [p("Statement of 10 October 2023."), p("A" * 300 + " 2254"), p("B" * 200)]
    right = [p("A" * 320 + " ٢٢٥٤"), p("B" * 210)]
    rows = translations.align(left, right)
    assert [(r.left is not None, r.right is not None) for r in rows] == [
        (True, False),
        (True, True),
        (True, True),
    ]
    assert rows[1].right is right[0]


def test_search_finds_either_language(client, pair, index):
    index()
    found = lambda q: {r["title"] for r in client.get("/api/search/", {"q": q}).json()["results"]}  # noqa: E731
    assert found("الوثيقة") == {"تصريح صحفي"}
    assert found("document") == {"Press statement"}
    assert found("2254") == {"تصريح صحفي", "Press statement"}


def test_citations_name_the_language_cited(client, pair):
    original, translation = pair
    page = client.get(translation.get_absolute_url()).content.decode()
    assert "English translation from the Arabic." in page
    assert "In Arabic." in client.get(original.get_absolute_url()).content.decode()
    record = CitationRecord(
        "x",
        "Statement",
        "https://x.example/c/x/",
        dt.date(2024, 1, 5),
        language="en",
        original_language="ar",
    )
    assert "English translation from the Arabic." in chicago(record)
    assert "  origlanguage = {ar}" in bibtex(record)
