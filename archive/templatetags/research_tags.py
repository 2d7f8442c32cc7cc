"""Tags that put the research views' sections on the existing pages (archive.research)."""

from __future__ import annotations

from django import template

from archive.research import charts, citations_timeline, compare, cooccurrence

register = template.Library()


@register.simple_tag
def chart_svg(chart):
    return charts.bar_chart_svg(chart)


@register.simple_tag
def chart_legend(chart):
    return charts.legend_html(chart)


@register.simple_tag
def has_previous_from_issuer(communique):
    return compare.has_previous_from_issuer(communique)


@register.inclusion_tag("research/_entity_research.html")
def entity_research(kind, entity, communiques):
    """Timeline, co-occurrence, role changes (people) and citations (resolutions), of the
    entity's `communiques` as its page read them (their ids, read once: stats)."""
    facet = citations_timeline.primary_facet(kind.key, entity)
    context = {
        "kind": kind,
        "entity": entity,
        "timeline": citations_timeline.entity_timeline(
            kind.key, entity, facet=facet, communiques=communiques
        ),
        "cooccurring": cooccurrence.cooccurring(
            kind.key, entity, facet=facet, communiques=communiques
        ),
        "role_changes": None,
        "citations": None,
    }
    if kind.key == "people":
        context["role_changes"] = citations_timeline.role_changes(entity)
    if kind.key == "resolutions":
        context["citations"] = citations_timeline.resolution_citations(entity)
        context["citations_chart"] = citations_timeline.citations_chart(entity)
    return context
