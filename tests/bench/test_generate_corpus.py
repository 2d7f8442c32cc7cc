"""`manage.py generate_corpus`: realistic, deterministic, removable synthetic communiqués."""

from __future__ import annotations

import io
import statistics
from collections import Counter

import pytest
from django.core.management import call_command

from archive.models import (
    Communique,
    Demand,
    Organization,
    Participation,
    Person,
    Place,
    Resolution,
    Revision,
    Tombstone,
)
from archive.synthetic import (
    MAX_PARAGRAPHS,
    MAX_WORDS,
    MIN_PARAGRAPHS,
    MIN_WORDS,
    SYNTHETIC_MARK,
    CorpusGenerator,
)
from search.models import IndexTask


def generate(*args: str) -> str:
    out = io.StringIO()
    call_command("generate_corpus", *args, "--no-progress", stdout=out, stderr=io.StringIO())
    return out.getvalue()


# -- the generator alone -----------------------------------------------------------------------


def test_same_seed_gives_the_same_corpus_and_another_seed_another():
    first = list(CorpusGenerator(7).generate(50))
    again = list(CorpusGenerator(7).generate(50))
    other = list(CorpusGenerator(8).generate(50))
    assert [(d.title, d.issuer, d.date) for d in first] == [
        (d.title, d.issuer, d.date) for d in again
    ]
    assert [d.paragraphs for d in first] == [d.paragraphs for d in again]
    assert [d.title for d in first] != [d.title for d in other]


def test_documents_are_well_formed_and_their_text_names_the_structure():
    docs = list(CorpusGenerator(3).generate(200))
    for doc in docs:
        assert MIN_WORDS <= doc.word_count <= MAX_WORDS
        assert MIN_PARAGRAPHS <= len(doc.paragraphs) <= MAX_PARAGRAPHS
        assert all(p.strip() for p in doc.paragraphs)
        text = "\n".join(doc.paragraphs)
        assert doc.meeting_place in doc.paragraphs[0]
        for place in doc.places:
            assert place in text
        for participant in doc.participants:
            assert participant.person in text and participant.role
        assert doc.demands
        for demand in doc.demands:
            assert demand.addressees
            assert demand.text in doc.paragraphs[demand.paragraph - 1]
        assert doc.date.year >= 1990 and doc.date.year <= 2026
    languages = Counter(d.language for d in docs)
    assert languages.most_common(1)[0][0] == "en" and set(languages) <= {"en", "fr", "ar"}
    # Recent years are more frequent than early ones.
    years = Counter(d.date.year for d in docs)
    assert sum(years[y] for y in range(2016, 2026)) > 2 * sum(years[y] for y in range(1990, 2000))
    # Some titles carry commas, colons, quotes or parentheses.
    assert any(ch in d.title for d in docs for ch in ',:()"')


def test_pools_are_large_and_places_are_real():
    pools = CorpusGenerator(0).pools
    assert len(pools.issuers) == 300
    assert len(pools.persons) == 5000
    assert len(pools.organizations) == 800
    assert len(pools.addressees) == 200
    assert len(pools.resolutions) == 400
    names = {p.name for p in pools.places}
    assert {"Syria", "Damascus", "Yemen", "Aleppo"} <= names
    assert all(p.geonameid and len(p.country_code) == 2 for p in pools.places)
    assert any("," in p.name for p in pools.persons)  # "…, Jr."


# -- the command -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_records_are_synthetic_complete_and_queued_for_the_index():
    output = generate("--count", "50", "--seed", "11")
    assert "docs/s" in output
    communiques = list(Communique.objects.with_structure())
    assert len(communiques) == 50
    assert len({c.public_id for c in communiques}) == 50
    assert all(len(c.public_id) == 7 for c in communiques)
    for c in communiques:
        assert c.is_synthetic and c.is_published and c.published_at is not None
        assert c.issuer is not None and c.date and c.meeting_place is not None and c.slug
        paragraphs = list(c.paragraphs.all())
        assert MIN_PARAGRAPHS <= len(paragraphs) <= MAX_PARAGRAPHS
        assert [p.number for p in paragraphs] == list(range(1, len(paragraphs) + 1))
        assert MIN_WORDS <= len(c.text.split()) <= MAX_WORDS
        participations = list(c.participations.all())
        assert participations and all(p.role and p.person_id for p in participations)
        demands = list(c.demands.all())
        assert demands
        for demand in demands:
            assert demand.addressees.all() and demand.verb
            assert demand.text in paragraphs[demand.paragraph - 1].text
        places = list(c.places.all())
        assert places and c.meeting_place in places
        assert all(place.name in c.text for place in places)
        for resolution in c.resolutions.all():
            assert f"resolution {resolution.number} ({resolution.year})" in c.text
        # The first revision is exactly what publish() would have recorded.
        revision = c.revisions.get()
        assert revision.number == 1 and revision.data == c.snapshot()
    assert Resolution.objects.filter(communiques__isnull=False).exists()
    assert sorted(IndexTask.objects.values_list("communique_id", flat=True)) == sorted(
        c.pk for c in communiques
    )
    # The pools, with their aliases, are shared records marked as synthetic.
    issuer = communiques[0].issuer
    assert issuer.description == SYNTHETIC_MARK
    assert Organization.objects.by_alias(issuer.name) == issuer
    assert Person.objects.count() >= 5000


