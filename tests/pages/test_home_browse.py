"""The front page and browsing by date."""

import datetime as dt
import re

import pytest
from pytest_django.asserts import assertContains, assertNotContains

from tests.pages.factories import CommuniqueFactory, OrganizationFactory

pytestmark = pytest.mark.django_db


def test_home_counts_what_the_archive_holds(client, seed):
    response = client.get("/")
    assertContains(response, '<a href="/browse/"><strong>1</strong> communiqué</a>', html=True)
    assertContains(response, '<a href="/people/"><strong>7</strong> people</a>', html=True)
    assertContains(response, '<a href="/places/"><strong>6</strong> places</a>', html=True)


def test_home_states_the_date_span(client, seed):
    CommuniqueFactory(date=dt.date(2019, 3, 1))
    response = client.get("/")
    assertContains(response, '<time datetime="2019-03-01">1 March 2019</time> and', html=False)
    assertContains(response, '<time datetime="2023-10-10">10 October 2023</time>.')


def test_home_lists_the_latest_communiques(client, seed):
    assertContains(
        client.get("/"),
        f'<a class="item-title" href="/c/{seed.public_id}/" lang="en" dir="ltr">'
        "Final communique</a>",
        html=True,
    )


def test_home_ranks_the_most_frequent_issuers(client):
    busy, quiet = OrganizationFactory(name="Busy Council"), OrganizationFactory(name="Quiet Body")
    CommuniqueFactory.create_batch(3, issuer=busy)
    CommuniqueFactory(issuer=quiet)
    content = client.get("/").content.decode()
    ranked = content[content.index('<ol class="ranked">') :]
    assert ranked.index("Busy Council") < ranked.index("Quiet Body")


def test_home_has_a_labelled_search_box(client, db):
    response = client.get("/")
    assertContains(response, '<label for="home-q">Search 0 communiqués</label>', html=True)
    assertContains(response, '<input id="home-q" type="search" name="q"')


def test_browse_lists_years_with_counts(client, seed):
    CommuniqueFactory(date=dt.date(2021, 5, 2))
    response = client.get("/browse/")
    assertContains(
        response,
        '<a href="/browse/2023/"><strong>2023</strong> <span>1 communiqué</span></a>',
        html=True,
    )
    assertContains(response, '<a href="/browse/2021/">')


def test_a_year_lists_its_months(client, seed):
    response = client.get("/browse/2023/")
    assertContains(
        response,
        '<a href="/browse/2023/10/"><strong>October</strong> <span>1 communiqué</span></a>',
        html=True,
    )


def test_a_month_lists_its_communiques(client, seed):
    response = client.get("/browse/2023/10/")
    assertContains(response, f'href="/c/{seed.public_id}/"')


def test_an_empty_year_is_not_found(client, seed):
    assert client.get("/browse/1999/").status_code == 404


def test_an_impossible_month_is_not_found(client, seed):
    assert client.get("/browse/2023/13/").status_code == 404


def test_the_header_search_form_goes_to_the_search_page(client, db):
    assertContains(
        client.get("/"),
        '<form class="header-search" role="search" aria-label="Search the archive" '
        'action="/search/" method="get">',
    )


def test_pages_use_no_external_assets(client, seed):
    # Everything a page loads comes from /static/: no CDN, no web font service.
    for url in ("/", seed.get_absolute_url(), "/people/hadi-al-bahra/"):
        response = client.get(url)
        assertNotContains(response, 'src="http')
        assertNotContains(response, 'rel="stylesheet" href="http')


def test_pages_name_their_icon_and_favicon_ico_leads_to_it(client, db):
    # Without an icon, every first visit logs a 404 for /favicon.ico.
    page = client.get("/").content.decode()
    icon = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', page)
    assert icon is not None
    response = client.get("/favicon.ico")
    assert response.status_code == 302 and response["Location"] == icon.group(1)
    assert icon.group(1).endswith(".svg") and client.get(icon.group(1)).status_code == 200


@pytest.mark.parametrize(
    "url", ["/browse/0/", "/browse/10000/", "/browse/99999999999999999999/", "/browse/0/5/"]
)
def test_a_year_no_date_can_have_is_not_found(client, seed, url):
    # Not a 500: the year reached the query, where no date could be made of it.
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("url", ["/", "/search/", "/nowhere/"])
def test_each_search_landmark_of_a_page_has_a_name_of_its_own(client, seed, url):
    # A screen reader lists landmarks by role and name: two unnamed "search" are one too many.
    from bs4 import BeautifulSoup

    page = BeautifulSoup(client.get(url).content, "html.parser")
    names = [form.get("aria-label") for form in page.select('[role="search"]')]
    assert len(names) == 2
    assert len(set(names)) == len(names)
