"""Records for search tests, written straight to the database (no ingestion involved)."""

from __future__ import annotations

import datetime

import factory

from archive.models import (
    Communique,
    Demand,
    Organization,
    Paragraph,
    Participation,
    Person,
    Place,
    Resolution,
)


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Organization {n}")


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    name = factory.Sequence(lambda n: f"Person {n}")


class PlaceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Place

    name = factory.Sequence(lambda n: f"Place {n}")


class ResolutionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Resolution

    body = "UNSC"
    number = factory.Sequence(lambda n: str(2000 + n))
    year = 2015


class CommuniqueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Communique

    title = factory.Sequence(lambda n: f"Final statement {n}")
    status = Communique.Status.PUBLISHED
    language = "en"
    date = datetime.date(2016, 3, 1)
    issuer = factory.SubFactory(OrganizationFactory)


def communique(
    title: str = "Final statement",
    paragraphs: list[str] | None = None,
    *,
    participants: list[tuple[Person, str, Organization | None]] = (),
    demands: list[tuple[str, list[Organization]]] = (),
    places: list[Place] = (),
    resolutions: list[Resolution] = (),
    **fields,
) -> Communique:
    """A communiqué with its structure, in one call."""
    if isinstance(fields.get("date"), str):
        fields["date"] = datetime.date.fromisoformat(fields["date"])
    c = CommuniqueFactory(title=title, **fields)
    for number, text in enumerate(paragraphs or [], start=1):
        Paragraph.objects.create(communique=c, number=number, text=text)
    for position, (person, role, org) in enumerate(participants):
        Participation.objects.create(
            communique=c, position=position, person=person, role=role, organization=org
        )
    for position, (text, addressees) in enumerate(demands):
        demand = Demand.objects.create(communique=c, position=position, text=text)
        demand.addressees.set(addressees)
    c.places.set(places)
    c.resolutions.set(resolutions)
    return c
