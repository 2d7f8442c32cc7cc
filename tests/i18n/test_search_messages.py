"""The search page tells, in the reader's language, why a search cannot be run as written."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def refused(client, language: str, **params) -> str:
    response = client.get("/search/", params, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'aria-invalid="true"' in html
    return html


def test_a_malformed_query_is_explained_in_arabic(client):
    html = refused(client, "ar", q='"humanitarian corridor')
    assert '<h1 class="notice-heading">لا يمكن تنفيذ هذا البحث كما كُتب.</h1>' in html
    assert (
        "<li>علامة اقتباس غير مغلقة: أضف &quot; في نهاية العبارة، أو احذف علامة الاقتباس "
        "الأولى.</li>"
    ) in html
    assert "Unbalanced quote" not in html
    html = refused(client, "ar", q="(geneva OR astana")
    assert "<li>أقواس غير متوازنة: أضف قوس الإغلاق «)» أو احذف قوس الفتح «(».</li>" in html


def test_a_malformed_query_is_explained_in_french(client):
    html = refused(client, "fr", q="geneva OR")
    assert (
        '<h1 class="notice-heading">'
        "Cette recherche ne peut pas être exécutée telle qu’elle est écrite.</h1>" in html
    )
    assert (
        "<li>Il manque à « OR » le mot auquel il s’applique, comme dans : geneva OR astana.</li>"
    ) in html
    html = refused(client, "fr", q="isuer:un")
    assert "<li>Champ inconnu « isuer: »." in html


@pytest.mark.parametrize(
    ("params", "arabic", "french"),
    [
        (
            {"date_from": "last year"},
            "«last year» ليس تاريخًا",
            "« last year » n’est pas une date",
        ),
        (
            {"date_from": "2016", "date_to": "2015"},
            "تاريخ البداية 2016 يقع بعد تاريخ النهاية 2015.",
            "La date de début 2016 est postérieure à la date de fin 2015.",
        ),
        ({"page": "two"}, "يجب أن يكون رقم الصفحة عددًا صحيحًا", "La page doit être un nombre"),
        ({"page": "501"}, "لا تُعرض إلا أول 500 صفحة", "Seules les 500 premières pages"),
        ({"place": "<idlib>"}, "ليس مفتاحًا صالحًا للمرشّح «المكان»", "clé de filtre « lieu »"),
    ],
)
def test_dates_pages_and_filters_are_refused_in_the_reader_language(client, params, arabic, french):
    assert arabic in refused(client, "ar", **params)
    assert french in refused(client, "fr", **params)


def test_the_api_keeps_its_english_messages(client):
    # docs/query-syntax.md: the API answers {"error": "<the message>"} as documented.
    response = client.get("/api/search/", {"q": '"open'}, HTTP_ACCEPT_LANGUAGE="ar")
    assert response.status_code == 400
    assert response.json()["error"].startswith("Unbalanced quote: add a closing")


def test_a_page_past_the_end_is_explained_in_the_reader_language(client, index):
    from tests.search.factories import communique

    communique("Ceasefire statement", ["A ceasefire in Idlib."])
    index()
    french = client.get("/search/", {"q": "ceasefire", "page": "3"}, HTTP_ACCEPT_LANGUAGE="fr")
    assert french.status_code == 400
    assert "La page 3 est au-delà de la fin : cette recherche compte 1 page" in french.text
    arabic = client.get("/search/", {"q": "ceasefire", "page": "3"}, HTTP_ACCEPT_LANGUAGE="ar")
    assert "لهذا البحث صفحة واحدة من النتائج" in arabic.text
    english = client.get("/api/search/", {"q": "ceasefire", "page": "3"})
    assert english.json()["error"].startswith("Page 3 is past the end: this search has 1 page")
