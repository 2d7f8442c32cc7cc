"""Communiqué and results pages are kept as drawn, and drawn anew as soon as anything they
show changes."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from archive import pagecache
from archive.publishing import unpublish
from search import views
from tests.search.factories import OrganizationFactory, PlaceFactory, communique

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture
def aleppo(index):
    subject = communique("Aleppo siege", ["The siege of Aleppo and its hospitals, Aleppo starved."])
    communique("Fisheries", ["Quotas for fishing fleets in the Baltic sea."])
    index()
    return subject


def read(client, url: str) -> tuple[str, int]:
    """The page's HTML and the number of queries it took."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return response.content.decode(), len(queries)


def test_a_page_read_again_is_not_drawn_again(client, aleppo):
    first, drawing = read(client, aleppo.get_absolute_url())
    again, kept = read(client, aleppo.get_absolute_url())
    assert kept == 1 < drawing  # the record's last change, looked up to know the page current
    assert TOKEN.sub("", again) == TOKEN.sub("", first)
    assert "Aleppo siege" in again


def test_a_correction_shows_on_the_next_reading(client, aleppo, index):
    read(client, aleppo.get_absolute_url())
    aleppo.title = "Aleppo siege (corrected)"
    aleppo.save()
    index()
    html, _ = read(client, aleppo.get_absolute_url())
    assert "Aleppo siege (corrected)" in html


def test_a_correction_shows_even_before_the_index_has_it(client, aleppo):
    read(client, aleppo.get_absolute_url())
    aleppo.title = "Aleppo siege (corrected)"
    aleppo.save()  # queued for the index, not yet drained
    html, _ = read(client, aleppo.get_absolute_url())
    assert "Aleppo siege (corrected)" in html


def test_a_newly_published_similar_statement_is_listed_on_a_kept_page(client, aleppo, index):
    html, _ = read(client, aleppo.get_absolute_url())
    assert "Aleppo hospitals" not in html
    communique("Aleppo hospitals", ["Hospitals in Aleppo are besieged; the siege."])
    index()
    html, _ = read(client, aleppo.get_absolute_url())
    assert "Aleppo hospitals" in html


def test_a_withdrawn_communique_answers_410_though_its_page_was_kept(client, aleppo):
    read(client, aleppo.get_absolute_url())
    unpublish(aleppo)
    response = client.get(aleppo.get_absolute_url())
    assert response.status_code == 410


def test_every_reader_gets_a_csrf_token_of_their_own_that_works(aleppo):
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    first_html, _ = read(first, aleppo.get_absolute_url())
    second_html, kept = read(second, aleppo.get_absolute_url())
    assert kept == 1
    tokens = TOKEN.findall(first_html) + TOKEN.findall(second_html)
    assert len(tokens) == 2 and tokens[0] != tokens[1]
    switched = second.post(
        "/i18n/setlang/",
        {"language": "fr", "next": "/", "csrfmiddlewaretoken": tokens[1]},
    )
    assert switched.status_code == 302


