"""Drafts are never visible anywhere public: lists, counts, entity pages, feeds, API, sitemap."""

import pytest
from pytest_django.asserts import assertContains, assertNotContains

from archive.models import Participation
from tests.pages.factories import CommuniqueFactory, PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(db):
    c = CommuniqueFactory(draft=True, title="Unreviewed draft statement")
    Participation.objects.create(communique=c, person=PersonFactory(name="Draft Only Person"))
    return c


def test_home_neither_lists_nor_counts_drafts(client, draft):
    response = client.get("/")
    assertNotContains(response, "Unreviewed draft statement")
    assertContains(response, '<a href="/browse/"><strong>0</strong> communiqués</a>', html=True)


def test_a_person_named_only_in_drafts_has_no_page(client, draft):
    assert client.get("/people/draft-only-person/").status_code == 404


def test_a_person_named_only_in_drafts_is_not_listed(client, draft):
    assertNotContains(client.get("/people/"), "Draft Only Person")


def test_an_entity_page_leaves_out_drafts(client, draft, seed):
    draft.issuer = seed.issuer
    draft.save()
    assertNotContains(
        client.get("/organizations/syrian-opposition-coalition/"), "Unreviewed draft statement"
    )


def test_browsing_by_date_leaves_out_drafts(client, draft):
    assert client.get("/browse/2023/10/").status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/feeds/latest.atom",
        "/sitemap.xml",
        "/sitemap-communiques.xml",
        "/sitemap-entities.xml",
        "/api/communiques/",
        "/api/people/",
        "/issuers/",
    ],
)
def test_drafts_are_absent_from_feeds_sitemap_and_api(client, draft, url):
    content = client.get(url).content.decode()
    assert "Unreviewed draft statement" not in content
    assert draft.public_id not in content
    assert "Draft Only Person" not in content


def test_the_api_does_not_serve_a_draft(client, draft):
    assert client.get(f"/api/communiques/{draft.public_id}/").status_code == 404
