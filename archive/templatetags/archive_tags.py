"""Template helpers for the public pages."""

from __future__ import annotations

from django import template
from django.utils.translation import get_language_info

from archive.highlight import highlight

register = template.Library()

# Scripts written right to left; a communiqué's text takes its direction from its language.
RTL_LANGUAGES = frozenset({"ar", "fa", "he", "ku", "ps", "sd", "ug", "ur", "yi"})


@register.filter
def text_dir(language: str) -> str:
    return "rtl" if (language or "").split("-")[0].lower() in RTL_LANGUAGES else "ltr"


@register.filter
def language_name(code: str) -> str:
    """ "Arabic (العربية)" for "ar"; the bare code when Django does not know it."""
    try:
        info = get_language_info(code)
    except KeyError:
        return code
    if info["name_local"] != info["name"]:
        return f"{info['name']} ({info['name_local']})"
    return info["name"]


@register.simple_tag
def paragraph_html(paragraph, marks: dict):
    return highlight(paragraph.text, marks.get(paragraph.number, ()))


@register.simple_tag(takes_context=True)
def absolute(context, path: str) -> str:
    return context["request"].build_absolute_uri(path)


@register.inclusion_tag("archive/_pagination.html", takes_context=True)
def pagination(context, page):
    query = context["request"].GET.copy()
    query.pop("page", None)
    return {"page": page, "query": query.urlencode()}
