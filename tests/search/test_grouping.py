"""The search page shows a statement once, whatever number of its language versions match."""

from __future__ import annotations

import pytest

from archive import translations
from archive.models import Communique
from search.grouping import group_versions
from search.params import SearchParams
from search.query import parse
from search.service import run_search
from tests.search.factories import OrganizationFactory, communique
from tests.search.helpers import api, titles

pytestmark = pytest.mark.django_db

# The Syrian Opposition Coalition's statement on the Rome document, in Arabic and in English.
ARABIC = (
    "يؤكد الائتلاف الوطني أنْ لا صلة له بهذه الوثيقة، ويدعو كافة الأطراف إلى التنفيذ الكامل "
    "لقراري مجلس الأمن ٢٢٥٤ و٢١١٨."
)
ENGLISH = (
    "The National Coalition affirms that it has no connection to this document, and calls on "
    "all parties to fully implement Security Council resolutions 2254 and 2118."
)
FRENCH = (
    "La Coalition nationale affirme n’avoir aucun lien avec ce document et appelle toutes les "
    "parties à appliquer pleinement les résolutions 2254 et 2118 du Conseil de sécurité."
)


@pytest.fixture
def rome(index):
    issuer = OrganizationFactory(name="Syrian Opposition Coalition")
    original = communique("تصريح صحفي حول وثيقة روما", [ARABIC], language="ar", issuer=issuer)
    english = communique("Press statement on the Rome document", [ENGLISH], issuer=issuer)
    translations.link(original, english)
    index()
    return original, english


def hits_html(client, **params) -> str:
    response = client.get("/search/", params)
    assert response.status_code == 200, response.content[:300]
    html = response.content.decode()
    start = html.index('<ol class="hits"')
    return html[start : html.index("</ol>", start)]


def entries(html: str) -> list[str]:
    """The page's results, each as its own piece of HTML."""
    return html.split('<li class="hit">')[1:]


def test_an_original_and_its_translation_that_both_match_are_one_result(client, rome):
    original, english = rome
    html = hits_html(client, q="2254")  # ٢٢٥٤ in the Arabic: both versions match
    [entry] = entries(html)
    # Whichever ranks first is the result; the other is linked at its own permalink.
    assert f'href="{original.get_absolute_url()}"' in entry
    assert f'href="{english.get_absolute_url()}"' in entry
    assert "(also matches)" in entry


def test_the_other_language_is_linked_even_when_it_did_not_match(client, rome):
    original, english = rome
    [entry] = entries(hits_html(client, q="document"))  # only the English says "document"
    assert f'class="item-title" href="{english.get_absolute_url()}"' in entry
    assert f'<a href="{original.get_absolute_url()}" hreflang="ar">Arabic</a>' in entry
    assert "(original)" in entry
    assert "(also matches)" not in entry


def test_the_other_languages_are_named_in_the_interface_language(client, rome):
    original, _english = rome
    response = client.get("/search/", {"q": "document"}, HTTP_ACCEPT_LANGUAGE="ar")
    html = response.content.decode()
    assert "بلغات أخرى:" in html  # In other languages:
    assert f'<a href="{original.get_absolute_url()}" hreflang="ar">العربيّة</a>' in html


def test_statements_without_translations_stay_separate_results(client, rome, index):
    communique("Geneva talks", ["Resolution 2254 remains the basis of the talks."])
    communique("Astana talks", ["The guarantors recalled resolution 2254."])
    index()
    found = entries(hits_html(client, q="2254"))
    assert len(found) == 3  # the Rome statement once, then Geneva and Astana
    assert sum("In other languages:" in entry for entry in found) == 1


def test_the_api_still_lists_every_matching_version(client, rome):
    original, english = rome
    answer = api(client, q="2254")
    assert answer["total"] == 2
    assert set(titles(answer)) == {original.title, english.title}


def test_a_draft_original_is_not_linked_but_its_published_translations_are(client, index):
    issuer = OrganizationFactory(name="Syrian Opposition Coalition")
    draft = communique(
        "مسودة", [ARABIC], language="ar", issuer=issuer, status=Communique.Status.DRAFT
    )
    english = communique("Press statement", [ENGLISH], issuer=issuer)
    french = communique("Déclaration à la presse", [FRENCH], language="fr", issuer=issuer)
    translations.link(draft, english)
    translations.link(draft, french)
    index()
    [entry] = entries(hits_html(client, q="2254"))
    assert draft.get_absolute_url() not in entry
    assert f'href="{english.get_absolute_url()}"' in entry
    assert f'href="{french.get_absolute_url()}"' in entry


def test_versions_of_a_whole_page_are_read_in_two_queries(index, django_assert_num_queries):
    issuer = OrganizationFactory(name="Syrian Opposition Coalition")
    for n in range(6):
        original = communique(f"بيان {n}", [ARABIC], language="ar", issuer=issuer)
        english = communique(f"Statement {n}", [ENGLISH], issuer=issuer)
        translations.link(original, english)
    index()
    page = run_search(SearchParams(query=parse("2254")))
    assert len(page.hits) == 12
    with django_assert_num_queries(2):
        grouped = group_versions(page.hits)
    assert len(grouped) == 6
    assert all(len(entry.versions) == 1 and entry.versions[0].matched for entry in grouped)
