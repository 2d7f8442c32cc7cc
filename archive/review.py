"""The review view of a communiqué: its text with every extracted item marked in place."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from archive.models import Communique


@dataclass
class Mark:
    start: int
    end: int
    kind: str  # participant, demand, place, resolution, organization
    label: str


@dataclass
class ReviewParagraph:
    number: int
    html: SafeString


def marked(communique: Communique) -> list[ReviewParagraph]:
    """Each paragraph escaped, with demands, participants, places and issuer marked."""
    terms: list[tuple[str, str]] = []
    for p in communique.participations.select_related("person", "organization"):
        terms.append(("participant", p.person.name))
        if p.organization:
            terms.append(("organization", p.organization.name))
    for place in communique.places.prefetch_related("aliases"):
        terms.extend(("place", alias.name) for alias in place.aliases.all())
    if communique.issuer:
        terms.append(("organization", communique.issuer.name))
    demands = list(communique.demands.all())
    out = []
    for paragraph in communique.paragraphs.all():
        text = paragraph.text
        marks = [
            Mark(m.start(), m.end(), "demand", "Demand")
            for d in demands
            if d.paragraph in (None, paragraph.number)
            for m in [re.search(re.escape(d.text.strip()), text)]
            if m
        ]
        for kind, term in terms:
            for m in re.finditer(rf"\b{re.escape(term)}\b", text):
                marks.append(Mark(m.start(), m.end(), kind, kind.title()))
        for m in re.finditer(r"\b\d{3,4}(?:\s*\(\d{4}\))?", text):
            if "esolution" in text[max(0, m.start() - 60) : m.start()]:
                marks.append(Mark(m.start(), m.end(), "resolution", "Resolution"))
        out.append(ReviewParagraph(paragraph.number, _render(text, marks)))
    return out


def _render(text: str, marks: list[Mark]) -> SafeString:
    # Demands are sentences: the other marks nest inside them, never across their edges.
    outer = [m for m in marks if m.kind == "demand"]
    inner = sorted((m for m in marks if m.kind != "demand"), key=lambda m: (m.start, -m.end))
    opening: dict[int, list[str]] = {}
    closing: dict[int, list[str]] = {}
    for m in outer:
        opening.setdefault(m.start, []).append(f'<mark class="review-demand" title="{m.label}">')
        closing.setdefault(m.end, []).insert(0, "</mark>")
    last_end = -1
    for m in inner:
        if m.start < last_end or any(o.start < m.start < o.end < m.end for o in outer):
            continue  # overlapping mentions: keep the first, longest one; never cross a demand
        last_end = m.end
        opening.setdefault(m.start, []).append(f'<mark class="review-{m.kind}" title="{m.label}">')
        closing.setdefault(m.end, []).insert(0, "</mark>")
    pieces = []
    for i, ch in enumerate(text):
        pieces.extend(closing.get(i, []))
        pieces.extend(opening.get(i, []))
        pieces.append(escape(ch))
    pieces.extend(closing.get(len(text), []))
    return mark_safe("".join(pieces))
