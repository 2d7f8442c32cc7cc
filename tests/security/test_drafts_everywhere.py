"""A draft is invisible on every public surface: one test per surface.

The draft shares its issuer, person, place, resolution and a rare word with a published
communiqué, so that every surface that lists, counts, searches or relates records has
something published to show, and must leave the draft out.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest

from archive.models import Communique, Participation
from search import queue
from tests.pages.factories import (
    CommuniqueFactory,
    OrganizationFactory,
    PersonFactory,
    PlaceFactory,
    ResolutionFactory,
)

pytestmark = pytest.mark.django_db

SECRET_TITLE = "Embargoed zanzibarite statement"
WORD = "zanzibarite"


@pytest.fixture(autouse=True)
def no_background_drain(settings):
    settings.BAYAN_INDEX_IN_BACKGROUND = False


@pytest.fixture
def world(db):
    issuer = OrganizationFactory(name="Shared Council", slug="shared-council")
    person = PersonFactory(name="Shared Envoy")
    place = PlaceFactory(name="Shared Town")
    resolution = ResolutionFactory(body="UNSC", number="2254")
    public = CommuniqueFactory(
        title="Public zanzibarite statement",
        issuer=issuer,
        paragraphs=[f"The council met about {WORD} deposits and called for calm."],
    )
    draft = CommuniqueFactory(
        draft=True,
        title=SECRET_TITLE,
        issuer=issuer,
        date=dt.date(2023, 10, 11),
        paragraphs=[f"The council met about {WORD} deposits and called for calm, secretly."],
    )
    draft_only = PersonFactory(name="Draft Only Envoy")
    for c in (public, draft):
        Participation.objects.create(communique=c, person=person)
        c.places.add(place)
        c.resolutions.add(resolution)
    Participation.objects.create(communique=draft, person=draft_only)
    queue.drain()
    return {
        "public": public,
        "draft": draft,
        "issuer": issuer,
        "person": person,
        "place": place,
        "resolution": resolution,
        "draft_only": draft_only,
    }


def assert_hidden(response, world, *, status=200):
    assert response.status_code == status, response.status_code
    body = b"".join(response.streaming_content) if response.streaming else response.content
    text = body.decode()
    assert SECRET_TITLE not in text
    assert world["draft"].public_id not in text
    assert "Draft Only Envoy" not in text
    return text


# -- The draft's own addresses ----------------------------------------------------------------


def test_permalink_page(client, world):
    assert client.get(f"/c/{world['draft'].public_id}/").status_code == 404


def test_slug_alias(client, world):
    assert client.get(f"/c/{world['draft'].public_id}/any-slug/").status_code == 404


def test_original_file(client, world):
    assert client.get(f"/c/{world['draft'].public_id}/original/").status_code == 404


def test_revision_page(client, world):
    assert client.get(f"/c/{world['draft'].public_id}/r/1/").status_code == 404


@pytest.mark.parametrize("ext", ["bib", "ris", "json"])
def test_citation_files(client, world, ext):
    assert client.get(f"/c/{world['draft'].public_id}/cite.{ext}").status_code == 404


def test_api_detail(client, world):
    assert client.get(f"/api/communiques/{world['draft'].public_id}/").status_code == 404


def test_an_unpublished_record_disappears(client, world):
    public = world["public"]
    public.status = Communique.Status.DRAFT
    public.save()
    queue.drain()
    page = client.get(f"/c/{public.public_id}/")
    assert page.status_code in (404, 410)  # 410: it was public once, and was withdrawn
    assert "called for calm" not in page.content.decode()
    assert "Public zanzibarite" not in client.get(f"/api/search/?q={WORD}").content.decode()


# -- Lists, counts and search -----------------------------------------------------------------


def test_home(client, world):
    assert_hidden(client.get("/"), world)


def test_browse_by_month(client, world):
    assert_hidden(client.get("/browse/2023/10/"), world)


def test_browse_by_year(client, world):
    assert_hidden(client.get("/browse/2023/"), world)


def test_search_page(client, world):
    text = assert_hidden(client.get(f"/search/?q={WORD}"), world)
    assert "Public zanzibarite statement" in text


def test_search_api(client, world):
    answer = client.get(f"/api/search/?q={WORD}").json()
    assert [r["title"] for r in answer["results"]] == ["Public zanzibarite statement"]
    assert answer["count"] == 1 if "count" in answer else True


def test_search_api_facet_counts(client, world):
    text = assert_hidden(client.get(f"/api/search/?q={WORD}"), world)
    # The issuer facet counts the published record only.
    answer = client.get(f"/api/search/?q={WORD}").json()
    issuers = {v["key"]: v["count"] for v in answer["facets"].get("issuer", [])}
    assert all(count == 1 for count in issuers.values()), text


def test_export_csv(client, world):
    text = assert_hidden(client.get(f"/api/search/export.csv?q={WORD}"), world)
    assert "Public zanzibarite statement" in text


def test_export_json(client, world):
    text = assert_hidden(client.get(f"/api/search/export.json?q={WORD}"), world)
    assert "Public zanzibarite statement" in text


def test_latest_feed(client, world):
    assert_hidden(client.get("/feeds/latest.atom"), world)


def test_search_feed(client, world):
    assert_hidden(client.get(f"/feeds/search.atom?q={WORD}"), world)


def test_issuer_feed(client, world):
    assert_hidden(client.get("/feeds/issuer/shared-council.atom"), world)


def test_entity_feed(client, world):
    assert_hidden(client.get(f"/feeds/people/{world['person'].slug}.atom"), world)


def test_sitemap(client, world):
    index = assert_hidden(client.get("/sitemap.xml"), world)
    sections = re.findall(r"<loc>(.*?)</loc>", index)
    assert len(sections) == 3
    for section in sections:
        text = assert_hidden(client.get(section), world)
        assert "draft-only-envoy" not in text
    assert f"/people/{world['person'].slug}/" in text  # the entities' section, listed last


def test_api_list(client, world):
    answer = client.get("/api/communiques/").json()
    assert answer["count"] == 1
    assert_hidden(client.get("/api/communiques/"), world)


def test_api_entity_list_counts(client, world):
    answer = client.get("/api/people/").json()
    assert {r["name"] for r in answer["results"]} == {"Shared Envoy"}
    text = assert_hidden(client.get("/api/people/"), world)
    assert "Draft Only Envoy" not in text


def test_api_entity_detail_count(client, world):
    response = client.get(f"/api/places/{world['place'].slug}/")
    assert_hidden(response, world)
    data = response.json()
    assert data["communique_count"] == 1, data


def test_entity_page(client, world):
    assert_hidden(client.get(f"/people/{world['person'].slug}/"), world)


def test_entity_page_of_a_draft_only_entity(client, world):
    assert client.get(f"/people/{world['draft_only'].slug}/").status_code == 404


def test_entity_list(client, world):
    assert_hidden(client.get("/people/"), world)


def test_issuers_page_counts(client, world):
    text = assert_hidden(client.get("/issuers/"), world)
    assert "Shared Council" in text


def test_organization_page(client, world):
    assert_hidden(client.get("/organizations/shared-council/"), world)


def test_resolution_page(client, world):
    assert_hidden(client.get(f"/resolutions/{world['resolution'].slug}/"), world)


def test_more_like_this(client, world):
    # The published page's "related" list comes from the index, which has no drafts.
    assert_hidden(client.get(f"/c/{world['public'].public_id}/"), world)


def test_the_index_holds_no_draft(world):
    assert set(queue.indexed_fingerprints()) == {world["public"].pk}


def test_research_demand_tracker(client, world):
    response = client.get("/demands/")
    if response.status_code == 404:
        pytest.skip("no demand tracker in this tree")
    assert_hidden(response, world)


def test_research_timeline_csv(client, world):
    response = client.get(f"/people/{world['person'].slug}/timeline.csv")
    if response.status_code == 404:
        pytest.skip("no timeline export in this tree")
    assert_hidden(response, world)
