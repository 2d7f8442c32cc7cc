"""What the index reads of a communiqué: loaded once (Communique.objects.for_index()), the
same as reading each relation of the record in turn."""

from __future__ import annotations

import pytest

from archive.models import Communique
from search import queue
from tests.search.factories import (
    OrganizationFactory,
    PersonFactory,
    PlaceFactory,
    ResolutionFactory,
    communique,
)

pytestmark = pytest.mark.django_db


def _index():
    return queue._engine()[1]


def _filled(title: str) -> Communique:
    un = OrganizationFactory(name="United Nations", acronym="UN")
    eu, au = OrganizationFactory(name="EU"), OrganizationFactory(name="AU")
    return communique(
        title,
        ["The parties met in Geneva.", "They call for a ceasefire."],
        participants=[
            (PersonFactory(name="Amal Haddad"), "Chair", un),
            (PersonFactory(name="Bruno Keller"), "Envoy", None),
        ],
        demands=[("A ceasefire now.", [eu, au]), ("Aid access.", [un])],
        places=[PlaceFactory(name="Geneva"), PlaceFactory(name="Aleppo")],
        resolutions=[ResolutionFactory()],
        meeting_place=PlaceFactory(name="Lausanne"),
        issuer_body="Council",
    )


def test_a_record_loaded_for_the_index_prepares_as_the_record_read_relation_by_relation():
    filled = _filled("Statement on the talks")
    loaded = Communique.objects.for_index().get(pk=filled.pk)
    plain = Communique.objects.get(pk=filled.pk)
    prepared = _index().full_prepare(loaded)
    assert prepared == _index().full_prepare(plain)
    # Every relation made it into the document, in its order.
    assert "Amal Haddad\nChair" in prepared["text"] and "Bruno Keller" in prepared["text"]
    assert prepared["addressee_text"] == "AU\nEU\nUnited Nations\nUN"
    assert prepared["place_text"] == "Aleppo\nGeneva\nLausanne"
    assert prepared["resolution"] == [r.slug for r in plain.resolutions.all()] != []


def test_loading_and_preparing_records_for_the_index_takes_a_fixed_number_of_queries(
    django_assert_num_queries,
):
    ids = [_filled(f"Statement {n}").pk for n in range(3)]
    index = _index()
    # The records, then each relation once: paragraphs, participations (with their people and
    # organizations), demands, their addressees, places, resolutions. Nothing when preparing.
    with django_assert_num_queries(7):
        documents = [index.full_prepare(c) for c in queue._load(ids)]
    assert sorted(int(d["django_id"]) for d in documents) == sorted(ids)
    assert all("Aid access." in d["text"] for d in documents)


def test_a_demand_quoted_from_its_paragraph_is_indexed_once_and_one_typed_apart_still_is():
    # Counted twice, a demand's words outscored the same words in any other sentence.
    record = communique(
        "Statement on detainees",
        ["The ministers met in Doha.", "They call for an immediate ceasefire in the city."],
        demands=[
            ("They call for an immediate ceasefire in the city.", []),
            ("Release the detainees.", []),
        ],
    )
    text = _index().full_prepare(Communique.objects.for_index().get(pk=record.pk))["text"]
    assert text.count("immediate ceasefire") == 1
    assert "Release the detainees." in text
