"""The read-only JSON API and its OpenAPI document."""

import datetime as dt

import pytest

from tests.pages.factories import CommuniqueFactory, OrganizationFactory

pytestmark = pytest.mark.django_db


def test_the_list_is_paginated_with_next_and_previous_links(client, db):
    CommuniqueFactory.create_batch(3)
    body = client.get("/api/communiques/?page_size=2").json()
    assert body["count"] == 3
    assert len(body["results"]) == 2
    assert body["next"] == "http://testserver/api/communiques/?page_size=2&page=2"
    assert body["previous"] is None


def test_the_page_size_is_capped_at_100(client, db):
    CommuniqueFactory.create_batch(2)
    body = client.get("/api/communiques/?page_size=1000").json()
    assert len(body["results"]) == 2  # not an error: the cap applies silently


def test_a_page_past_the_end_is_not_found(client, db):
    assert client.get("/api/communiques/?page=5").status_code == 404


def test_a_malformed_page_number_is_a_bad_request(client, db):
    assert client.get("/api/communiques/?page=abc").status_code == 400


def test_filter_by_issuer(client, seed):
    CommuniqueFactory(issuer=OrganizationFactory(name="Other Body"))
    body = client.get("/api/communiques/?issuer=syrian-opposition-coalition").json()
    assert [r["id"] for r in body["results"]] == [seed.public_id]


def test_filter_by_date_range(client, seed):
    CommuniqueFactory(date=dt.date(2020, 1, 1))
    body = client.get("/api/communiques/?date_from=2023-01-01&date_to=2023-12-31").json()
    assert [r["id"] for r in body["results"]] == [seed.public_id]


def test_filter_by_language(client, seed):
    arabic = CommuniqueFactory(language="ar")
    body = client.get("/api/communiques/?language=ar").json()
    assert [r["id"] for r in body["results"]] == [arabic.public_id]


def test_a_malformed_date_is_a_bad_request(client, db):
    response = client.get("/api/communiques/?date_from=yesterday")
    assert response.status_code == 400
    assert "date_from" in response.json()["errors"]


def test_the_detail_carries_text_and_structure(client, seed):
    body = client.get(f"/api/communiques/{seed.public_id}/").json()
    assert body["paragraphs"][2]["anchor"] == "p3"
    assert len(body["participants"]) == 7
    assert [a["name"] for a in body["demands"][3]["addressees"]] == [
        "Arab League",
        "United Nations",
    ]
    assert body["url"] == f"http://testserver/c/{seed.public_id}/"


def test_entities_list_with_counts(client, seed):
    body = client.get("/api/resolutions/").json()
    assert {(r["slug"], r["communique_count"]) for r in body["results"]} == {
        ("unsc-2254", 1),
        ("unsc-2118", 1),
    }


def test_an_entity_links_to_its_communiques_in_the_api(client, seed):
    body = client.get("/api/places/idlib/").json()
    assert body["communiques"] == "http://testserver/api/communiques/?places=idlib"
    listed = client.get("/api/communiques/?places=idlib").json()["results"]
    assert [r["id"] for r in listed] == [seed.public_id]


def test_the_openapi_document_is_version_3_1(client, db):
    document = client.get("/api/openapi.json").json()
    assert document["openapi"] == "3.1.0"


def test_every_documented_path_answers(client, seed):
    document = client.get("/api/openapi.json").json()
    values = {"{id}": seed.public_id, "{kind}": "places", "{slug}": "idlib"}
    for template in document["paths"]:
        url = template
        for placeholder, value in values.items():
            url = url.replace(placeholder, value)
        assert client.get(url).status_code == 200, url


def test_every_documented_communique_filter_is_accepted(client, seed):
    document = client.get("/api/openapi.json").json()
    parameters = document["paths"]["/api/communiques/"]["get"]["parameters"]
    names = {p["name"] for p in parameters} - {"page", "page_size"}
    from archive.filters import CommuniqueFilter

    assert names == set(CommuniqueFilter.base_filters)
