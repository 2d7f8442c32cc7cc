"""The Elasticsearch and Solr declarations of the same analysis (no engine needed)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from search.engines.analyzers import ANALYSIS, SOLR_FIELD_TYPES, TEXT_MAPPING, query_fields

SCHEMA = Path(__file__).resolve().parents[2] / "search/solr/schema.xml"


def test_elasticsearch_declares_arabic_and_french_analyzers():
    analyzers = ANALYSIS["analyzer"]
    arabic = analyzers["bayan_arabic"]["filter"]
    assert {"arabic_normalization", "decimal_digit", "bayan_arabic_stemmer"} <= set(arabic)
    assert ANALYSIS["filter"]["bayan_arabic_stemmer"] == {"type": "stemmer", "language": "arabic"}
    french = analyzers["bayan_french"]["filter"]
    assert french.index("bayan_french_elision") < french.index("bayan_french_stemmer")
    assert "asciifolding" in french
    assert ANALYSIS["filter"]["bayan_french_stemmer"]["language"] == "light_french"
    main = analyzers["bayan_text"]["filter"]
    assert {"decimal_digit", "arabic_normalization", "asciifolding", "porter_stem"} <= set(main)
    # Every analyzer named by the mapping or an analyzer is declared.
    for sub in TEXT_MAPPING["fields"].values():
        assert sub["analyzer"] in analyzers
    declared = set(ANALYSIS["filter"])
    builtin = {"lowercase", "decimal_digit", "arabic_normalization", "asciifolding", "porter_stem"}
    for analyzer in analyzers.values():
        assert set(analyzer["filter"]) <= declared | builtin
        assert set(analyzer["char_filter"]) <= set(ANALYSIS["char_filter"])
    assert query_fields("text") == ["text", "text.ar", "text.fr"]


def test_the_language_tag_is_removed_before_tokenizing():
    import re

    from search.analysis import language_tag

    pattern = ANALYSIS["char_filter"]["bayan_language_tag"]["pattern"]
    assert re.sub(pattern, "", language_tag("fr") + "Genève") == "Genève"


def test_the_solr_schema_declares_the_same_filters():
    root = ET.parse(SCHEMA).getroot()
    types = {
        t.get("name"): [child.get("class") for child in t.find("analyzer")]
        for t in root.iter("fieldType")
    }
    assert types == SOLR_FIELD_TYPES
    assert "solr.ArabicNormalizationFilterFactory" in types["text_ar"]
    assert "solr.ArabicStemFilterFactory" in types["text_ar"]
    assert "solr.DecimalDigitFilterFactory" in types["text_ar"]
    assert "solr.FrenchLightStemFilterFactory" in types["text_fr"]
    assert "solr.ASCIIFoldingFilterFactory" in types["text_fr"]
    copies = {(c.get("source"), c.get("dest")) for c in root.iter("copyField")}
    assert copies == {("text", "text_ar"), ("text", "text_fr")}


def test_the_elasticsearch_backend_uses_them():
    pytest.importorskip("elasticsearch")
    from search.engines.elasticsearch import BayanElasticsearch7SearchBackend as Backend

    analysis = Backend.DEFAULT_SETTINGS["settings"]["analysis"]
    assert "bayan_arabic" in analysis["analyzer"]
    assert "edgengram_analyzer" in analysis["analyzer"]  # Haystack's own are kept
