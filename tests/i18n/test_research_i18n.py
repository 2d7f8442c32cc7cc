"""The research pages in Arabic and French: the demand tracker, compare, entity sections."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from archive.models import Demand
from archive.research import demands
from tests.pages.factories import CommuniqueFactory, organization, seed_communique

pytestmark = pytest.mark.django_db

NOVEMBER_CALL = (
    "It called on the UN Security Council to convene an emergency session to end the bombing "
    "campaign against civilians in Idlib."
)


@pytest.fixture
def archive(db):
    """The SOC statement of 10 October 2023 and a November one that repeats one of its calls."""
    seed = seed_communique()
    nov = CommuniqueFactory(
        title="November statement",
        issuer=organization("SOC"),
        date=dt.date(2023, 11, 5),
        paragraphs=["The Syrian Opposition Coalition met in Azaz.", NOVEMBER_CALL],
    )
    call = Demand.objects.create(communique=nov, text=NOVEMBER_CALL, paragraph=2)
    call.addressees.set([organization("UNSC")])
    demands.mark_repeat(call, seed.demands.get(paragraph=7, position=1))
    return seed, nov


def page(client, url: str, language: str) -> str:
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response.content.decode()


def test_demand_tracker_in_arabic(client, archive):
    html = page(client, "/demands/", "ar")
    assert "<h1>متتبّع المطالب</h1>" in html  # Demand tracker
    assert '<label for="f-addressee">موجَّه إلى</label>' in html  # Addressed to
    assert '<label for="f-repeated">الدعوات المتكرّرة فقط</label>' in html  # Only repeated calls
    assert '<option value="">أي جهة مُصدِرة</option>' in html  # Any issuer
    # The chart: its caption, its table's heading and months, its bars' titles.
    assert "<figcaption" in html and "المطالب لكل جهة مخاطَبة، حسب الشهر" in html
    assert '<th scope="col">الشهر</th>' in html  # Month
    assert '<th scope="row">أكتوبر 2023</th>' in html  # Oct 2023
    assert "UN Security Council (UNSC)، أكتوبر 2023: 2 مطلبان" in html
    # Six demands: Arabic counts 3 to 10 with the plural.
    assert "<span data-demand-count>6</span> مطالب" in html
    assert "«appealed» على لسان" in html  # appealed by Hadi Al-Bahra
    assert "Demand tracker" not in html and "Only repeated calls" not in html


def test_a_repeated_call_is_described_in_french(client, archive):
    html = page(client, "/demands/?repeated=true", "fr")
    assert "<h1>Suivi des demandes</h1>" in html
    assert "Reprend <a " in html and ">un appel du 10 Oct 2023</a>" in html
    assert "(26 jours avant celui-ci)" in html  # 26 days before this
    assert "<span data-demand-count>1</span> demande</h2>" in html
    assert "days before this" not in html


def test_unreadable_filters_are_reported_in_french(client, archive):
    html = page(client, "/demands/?date_from=hier", "fr")
    assert "<p>Certains filtres n’ont pas pu être lus :</p>" in html
    assert "<li>Du: Saisissez une date valide.</li>" in html  # From: Enter a valid date.


def test_compare_page_in_arabic(client, archive):
    seed, nov = archive
    html = page(client, f"/compare/{seed.public_id}/{nov.public_id}/", "ar")
    assert "<h1>مقارنة بيانين</h1>" in html  # Compare two communiqués
    assert "<h3>في A فقط (7)</h3>" in html  # Only in A: the seed's seven participants
    assert "<h3>في كليهما (1)</h3>" in html  # In both: the UN Security Council
    assert ">تبديل A وB</a>" in html  # Swap A and B
    assert '<h2 id="text-heading">النص، فقرةً فقرة</h2>' in html
    assert "Only in A" not in html and "paragraph by paragraph" not in html


def test_compare_page_in_french(client, archive):
    seed, nov = archive
    html = page(client, f"/compare/{seed.public_id}/{nov.public_id}/", "fr")
    assert "<h1>Comparer deux communiqués</h1>" in html
    assert "<h3>Seulement dans A (7)</h3>" in html
    assert "Les mots <del>supprimés</del> et <ins>ajoutés</ins> sont marqués." in html


def test_an_organization_page_links_the_tracker_in_french(client, archive):
    html = page(client, "/organizations/un-security-council/", "fr")
    assert (
        'Dans le <a href="/demands/">suivi des demandes</a> : '
        '<a href="/demands/?addressee=un-security-council">demandes qui lui sont adressées</a>'
    ) in html
    assert "Communiqués mentionnant UN Security Council, par mois" in html  # timeline caption
    assert '<td data-label="Avec">' in html  # the co-occurrence table, stacked on phones


def test_resolution_citations_in_arabic(client, archive):
    html = page(client, "/resolutions/unsc-2254/", "ar")
    assert "أُحيل إليه في <strong>1</strong> بيان منشور" in html  # Cited in 1 communiqué
    assert "من <strong>1</strong> جهة مُصدِرة" in html  # by 1 issuer
    assert "، وفي <strong>3</strong> مطالب" in html  # in 3 demands
    assert "البيانات التي تحيل إلى UNSC Resolution 2254 (2015)، حسب الشهر" in html
    assert '<span class="demand-to">إلى: UN Security Council (UNSC)</span>' in html
    assert "Cited in" not in html


def test_chart_downloads_keep_english_columns_in_any_language(client, archive):
    # Scripts read these files by their header: it does not follow the browser's language.
    response = client.get("/people/hadi-al-bahra/timeline.csv", HTTP_ACCEPT_LANGUAGE="ar")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == ["month", "start", "end", "Communiqués", "total"]
    assert rows[1][0] == "2023-10"
