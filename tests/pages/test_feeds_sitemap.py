"""Atom feeds and the sitemap."""

import datetime as dt
import xml.etree.ElementTree as ET

import pytest
from protego import Protego

from archive.sitemaps import CommuniqueSitemap
from tests.pages.factories import CommuniqueFactory, OrganizationFactory

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def entry_links(response) -> list[str]:
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    return [e.find(f"{ATOM}link").get("href") for e in feed.iter(f"{ATOM}entry")]


def test_the_latest_feed_links_each_permalink(client, seed):
    assert entry_links(client.get("/feeds/latest.atom")) == [
        f"http://testserver/c/{seed.public_id}/"
    ]


def test_the_latest_feed_summarizes_with_the_first_paragraph(client, seed):
    feed = ET.fromstring(client.get("/feeds/latest.atom").content)
    summary = feed.find(f"{ATOM}entry/{ATOM}summary").text
    assert summary.startswith("The Syrian Opposition Coalition (SOC) convened")


def test_an_issuer_feed_has_only_that_issuers_communiques(client, seed):
    CommuniqueFactory(issuer=OrganizationFactory(name="Someone Else"))
    links = entry_links(client.get("/feeds/issuer/syrian-opposition-coalition.atom"))
    assert links == [f"http://testserver/c/{seed.public_id}/"]


def test_an_entity_feed_has_the_communiques_that_name_it(client, seed):
    CommuniqueFactory()
    links = entry_links(client.get("/feeds/people/badr-jamous.atom"))
    assert links == [f"http://testserver/c/{seed.public_id}/"]


def test_an_unknown_entity_has_no_feed(client, db):
    assert client.get("/feeds/places/atlantis.atom").status_code == 404


def sitemap_locations(client) -> set[str]:
    """Every address the sitemap gives: its index's sections, each page of each, read."""
    index = client.get("/sitemap.xml")
    assert index.status_code == 200
    found = set()
    for page in ET.fromstring(index.content).iter(f"{SITEMAP}loc"):
        response = client.get(page.text)
        assert response.status_code == 200, page.text
        found |= {loc.text for loc in ET.fromstring(response.content).iter(f"{SITEMAP}loc")}
    return found


def test_the_sitemap_lists_every_published_permalink(client, seed):
    other = CommuniqueFactory()
    locations = sitemap_locations(client)
    assert f"http://testserver/c/{seed.public_id}/" in locations
    assert f"http://testserver/c/{other.public_id}/" in locations
    assert "http://testserver/people/badr-jamous/" in locations


def test_the_sitemap_is_an_index_of_pages_each_within_the_limit(client, seed, monkeypatch):
    # A page holds at most `limit` addresses (50,000 is the protocol's most): at archive
    # scale the permalinks take several pages, and the index names each one.
    monkeypatch.setattr(CommuniqueSitemap, "limit", 1)
    later = CommuniqueFactory()
    index = ET.fromstring(client.get("/sitemap.xml").content)
    pages = [loc.text for loc in index.iter(f"{SITEMAP}loc")]
    assert "http://testserver/sitemap-communiques.xml" in pages
    assert "http://testserver/sitemap-communiques.xml?p=2" in pages
    second = ET.fromstring(client.get("/sitemap-communiques.xml?p=2").content)
    assert [loc.text for loc in second.iter(f"{SITEMAP}loc")] == [
        f"http://testserver/c/{later.public_id}/"
    ]
    # The section's date in the index is its newest communiqué's change.
    dated = {
        s.find(f"{SITEMAP}loc").text: s.find(f"{SITEMAP}lastmod").text
        for s in index.iter(f"{SITEMAP}sitemap")
        if s.find(f"{SITEMAP}lastmod") is not None
    }
    newest = max(seed.updated_at, later.updated_at)
    assert dt.datetime.fromisoformat(dated["http://testserver/sitemap-communiques.xml"]) == newest
    assert client.get("/sitemap-nothing.xml").status_code == 404


def test_a_search_is_a_feed_of_its_results(client, seed):
    from search.queue import drain

    CommuniqueFactory(title="Harvest report", paragraphs=["Wheat and barley."])
    drain()
    links = entry_links(client.get("/feeds/search.atom?q=phosphorus"))
    assert links == [f"http://testserver/c/{seed.public_id}/"]


def test_a_search_feed_is_titled_by_its_query(client, seed):
    feed = ET.fromstring(client.get("/feeds/search.atom?q=phosphorus").content)
    assert feed.find(f"{ATOM}title").text == "Bayan: search “phosphorus”"


def test_a_search_feed_whose_query_holds_control_characters_is_still_a_feed(client, seed):
    # XML 1.0 has no place for them: the feed's writer refused the title with a 500.
    response = client.get("/feeds/search.atom", {"q": "phosphorus\x0b\x01"})
    feed = ET.fromstring(response.content)
    assert feed.find(f"{ATOM}title").text == "Bayan: search “phosphorus”"


def test_robots_txt_points_crawlers_at_the_sitemap_and_away_from_endless_queries(client, seed):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    # Protego reads robots.txt as RFC 9309 does (a rule matches the path and its query);
    # Python's urllib.robotparser drops the "?" of "/demands/?".
    robots = Protego.parse(response.content.decode())
    assert list(robots.sitemaps) == ["http://testserver/sitemap.xml"]
    assert client.get(next(iter(robots.sitemaps))).status_code == 200
    allowed = lambda path: robots.can_fetch(f"http://testserver{path}", "AnyBot")  # noqa: E731
    assert allowed(f"/c/{seed.public_id}/")
    assert allowed("/people/badr-jamous/")
    assert allowed("/demands/")
    endless = ("/search/?q=idlib", "/api/search/?q=x", "/demands/?issuer=x", "/demands.csv")
    for path in (*endless, "/feeds/search.atom?q=x", "/admin/"):
        assert not allowed(path), path


def test_opensearch_lets_a_browser_search_the_archive_from_its_address_bar(client, seed):
    from search import queue

    queue.drain()
    page = client.get("/").content.decode()
    assert 'rel="search" type="application/opensearchdescription+xml"' in page
    response = client.get("/opensearch.xml")
    assert response["Content-Type"].startswith("application/opensearchdescription+xml")
    description = ET.fromstring(response.content)
    spec = "{http://a9.com/-/spec/opensearch/1.1/}"
    assert description.find(f"{spec}ShortName").text == "Bayan"
    templates = {url.get("type"): url.get("template") for url in description.iter(f"{spec}Url")}
    results = client.get(templates["text/html"].replace("{searchTerms}", "phosphorus"))
    assert results.status_code == 200
    assert f"/c/{seed.public_id}/" in results.content.decode()
    feed = client.get(templates["application/atom+xml"].replace("{searchTerms}", "phosphorus"))
    assert entry_links(feed) == [f"http://testserver/c/{seed.public_id}/"]


def test_opensearch_describes_the_archive_in_the_readers_language(client, db):
    response = client.get("/opensearch.xml", HTTP_ACCEPT_LANGUAGE="fr")
    spec = "{http://a9.com/-/spec/opensearch/1.1/}"
    description = ET.fromstring(response.content).find(f"{spec}Description").text
    assert description == "Rechercher dans les communiqués officiels archivés par Bayan"
