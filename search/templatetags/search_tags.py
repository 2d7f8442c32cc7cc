"""{% load search_tags %}{% more_like_this communique 5 as similar %}, {% facet_values values %}"""

from __future__ import annotations

import html
import logging

from django import template
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from search import service

register = template.Library()
logger = logging.getLogger(__name__)


@register.simple_tag
def more_like_this(communique, n: int = 5) -> list:
    try:
        return service.more_like_this(communique, n=n)
    except Exception:  # an unavailable index must not break the communiqué page
        logger.exception("more_like_this failed for %s", getattr(communique, "public_id", "?"))
        return []


_VALUE = (
    '<li><a class="facet-value" href="{0}" rel="nofollow">\n'
    '  <span class="facet-check" aria-hidden="true">☐</span>\n'
    '  <span class="facet-label">{1}</span> <span class="count">{2}</span></a></li>'
)
_SELECTED = (
    '<li><a class="facet-value is-selected" href="{0}" rel="nofollow" aria-current="true">\n'
    '  <span class="facet-check" aria-hidden="true">☑</span>\n'
    '  <span class="facet-label">{1}</span> <span class="count">{2}</span>'
    '<span class="visually-hidden"> {3}</span></a></li>'
)


@register.simple_tag
def facet_values(values) -> SafeString:
    """A facet's values as links (<li>), each toggling its value in the search.

    Drawn here rather than by an {% include %} per value: a search page lists up to 800
    values, and the include was most of the page's time (profiled). The escaping is
    Django's own (django.utils.html.escape is html.escape); counts are whole numbers, which
    Django prints as they are (no thousands separator is configured)."""
    remove = html.escape(gettext("(selected; choose to remove)"))
    items = [
        (_SELECTED if v.selected else _VALUE).format(
            html.escape(v.url), html.escape(str(v.label)), int(v.count), remove
        )
        for v in values
    ]
    return mark_safe("\n".join(items) + "\n" if items else "")
