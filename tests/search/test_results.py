"""Results: ordering, pages, dates and timeline, highlights, suggestions, more like this."""

from __future__ import annotations

import datetime

import pytest

from archive.models import Communique
from search.params import MAX_PAGE, PAGE_SIZE
from search.service import more_like_this
from tests.search.factories import communique
from tests.search.helpers import api, titles

pytestmark = pytest.mark.django_db


@pytest.fixture
def dated(index):
    """One communiqué a month from January 2014, each mentioning a truce."""
    made = []
    for n in range(30):
        year, month = 2014 + n // 12, n % 12 + 1
        made.append(
            communique(f"Statement {n:02d}", [f"Truce number {n}."], date=f"{year}-{month:02d}-15")
        )
    index()
    return made


def test_an_empty_query_lists_everything_newest_first(client, dated):
    answer = api(client)
    assert answer["total"] == 30
    assert answer["sort"] == "-date"
    assert titles(answer)[:2] == ["Statement 29", "Statement 28"]


@pytest.mark.parametrize(("sort", "first"), [("date", "Statement 00"), ("-date", "Statement 29")])
def test_sorting_by_date_both_ways(client, dated, sort, first):
    answer = api(client, q="truce", sort=sort)
    dates = [r["date"] for r in answer["results"]]
    assert answer["results"][0]["title"] == first
    assert dates == sorted(dates, reverse=sort == "-date")


def test_relevance_ranks_the_better_match_first(client, index):
    communique("Passing mention", ["Some words and then ceasefire once among many other words."])
    communique("Ceasefire ceasefire", ["Ceasefire. The ceasefire holds; the ceasefire is kept."])
    index()
    answer = api(client, q="ceasefire")
    assert answer["sort"] == "relevance"
    assert titles(answer)[0] == "Ceasefire ceasefire"


def test_pages_hold_page_size_results_and_cover_everything(client, dated):
    first, second = api(client, page=1), api(client, page=2)
    assert len(first["results"]) == PAGE_SIZE and len(second["results"]) == 30 - PAGE_SIZE
    assert first["pages"] == 2
    assert not set(titles(first)) & set(titles(second))


@pytest.mark.parametrize(
    ("page", "message"),
    [
        ("3", "past the end: this search has 2 pages"),
        ("0", "1 or more"),
        ("-1", "1 or more"),
        ("two", "whole number"),
        (str(MAX_PAGE + 1), f"first {MAX_PAGE} pages"),
    ],
)
def test_impossible_pages_are_refused_clearly(client, dated, page, message):
    assert message in api(client, expect=400, page=page)["error"]
    html = client.get("/search/", {"page": page})
    assert html.status_code == 400
    assert message in html.content.decode()


def test_date_range_accepts_years_months_and_days(client, dated):
    assert api(client, date_from="2015", date_to="2015")["total"] == 12
    assert api(client, date_from="2015-03", date_to="2015-04")["total"] == 2
    assert api(client, date_from="2016-06-15")["total"] == 1
    assert api(client, date_to="2014-01-15")["total"] == 1
    assert api(client, date_from="2014-01-16", date_to="2014-02-14")["total"] == 0


@pytest.mark.parametrize("fast", [True, False])
def test_date_ranges_reach_back_to_the_year_1(client, dated, settings, fast):
    # Haystack wrote a year before 1000 unpadded ("990101..."), which Whoosh misread: a 503.
    settings.BAYAN_SEARCH_FAST = fast
    assert api(client, date_from="0001")["total"] == 30
    assert api(client, date_from="0999-12-31", date_to="2014-01")["total"] == 1
    assert api(client, date_to="0099")["total"] == 0


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"date_from": "2015-13"}, "month must be between"),
        ({"date_from": "2015-02-30"}, "no day 30"),
        ({"date_from": "last year"}, "is not a date"),
        ({"date_from": "2016", "date_to": "2015"}, "is after the end date"),
        ({"sort": "title"}, "Sort by"),
    ],
)
def test_bad_dates_and_sorts_are_refused_clearly(client, dated, params, message):
    assert message in api(client, expect=400, **params)["error"]


def test_timeline_counts_by_year_with_links_that_narrow_the_dates(client, dated):
    answer = api(client)
    assert answer["timeline"] == {
        "unit": "year",
        "buckets": [
            {"key": "2014", "count": 12},
            {"key": "2015", "count": 12},
            {"key": "2016", "count": 6},
        ],
    }
    html = client.get("/search/").content.decode()
    assert 'href="/search/?date_from=2015&amp;date_to=2015"' in html


