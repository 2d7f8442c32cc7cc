"""Elasticsearch index settings and field mapping equivalent to search.analysis.

Plain data, so that tests can check it without an engine. Lucene's filters do what
search.analysis does by hand: `arabic_normalization` (hamza and alef forms, alef maqsura,
ta marbuta, tashkeel, tatweel), `decimal_digit` (Arabic-Indic and every other decimal digit
to 0-9), the `arabic` light stemmer, `elision` (l', d', qu'…), `asciifolding`, and the
`light_french` and `porter` stemmers.
"""

from __future__ import annotations

# The full-text value starts with a language tag (search.analysis.language_tag) that only
# Whoosh reads; these engines drop it before tokenizing.
LANGUAGE_TAG_PATTERN = "\ue002[a-z]*\ue002"

FRENCH_ELISIONS = [
    "l",
    "m",
    "t",
    "qu",
    "n",
    "s",
    "j",
    "d",
    "c",
    "jusqu",
    "quoiqu",
    "lorsqu",
    "puisqu",
]

ANALYSIS: dict = {
    "char_filter": {
        "bayan_language_tag": {
            "type": "pattern_replace",
            "pattern": LANGUAGE_TAG_PATTERN,
            "replacement": "",
        },
    },
    "filter": {
        "bayan_english_stop": {"type": "stop", "stopwords": "_english_"},
        "bayan_arabic_stop": {"type": "stop", "stopwords": "_arabic_"},
        "bayan_arabic_stemmer": {"type": "stemmer", "language": "arabic"},
        "bayan_french_elision": {
            "type": "elision",
            "articles_case": True,
            "articles": FRENCH_ELISIONS,
        },
        "bayan_french_stop": {"type": "stop", "stopwords": "_french_"},
        "bayan_french_stemmer": {"type": "stemmer", "language": "light_french"},
    },
    "analyzer": {
        # The main field: what every language shares, with English stemming (as Whoosh).
        "bayan_text": {
            "type": "custom",
            "char_filter": ["bayan_language_tag"],
            "tokenizer": "standard",
            "filter": [
                "lowercase",
                "decimal_digit",
                "arabic_normalization",
                "asciifolding",
                "bayan_english_stop",
                "porter_stem",
            ],
        },
        "bayan_arabic": {
            "type": "custom",
            "char_filter": ["bayan_language_tag"],
            "tokenizer": "standard",
            "filter": [
                "lowercase",
                "decimal_digit",
                "bayan_arabic_stop",
                "arabic_normalization",
                "bayan_arabic_stemmer",
            ],
        },
        "bayan_french": {
            "type": "custom",
            "char_filter": ["bayan_language_tag"],
            "tokenizer": "standard",
            "filter": [
                "bayan_french_elision",
                "lowercase",
                "decimal_digit",
                "asciifolding",
                "bayan_french_stop",
                "bayan_french_stemmer",
            ],
        },
    },
}

# Every full-text field: the shared analysis, plus one sub-field per language.
TEXT_MAPPING: dict = {
    "type": "text",
    "analyzer": "bayan_text",
    "fields": {
        "ar": {"type": "text", "analyzer": "bayan_arabic"},
        "fr": {"type": "text", "analyzer": "bayan_french"},
    },
}

LANGUAGE_SUBFIELDS = ("ar", "fr")


def query_fields(field: str) -> list[str]:
    """The field and its language sub-fields, all searched with the same words."""
    return [field, *(f"{field}.{language}" for language in LANGUAGE_SUBFIELDS)]


# The Solr field types of search/solr/schema.xml: (type, analyzer factories in order).
SOLR_FIELD_TYPES: dict[str, list[str]] = {
    "text_bayan": [
        "solr.PatternReplaceCharFilterFactory",
        "solr.StandardTokenizerFactory",
        "solr.LowerCaseFilterFactory",
        "solr.DecimalDigitFilterFactory",
        "solr.ArabicNormalizationFilterFactory",
        "solr.ASCIIFoldingFilterFactory",
        "solr.StopFilterFactory",
        "solr.PorterStemFilterFactory",
    ],
    "text_ar": [
        "solr.PatternReplaceCharFilterFactory",
        "solr.StandardTokenizerFactory",
        "solr.LowerCaseFilterFactory",
        "solr.DecimalDigitFilterFactory",
        "solr.StopFilterFactory",
        "solr.ArabicNormalizationFilterFactory",
        "solr.ArabicStemFilterFactory",
    ],
    "text_fr": [
        "solr.PatternReplaceCharFilterFactory",
        "solr.StandardTokenizerFactory",
        "solr.ElisionFilterFactory",
        "solr.LowerCaseFilterFactory",
        "solr.DecimalDigitFilterFactory",
        "solr.ASCIIFoldingFilterFactory",
        "solr.StopFilterFactory",
        "solr.FrenchLightStemFilterFactory",
    ],
}
