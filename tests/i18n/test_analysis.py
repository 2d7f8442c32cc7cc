"""search.analysis on its own: normalization, stemming and the analyzer's modes."""

from __future__ import annotations

import pytest

from search.analysis import arabic_stem, language_tag, normalize, spelling_form, text_analyzer


def terms(text: str, **kwargs) -> list[str]:
    return [t.text for t in text_analyzer()(text, **kwargs)]


@pytest.mark.parametrize(
    ("written", "normalized"),
    [
        ("الأَمِينُ", "الامين"),  # tashkeel
        ("الأمـــين", "الامين"),  # tatweel
        ("إدلب", "ادلب"),  # alef with hamza below
        ("آذار", "اذار"),  # alef madda
        ("ٱلله", "الله"),  # alef wasla
        ("مؤتمر", "موتمر"),  # waw with hamza
        ("هيئة", "هييه"),  # yeh with hamza, ta marbuta
        ("مستشفى", "مستشفي"),  # alef maqsura
        ("٢٢٥٤", "2254"),  # Arabic-Indic digits
        ("۲۰۱۵", "2015"),  # Persian digits
        ("Genève", "geneve"),
        ("Résolution", "resolution"),
    ],
)
def test_normalize(written, normalized):
    assert normalize(written) == normalized


@pytest.mark.parametrize(
    ("word", "stem"),
    [
        ("الائتلاف", "ايتلاف"),
        ("والائتلاف", "ايتلاف"),
        ("بالائتلاف", "ايتلاف"),
        ("للائتلاف", "ايتلاف"),
        ("فالائتلاف", "ايتلاف"),
        ("المعارضة", "معارض"),
        ("السورية", "سور"),
        ("السوريين", "سور"),
        ("قرارات", "قرار"),
    ],
)
def test_arabic_light_stem(word, stem):
    assert arabic_stem(normalize(word)) == stem


def test_a_one_letter_proclitic_is_an_alternative_not_a_rewrite():
    # "وزير" (minister) keeps its waw; "وبسوريا" (and in Syria) also yields "سوريا".
    assert terms("وزير", mode="index") == ["وزير", "زير"]
    assert terms("وبسوريا", mode="index") == ["وبسوريا", "بسوريا", "سوريا"]


def test_diacritized_arabic_stays_one_word():
    assert terms("كَتَبَ الأَمِينُ العَامُّ") == ["كتب", "امين", "عام"]


def test_french_stems_only_in_french_documents_and_queries():
    assert terms(language_tag("fr") + "internationaux", mode="index") == [
        "internationaux",
        "fr:international",
    ]
    assert terms(language_tag("en") + "internationaux", mode="index") == ["internationaux"]
    assert terms("internationales", mode="query") == ["international", "fr:international"]


def test_phrase_queries_get_one_term_per_word():
    # Whoosh's phrase parser asks for character offsets and reads tokens as consecutive words.
    assert terms("Conseil de sécurité", mode="query", chars=True) == ["conseil", "securit"]


def test_the_language_tag_is_not_a_word_and_keeps_offsets():
    text = language_tag("fr") + "Genève"
    tokens = [(t.text, t.startchar, t.endchar) for t in text_analyzer()(text, chars=True)]
    assert [t[0] for t in tokens] == ["genev", "fr:genev"]
    assert text[tokens[0][1] : tokens[0][2]] == "Genève"


def test_french_and_arabic_function_words_are_dropped():
    assert terms("les résolutions du Conseil", mode="index") == ["resolut", "conseil"]
    assert terms("في سوريا", mode="index") == ["سوريا"]


def test_spelling_form_is_normalized_not_stemmed():
    assert spelling_form("الأمن") == "الامن"
    assert spelling_form("Genève") == "geneve"