def test_timeline_counts_by_month_over_a_short_range(client, dated):
    answer = api(client, date_from="2015-11", date_to="2016-02")
    assert answer["timeline"]["unit"] == "month"
    assert [b["key"] for b in answer["timeline"]["buckets"]] == [
        "2015-11",
        "2015-12",
        "2016-01",
        "2016-02",
    ]
    html = client.get("/search/", {"date_from": "2015-11", "date_to": "2016-02"}).content
    assert b"date_from=2016-01&amp;date_to=2016-01" in html


def test_timeline_fills_empty_years(client, index):
    communique("Old", ["x"], date="2001-05-01")
    communique("New", ["x"], date="2004-05-01")
    index()
    buckets = api(client)["timeline"]["buckets"]
    assert [(b["key"], b["count"]) for b in buckets] == [
        ("2001", 1),
        ("2002", 0),
        ("2003", 0),
        ("2004", 1),
    ]


def test_highlights_mark_the_matched_words_and_escape_the_rest(client, index):
    communique("Markup", ["The <script>alert(1)</script> bombing & shelling were condemned."])
    index()
    [result] = api(client, q="bombs")["results"]
    [snippet] = result["highlights"]
    assert "<mark>bombing</mark>" in snippet
    assert "&lt;script&gt;" in snippet and "<script>" not in snippet
    html = client.get("/search/", {"q": "bombs"}).content.decode()
    assert "<mark>bombing</mark>" in html and "<script>alert" not in html


def test_did_you_mean_suggests_indexed_words(client, index):
    communique("Talks", ["The negotiations on humanitarian access continue."])
    index()
    answer = api(client, q="negotiatons access")
    assert answer["suggestion"] == "negotiations access"
    html = client.get("/search/", {"q": "negotiatons access"}).content.decode()
    assert "Did you mean" in html and "q=negotiations+access" in html
    assert api(client, q="negotiations")["suggestion"] is None


def test_more_like_this_finds_similar_published_communiques(index):
    subject = communique(
        "Aleppo siege", ["The siege of Aleppo and its hospitals, Aleppo starving."]
    )
    similar = communique("Aleppo hospitals", ["Hospitals in Aleppo are besieged; the siege."])
    communique("Fisheries", ["Quotas for fishing fleets in the Baltic sea."])
    draft = communique(
        "Aleppo draft", ["The siege of Aleppo hospitals."], status=Communique.Status.DRAFT
    )
    index()
    found = more_like_this(subject, n=5)
    assert similar in found
    assert subject not in found and draft not in found


def test_results_carry_what_a_list_shows(client, index):
    c = communique("Statement", ["Truce."], date=datetime.date(2019, 4, 2))
    index()
    [result] = api(client, q="truce")["results"]
    [snippet] = result.pop("highlights")
    assert "<mark>Truce</mark>" in snippet
    assert result == {
        "id": c.public_id,
        "permalink": f"http://testserver{c.get_absolute_url()}",
        "title": "Statement",
        "issuer": c.issuer.name,
        "date": "2019-04-02",
    }


def test_the_api_answers_utf8_json_with_every_script_as_written(client, index):
    communique("البيان الختامي", ["Truce in Gaza."])
    index()
    response = client.get("/api/search/", {"q": "truce"})
    assert response["Content-Type"] == "application/json"
    assert "البيان الختامي".encode() in response.content  # as text, not \uXXXX escapes
    assert response.json()["results"][0]["title"] == "البيان الختامي"


def _key_words(subject):
    from haystack import connections

    from search.fast import key_terms

    backend = connections["default"].get_backend()
    searcher = backend._current_searcher()
    text = " ".join(p.text for p in subject.paragraphs.all())
    return [word for word, _ in key_terms(searcher.reader(), backend.content_field_name, text, 12)]


@pytest.fixture
def council_archive(index):
    """Statements that all repeat "the council meets", and two that share Aleppo's hospitals."""
    subject = communique("Subject", ["The council meets. " * 6 + "Aleppo hospitals shelled."])
    similar = communique("Similar", ["Hospitals of Aleppo shelled again."])
    for topic in ("fisheries", "trade", "tariffs", "ports"):
        communique(f"Council on {topic}", [f"The council meets on {topic}. " * 4])
    index()
    return subject, similar


def test_more_like_this_ignores_words_in_most_of_the_archive(council_archive, monkeypatch):
    """A word in more than half of the statements says nothing about which are alike: the
    statement sharing Aleppo's hospitals comes first, not those repeating the council."""
    from search import fast

    monkeypatch.setattr(fast, "COMMON_FLOOR", 0)  # the rule, at this archive's size
    subject, similar = council_archive
    assert "council" not in _key_words(subject) and "aleppo" in _key_words(subject)
    assert more_like_this(subject, n=5)[0] == similar


def test_in_a_small_archive_every_word_can_be_a_key_term(council_archive):
    subject, _similar = council_archive
    assert "council" in _key_words(subject)
