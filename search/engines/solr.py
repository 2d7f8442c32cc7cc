"""Solr with Bayan's analyzers: ENGINE "search.engines.solr.BayanSolrEngine".

The core's schema declares the field types of search/solr/schema.xml; queries use edismax
over the full-text field and its per-language copies. Needs `pysolr` (the `solr` extra).
"""

from __future__ import annotations

from haystack.backends import BaseEngine
from haystack.backends.solr_backend import SolrSearchBackend, SolrSearchQuery

# The copies search/solr/schema.xml fills from `text`.
LANGUAGE_FIELDS = ("text", "text_ar", "text_fr")


class BayanSolrSearchBackend(SolrSearchBackend):
    def build_search_kwargs(self, query_string, **kwargs):
        search_kwargs = super().build_search_kwargs(query_string, **kwargs)
        # edismax reads the same Lucene syntax (AND, OR, NOT, "phrases", field:value) and
        # searches the unprefixed words in every language's copy of the text.
        search_kwargs.setdefault("defType", "edismax")
        search_kwargs.setdefault("qf", " ".join(LANGUAGE_FIELDS))
        return search_kwargs


class BayanSolrEngine(BaseEngine):
    backend = BayanSolrSearchBackend
    query = SolrSearchQuery
