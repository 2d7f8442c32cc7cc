"""Entity pages: timelines, roles as they changed, co-occurrence and resolution citations."""

from __future__ import annotations

import csv
import io
from urllib.parse import parse_qs, urlsplit

from archive.models import Communique, Person, Place, Resolution
from archive.research import citations_timeline, cooccurrence

PUBLISHED = Communique.Status.PUBLISHED


def read_csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def together(first: Person, second: Person) -> int:
    return (
        Communique.objects.published()
        .filter(participations__person=first)
        .filter(participations__person=second)
        .distinct()
        .count()
    )


def test_cooccurrence_counts_match_the_database(archive):
    hadi = Person.objects.get(name="Hadi Al-Bahra")
    items = cooccurrence.cooccurring("people", hadi)
    assert len(items) <= cooccurrence.TOP
    people = [i for i in items if i.facet == "participant"]
    assert people, items
    for item in people:
        assert item.count == together(hadi, item.entity), item
    jamous = next(i for i in people if i.entity.name == "Badr Jamous")
    assert jamous.count == 2  # the seed and November; not the draft
    assert items[0].count == 2 and items[0].entity.name in {
        "Badr Jamous",
        "Syrian Opposition Coalition",
    }
    assert all(i.entity.name != "Secret Person" for i in items)
    assert all(i.entity != hadi for i in items)
    places = {i.entity.name: i.count for i in items if i.facet == "place"}
    for name, count in places.items():
        place = Place.objects.get(name=name)
        expected = (
            Communique.objects.published()
            .filter(participations__person=hadi)
            .filter(places=place)
            .distinct()
            .count()
        )
        assert count == expected


def test_cooccurrence_links_search_for_both(archive):
    hadi = Person.objects.get(name="Hadi Al-Bahra")
    items = {(i.facet, str(i.entity)): i for i in cooccurrence.cooccurring("people", hadi, top=50)}
    # Two participants: one facet twice would mean "either", so the query names both.
    jamous = parse_qs(urlsplit(items["participant", "Badr Jamous"].search_url).query)
    assert jamous == {"q": ['participant:"Hadi Al-Bahra" participant:"Badr Jamous"']}
    issuer = parse_qs(urlsplit(items["issuer", "Syrian Opposition Coalition"].search_url).query)
    assert issuer == {"participant": ["hadi-al-bahra"], "issuer": ["syrian-opposition-coalition"]}


def test_entity_timeline_counts_per_month(archive):
    jamous = Person.objects.get(name="Badr Jamous")
    chart = citations_timeline.entity_timeline("people", jamous)
    assert chart.unit == "month"
    for bar in chart.bars:
        expected = (
            Communique.objects.published()
            .filter(participations__person=jamous, date__range=(bar.period.start, bar.period.end))
            .distinct()
            .count()
        )
        assert bar.total == expected
    assert [b.total for b in chart.bars] == [1, 1, 0, 1]
    first = parse_qs(urlsplit(chart.bars[0].segments[0].href).query)
    assert first == {
        "participant": ["badr-jamous"],
        "date_from": ["2023-10"],
        "date_to": ["2023-10"],
    }


def test_role_changes(archive):
    hadi = Person.objects.get(name="Hadi Al-Bahra")
    changes = citations_timeline.role_changes(hadi)
    assert [(c["role"], c["organization"] and c["organization"].acronym) for c in changes] == [
        ("President", "SOC"),
        ("President", None),
    ]
    assert changes[0]["since"].isoformat() == "2023-10-10"


def test_resolution_citations(archive):
    resolution = Resolution.objects.get(number="2254")
    data = citations_timeline.resolution_citations(resolution)
    assert [e["communique"] for e in data["entries"]] == [archive.seed, archive.jan]  # no draft
    seed_demands = data["entries"][0]["demands"]
    assert sorted(d.paragraph for d in seed_demands) == [7, 7, 11]  # ¶7 and ¶11 name 2254
    assert [(r["issuer"].acronym, r["count"]) for r in data["issuers"]] == [("SNC", 1), ("SOC", 1)]
    chart = citations_timeline.citations_chart(resolution)
    assert sum(bar.total for bar in chart.bars) == 2


def test_entity_pages_show_the_research_sections(archive, client):
    html = client.get("/people/hadi-al-bahra/").content.decode()
    assert "Appearances over time" in html and "Most often in the same communiqués" in html
    assert "Roles as they changed" in html
    assert "Secret Person" not in html
    assert 'aria-labelledby="timeline-people-title timeline-people-desc"' in html
    html = client.get("/resolutions/unsc-2254/").content.decode()
    assert "Citations over time" in html and "/feeds/resolutions/unsc-2254.atom" in html
    assert "Secret draft" not in html
    assert client.get("/places/idlib/").status_code == 200
    html = client.get("/organizations/un-security-council/").content.decode()
    assert "/demands/?addressee=un-security-council" in html


def test_entity_csv_downloads(archive, client):
    rows = read_csv(client.get("/people/badr-jamous/timeline.csv"))
    assert rows[0] == ["month", "start", "end", "Communiqués", "total"]
    assert [r[-1] for r in rows[1:]] == ["1", "1", "0", "1"]
    rows = read_csv(client.get("/people/hadi-al-bahra/cooccurrence.csv"))
    assert rows[0] == ["facet", "key", "label", "communiques", "search"]
    assert ["participant", "badr-jamous", "Badr Jamous", "2"] in [r[:4] for r in rows]
    rows = read_csv(client.get("/resolutions/unsc-2254/citations.csv"))
    assert sum(int(r[-1]) for r in rows[1:]) == 2
    # Named only in a draft: no page, no download.
    assert client.get("/people/secret-person/timeline.csv").status_code == 404
    assert client.get("/people/secret-person/cooccurrence.csv").status_code == 404


def test_resolution_feed_announces_citing_communiques(archive, client):
    body = client.get("/feeds/resolutions/unsc-2254.atom").content.decode()
    assert "January statement" in body and "Secret draft" not in body
