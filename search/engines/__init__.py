"""The scale engines' side of search.analysis: Elasticsearch and Solr analyzers.

Whoosh picks a stemmer per word (search.analysis); Elasticsearch and Solr declare one
analyzer per language instead and search them all at once: the full-text field `text` has
the language-neutral analysis (English stemming, Arabic letters and digits unified, accents
folded) and two sub-fields, `text.ar` (Arabic normalization and light stemming) and
`text.fr` (elision, folding, French light stemming), each queried with the same words.

- `search.engines.analyzers`: the declarations, as plain data (no engine client needed);
- `search.engines.elasticsearch`: a Haystack Elasticsearch 7 backend that creates the index
  with them and queries the three fields (SEARCH_URL=elasticsearch://… with
  ENGINE "search.engines.elasticsearch.BayanElasticsearch7Engine");
- `search.engines.solr` and `search/solr/schema.xml`: the same for Solr.
"""
