"""Named participants with role, organization and rank.

A sentence is cut at commas and semicolons into chunks; each chunk is a NAME ("Badr Jamous",
"Brigadier General Hassan Hamadeh", "M. Mohamed Bazoum"), a ROLE ("Head of the Syrian Interim
Government (SIG)", "SOC’s President", "le ministre … ") or other text. Rules:
- ROLE_NAME / NAME_ROLE: adjacent ROLE and NAME chunks are paired ("Role, Name" and
  "Name, Role of Org" both occur, even in one list: "Badr Jamous, President of the SNC,
  Executive Director of the ACU, Muhammad Hasno"). The pairing that matches the most
  chunks wins; on a tie the earlier pair is taken.
- ROLE_THEN_NAME: inside one chunk a role directly followed by a name ("Council President
  Román Oyarzun Marchesi", "le ministre … M. Hamady Ould Hamady").
- RANK_NAME: a rank before a name is kept apart ("Brigadier General" + "Hassan Hamadeh").
- PARTICIPATION_CUE: in sentences saying who took part ("Participating in the meeting were",
  "made by", "Ont participé"), names count even without a role.
- SAME_PERSON: a later "Brigadier General Hamadeh", "President Jamous" or "Al-Bahra" is the
  participant already known by that surname, never a new one.
- ORG_OF_ROLE: the organization is the one named in the role (its name then leaves the role:
  "Member of the Civil Defense Board of Directors" -> "Member of the Board of Directors",
  Syrian Civil Defense); "including the Minister of Defense" inherits it from the chunk
  before ("SIG’s ministers"); "Council President" refers back to the last Council named.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .lexicon import (
    HONORIFICS,
    NAME_PARTICLES,
    ORGANIZATIONS,
    PARTICIPATION_CUES,
    RANKS,
    ROLE_WORDS,
    Org,
)
from .orgs import OrgMention, find_orgs, resolve_coreference
from .places import is_country
from .text import sentences


@dataclass
class Participant:
    name: str
    role: str = ""
    organization: str = ""
    organization_acronym: str = ""
    rank: str = ""

    @property
    def surname(self) -> str:
        return self.name.split()[-1]


_CONNECTORS = re.compile(
    r"^(?:(?:and|including|as well as|also|et|outre|respectivement|avec|notamment|among them|"
    r"the|le|la|les|l’|l'|its|his|her|their)\s+)+",
    re.IGNORECASE,
)
_UNTIL_VERB = re.compile(r"^.*?\b(?:were|was|are|is|by)\s+", re.IGNORECASE)
_ROLE_TAIL = re.compile(r"\s+(?:and an?|for the month|made by|and (?=[A-Z][a-z]+ of\b)).*$")
_DANGLING = re.compile(r"\s+(?:of|to|in|for|de|du|des)(?:\s+(?:the|la|le|l’))?\s*$")
_PAREN = re.compile(r"\s*\([^)]*\)")
_PRONOUNS = frozenset({"He", "She", "Il", "Elle"})


@lru_cache(maxsize=1)
def _not_name_words() -> frozenset[str]:
    """Capitalised words that belong to organizations, roles or sentence openers, not names."""
    words = {"The", "This", "These", "We", "They", "He", "She", "It", "Also", "And", "Nous"}
    for org in ORGANIZATIONS:
        for surface in (org.name, *org.aliases):
            words.update(surface.split())
    for role in ROLE_WORDS:
        words.update(role.split())
    return frozenset(words - NAME_PARTICLES)


def _split_prefix(text: str, prefixes: tuple[str, ...]) -> tuple[str, str]:
    for prefix in sorted(prefixes, key=len, reverse=True):
        if text.startswith(prefix + " "):
            return prefix, text[len(prefix) + 1 :]
    return "", text


def _is_name(text: str) -> bool:
    """2-5 capitalised words (particles allowed), none of them an organization or role word."""
    words = text.split()
    if not 2 <= len(words) <= 5 or not words[0][:1].isupper() or not words[-1][:1].isupper():
        return False
    for word in words:
        if word in NAME_PARTICLES:
            continue
        if not word[:1].isupper() or word.isupper() or word in _not_name_words():
            return False
        if not re.fullmatch(r"[\w’'.-]+", word) or any(ch.isdigit() for ch in word):
            return False
    # "Somalia Transition Plan": a country's name inside makes it a proper noun of something else
    return not any(is_country(word) for word in words)


@dataclass
class _Name:
    name: str
    rank: str


def _as_name(text: str) -> _Name | None:
    """RANK_NAME: 'Brigadier General Hassan Hamadeh' -> name + rank; honorifics dropped."""
    text = _PAREN.sub("", text).strip(" .")
    _, text = _split_prefix(text, HONORIFICS)
    rank, rest = _split_prefix(text, RANKS)
    if _is_name(rest):
        return _Name(rest, rank)
    return None


@dataclass
class _Role:
    role: str
    org: Org | None


def _role_org(text: str, earlier: list[OrgMention], inherited: Org | None) -> _Role:
    """ORG_OF_ROLE."""
    text = _ROLE_TAIL.sub("", _PAREN.sub("", text)).strip()
    possessive = re.match(r"^([\w-]+)[’']s\s+(.*)$", text)
    if possessive:
        mentions = find_orgs(possessive.group(1))
        if mentions:
            return _Role(possessive.group(2), mentions[0].org)
    head = re.match(r"^(Council|Commission)\s+(.*)$", text)
    if head:
        return _Role(head.group(2), resolve_coreference("the " + head.group(1), earlier))
    mentions = find_orgs(text)
    if not mentions:
        return _Role(text, inherited)
    mention = mentions[0]
    rest = text[mention.end :]
    if not rest.strip() or rest.lstrip()[:1].isupper():  # at the end, or used attributively
        role = (text[: mention.start] + rest).strip()
        role = _DANGLING.sub("", re.sub(r"\s{2,}", " ", role)).strip()
        return _Role(role or text, mention.org)
    return _Role(text, mention.org)


def _is_role(text: str) -> bool:
    text = re.sub(r"^[\w-]+[’']s\s+", "", text)
    return any(text == w or text.startswith(w + " ") for w in ROLE_WORDS)


def _role_then_name(text: str) -> tuple[str, _Name] | None:
    """ROLE_THEN_NAME: a role followed, in the same chunk, by a (rank/honorific +) name."""
    if not _is_role(text):
        return None
    words = _PAREN.sub("", text).split()
    for size in range(min(6, len(words) - 1), 1, -1):
        name = _as_name(" ".join(words[-size:]))
        head = " ".join(words[:-size])
        # A long role glued to capitalised words is usually a title ("… Somalia Transition
        # Plan"); accept it only when an honorific or rank announces the name.
        announced = words[-size] in HONORIFICS or bool(name and name.rank)
        if name and head and _is_role(head) and (len(head.split()) <= 4 or announced):
            return head, name
    return None


@dataclass
class _Chunk:
    kind: str  # "N" name, "R" role, "RN" role+name, "X" other
    name: _Name | None = None
    role: _Role | None = None


def _chunks(sentence: str, earlier: list[OrgMention], cue: bool) -> list[_Chunk]:
    result: list[_Chunk] = []
    previous_org: Org | None = None
    for raw in re.split(r"[,;:]\s*", sentence):
        text = raw.strip(" .")
        # "Participating in the meeting were Head of …", "Present was Ahmed Yazji"
        if _UNTIL_VERB.match(text) and not _as_name(text):
            by_name = _UNTIL_VERB.sub("", text)
            if _as_name(_CONNECTORS.sub("", by_name)) or _is_role(_CONNECTORS.sub("", by_name)):
                text = by_name
        inherits = text.lower().startswith(("including", "notamment"))
        text = _CONNECTORS.sub("", text)
        name = _as_name(text)
        tight = None if name else _role_then_name(text)
        if name:
            result.append(_Chunk("N", name=name))
        elif tight:
            role = _role_org(tight[0], earlier, previous_org if inherits else None)
            result.append(_Chunk("RN", name=tight[1], role=role))
        elif _is_role(text):
            result.append(
                _Chunk("R", role=_role_org(text, earlier, previous_org if inherits else None))
            )
        else:
            # "… issued today by Council President Román Oyarzun Marchesi (Spain)"
            trailing = re.search(r"\bby\s+(.+)$", text) if cue else None
            name = _as_name(trailing.group(1)) if trailing else None
            tight = _role_then_name(trailing.group(1)) if trailing and not name else None
            if name:
                result.append(_Chunk("N", name=name))
            elif tight:
                result.append(_Chunk("RN", name=tight[1], role=_role_org(tight[0], earlier, None)))
            else:
                result.append(_Chunk("X"))
        mentions = find_orgs(raw)
        previous_org = mentions[-1].org if mentions else previous_org
    return _split_name_lists(result, sentence, cue)


def _split_name_lists(chunks: list[_Chunk], sentence: str, cue: bool) -> list[_Chunk]:
    """'M. Mohamed Bazoum et M. Abdelkader Messahel': two names in one chunk (cue sentences)."""
    if not cue:
        return chunks
    extra = []
    for raw in re.split(r"[,;:]\s*", sentence):
        text = _CONNECTORS.sub("", raw.strip(" ."))
        parts = re.split(r"\s+(?:et|and)\s+", text)
        if len(parts) > 1:
            names = [_as_name(_CONNECTORS.sub("", part)) for part in parts]
            extra.extend(_Chunk("N", name=n) for n in names if n and all(names))
    return chunks + extra


def _pair(chunks: list[_Chunk]) -> list[tuple[_Name, _Role | None, bool]]:
    """ROLE_NAME / NAME_ROLE: maximum adjacent matching, earliest pair on ties."""
    best: dict[int, list[tuple[int, int]]] = {len(chunks): [], len(chunks) + 1: []}
    for i in range(len(chunks) - 1, -1, -1):
        skip = best[i + 1]
        kinds = {chunks[i].kind, chunks[i + 1].kind} if i + 1 < len(chunks) else set()
        take = [(i, i + 1), *best[i + 2]] if kinds == {"N", "R"} else None
        best[i] = take if take is not None and len(take) >= len(skip) else skip
    paired: dict[int, int] = {}
    for a, b in best[0]:
        paired[a], paired[b] = b, a
    result: list[tuple[_Name, _Role | None, bool]] = []
    for i, chunk in enumerate(chunks):
        if chunk.kind == "RN" and chunk.name:
            result.append((chunk.name, chunk.role, True))
        elif chunk.kind == "N" and chunk.name:
            partner = chunks[paired[i]] if i in paired else None
            result.append((chunk.name, partner.role if partner else None, partner is not None))
    return result


def _known(people: list[Participant], name: str) -> Participant | None:
    """SAME_PERSON: same full name, or same surname."""
    surname = name.split()[-1]
    for person in people:
        if person.name == name or person.surname == surname:
            return person
    return None


def extract_participants(paragraphs: list[str]) -> list[Participant]:
    people: list[Participant] = []
    mentioned: list[OrgMention] = []  # organizations named so far, for "Council President"
    for paragraph in paragraphs:
        for sentence in sentences(paragraph):
            mentioned += find_orgs(sentence)
            earlier = mentioned
            cue = any(c in sentence.lower() for c in PARTICIPATION_CUES)
            for name, role, has_role in _pair(_chunks(sentence, earlier, cue)):
                if not (has_role or cue):
                    continue
                person = _known(people, name.name)
                if person is None:
                    person = Participant(name.name, rank=name.rank)
                    people.append(person)
                if role and not person.role:
                    person.role = role.role
                    person.organization = role.org.name if role.org else ""
                    person.organization_acronym = role.org.acronym if role.org else ""
    return people


def last_person_mentioned(text: str, people: list[Participant]) -> Participant | None:
    """The participant whose name or surname occurs last in the text (for 'He', 'She')."""
    best: tuple[int, Participant] | None = None
    for person in people:
        position = max(text.rfind(person.name), text.rfind(person.surname))
        if position >= 0 and (best is None or position > best[0]):
            best = (position, person)
    return best[1] if best else None


def speaker_of(sentence: str, before: str, people: list[Participant]) -> Participant | None:
    """The participant who says the sentence: named as its subject, or 'He' = last named."""
    opening = " ".join(sentence.split()[:4])
    for person in people:
        if person.surname in opening:
            return person
    if sentence.split()[:1] and sentence.split()[0] in _PRONOUNS:
        return last_person_mentioned(before, people)
    return None