def test_the_interface_language_gets_its_own_page(client, aleppo):
    english, _ = read(client, aleppo.get_absolute_url())
    french = client.get(aleppo.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert '<html lang="en"' in english
    assert '<html lang="fr"' in french


def test_the_citation_follows_the_host_the_page_was_read_at(client, aleppo):
    read(client, aleppo.get_absolute_url())
    html = client.get(aleppo.get_absolute_url(), HTTP_HOST="127.0.0.1").content.decode()
    assert f"http://127.0.0.1/c/{aleppo.public_id}/" in html
    assert "http://testserver/" not in html


def test_a_page_without_its_similar_statements_is_not_kept(client, aleppo, monkeypatch):
    def unavailable(*args, **kwargs):
        raise OSError("index unreadable")

    monkeypatch.setattr("archive.views.communique.more_like_this", unavailable)
    read(client, aleppo.get_absolute_url())
    monkeypatch.undo()
    _, queries = read(client, aleppo.get_absolute_url())
    assert queries > 1


def test_no_page_is_kept_when_the_cache_is_turned_off(client, aleppo, settings):
    settings.BAYAN_PAGE_CACHE_PAGES = 0
    _, drawing = read(client, aleppo.get_absolute_url())
    _, again = read(client, aleppo.get_absolute_url())
    assert again == drawing


# -- Results pages -----------------------------------------------------------------------------


@pytest.fixture
def searches(monkeypatch):
    """How many searches the results pages ran: the real search, counted."""
    ran = []

    def counted(params):
        ran.append(params)
        return run_search(params)

    run_search = views.run_search
    monkeypatch.setattr(views, "run_search", counted)
    return ran


def test_a_results_page_read_again_is_not_searched_again(client, aleppo, searches):
    first, _ = read(client, "/search/?q=aleppo")
    again, _ = read(client, "/search/?q=aleppo")
    assert len(searches) == 1
    assert TOKEN.sub("", again) == TOKEN.sub("", first)
    assert "Aleppo siege" in again and "Fisheries" not in again
    read(client, "/search/?q=aleppo&sort=date")
    assert len(searches) == 2  # another query string, another page


def test_a_newly_published_statement_shows_on_a_kept_results_page(client, aleppo, index):
    html, _ = read(client, "/search/?q=aleppo")
    assert "Aleppo hospitals" not in html
    communique("Aleppo hospitals", ["Hospitals in Aleppo are besieged."])
    index()
    html, _ = read(client, "/search/?q=aleppo")
    assert "Aleppo hospitals" in html


def test_a_renamed_place_shows_its_new_name_on_a_kept_results_page(client, index):
    place = PlaceFactory(name="Halab")
    communique("Siege", ["The siege."], places=[place])
    index()
    html, _ = read(client, "/search/?q=siege")
    assert "Halab" in html
    place.name = "Aleppo"
    place.save()  # reindexes the communiqués that name it (search.signals)
    index()
    html, _ = read(client, "/search/?q=siege")
    assert "Aleppo" in html and "Halab" not in html


def test_a_malformed_query_is_answered_with_its_error_and_a_token_that_works(aleppo, searches):
    reader = Client(enforce_csrf_checks=True)
    for _ in range(2):
        response = reader.get("/search/", {"date_from": "not a date"})
        assert response.status_code == 400
    html = response.content.decode()
    assert pagecache.CSRF_PLACEHOLDER not in html
    (token,) = TOKEN.findall(html)
    switched = reader.post(
        "/i18n/setlang/", {"language": "fr", "next": "/", "csrfmiddlewaretoken": token}
    )
    assert switched.status_code == 302


def test_every_reader_of_a_kept_results_page_gets_a_token_of_their_own(aleppo, searches):
    first, _ = read(Client(), "/search/?q=siege")
    second, _ = read(Client(), "/search/?q=siege")
    assert len(searches) == 1
    assert TOKEN.findall(first) != TOKEN.findall(second)
    assert pagecache.CSRF_PLACEHOLDER not in first + second


def test_results_pages_are_sized_and_turned_off_apart_from_communique_pages(
    client, aleppo, searches, settings
):
    settings.BAYAN_RESULTS_CACHE_PAGES = 0
    read(client, "/search/?q=aleppo")
    read(client, "/search/?q=aleppo")
    assert len(searches) == 2
    _, drawing = read(client, aleppo.get_absolute_url())
    _, kept = read(client, aleppo.get_absolute_url())
    assert kept == 1 < drawing


# -- Entity pages and lists --------------------------------------------------------------------


@pytest.fixture
def aleppo_place(index):
    place = PlaceFactory(name="Aleppo")
    communique("Aleppo siege", ["The siege of Aleppo."], places=[place])
    index()
    return place


def test_an_entity_page_read_again_is_not_counted_again(client, aleppo_place):
    url = aleppo_place.get_absolute_url()
    first, drawing = read(client, url)
    again, kept = read(client, url)
    assert kept == 1 < drawing  # the entity's own row, which the index does not hold
    assert TOKEN.sub("", again) == TOKEN.sub("", first)
    assert "Aleppo siege" in again


def test_an_entity_description_edited_shows_on_the_next_reading(client, aleppo_place):
    url = aleppo_place.get_absolute_url()
    read(client, url)
    aleppo_place.description = "City in northern Syria."
    aleppo_place.save()  # not a field the index copies: nothing is queued
    html, _ = read(client, url)
    assert "City in northern Syria." in html


def test_a_communique_naming_the_entity_shows_on_its_kept_page_once_indexed(
    client, aleppo_place, index
):
    url = aleppo_place.get_absolute_url()
    assert "Named in <strong>1</strong>" in read(client, url)[0]
    communique("Aleppo hospitals", ["Hospitals in Aleppo."], places=[aleppo_place])
    index()
    html, _ = read(client, url)
    assert "Aleppo hospitals" in html and "Named in <strong>2</strong>" in html


def test_an_entity_list_is_kept_until_the_index_changes(client, aleppo_place, index):
    first, drawing = read(client, "/places/")
    again, kept = read(client, "/places/")
    assert kept == 0 < drawing
    assert TOKEN.sub("", again) == TOKEN.sub("", first)
    communique("Homs talks", ["Talks in Homs."], places=[PlaceFactory(name="Homs")])
    index()
    html, _ = read(client, "/places/")
    assert "Homs" in html and "Aleppo" in html


def test_a_missing_or_unpublished_entity_is_never_kept(client, index):
    assert client.get("/places/nowhere/").status_code == 404
    place = PlaceFactory(name="Idlib")
    draft = communique("Idlib draft", ["Idlib."], places=[place], status="draft")
    index()
    assert client.get(place.get_absolute_url()).status_code == 404
    draft.status = "published"
    draft.save()
    index()
    assert client.get(place.get_absolute_url()).status_code == 200


@pytest.mark.parametrize("url", ["/", "/browse/", "/browse/2023/", "/browse/2023/10/", "/issuers/"])
def test_the_front_page_and_browsing_are_kept_until_the_index_changes(client, index, url):
    communique("Aleppo siege", ["Aleppo."], date="2023-10-09")
    index()
    first, drawing = read(client, url)
    again, kept = read(client, url)
    assert kept == 0 < drawing
    assert TOKEN.sub("", again) == TOKEN.sub("", first)
    homs = OrganizationFactory(name="Homs Local Council")
    communique("Homs talks", ["Homs."], date="2023-10-20", issuer=homs)
    index()
    html, _ = read(client, url)
    shown = {
        "/": "Homs talks",
        "/browse/": "2 communiqués",
        "/browse/2023/": "2 communiqués",
        "/browse/2023/10/": "Homs talks",
        "/issuers/": "Homs Local Council",
    }[url]
    assert shown in html and shown not in first


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/browse/",
        "/browse/2023/",
        "/browse/2023/10/",
        "/issuers/",
        "/places/",
        "{place}",
        "{communique}",
        "/search/?q=aleppo",
        "/demands/",
    ],
)
def test_every_reader_of_any_kept_page_gets_a_token_of_their_own_that_works(index, url):
    place = PlaceFactory(name="Aleppo")
    siege = communique("Aleppo siege", ["The siege of Aleppo."], date="2023-10-09", places=[place])
    index()
    url = url.format(place=place.get_absolute_url(), communique=siege.get_absolute_url())
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    first_html, drawing = read(first, url)
    second_html, kept = read(second, url)
    assert kept < drawing  # the second reader was given the page kept
    (one,), (other,) = TOKEN.findall(first_html), TOKEN.findall(second_html)
    assert one != other
    assert pagecache.CSRF_PLACEHOLDER not in first_html + second_html
    switched = second.post(
        "/i18n/setlang/", {"language": "fr", "next": "/", "csrfmiddlewaretoken": other}
    )
    assert switched.status_code == 302