@pytest.mark.django_db
def test_drafts_are_not_queued_for_the_index():
    generate("--count", "20", "--draft")
    assert Communique.objects.filter(status="draft", is_synthetic=True).count() == 20
    assert not Communique.objects.filter(published_at__isnull=False).exists()
    assert not IndexTask.objects.exists() and not Revision.objects.exists()


@pytest.mark.django_db
def test_same_seed_writes_the_same_titles_and_issuers():
    generate("--count", "30", "--seed", "5")
    generate("--count", "30", "--seed", "5")  # the second run reuses the pools' records
    rows = list(Communique.objects.order_by("pk").values_list("title", "issuer__name", "date"))
    assert rows[:30] == rows[30:]
    assert Organization.objects.filter(name=rows[0][1]).count() == 1


@pytest.mark.django_db
def test_issuers_and_places_are_skewed():
    generate("--count", "300", "--seed", "2", "--draft", "--batch-size", "120")
    issuers = Counter(Communique.objects.values_list("issuer_id", flat=True))
    top = issuers.most_common(1)[0][1]
    assert top >= 4 * statistics.median(issuers.values())
    assert len(issuers) > 40  # and a long tail
    places = Counter(Communique.places.through.objects.values_list("place_id", flat=True))
    assert places.most_common(1)[0][1] >= 4 * statistics.median(places.values())


@pytest.mark.django_db
def test_delete_removes_synthetic_records_and_leaves_real_ones_intact():
    # A real communiqué whose issuer and place the generator's pools also name.
    issuer, _ = Organization.objects.resolve("Arab League Council")
    person, _ = Person.objects.resolve("Real Person Who Exists")
    syria, _ = Place.objects.resolve("Syria")
    unused, _ = Organization.objects.resolve("A Real Organization Nobody Cites Yet")
    real = Communique.objects.create(title="Real, with a comma", issuer=issuer, status="published")
    real.places.add(syria)
    real.set_paragraphs(["A real paragraph about Syria."])
    Participation.objects.create(communique=real, person=person, role="Chair")
    demand = Demand.objects.create(communique=real, text="It calls on the UN Security Council.")
    security_council, _ = Organization.objects.resolve("UN Security Council")
    demand.addressees.add(security_council)
    IndexTask.objects.all().delete()

    generate("--count", "50", "--seed", "4")
    synthetic = list(Communique.objects.filter(is_synthetic=True).values_list("pk", "public_id"))
    assert len(synthetic) == 50
    assert Communique.objects.filter(issuer=issuer, is_synthetic=True).exists()  # reused
    IndexTask.objects.all().delete()

    output = generate("--delete")
    assert "Deleted 50 synthetic communiqués" in output
    assert list(Communique.objects.all()) == [real]
    real.refresh_from_db()
    assert real.issuer == issuer and list(real.places.all()) == [syria]
    assert real.paragraphs.count() == 1 and real.participations.get().person == person
    assert list(real.demands.get().addressees.all()) == [security_council]
    for entity in (issuer, person, syria, unused, security_council):
        entity.refresh_from_db()
        assert entity.description == ""
    assert Organization.objects.by_alias("Arab League Council") == issuer
    # Everything the generator created is gone, aliases included.
    for model in (Organization, Person, Place):
        assert not model.objects.filter(description=SYNTHETIC_MARK).exists()
    assert not Resolution.objects.exists()
    assert Person.objects.count() == 1 and Place.objects.count() == 1
    assert set(Organization.objects.all()) == {issuer, unused, security_council}
    assert not Tombstone.objects.exists()
    # The published ones are queued for removal from the index.
    assert sorted(IndexTask.objects.values_list("communique_id", flat=True)) == sorted(
        pk for pk, _ in synthetic
    )
    assert "Deleted 0 synthetic communiqués" in generate("--delete")
