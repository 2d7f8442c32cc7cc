"""The search page: the state in the URL, filters as removable chips, messages, no JavaScript."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest

from archive.models import Communique
from tests.search.factories import OrganizationFactory, PlaceFactory, communique

pytestmark = pytest.mark.django_db


def page(client, **params) -> str:
    response = client.get("/search/", params)
    assert response.status_code == 200, response.content[:300]
    return response.content.decode()


def test_the_page_works_without_javascript_for_a_whole_search(client, index):
    org = OrganizationFactory(name="Syrian Opposition Coalition")
    idlib = PlaceFactory(name="Idlib")
    communique("Shelling of Idlib", ["Shelling continues."], issuer=org, places=[idlib])
    communique("Other", ["Shelling elsewhere."])
    index()
    html = page(client, q="shelling")
    # The query is shown back, in the page's box and the header's.
    assert 'value="shelling"' in html
    # A facet value is a plain link that adds its filter to the current search.
    assert f'href="/search/?q=shelling&amp;place={idlib.slug}"' in html
    html = page(client, q="shelling", place=idlib.slug)
    assert "1–1 of 1 communiqué" in html
    # The chosen filter is a chip whose link removes it, keeping the query.
    assert 'aria-label="Remove filter Place: Idlib"' in html
    assert 'href="/search/?q=shelling"' in html
    # The form carries the filter along when the query changes.
    assert f'<input type="hidden" name="place" value="{idlib.slug}">' in html


def test_long_facets_show_the_top_values_and_the_rest_under_more(client, index):
    places = [PlaceFactory(name=f"Town {n:02d}") for n in range(12)]
    for n in range(len(places)):
        communique(f"Statement {n}", ["x"], places=places[: n + 1])
    index()
    html = page(client)
    assert "<summary>4 more</summary>" in html


def test_dates_in_the_url_are_shown_back_as_chips(client, index):
    communique("A", ["x"], date="2015-03-01")
    index()
    html = page(client, date_from="2015", date_to="2015-06")
    assert "From 2015" in html and "To 2015-06" in html
    assert 'href="/search/?date_to=2015-06"' in html  # removing the start keeps the end


@pytest.mark.parametrize(
    ("q", "message"),
    [
        ('"humanitarian corridor', "Unbalanced quote"),
        ("(geneva OR astana", "Unbalanced brackets"),
        ("AND", "needs a word on each side"),
        ("x" * 600, "the limit is 500"),
    ],
)
def test_a_malformed_query_shows_a_message_and_keeps_the_query(client, q, message):
    response = client.get("/search/", {"q": q})
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert 'aria-invalid="true"' in html
    assert q[:100].replace('"', "&quot;") in html
    # No results follow: the notice is the page's one heading.
    assert re.findall(r"<h1[^>]*>([^<]*)</h1>", html) == ["This search cannot be run as written."]


def test_no_match_says_so(client, index):
    communique("A", ["x"])
    index()
    assert "No communiqués found" in page(client, q="zebra")


def test_drafts_never_appear(client, index):
    communique("Draft about Aleppo", ["Aleppo"], status=Communique.Status.DRAFT)
    index()
    assert "Draft about Aleppo" not in page(client, q="aleppo")
    assert "Draft about Aleppo" not in page(client)


# -- Exports ----------------------------------------------------------------------------------


CHUNK = 10  # the export reads the engine this many at a time; 2.5 chunks are written below


@pytest.fixture
def many(index, monkeypatch):
    monkeypatch.setattr("search.service.EXPORT_CHUNK", CHUNK)
    org = OrganizationFactory(name='=HYPERLINK("x"), "quoted"')
    made = [
        communique(f"Statement {n:04d}", ["Truce."], issuer=org, date=f"20{10 + n % 10}-01-01")
        for n in range(CHUNK * 2 + 5)
    ]
    communique("Unrelated", ["Other."])
    communique("Draft truce", ["Truce."], status=Communique.Status.DRAFT)
    index()
    return made


def test_csv_export_streams_every_match(client, many):
    response = client.get("/api/search/export.csv", {"q": "truce"})
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == len(many)
    assert {r["id"] for r in rows} == {c.public_id for c in many}
    assert rows[0]["permalink"].startswith("http://testserver/c/")
    # A name that looks like a formula is exported as text.
    assert rows[0]["issuer"] == "'" + '=HYPERLINK("x"), "quoted"'


def test_json_export_streams_a_valid_array(client, many):
    response = client.get("/api/search/export.json", {"q": "truce", "sort": "date"})
    assert response.streaming
    chunks = list(response.streaming_content)
    assert len(chunks) > 2  # written as it is read, not built whole
    rows = json.loads(b"".join(chunks))
    assert len(rows) == len(many)
    dates = [r["date"] for r in rows]
    assert dates == sorted(dates)


def test_exports_apply_filters_and_refuse_malformed_queries(client, many):
    response = client.get("/api/search/export.json", {"q": "truce", "date_from": "2012"})
    expected = {c.public_id for c in many if c.date.year >= 2012}
    assert {r["id"] for r in json.loads(b"".join(response.streaming_content))} == expected
    bad = client.get("/api/search/export.csv", {"q": '"open'})
    assert bad.status_code == 400 and "Unbalanced quote" in bad.json()["error"]


def test_an_empty_export_is_still_valid(client, index):
    assert json.loads(b"".join(client.get("/api/search/export.json").streaming_content)) == []


@pytest.mark.parametrize(
    "raw",
    [
        {},
        {"q": "shelling & “ceasefire”", "page": "3"},
        {"q": "x", "issuer": ["a", "b"], "place": ["idlib"], "sort": "date"},
        {"place": ["idlib"], "date_from": "2015", "date_to": "2016-03", "language": ["fr"]},
    ],
)
def test_facet_values_and_timeline_bars_link_to_the_search_they_narrow_to(raw):
    """toggle_url and period_url encode the rest of the query once: the same links as url()."""
    from django.http import QueryDict

    from search.facets import FACETS
    from search.params import parse_period
    from search.service import params_from

    data = QueryDict(mutable=True)
    for name, value in raw.items():
        data.setlist(name, value if isinstance(value, list) else [value])
    params = params_from(data)
    for facet in FACETS:
        link = params.toggle_url(facet.name)
        for key in ("a", "idlib", "fr", "new key/é"):
            assert link(key) == params.url(filters=params.toggled(facet.name, key)), (facet, key)
    # The timeline's bars: each narrows the dates to its year or month, the rest kept.
    bar = params.period_url()
    for text in ("2015", "2015-03", "1999-12-31"):
        period = parse_period(text)
        assert bar(period) == params.url(date_from=period, date_to=period), text
