"""Records for page tests, made through the ORM; `seed_communique()` is the SOC statement."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import factory
from django.core.files.base import ContentFile

from archive.models import (
    Communique,
    Demand,
    Organization,
    Participation,
    Person,
    Place,
    Resolution,
    Revision,
)

SEED_FILE = Path(__file__).resolve().parents[2] / "archive/demo/soc-final-communique-2023-10-10.txt"


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Organization {n}")


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Person {n}")


class PlaceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Place
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Place {n}")


class ResolutionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Resolution
        django_get_or_create = ("body", "number")

    body = "UNSC"
    number = factory.Sequence(lambda n: str(3000 + n))


class CommuniqueFactory(factory.django.DjangoModelFactory):
    """A published communiqué with two paragraphs; pass paragraphs=[...] for others."""

    class Meta:
        model = Communique
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Statement number {n}")
    language = "en"
    status = Communique.Status.PUBLISHED
    issuer = factory.SubFactory(OrganizationFactory)
    issuer_body = "General Assembly"
    date = dt.date(2023, 10, 10)

    class Params:
        draft = factory.Trait(status=Communique.Status.DRAFT)

    @factory.post_generation
    def paragraphs(self, create, texts, **kwargs):
        if create:
            self.set_paragraphs(texts or ["First paragraph.", "Second paragraph."])


def seed_paragraphs() -> list[str]:
    # The file is title, issuer, body and date on four lines, then one paragraph a line.
    return SEED_FILE.read_text(encoding="utf-8").splitlines()[4:]


PARTICIPANTS = [
    ("Abdurrahman Mustafa", "Head of the Syrian Interim Government", "", "SIG"),
    ("Hassan Hamadeh", "Minister of Defense", "Brigadier General", "SIG"),
    ("Badr Jamous", "President", "", "SNC"),
    ("Muhammad Hasno", "Executive Director", "", "ACU"),
    ("Ahmed Yazji", "Member of the Board of Directors", "", "SCD"),
    ("Ahmed Al-Husseinat", "Head of the Political Body in Idlib", "", None),
    ("Hadi Al-Bahra", "President", "", "SOC"),
]

ORGANIZATIONS = {
    "SOC": "Syrian Opposition Coalition",
    "SIG": "Syrian Interim Government",
    "SNC": "Syrian Negotiations Commission",
    "ACU": "Assistance Coordination Unit",
    "SCD": "Syrian Civil Defense",
    "UNSC": "UN Security Council",
    "IC": "International community",
    "UN": "United Nations",
    "AL": "Arab League",
}

# (paragraph, verb, speaker, addressees, sentence) as an extractor would record them.
DEMANDS = [
    (6, "emphasized", "Hadi Al-Bahra", ["IC"],
     "He emphasized the urgent need for a decisive international stance and international "
     "measures to protect civilians while holding the Assad regime accountable for these crimes."),
    (7, "appealed", "Hadi Al-Bahra", ["UNSC"],
     "Al-Bahra appealed to the UN Security Council to convene an emergency session to put an "
     "end to the bombing campaign against civilians in Idlib and the western countryside of "
     "Aleppo."),
    (7, "called on", "Hadi Al-Bahra", ["UNSC"],
     "He called on the Council to shoulder its responsibility for the crimes committed by "
     "Assad and his allies in Syria"),
    (9, "urged", "Badr Jamous", ["UN", "AL"],
     "He noted that the United Nations, the Arab League, and active countries in the Syrian "
     "conflict had been urged to condemn the regime’s assault on northwestern Syria and "
     "immediately halt the attacks on civilians."),
    (11, "stressed", None, ["IC"],
     "The attendees stressed that the only way to put an end to the recurring tragedy endured "
     "by the Syrian people is for the international community to fulfill its responsibilities "
     "and implement international resolutions"),
]  # fmt: skip

PLACES = ["Idlib", "Aleppo", "Syria", "Paris", "Lebanon", "Gaza"]


def organization(acronym: str) -> Organization:
    return OrganizationFactory(name=ORGANIZATIONS[acronym], acronym=acronym)


def seed_communique(**overrides) -> Communique:
    """The SOC final communiqué of 10 October 2023, structured as the extractors would."""
    fields = {
        "title": "Final communique",
        "issuer": organization("SOC"),
        "issuer_body": "General Assembly",
        "date": dt.date(2023, 10, 10),
        "meeting_date": dt.date(2023, 10, 9),
        "source_url": "https://en.etilaf.org/all-news/news/final-communique",
        "paragraphs": seed_paragraphs(),
        **overrides,
    }
    c = CommuniqueFactory(**fields)
    for position, (name, role, rank, acronym) in enumerate(PARTICIPANTS):
        Participation.objects.create(
            communique=c,
            position=position,
            person=PersonFactory(name=name),
            role=role,
            rank=rank,
            organization=organization(acronym) if acronym else None,
        )
    for position, (paragraph, verb, speaker, addressees, text) in enumerate(DEMANDS):
        demand = Demand.objects.create(
            communique=c,
            position=position,
            paragraph=paragraph,
            verb=verb,
            text=text,
            speaker=PersonFactory(name=speaker) if speaker else None,
        )
        demand.addressees.set([organization(a) for a in addressees])
    c.places.set([PlaceFactory(name=name) for name in PLACES])
    c.resolutions.set(
        [
            ResolutionFactory(number="2254", year=2015),
            ResolutionFactory(number="2118", year=2013),
        ]
    )
    return c


def attach_original(c: Communique, name: str = "final-communique.txt", data: bytes = b"text"):
    c.original_name = name
    c.sha256 = hashlib.sha256(data).hexdigest()  # the storage path is derived from it
    c.original.save(name, ContentFile(data), save=True)
    return c


def add_revision(c: Communique, number: int, **changes) -> Revision:
    """A revision whose snapshot is the current record with `changes` applied."""
    data = {**Communique.objects.with_structure().get(pk=c.pk).snapshot(), **changes}
    return Revision.objects.create(communique=c, number=number, data=data)
