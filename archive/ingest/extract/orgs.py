"""Find known organizations in text and resolve short references to them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .lexicon import COREFERENT_HEADS, ORGANIZATIONS, Org


@dataclass(frozen=True)
class OrgMention:
    start: int
    end: int
    surface: str
    org: Org


def _is_arabic(surface: str) -> bool:
    return "\u0600" <= surface[0] <= "\u06ff"


@lru_cache(maxsize=1)
def _matchers() -> tuple[list[re.Pattern[str]], dict[str, Org]]:
    """One alternation per script of every name, alias and acronym, longest first, so the
    longest name at a position wins ("Peace and Security Council" over "Security Council").
    An Arabic alias may carry a one-letter proclitic (و، ب، ل، ف)."""
    by_surface: dict[str, Org] = {}
    for org in ORGANIZATIONS:
        for surface in (org.name, org.acronym, *org.aliases):
            if surface:
                by_surface.setdefault(surface, org)
    ordered = sorted(by_surface, key=len, reverse=True)
    latin = "|".join(re.escape(s) for s in ordered if not _is_arabic(s))
    arabic = "|".join(re.escape(s) for s in ordered if _is_arabic(s))
    patterns = [
        re.compile(rf"(?<![\w-])(?:{latin})(?![\w-])"),
        re.compile(rf"(?:(?<=\s[وبلف])|(?<!\w))(?:{arabic})(?!\w)"),
    ]
    return patterns, by_surface


def find_orgs(text: str) -> list[OrgMention]:
    """Every known organization mentioned, in order, non-overlapping."""
    patterns, by_surface = _matchers()
    found = [
        OrgMention(match.start(), match.end(), match.group(), by_surface[match.group()])
        for pattern in patterns
        for match in pattern.finditer(text)
    ]
    return sorted(found, key=lambda mention: mention.start)


def by_name(name: str) -> Org | None:
    """Look an organization up by canonical name or acronym (e.g. a body's parent 'NATO')."""
    for org in ORGANIZATIONS:
        if name in (org.name, org.acronym):
            return org
    return None


def whole_line_org(line: str) -> Org | None:
    """The organization a whole header line names ('Syrian Opposition Coalition'), if any."""
    mentions = find_orgs(line.strip())
    if len(mentions) == 1 and mentions[0].surface == line.strip():
        return mentions[0].org
    return None


_COREF = re.compile(r"\bthe (" + "|".join(COREFERENT_HEADS) + r")\b")


def resolve_coreference(phrase: str, earlier: list[OrgMention]) -> Org | None:
    """'the Council' -> the last organization mentioned before whose name ends in 'Council'."""
    match = _COREF.search(phrase)
    if not match:
        return None
    head = match.group(1)
    for mention in reversed(earlier):
        if mention.org.name.endswith(head):
            return mention.org
    return None
