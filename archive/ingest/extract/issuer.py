"""Issuer (organization), its acronym and the issuing body.

Rules:
- HEADER_ISSUER_LINE: a header line that is just an organization's name ("Syrian Opposition
  Coalition", "الائتلاف الوطني السوري") is the issuer; the next header line that is a body
  ("General Assembly", "الناطق الرسمي") is the issuing body.
- BODY_IMPLIES_PARENT: a body of a known organization ("Peace and Security Council",
  "North Atlantic Council") gives both the body and its organization.
- FIRST_MENTION: otherwise the first organization named in the header (title included), else
  in the first paragraph ("Security Council Press Statement …", "Adopted by the Peace and
  Security Council …"). Offices (the Secretary-General) never issue here.
"""

from __future__ import annotations

from dataclasses import dataclass

from .lexicon import GENERIC_BODIES, Org
from .orgs import by_name, find_orgs, whole_line_org


@dataclass(frozen=True)
class Issuer:
    name: str = ""
    acronym: str = ""
    body: str = ""


def _from_org(org: Org, body: str = "") -> Issuer:
    if org.kind == "body" and org.parent:
        parent = by_name(org.parent)
        if parent:
            return Issuer(parent.name, parent.acronym, body or org.name)
    return Issuer(org.name, org.acronym, body)


def _header_body(header: list[str], after: int) -> str:
    for line in header[after + 1 :]:
        if line in GENERIC_BODIES:
            return line
        org = whole_line_org(line)
        if org and org.kind == "body":
            return org.name
    return ""


def extract_issuer(header: list[str], paragraphs: list[str]) -> Issuer:
    for position, line in enumerate(header):
        org = whole_line_org(line)
        if org and org.kind == "org":
            return Issuer(org.name, org.acronym, _header_body(header, position))
    for block in (*header, *paragraphs[:1]):
        for mention in find_orgs(block):
            if mention.org.kind != "office":
                return _from_org(mention.org)
    return Issuer()
