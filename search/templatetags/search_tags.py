"""{% load search_tags %}{% more_like_this communique 5 as similar %}"""

from __future__ import annotations

import logging

from django import template

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
