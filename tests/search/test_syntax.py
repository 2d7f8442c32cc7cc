"""Each element of the query syntax, as a researcher uses it, end to end through the API."""

from __future__ import annotations

import re

import pytest

from tests.search.factories import OrganizationFactory, PersonFactory, PlaceFactory, communique
from tests.search.helpers import api, titles

pytestmark = pytest.mark.django_db


@pytest.fixture
def archive(index):
    opposition = OrganizationFactory(name="Syrian Opposition Coalition")
    government = OrganizationFactory(name="Government of Syria")
    russia = OrganizationFactory(name="Russian Federation")
    communique(
        "Aleppo bombing",
        ["We condemn the bombing of hospitals in Aleppo and demand a humanitarian corridor."],
        issuer=opposition,
        participants=[(PersonFactory(name="Fahd Jamous"), "spokesman", opposition)],
        places=[PlaceFactory(name="Aleppo")],
        demands=[("We call on the Russian Federation to stop the bombing.", [russia])],
    )
    communique(
        "Geneva talks",
        ["Delegations met in Geneva; a corridor was opened for humanitarian aid."],
        issuer=government,
        participants=[(PersonFactory(name="Bashar Jaafari"), "envoy", government)],
        places=[PlaceFactory(name="Geneva")],
    )
    communique(
        "Idlib ceasefire",
        ["A ceasefire in Idlib; airstrikes and bombs must end."],
        issuer=opposition,
        places=[PlaceFactory(name="Idlib")],
    )
    index()


def found(client, q: str) -> set[str]:
    return set(titles(api(client, q=q)))


def test_stemming_finds_other_forms_of_a_word(client, archive):
    assert found(client, "bomb") == {"Aleppo bombing", "Idlib ceasefire"}
    assert found(client, "bombings") == {"Aleppo bombing", "Idlib ceasefire"}


def test_case_and_accents_do_not_matter(client, archive):
    assert found(client, "GENEVA") == {"Geneva talks"}
    assert found(client, "Genèva") == {"Geneva talks"}


def test_exact_phrase_keeps_word_order(client, archive):
    assert found(client, '"humanitarian corridor"') == {"Aleppo bombing"}
    assert found(client, '"corridor humanitarian"') == set()


def test_words_are_all_required(client, archive):
    assert found(client, "corridor aleppo") == {"Aleppo bombing"}
    assert found(client, "corridor AND aleppo") == {"Aleppo bombing"}


def test_or(client, archive):
    assert found(client, "geneva OR idlib") == {"Geneva talks", "Idlib ceasefire"}


def test_not_and_minus_exclude(client, archive):
    assert found(client, "corridor NOT aleppo") == {"Geneva talks"}
    assert found(client, "corridor -aleppo") == {"Geneva talks"}
    assert found(client, '-"humanitarian corridor"') == {"Geneva talks", "Idlib ceasefire"}


def test_a_query_of_exclusions_alone_lists_the_rest(client, archive):
    assert found(client, "NOT bombing") == {"Geneva talks"}
    assert found(client, "-geneva -idlib") == {"Aleppo bombing"}


def test_brackets_group(client, archive):
    assert found(client, "(geneva OR idlib) ceasefire") == {"Idlib ceasefire"}


def test_issuer_prefix(client, archive):
    assert found(client, 'issuer:"syrian opposition"') == {"Aleppo bombing", "Idlib ceasefire"}
    assert found(client, "issuer:government") == {"Geneva talks"}


def test_participant_prefix(client, archive):
    assert found(client, "participant:jamous") == {"Aleppo bombing"}
    # A name in the body text is not a participant.
    assert found(client, "participant:aleppo") == set()


def test_place_prefix(client, archive):
    assert found(client, "place:idlib") == {"Idlib ceasefire"}
    assert found(client, "place:(idlib OR geneva)") == {"Idlib ceasefire", "Geneva talks"}


def test_addressee_prefix(client, archive):
    assert found(client, "addressee:russian") == {"Aleppo bombing"}
    assert found(client, "addressee:opposition") == set()


def test_title_prefix(client, archive):
    assert found(client, "title:ceasefire") == {"Idlib ceasefire"}


def test_a_prefix_finds_the_words_that_begin_with_it(client, index):
    communique("Negotiated", ["The parties negotiated a truce."])
    communique("Negotiations", ["Negotiations resume in Geneva."])
    communique("Negotiator", ["The negotiator left."])
    communique("Neglect", ["The neglect of the talks."])
    index()
    # Truncated before the stem ends ("negotiations" is indexed as "negoti").
    assert found(client, "negotiat*") == {"Negotiated", "Negotiations", "Negotiator"}
    assert found(client, "negotiat* -geneva") == {"Negotiated", "Negotiator"}
    assert found(client, "title:neg*") == {"Negotiated", "Negotiations", "Negotiator", "Neglect"}
    assert found(client, "zzzq*") == set()
    everything = {"Negotiated", "Negotiations", "Negotiator", "Neglect"}
    assert found(client, "NOT zzzq*") == found(client, "NOT zzzqword") == everything
    hits = api(client, q="negotiat*")["results"]
    marked = {
        m.lower() for r in hits for h in r["highlights"] for m in re.findall("<mark>(.*?)<", h)
    }
    assert marked == {"negotiated", "negotiations", "negotiator"}


def test_a_prefix_finds_arabic_and_french_forms(client, index):
    communique("Arabic", ["استؤنفت المفاوضات في جنيف"], language="ar")
    communique("French", ["Les négociations reprennent à Genève."], language="fr")
    index()
    assert found(client, "مفاوض*") == {"Arabic"}  # the article is not part of the prefix
    assert found(client, "négoci*") == {"French"}
    assert found(client, "NEGOCI*") == {"French"}


def test_punctuation_in_words_is_harmless(client, archive):
    assert found(client, "cease-fire") == set()  # searched as the phrase "cease fire"
    assert found(client, "Aleppo!") == {"Aleppo bombing"}
    # Engine syntax a user did not mean (wildcards, ranges, boosts) is never an engine error.
    for q in ["a*", "a?b", "x:y:z", "title:[a TO b]", "~2", "^3", "{a}", "\\", "'", "a:b"]:
        assert client.get("/api/search/", {"q": q}).status_code in (200, 400), q


@pytest.mark.parametrize(
    "q", ['"unclosed', "(geneva", "geneva)", "AND", "idlib OR", "NOT", "nosuch:field", "x" * 501]
)
def test_malformed_queries_answer_400_with_a_message(client, archive, q):
    answer = api(client, expect=400, q=q)
    assert answer["error"]
