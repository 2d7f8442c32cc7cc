"""The one declaration of the search facets.

The index, the page's sidebar, the JSON API and the tests all iterate over FACETS, so a facet
added here appears everywhere at once. Each facet is indexed under its stable key (an entity's
slug, a year, a language code: no commas, no case, no punctuation to survive) and displayed
under a label looked up when the page is drawn, so that renaming an entity never orphans
the filters in a bookmarked URL.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.apps import apps
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from archive.entities import current_slugs
from archive.models.communique import listed
from archive.stats import KINDS

Keys = Callable[[object], list[str]]
Labels = Callable[[Iterable[str]], dict[str, str]]


@dataclass(frozen=True)
class Facet:
    name: str  # the URL parameter, the index field and the API key
    label: str  # the sidebar heading (translated lazily: read it when the page is drawn)
    keys: Keys  # communiqué -> the keys it is filed under
    labels: Labels  # keys -> display labels (a key without a label is shown as itself)
    newest_first: bool = False  # list values by key, descending (years), not by count
    kind: str = ""  # archive.stats.KINDS: whose slugs the keys are, for merged entities


def _slugs(values: Iterable) -> list[str]:
    return sorted({v.slug for v in values if v is not None and v.slug})


def _entity_labels(model_name: str) -> Labels:
    def labels(keys: Iterable[str]) -> dict[str, str]:
        model = apps.get_model("archive", model_name)
        # An entity's label is its name (Entity.__str__). Values, not instances: a search
        # labels up to a hundred values per facet, and building rows was most of that time.
        return dict(model.objects.filter(slug__in=list(keys)).values_list("slug", "name"))

    return labels


def _resolution_labels(keys: Iterable[str]) -> dict[str, str]:
    model = apps.get_model("archive", "Resolution")
    found = model.objects.filter(slug__in=list(keys)).only("slug", "body", "number", "year")
    return {r.slug: str(r) for r in found}  # "UNSC Resolution 2254 (2015)"


def _same(keys: Iterable[str]) -> dict[str, str]:
    return {key: key for key in keys}


def _language_labels(keys: Iterable[str]) -> dict[str, str]:
    import pycountry

    labels = {}
    for key in keys:
        language = pycountry.languages.get(alpha_2=key) if len(key) == 2 else None
        labels[key] = language.name if language else key
    return labels


def _issuer(c) -> list[str]:
    return _slugs([c.issuer])


def _year(c) -> list[str]:
    return [str(c.date.year)] if c.date else []


def _participants(c) -> list[str]:
    return _slugs(p.person for p in listed(c, "participations"))


def _organizations(c) -> list[str]:
    return _slugs(p.organization for p in listed(c, "participations"))


def _places(c) -> list[str]:
    return _slugs([*listed(c, "places"), c.meeting_place])


def _addressees(c) -> list[str]:
    return _slugs(a for d in listed(c, "demands") for a in listed(d, "addressees"))


def _resolutions(c) -> list[str]:
    return _slugs(listed(c, "resolutions"))


def _language(c) -> list[str]:
    return [c.language.lower()] if c.language else []


FACETS: tuple[Facet, ...] = (
    Facet("issuer", _("Issuer"), _issuer, _entity_labels("Organization"), kind="organizations"),
    Facet("year", _("Year"), _year, _same, newest_first=True),
    Facet("participant", _("Participant"), _participants, _entity_labels("Person"), kind="people"),
    Facet(
        "organization",
        _("Participants' organization"),
        _organizations,
        _entity_labels("Organization"),
        kind="organizations",
    ),
    Facet("place", _("Place"), _places, _entity_labels("Place"), kind="places"),
    Facet(
        "addressee",
        _("Addressed to"),
        _addressees,
        _entity_labels("Organization"),
        kind="organizations",
    ),
    Facet("resolution", _("Resolution"), _resolutions, _resolution_labels),
    Facet("language", _("Language"), _language, _language_labels),
)

FACETS_BY_NAME: dict[str, Facet] = {facet.name: facet for facet in FACETS}


def current_keys(filters: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    """The filters with a merged entity's former slug replaced by the slug of the entity it
    became (archive.entities.merge), so that a saved or cited search keeps finding it."""
    model = _ENTITY_MODELS
    wanted = {(model[name], key) for name, keys in filters.items() if name in model for key in keys}
    moved = current_slugs(wanted)
    if not moved:
        return filters
    return {
        name: tuple(dict.fromkeys(moved.get((model.get(name), key), key) for key in keys))
        for name, keys in filters.items()
    }


# facet name -> the model of the entities whose slugs are its keys
_ENTITY_MODELS = {facet.name: KINDS[facet.kind].model for facet in FACETS if facet.kind}


# -- Labels, remembered while the index is unchanged ------------------------------------------
#
# A search labels up to 100 values of each facet: reading them was a fifth of a warm search
# at 100,000 communiqués (profiled). A label only changes when an entity is renamed, and a
# rename reindexes every communiqué that names it (search.signals), which changes the index:
# labels kept for one version of the index are as current as the counts they go with.

_remembered: dict = {"state": None, "labels": {}}


def labels_of(facet: Facet, keys: Iterable[str], index_version: object = None) -> dict[str, str]:
    """facet.labels(keys), remembered while the index stays at `index_version`; read every
    time where the engine gives no version (None)."""
    keys = list(keys)
    if index_version is None:
        return facet.labels(keys)
    state = (index_version, get_language())
    if _remembered["state"] != state:
        _remembered["state"], _remembered["labels"] = state, {}
    known = _remembered["labels"].setdefault(facet.name, {})
    missing = [key for key in keys if key not in known]
    if missing:
        found = facet.labels(missing)
        known.update({key: found.get(key, key) for key in missing})
    return {key: known[key] for key in keys}


# Not a sidebar facet: the month key ("2015-03") that draws the timeline of a short range.
MONTH_FIELD = "month"


def month_key(c) -> list[str]:
    return [c.date.strftime("%Y-%m")] if c.date else []
