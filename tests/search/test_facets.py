"""Every facet filters and counts; values combine with OR within a facet, AND across facets."""

from __future__ import annotations

import pytest

from archive.models import Communique
from search.facets import FACETS
from search.search_indexes import CommuniqueIndex
from tests.search.factories import (
    OrganizationFactory,
    PersonFactory,
    PlaceFactory,
    ResolutionFactory,
    communique,
)
from tests.search.helpers import api, facet, titles

pytestmark = pytest.mark.django_db


@pytest.fixture
def archive(index):
    """Three published communiqués and a draft, with names full of commas and punctuation."""
    soc = OrganizationFactory(name="National Coalition, Syrian Revolution & Opposition Forces")
    un = OrganizationFactory(name="United Nations (UN)")
    russia = OrganizationFactory(name="Russia, Federation of")
    jamous = PersonFactory(name="Fahd Jamous")
    pedersen = PersonFactory(name="Geir O. Pedersen")
    idlib = PlaceFactory(name="Idlib, Governorate")
    geneva = PlaceFactory(name="Genève")
    r2254 = ResolutionFactory(body="UNSC", number="2254", year=2015)
    r2401 = ResolutionFactory(body="UNSC", number="2401", year=2018)
    communique(
        "Idlib statement",
        ["The coalition condemns the shelling of Idlib."],
        issuer=soc,
        date="2018-02-01",
        participants=[(jamous, "spokesman", soc)],
        places=[idlib],
        demands=[("We call on Russia to stop", [russia])],
        resolutions=[r2401],
        language="en",
    )
    communique(
        "Geneva communiqué",
        ["Talks in Geneva under resolution 2254."],
        issuer=un,
        date="2016-03-01",
        participants=[(pedersen, "envoy", un), (jamous, "delegate", soc)],
        places=[geneva],
        demands=[("We urge the parties", [soc, russia])],
        resolutions=[r2254],
        language="fr",
    )
    communique(
        "Astana declaration",
        ["Meeting in Astana."],
        issuer=un,
        date="2017-01-24",
        participants=[(pedersen, "observer", un)],
        places=[idlib, geneva],
        resolutions=[r2254, r2401],
        language="en",
    )
    communique(
        "Unpublished draft",
        ["Draft text about Idlib."],
        issuer=soc,
        status=Communique.Status.DRAFT,
        participants=[(jamous, "spokesman", soc)],
        places=[idlib],
    )
    index()
    return {
        "soc": soc.slug,
        "un": un.slug,
        "russia": russia.slug,
        "jamous": jamous.slug,
        "pedersen": pedersen.slug,
        "idlib": idlib.slug,
        "geneva": geneva.slug,
        "r2254": r2254.slug,
        "r2401": r2401.slug,
    }


def test_the_index_declares_one_exact_field_per_facet():
    fields = CommuniqueIndex.fields
    for f in FACETS:
        assert hasattr(fields[f.name], "facet_for"), f.name
    assert [f.name for f in FACETS] == [
        "issuer",
        "year",
        "participant",
        "organization",
        "place",
        "addressee",
        "resolution",
        "language",
    ]


def test_every_facet_is_answered_with_labels(client, archive):
    answer = api(client)
    assert set(answer["facets"]) == {f.name for f in FACETS}
    labels = {v["key"]: v["label"] for values in answer["facets"].values() for v in values}
    assert labels[archive["soc"]] == "National Coalition, Syrian Revolution & Opposition Forces"
    assert labels[archive["idlib"]] == "Idlib, Governorate"
    assert labels[archive["r2254"]] == "UNSC Resolution 2254 (2015)"
    assert labels["fr"] == "French"


@pytest.mark.parametrize(
    ("name", "key", "expected"),
    [
        ("issuer", "soc", {"Idlib statement"}),
        ("issuer", "un", {"Geneva communiqué", "Astana declaration"}),
        ("year", "2017", {"Astana declaration"}),
        ("participant", "jamous", {"Idlib statement", "Geneva communiqué"}),
        ("organization", "un", {"Geneva communiqué", "Astana declaration"}),
        ("place", "idlib", {"Idlib statement", "Astana declaration"}),
        ("addressee", "russia", {"Idlib statement", "Geneva communiqué"}),
        ("addressee", "soc", {"Geneva communiqué"}),
        ("resolution", "r2254", {"Geneva communiqué", "Astana declaration"}),
        ("language", "fr", {"Geneva communiqué"}),
    ],
)
def test_each_facet_filters(client, archive, name, key, expected):
    value = archive.get(key, key)
    answer = api(client, **{name: value})
    assert set(titles(answer)) == expected
    assert answer["filters"] == {name: [value]}


