"""The communiqué page: the text and its structure, as a reader sees them."""

import pytest
from pytest_django.asserts import assertContains, assertNotContains

from archive.models import Communique, Demand, Participation
from tests.pages.factories import (
    CommuniqueFactory,
    PersonFactory,
    attach_original,
    organization,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def page(client, seed):
    return client.get(seed.get_absolute_url())


def test_title_is_the_pages_heading(page):
    assertContains(page, '<h1 id="title" lang="en" dir="ltr">Final communique</h1>', html=True)


def test_issuer_links_to_its_page(page):
    assertContains(
        page,
        '<dd><a href="/organizations/syrian-opposition-coalition/">'
        "Syrian Opposition Coalition (SOC)</a></dd>",
        html=True,
    )


def test_issuing_body_and_dates_are_shown(page):
    assertContains(page, "<div><dt>Issuing body</dt><dd>General Assembly</dd></div>", html=True)
    assertContains(page, '<time datetime="2023-10-10">10 October 2023</time>', html=True)
    assertContains(page, '<time datetime="2023-10-09">9 October 2023</time>', html=True)


def test_language_is_named(page):
    assertContains(page, "<div><dt>Language</dt><dd>English</dd></div>", html=True)


def test_each_paragraph_has_its_number_and_anchor(page, seed):
    assertContains(page, '<div class="para" id="p3">', count=1)
    assertContains(
        page, '<a class="para-num" href="#p3" lang="en" aria-label="Paragraph 3">3</a>', html=True
    )


def test_each_paragraph_has_a_copy_link_to_its_permalink(page, seed):
    assertContains(
        page,
        f'<a class="copy-link" href="http://testserver/c/{seed.public_id}/#p7" data-copy-link '
        'dir="ltr" lang="en">Copy link<span class="visually-hidden"> to paragraph 7</span></a>',
        html=True,
    )


def test_the_demands_sentence_is_highlighted_in_its_paragraph(page):
    assertContains(
        page,
        '<mark id="d2">Al-Bahra appealed to the UN Security Council to convene an emergency '
        "session to put an end to the bombing campaign against civilians in Idlib and the "
        "western countryside of Aleppo.</mark>",
        html=True,
    )


def test_a_demand_links_to_its_sentence_and_addressees(page):
    assertContains(page, '<a class="demand-text" href="#d4" lang="en" dir="auto">', count=1)
    assertContains(
        page,
        '<span class="addressees">To: <a href="/organizations/arab-league/">Arab League (AL)</a>, '
        '<a href="/organizations/united-nations/">United Nations (UN)</a></span>',
        html=True,
    )


def test_participants_are_listed_with_role_and_organization(page):
    assertContains(page, '<a href="/people/hassan-hamadeh/">Hassan Hamadeh</a>', html=True)
    assertContains(page, '<span class="rank">Brigadier General</span>', html=True)
    assertContains(page, '<span class="role">Minister of Defense</span>', html=True)


def test_places_and_resolutions_link_to_their_pages(page):
    assertContains(page, '<a href="/places/idlib/">Idlib</a>', html=True)
    assertContains(
        page, '<a href="/resolutions/unsc-2254/">UNSC Resolution 2254 (2015)</a>', html=True
    )


def test_source_link_is_shown(page):
    assertContains(
        page,
        '<a href="https://en.etilaf.org/all-news/news/final-communique" rel="noopener nofollow">',
    )


def test_original_file_is_offered_for_download(client, seed):
    attach_original(seed, "final-communique.pdf", b"%PDF-1.4 ...")
    response = client.get(seed.get_absolute_url())
    assertContains(
        response,
        f'<a href="/c/{seed.public_id}/original/" download>Download final-communique.pdf</a>',
        html=True,
    )


def test_original_download_serves_the_file_under_its_name(client, seed):
    attach_original(seed, "final-communique.pdf", b"%PDF-1.4 ...")
    response = client.get(f"/c/{seed.public_id}/original/")
    assert b"".join(response.streaming_content) == b"%PDF-1.4 ..."
    assert 'filename="final-communique.pdf"' in response["Content-Disposition"]


def test_other_language_versions_are_linked(client, seed):
    arabic = CommuniqueFactory(
        title="البيان الختامي", language="ar", issuer=organization("SOC"), date=seed.date
    )
    response = client.get(seed.get_absolute_url())
    assertContains(
        response,
        f'<a href="/c/{arabic.public_id}/" hreflang="ar" lang="ar">Arabic (العربيّة)</a>',
        html=True,
    )


def test_arabic_text_is_set_right_to_left(client):
    arabic = CommuniqueFactory(title="البيان الختامي", language="ar", paragraphs=["نص البيان."])
    response = client.get(arabic.get_absolute_url())
    assertContains(
        response, '<section class="text" aria-labelledby="text-heading" lang="ar" dir="rtl">'
    )


def test_user_text_is_escaped(client):
    c = CommuniqueFactory(title="<script>alert(1)</script>", paragraphs=["<img src=x onerror=y>"])
    response = client.get(c.get_absolute_url())
    assertNotContains(response, "<script>alert(1)</script>")
    assertNotContains(response, "<img src=x")


def test_the_page_declares_its_canonical_url(page, seed):
    assertContains(page, f'<link rel="canonical" href="http://testserver/c/{seed.public_id}/">')


def test_the_page_carries_link_preview_tags(page):
    assertContains(page, '<meta property="og:title" content="Final communique">')
    assertContains(page, '<meta property="og:type" content="article">')
    assertContains(page, '<meta name="twitter:card" content="summary">')


def test_the_preview_description_is_the_opening_of_the_text(page):
    assertContains(
        page, '<meta property="og:description" content="The Syrian Opposition Coalition (SOC)'
    )


def test_the_chicago_citation_is_on_the_page(page, seed):
    assertContains(
        page,
        "Syrian Opposition Coalition. “Final communique.” General Assembly, October 10, 2023. "
        f"http://testserver/c/{seed.public_id}/ (accessed",
    )


def test_the_citation_formats_are_offered_for_download(page, seed):
    for ext, label in (("bib", "BibTeX"), ("ris", "RIS"), ("json", "CSL-JSON")):
        assertContains(
            page,
            f'<a class="button-small" href="/c/{seed.public_id}/cite.{ext}" download>'
            f"Download {label}</a>",
            html=True,
        )


def test_the_print_stylesheet_is_linked(page):
    assertContains(page, '<link rel="stylesheet" href="/static/css/print.css" media="print">')


def test_a_records_structure_is_read_in_seven_queries_however_large(
    seed, django_assert_num_queries
):
    """The record, then one query each for its paragraphs, participations (with persons and
    organizations), demands (with speakers), addressees, places and resolutions: the number of
    queries a page or the index pays does not grow with the people and demands it lists."""

    def read():
        with django_assert_num_queries(7):
            record = Communique.objects.with_structure().get(pk=seed.pk)
            people = [
                (p.person.name, p.organization and p.organization.name)
                for p in record.participations.all()
            ]
            demands = [
                (d.speaker and d.speaker.name, [a.name for a in d.addressees.all()])
                for d in record.demands.all()
            ]
            listed = [*record.paragraphs.all(), *record.places.all(), *record.resolutions.all()]
        assert len(people) == seed.participations.count() > 1
        assert any(org for _name, org in people)
        assert len(demands) == seed.demands.count() > 1
        assert any(speaker for speaker, _ in demands) and any(names for _, names in demands)
        assert listed

    read()
    for n in range(10):  # ten more people, each with an organization and a call of their own
        person = PersonFactory(name=f"Delegate {n}")
        Participation.objects.create(
            communique=seed, position=100 + n, person=person, organization=organization("UNSC")
        )
        demand = Demand.objects.create(
            communique=seed, position=100 + n, text=f"Call {n}.", speaker=person
        )
        demand.addressees.set([organization("IC")])
    read()
