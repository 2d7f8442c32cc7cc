"""Demands: sentences in which the issuer (or a speaker for it) calls on someone to act.

Rules:
- DEMAND_VERB: a demand verb of the text's language ("appealed to", "called on", "urged",
  "appelons", "exigé", "يدعو") makes the sentence a demand. The addressees are what follows the
  verb up to the infinitive ("appealed to the UN Security Council to convene").
- PASSIVE_DEMAND: "X had been urged to condemn": the addressees are the subject X.
- NEED_FOR_X_TO: "the only way … is for the international community to fulfill", "the need for
  all States to combat": a need laid on a named addressee is a demand on it.
- THIS_CALL: a sentence that the next one calls "This call" is a demand; asking for
  "international" stances or measures addresses the international community.
- COREFERENCE: "the Council" is the last Council named before ("UN Security Council").
Addressees are canonical lexicon names ("International community", "UN Security Council") or
gazetteer names (countries); an unknown noun phrase is kept, capitalised, without its article.
A speaker's demand is still the issuer's demand: the speaker is recorded apart.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .lexicon import BACK_REFERENCE_TO_CALL, COLLECTIVE_ADDRESSEES, DEMAND_VERBS, REPORTING_VERBS
from .orgs import OrgMention, find_orgs, resolve_coreference
from .participants import Participant, speaker_of
from .places import lookup_place
from .text import sentences


@dataclass
class Demand:
    text: str
    addressees: list[str] = field(default_factory=list)
    paragraph: int = 0  # 1-based index into Extraction.paragraphs
    verb: str = ""
    speaker: str = ""


def _verb_pattern(language: str) -> re.Pattern[str]:
    verbs = sorted(DEMAND_VERBS.get(language, DEMAND_VERBS["en"]), key=len, reverse=True)
    alternation = "|".join(re.escape(v) for v in verbs)
    if language == "ar":  # a verb may carry the conjunction و or ف
        return re.compile(rf"(?<!\w)[وف]?(?P<verb>{alternation})(?!\w)")
    # a noun ("the SOC’s demands", "people’s demands") is not a verb
    return re.compile(rf"(?<![’'])(?<!\bthe )(?<!\btheir )\b(?P<verb>{alternation})\b", re.I)


_PASSIVE = re.compile(
    r"\b(?:that\s+)?(?P<subject>[^.;]+?)\s+(?:had|have|has|were|was|are|is|be)\s+been\s+"
    r"(?P<verb>urged|called on|called upon|asked|requested|invited)\s+to\b"
)
_NEED_FOR = re.compile(
    r"\b(?:need|way|necessity|essential|important|imperative|time)\b[^.;]*?\bfor\s+"
    r"(?P<who>(?:the\s+|all\s+)?[\w\s-]{3,60}?)\s+to\s+[a-z]"
)
_EN_INFINITIVE = re.compile(r"\s+to\s+(?!the\b)[a-z]|;|$")
_FR_INFINITIVE = re.compile(r"\s(?:à|de|d’|d')\s*[a-zà-ÿ]|;|$")
_STOP_PIECE = re.compile(
    r"^(?:in|with|as|including|notably|particularly|inside|under|on|for|by|while)\b", re.I
)
_ARTICLE = re.compile(r"^(?:and\s+|the\s+|his\s+|her\s+|its\s+|le\s+|la\s+|les\s+|l’|l')+", re.I)
_ARABIC_WINDOW = 5  # words after an Arabic demand verb in which its addressee stands


def _collective(piece: str) -> str:
    lowered = piece.lower()
    for phrase, canonical in sorted(COLLECTIVE_ADDRESSEES.items(), key=lambda kv: -len(kv[0])):
        if phrase in lowered:
            return canonical
    return ""


def _resolve_piece(piece: str, earlier: list[OrgMention], fallback: bool) -> str:
    """One addressee phrase -> canonical name ('' when it names nobody)."""
    collective = _collective(piece)
    if collective:
        return collective
    mentions = find_orgs(piece)
    if mentions:
        return mentions[0].org.name
    coreferent = resolve_coreference(piece, earlier)
    if coreferent:
        return coreferent.name
    place = lookup_place(piece)
    if place and place.kind == "country":
        return place.name
    if not fallback:
        return ""
    cleaned = _ARTICLE.sub("", piece.strip()).strip(" ,.")
    return cleaned[:1].upper() + cleaned[1:] if cleaned else ""


def _addressees(phrase: str, earlier: list[OrgMention], fallback: bool = True) -> list[str]:
    """Split 'the United Nations, the Arab League, and active countries …' and resolve each."""
    protected = phrase
    for mention in find_orgs(phrase):  # "Peace and Security Council" must not split at "and"
        protected = protected.replace(mention.surface, mention.surface.replace(" and ", " & "))
    found: list[str] = []
    for piece in re.split(r",\s*(?:and\s+)?|\s+and\s+|\s+et\s+", protected):
        piece = piece.replace(" & ", " and ").strip()
        if not piece:
            continue
        if _STOP_PIECE.match(piece):
            break
        name = _resolve_piece(piece, earlier, fallback)
        if name and name not in found:
            found.append(name)
    return found


# "demande à toutes les parties de …", "demande aux États de …": the addressee follows "à".
_FR_DATIVE = re.compile(r"^\s*(?:à|aux|au)\s+")


def _after_verb(sentence: str, end: int, language: str) -> str:
    rest = sentence[end:]
    if language == "fr":
        rest = _FR_DATIVE.sub(" ", rest)
    stop = (_FR_INFINITIVE if language == "fr" else _EN_INFINITIVE).search(rest)
    return rest[: stop.start()] if stop else rest


def _find_addressees(
    sentence: str, language: str, earlier: list[OrgMention]
) -> tuple[str, list[str]] | None:
    """DEMAND_VERB and PASSIVE_DEMAND: (verb, addressees) or None if no demand verb."""
    if language == "en":
        passive = _PASSIVE.search(sentence)
        if passive:
            return passive.group("verb"), _addressees(passive.group("subject"), earlier)
    match = _verb_pattern(language).search(sentence)
    if not match:
        return None
    verb = match.group("verb")
    if language == "ar":
        window = " ".join(sentence[match.end() :].split()[:_ARABIC_WINDOW])
        names = [_collective(window)] if _collective(window) else []
        names += [m.org.name for m in find_orgs(window) if m.org.name not in names]
        return verb, names
    if verb.lower().endswith(" for"):  # "called for a ceasefire": no addressee named
        return verb, []
    phrase = _after_verb(sentence, match.end(), language)
    return verb, _addressees(phrase, earlier, fallback=language == "en")


def _need_for(sentence: str, earlier: list[OrgMention]) -> list[str]:
    """NEED_FOR_X_TO: only when X is a known addressee (not 'for civilians to …')."""
    match = _NEED_FOR.search(sentence)
    if not match:
        return []
    return _addressees(match.group("who"), earlier, fallback=False)


def _reporting_verb(sentence: str) -> str:
    for word in re.findall(r"\w+", sentence):
        if word in REPORTING_VERBS:
            return word
    return ""


def extract_demands(
    paragraphs: list[str], language: str, people: list[Participant]
) -> list[Demand]:
    found: list[Demand] = []
    before = ""
    earlier: list[OrgMention] = []  # organizations named before this sentence ("the Council")
    for number, paragraph in enumerate(paragraphs, start=1):
        said = sentences(paragraph)
        for position, sentence in enumerate(said):
            following = said[position + 1] if position + 1 < len(said) else ""
            demand = _demand(sentence, following, language, earlier)
            if demand:
                demand.paragraph = number
                speaker = speaker_of(sentence, before, people)
                demand.speaker = speaker.name if speaker else ""
                found.append(demand)
            before += sentence + "\n"
            earlier = earlier + find_orgs(sentence)
    return found


def _demand(
    sentence: str, following: str, language: str, earlier: list[OrgMention]
) -> Demand | None:
    verb_and_addressees = _find_addressees(sentence, language, earlier)
    if verb_and_addressees:
        verb, addressees = verb_and_addressees
        return Demand(sentence, addressees, verb=verb)
    if language == "en":
        needed = _need_for(sentence, earlier)
        if needed:
            return Demand(sentence, needed, verb=_reporting_verb(sentence))
        if following.startswith(BACK_REFERENCE_TO_CALL):
            implicit = ["International community"] if "international" in sentence else []
            return Demand(sentence, implicit, verb=_reporting_verb(sentence))
    return None
