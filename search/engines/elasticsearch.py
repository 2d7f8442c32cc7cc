"""Elasticsearch 7 with Bayan's analyzers.

ENGINE "search.engines.elasticsearch.BayanElasticsearch7Engine".

Importing this module needs the `elasticsearch` client (the `elasticsearch` extra).
"""

from __future__ import annotations

import copy

from haystack.backends import BaseEngine
from haystack.backends.elasticsearch7_backend import (
    Elasticsearch7SearchBackend,
    Elasticsearch7SearchQuery,
)

from search.engines.analyzers import ANALYSIS, TEXT_MAPPING, query_fields


def index_settings(base: dict) -> dict:
    """Haystack's index settings with Bayan's analyzers added."""
    settings = copy.deepcopy(base)
    analysis = settings.setdefault("settings", {}).setdefault("analysis", {})
    for kind, declarations in ANALYSIS.items():
        analysis.setdefault(kind, {}).update(copy.deepcopy(declarations))
    return settings


def _search_all_languages(node, content_field: str):
    """Every query_string on the content field searches its language sub-fields too."""
    if isinstance(node, dict):
        inner = node.get("query_string")
        if isinstance(inner, dict) and inner.get("default_field") == content_field:
            del inner["default_field"]
            inner["fields"] = query_fields(content_field)
        for value in node.values():
            _search_all_languages(value, content_field)
    elif isinstance(node, list):
        for value in node:
            _search_all_languages(value, content_field)


class BayanElasticsearch7SearchBackend(Elasticsearch7SearchBackend):
    DEFAULT_SETTINGS = index_settings(Elasticsearch7SearchBackend.DEFAULT_SETTINGS)
    DEFAULT_FIELD_MAPPING = TEXT_MAPPING

    def build_schema(self, fields):
        content_field_name, mapping = super().build_schema(fields)
        for field_mapping in mapping.values():
            if field_mapping.get("type") != "text":
                field_mapping.pop("fields", None)  # keywords (facets, stored values)
        return content_field_name, mapping

    def build_search_kwargs(self, query_string, **kwargs):
        search_kwargs = super().build_search_kwargs(query_string, **kwargs)
        _search_all_languages(search_kwargs, self._content_field())
        return search_kwargs

    def _content_field(self) -> str:
        import haystack

        return haystack.connections[self.connection_alias].get_unified_index().document_field


class BayanElasticsearch7Engine(BaseEngine):
    backend = BayanElasticsearch7SearchBackend
    query = Elasticsearch7SearchQuery
