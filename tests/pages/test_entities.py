"""Entity lists and pages: each entity's communiqués over time."""

import datetime as dt

import pytest
from django.db.models import Q
from pytest_django.asserts import assertContains

from archive.models import Communique, Demand, Participation
from tests.pages.factories import CommuniqueFactory, PersonFactory, organization

pytestmark = pytest.mark.django_db


def test_the_people_list_shows_each_person_with_a_count(client, seed):
    response = client.get("/people/")
    assertContains(response, '<a href="/people/badr-jamous/">Badr Jamous</a>', html=True)


def test_the_issuers_list_counts_communiques_issued(client, seed):
    response = client.get("/issuers/")
    assertContains(response, '<td class="num">1</td>', html=True)
    assertContains(
        response,
        '<a href="/organizations/syrian-opposition-coalition/">'
        "Syrian Opposition Coalition (SOC)</a>",
        html=True,
    )


def test_a_persons_page_shows_the_roles_stated_in_each_communique(client, seed):
    later = CommuniqueFactory(title="Later statement", date=dt.date(2024, 2, 1))
    Participation.objects.create(
        communique=later, person=PersonFactory(name="Hadi Al-Bahra"), role="Former President"
    )
    response = client.get("/people/hadi-al-bahra/")
    assertContains(response, '<td data-label="Role">President</td>', html=True)
    assertContains(response, '<td data-label="Role">Former President</td>', html=True)


def test_a_persons_rank_is_shown_with_the_role(client, seed):
    response = client.get("/people/hassan-hamadeh/")
    assertContains(
        response, '<td data-label="Role">Brigadier General, Minister of Defense</td>', html=True
    )


def test_an_entity_page_groups_communiques_by_year(client, seed):
    CommuniqueFactory(title="Older", date=dt.date(2021, 1, 5), issuer=organization("SOC"))
    response = client.get("/organizations/syrian-opposition-coalition/")
    assertContains(response, '<h3 class="year-heading">2023</h3>', html=True)
    assertContains(response, '<h3 class="year-heading">2021</h3>', html=True)


def test_an_addressee_organization_lists_the_communiques_that_address_it(client, seed):
    response = client.get("/organizations/arab-league/")
    assertContains(response, f'href="/c/{seed.public_id}/"')


def test_a_place_page_lists_its_communiques(client, seed):
    assertContains(client.get("/places/idlib/"), f'href="/c/{seed.public_id}/"')


def test_a_resolution_page_is_titled_by_the_resolution(client, seed):
    response = client.get("/resolutions/unsc-2254/")
    assertContains(response, "<h1>UNSC Resolution 2254 (2015)</h1>", html=True)


def test_an_entity_page_links_its_feed(client, seed):
    assertContains(
        client.get("/places/idlib/"),
        '<link rel="alternate" type="application/atom+xml" title="Idlib" '
        'href="/feeds/places/idlib.atom">',
    )


def test_an_entity_page_is_canonical_at_its_own_url(client, seed):
    assertContains(
        client.get("/places/idlib/?page=1"),
        '<link rel="canonical" href="http://testserver/places/idlib/">',
    )


def test_an_unknown_entity_is_not_found(client, db):
    assert client.get("/people/nobody/").status_code == 404


def test_an_entity_named_along_several_paths_counts_each_communique_once(client, seed):
    soc = organization("SOC")
    joint = CommuniqueFactory(title="Joint statement", date=dt.date(2024, 3, 1), issuer=soc)
    Participation.objects.create(
        communique=joint, person=PersonFactory(name="An Envoy"), role="Envoy", organization=soc
    )
    Demand.objects.create(communique=joint, text="The SOC must attend.").addressees.add(soc)
    CommuniqueFactory(title="Unreleased draft", issuer=soc, draft=True)
    # The plain join over every path, DISTINCT: slow at scale, but plainly right.
    expected = (
        Communique.objects.published()
        .filter(Q(issuer=soc) | Q(participations__organization=soc) | Q(demands__addressees=soc))
        .distinct()
        .count()
    )
    assert expected == 2  # the seed and the joint statement
    response = client.get("/organizations/syrian-opposition-coalition/")
    assertContains(response, f"Named in <strong>{expected}</strong> published communiqués")
    assertContains(response, "Joint statement", count=1)
    assert "Unreleased draft" not in response.content.decode()
