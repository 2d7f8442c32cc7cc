"""A small archive for the research views: the SOC seed plus a few communiqués around it.

seed   2023-10-10  SOC   5 demands (IC, UNSC, UNSC, UN+AL, IC), cites 2254 and 2118
nov    2023-11-05  SOC   demands to UNSC, UNSC, IC; Hadi Al-Bahra and Badr Jamous
jan    2024-01-20  SNC   a demand to UNSC and AL; cites 2254; Badr Jamous
draft  2023-10-20  SOC   a draft: a demand to UNSC, Hadi Al-Bahra with "Secret Person"
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from archive.models import Demand, Participation
from tests.pages.factories import (
    CommuniqueFactory,
    PersonFactory,
    ResolutionFactory,
    organization,
    seed_communique,
)


def add_demand(c, text, addressees, paragraph=None, position=0):
    demand = Demand.objects.create(communique=c, text=text, paragraph=paragraph, position=position)
    demand.addressees.set([organization(a) for a in addressees])
    return demand


def add_participants(c, *names):
    for position, name in enumerate(names):
        Participation.objects.create(
            communique=c, position=position, person=PersonFactory(name=name), role="President"
        )


@pytest.fixture
def archive(db):
    seed = seed_communique()
    nov = CommuniqueFactory(
        title="November statement",
        issuer=organization("SOC"),
        date=dt.date(2023, 11, 5),
        paragraphs=[
            "The Syrian Opposition Coalition met in Azaz.",
            "It called on the UN Security Council to convene an emergency session to end the "
            "bombing campaign against civilians in Idlib.",
            "A new paragraph about <script>alert(1)</script> elections.",
        ],
    )
    add_participants(nov, "Hadi Al-Bahra", "Badr Jamous")
    add_demand(
        nov,
        "It called on the UN Security Council to convene an emergency session to end the "
        "bombing campaign against civilians in Idlib.",
        ["UNSC"],
        paragraph=2,
    )
    add_demand(nov, "It urged the Council to refer the crimes to the ICC.", ["UNSC"], position=1)
    add_demand(nov, "The international community must act.", ["IC"], position=2)

    jan = CommuniqueFactory(
        title="January statement",
        issuer=organization("SNC"),
        date=dt.date(2024, 1, 20),
        paragraphs=["The Commission calls for implementing Resolution 2254 in full."],
    )
    add_participants(jan, "Badr Jamous")
    add_demand(jan, "Implement Resolution 2254 in full.", ["UNSC", "AL"], paragraph=1)
    jan.resolutions.set([ResolutionFactory(number="2254", year=2015)])

    draft = CommuniqueFactory(
        title="Secret draft", issuer=organization("SOC"), date=dt.date(2023, 10, 20), draft=True
    )
    add_participants(draft, "Hadi Al-Bahra", "Secret Person")
    add_demand(draft, "A draft demand nobody may see.", ["UNSC"], paragraph=1)
    draft.resolutions.set([ResolutionFactory(number="2254", year=2015)])
    return SimpleNamespace(seed=seed, nov=nov, jan=jan, draft=draft)