def test_facet_counts_match_the_published_records(client, archive):
    answer = api(client)
    assert answer["total"] == 3  # the draft is nowhere
    assert facet(answer, "issuer") == {archive["un"]: 2, archive["soc"]: 1}
    assert facet(answer, "participant") == {archive["pedersen"]: 2, archive["jamous"]: 2}
    assert facet(answer, "place") == {archive["idlib"]: 2, archive["geneva"]: 2}
    assert facet(answer, "year") == {"2016": 1, "2017": 1, "2018": 1}
    assert facet(answer, "language") == {"en": 2, "fr": 1}


def test_values_of_one_facet_combine_with_or(client, archive):
    answer = api(client, year=["2016", "2018"])
    assert set(titles(answer)) == {"Idlib statement", "Geneva communiqué"}


def test_different_facets_combine_with_and(client, archive):
    answer = api(client, place=archive["idlib"], issuer=archive["un"])
    assert titles(answer) == ["Astana declaration"]


def test_counts_of_a_facet_ignore_its_own_selection_but_not_the_others(client, archive):
    answer = api(client, issuer=archive["un"], place=archive["geneva"])
    assert titles(answer) == ["Geneva communiqué", "Astana declaration"] or set(titles(answer)) == {
        "Geneva communiqué",
        "Astana declaration",
    }
    # Issuer counts: every issuer among Geneva communiqués, as if no issuer were chosen.
    assert facet(answer, "issuer") == {archive["un"]: 2}
    # Place counts: among the UN's communiqués, as if no place were chosen.
    assert facet(answer, "place") == {archive["geneva"]: 2, archive["idlib"]: 1}
    # Other facets: under both filters.
    assert facet(answer, "language") == {"en": 1, "fr": 1}


def test_counts_follow_the_query(client, archive):
    answer = api(client, q="geneva")
    assert facet(answer, "year") == {"2016": 1}


def test_an_unknown_key_matches_nothing_and_stays_removable(client, archive):
    answer = api(client, place="atlantis")
    assert answer["total"] == 0
    assert facet(answer, "place")["atlantis"] == 0


def test_keys_are_case_insensitive(client, archive):
    assert api(client, language="FR")["total"] == 1


def test_a_malformed_key_is_refused(client, archive):
    answer = api(client, expect=400, place="idlib,aleppo")
    assert "not a place key" in answer["error"]


def test_drafts_never_count(client, archive):
    answer = api(client, q="draft")
    assert answer["total"] == 0
    assert all(not values for values in answer["facets"].values())


def test_a_renamed_entity_is_labelled_anew_once_the_index_has_caught_up(client, archive, index):
    from archive.models import Organization

    assert {v["label"] for v in api(client)["facets"]["issuer"]} >= {"United Nations (UN)"}
    un = Organization.objects.get(slug=archive["un"])
    un.name = "United Nations Organization"
    un.save()  # queues the communiqués that name it (search.signals)
    index()
    labels = {v["key"]: v["label"] for v in api(client)["facets"]["issuer"]}
    assert labels[archive["un"]] == "United Nations Organization"


def test_labels_are_read_once_while_the_index_is_unchanged(
    client, archive, django_assert_max_num_queries
):
    first = api(client, q="Idlib")
    with django_assert_max_num_queries(1):  # labels of values this search had not shown
        second = api(client, q="Geneva")
    with django_assert_max_num_queries(0):
        assert api(client, q="Idlib") == first
    assert second["facets"]["place"]


def test_a_merged_records_key_still_filters_after_the_merge(client, index):
    # A search saved or cited with the merged record's key finds what the survivor names.
    from archive.entities import merge

    survivor = OrganizationFactory(name="Syrian Opposition Coalition")
    duplicate = OrganizationFactory(name="S.O.C.")
    communique("By the survivor", ["ceasefire"], issuer=survivor)
    communique("By the duplicate", ["ceasefire"], issuer=duplicate)
    communique("To the duplicate", ["ceasefire"], demands=[("Stop.", [duplicate])])
    index()
    old_key = duplicate.slug
    merge(duplicate, into=survivor)
    index()
    answer = api(client, issuer=old_key, q="ceasefire")
    assert set(titles(answer)) == {"By the survivor", "By the duplicate"}
    assert facet(answer, "issuer")[survivor.slug] == 2
    assert answer["filters"]["issuer"] == [survivor.slug]  # the key as it now is
    assert set(titles(api(client, addressee=old_key))) == {"To the duplicate"}
    assert set(titles(api(client, addressee=[old_key, survivor.slug]))) == {"To the duplicate"}
