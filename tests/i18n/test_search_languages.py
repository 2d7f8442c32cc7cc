"""Queries in Arabic, French and English find their documents: real sentences, the real index."""

from __future__ import annotations

import pytest

from tests.search.factories import communique
from tests.search.helpers import api, facet, titles

pytestmark = pytest.mark.django_db

# From the Syrian Opposition Coalition's press statements (tests/data/extraction/in/*.ar.txt).
ROME = (
    "يؤكد الائتلاف الوطني لقوى الثورة والمعارضة السورية أنْ لا صلة له بهذه الوثيقة، ويدعو كافة "
    "الأطراف لتجنُّب أي خطوات تلحق ضرراً بالعملية السياسية، والتنفيذ الكامل والصارم لكامل "
    "قراراي مجلس الأمن ٢٢٥٤ و٢١١٨، وبيان جنيف١ (٢٠١٢)."
)
LATAKIA = (
    "يندد الائتلاف الوطني السوري بأي اعتداء على التراب السوري، محملاً نظام الأسد المسؤولية "
    "الكاملة عن إضعاف الجيش السوري والدولة السورية."
)
COALITION = "وشارك رئيس الائتلاف في الاجتماع، وأشاد بالائتلاف وبالمعارضة في إدلب."
DIACRITIZED = "إِنَّ الشَّعْبَ السُّورِيَّ يُطَالِبُ بِالحُرِّيَّةِ وَالكَرَامَةِ."
# From the G7 foreign ministers' declaration (Münster) and the "pays du champ" communiqué.
MUNSTER = (
    "Nous appelons une nouvelle fois la Russie à cesser immédiatement sa guerre d’agression "
    "contre l’Ukraine et à retirer toutes ses forces et ses équipements militaires."
)
NOUAKCHOTT = (
    "Ils ont rappelé leur attachement aux principes du respect de l'intangibilité des "
    "frontières, de l'intégrité territoriale et de la souveraineté des Etats, édictés dans les "
    "chartes de l'Union Africaine et des Nations Unies."
)
GENEVA_FR = (
    "Le Conseil rappelle ses résolutions antérieures et les accords internationaux conclus à "
    "Genève, et appelle à la mise en œuvre de la résolution 2254 (2015)."
)
ENGLISH = "The Council recalled resolution 2254 and condemned the bombing of Aleppo."


@pytest.fixture
def corpus(index):
    docs = {
        "rome": communique("Rome", [ROME], language="ar", date="2018-10-30"),
        "latakia": communique("Latakia", [LATAKIA], language="ar", date="2013-11-01"),
        "coalition": communique("Coalition", [COALITION], language="ar", date="2020-01-01"),
        "freedom": communique("Freedom", [DIACRITIZED], language="ar", date="2021-03-15"),
        "munster": communique("Munster", [MUNSTER], language="fr", date="2022-11-04"),
        "nouakchott": communique("Nouakchott", [NOUAKCHOTT], language="fr", date="2012-04-08"),
        "geneva-fr": communique("Geneve FR", [GENEVA_FR], language="fr", date="2016-03-01"),
        "english": communique("English", [ENGLISH], language="en", date="2016-12-20"),
    }
    index()
    return docs


def found(client, q: str) -> set[str]:
    return set(titles(api(client, q=q)))


def test_arabic_prefixes_and_article(client, corpus):
    # "الائتلاف" finds "والائتلاف", "بالائتلاف" and the bare article form alike.
    assert found(client, "الائتلاف") == {"Rome", "Latakia", "Coalition"}
    assert found(client, "بالائتلاف") == {"Rome", "Latakia", "Coalition"}
    assert "Coalition" in found(client, "المعارضة")  # written "وبالمعارضة"


def test_arabic_diacritics_either_way(client, corpus):
    # An undiacritized query finds diacritized text, and the reverse.
    assert found(client, "الشعب") == {"Freedom"}
    assert found(client, "يطالب") == {"Freedom"}
    assert found(client, "الوَطَنِيّ") == {"Rome", "Latakia"}
    assert found(client, '"الجَيْش السُّورِيّ"') == {"Latakia"}


def test_arabic_alef_hamza_and_ta_marbuta_forms(client, corpus):
    assert found(client, "ادلب") == {"Coalition"}  # written إدلب
    assert found(client, "إدلب") == {"Coalition"}
    assert found(client, "الامن") == {"Rome"}  # written الأمن
    assert found(client, "الدوله") == {"Latakia"}  # written الدولة
    assert found(client, "الوثيقه") == {"Rome"}


def test_arabic_indic_and_western_digits_meet(client, corpus):
    assert found(client, "٢٢٥٤") == {"Rome", "Geneve FR", "English"}
    assert found(client, "2118") == {"Rome"}  # written ٢١١٨ (with a و before it)
    assert "Rome" in found(client, "2254")


def test_an_arabic_phrase(client, corpus):
    assert found(client, '"مجلس الأمن"') == {"Rome"}
    assert found(client, '"نظام الاسد"') == {"Latakia"}


def test_french_stemming_and_accents(client, corpus):
    assert found(client, "résolutions") == {"Geneve FR", "English"}
    assert found(client, "resolution") == {"Geneve FR", "English"}
    assert found(client, "geneve") == {"Geneve FR"}
    assert found(client, "Genève") == {"Geneve FR"}
    assert found(client, "appeler") == {"Geneve FR"}  # appelle
    assert found(client, "appelons") == {"Munster"}
    assert found(client, "internationales") == {"Geneve FR"}  # internationaux
    assert found(client, "souverainete") == {"Nouakchott"}
    assert found(client, "frontière") == {"Nouakchott"}


def test_a_french_phrase_with_elision(client, corpus):
    assert found(client, '"intégrité territoriale"') == {"Nouakchott"}
    assert found(client, '"guerre d’agression"') == {"Munster"}


def test_english_is_unchanged(client, corpus):
    assert found(client, "bomb") == {"English"}
    assert found(client, "condemn") == {"English"}


def test_highlights_mark_arabic_and_french_matches(client, corpus):
    [hit] = api(client, q="بالائتلاف", language="ar", date_from="2013", date_to="2013")["results"]
    assert "<mark>الائتلاف</mark>" in hit["highlights"][0]
    [hit] = api(client, q="internationales")["results"]
    assert "<mark>internationaux</mark>" in hit["highlights"][0]


def test_no_did_you_mean_for_a_correct_arabic_or_accented_word(client, corpus):
    assert api(client, q="الأمن")["suggestion"] is None
    assert api(client, q="Genève")["suggestion"] is None


def test_language_is_a_facet(client, corpus):
    assert facet(api(client), "language") == {"ar": 4, "fr": 3, "en": 1}
    assert set(titles(api(client, language="fr"))) == {"Munster", "Nouakchott", "Geneve FR"}
