"""Two records of one entity merged: the survivor takes every reference, and the merged
record's addresses (its page, feeds, CSV files, API answer) lead to the survivor's."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from archive.entities import merge
from archive.models import Communique, Organization, Participation, Person
from tests.pages.factories import CommuniqueFactory, PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def merged(seed):
    """The seed's issuer, and a second record of it made by an import ("S.O.C.")."""
    survivor = seed.issuer
    duplicate = Organization.objects.create(name="Syrian Opposition Coalition, The (S.O.C.)")
    CommuniqueFactory(title="Second statement", issuer=duplicate)
    return duplicate.slug, survivor


def _log_in(client):
    admin = get_user_model().objects.create_superuser("editor", "e@example.org", "a-long-phrase")
    client.force_login(admin)


def _merge_action(client, duplicate, **form):
    """The list's Merge action on one record: its form, or with `apply` and `target` the merge."""
    return client.post(
        "/admin/archive/organization/",
        {"action": "merge", "_selected_action": [duplicate.pk], **form},
    )


def _merge_in_the_admin(client, duplicate_slug, survivor):
    _log_in(client)
    duplicate = Organization.objects.get(slug=duplicate_slug)
    response = _merge_action(client, duplicate, apply="1", target=survivor.pk)
    assert response.status_code == 302
    client.logout()


def test_a_merge_moves_every_reference_to_the_survivor(client, merged):
    duplicate_slug, survivor = merged
    _merge_in_the_admin(client, duplicate_slug, survivor)
    assert not Organization.objects.filter(slug=duplicate_slug).exists()
    assert Communique.objects.get(title="Second statement").issuer == survivor
    assert survivor.aliases.filter(name="Syrian Opposition Coalition, The (S.O.C.)").exists()


def test_the_merge_form_looks_the_target_up_instead_of_listing_every_record(client, merged):
    duplicate_slug, survivor = merged
    for n in range(40):
        Organization.objects.create(name=f"Committee number {n}")
    _log_in(client)
    duplicate = Organization.objects.get(slug=duplicate_slug)
    page = _merge_action(client, duplicate)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Committee number 7" not in html
    assert 'data-ajax--url="/admin/autocomplete/"' in html
    assert "admin/js/autocomplete.js" in html
    # What the widget asks as the editor types: the admin's search, by name or alias.
    asked = {
        "app_label": "archive",
        "model_name": "organizationalias",
        "field_name": "organization",
    }
    for term in ("Syrian Opp", "SOC"):
        with CaptureQueriesContext(connection) as queries:
            found = client.get("/admin/autocomplete/", {**asked, "term": term}).json()["results"]
        assert str(survivor.pk) in [result["id"] for result in found], term
        # Names only: the list's count of communiqués is not made for every keystroke.
        assert not any("archive_communique" in q["sql"] for q in queries.captured_queries)
    # A record chosen among the merged ones is refused, with the form again.
    again = _merge_action(client, duplicate, apply="1", target=duplicate.pk)
    assert again.status_code == 200
    assert "Select a valid choice" in again.content.decode()
    assert Organization.objects.filter(pk=duplicate.pk).exists()


@pytest.mark.parametrize(
    ("address", "now"),
    [
        ("/organizations/{}/", "/organizations/{}/"),
        ("/organizations/{}/?page=2", "/organizations/{}/?page=2"),
        ("/feeds/issuer/{}.atom", "/feeds/issuer/{}.atom"),
        ("/feeds/organizations/{}.atom", "/feeds/organizations/{}.atom"),
        ("/organizations/{}/timeline.csv", "/organizations/{}/timeline.csv"),
        ("/api/organizations/{}/", "/api/organizations/{}/"),
    ],
)
def test_the_merged_records_addresses_lead_to_the_survivor(client, merged, address, now):
    duplicate_slug, survivor = merged
    _merge_in_the_admin(client, duplicate_slug, survivor)
    response = client.get(address.format(duplicate_slug))
    assert response.status_code == 301
    assert response["Location"] == now.format(survivor.slug)
    assert client.get(response["Location"]).status_code == 200


def test_addresses_follow_a_record_merged_twice(client, seed):
    first = PersonFactory(name="Badr Jamus")
    second = PersonFactory(name="B. Jamous")
    for person in (first, second):
        Participation.objects.create(communique=seed, person=person, role="member")
    survivor = Person.objects.get(slug="badr-jamous")
    first_slug, second_slug = first.slug, second.slug
    merge(first, into=second)
    merge(second, into=survivor)
    for slug in (first_slug, second_slug):
        assert client.get(f"/people/{slug}/")["Location"] == "/people/badr-jamous/"


def test_a_new_record_never_takes_a_merged_records_address(client, merged):
    duplicate_slug, survivor = merged
    merge(Organization.objects.get(slug=duplicate_slug), into=survivor)
    again = Organization.objects.create(name="Syrian Opposition Coalition, The (S.O.C.)")
    assert again.slug != duplicate_slug
    assert client.get(f"/organizations/{duplicate_slug}/")["Location"] == (
        f"/organizations/{survivor.slug}/"
    )


def test_other_missing_addresses_stay_not_found(client, merged):
    duplicate_slug, survivor = merged
    merge(Organization.objects.get(slug=duplicate_slug), into=survivor)
    assert client.get("/organizations/no-such-record/").status_code == 404
    # The slug of a merged organization is no person's.
    assert client.get(f"/people/{duplicate_slug}/").status_code == 404
