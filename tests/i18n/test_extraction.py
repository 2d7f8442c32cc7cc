"""Extraction from Arabic and French communiqués: dates, demands, issuers, resolutions."""

from __future__ import annotations

import datetime as dt

import pytest

from archive.ingest.extract import extract
from archive.ingest.extract.dates import find_dates


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("٣٠ تشرين أول ٢٠١٨", dt.date(2018, 10, 30)),  # Levantine month, Arabic-Indic digits
        ("١٠ تشرين الأول ٢٠٢٣", dt.date(2023, 10, 10)),
        ("01 تشرين الثاني 2013", dt.date(2013, 11, 1)),
        ("٢٢ كانون الثاني ٢٠١٩", dt.date(2019, 1, 22)),
        ("15 شباط 2021", dt.date(2021, 2, 15)),
        ("13 تموز 2018", dt.date(2018, 7, 13)),
        ("الخميس 5 آذار/مارس 2020", dt.date(2020, 3, 5)),  # both calendars' names
        ("2 كانون الأول/ديسمبر 2016", dt.date(2016, 12, 2)),
        ("١٢ أيار (مايو) ٢٠٢٢", dt.date(2022, 5, 12)),
        ("١٠ تِشْرِين الأوَّل ٢٠٢٣", dt.date(2023, 10, 10)),  # with tashkeel
        ("٢٠ ديسمبر ٢٠١٦", dt.date(2016, 12, 20)),  # Modern Standard Arabic month
        ("1er mars 2022", dt.date(2022, 3, 1)),
        ("(Münster, 4 novembre 2022)", dt.date(2022, 11, 4)),
        ("dimanche 8 avril 2012", dt.date(2012, 4, 8)),
        ("Genève, le 2 fevrier 2022", dt.date(2022, 2, 2)),  # accent left out
        ("les 11-12 décembre 2019", dt.date(2019, 12, 11)),
    ],
)
def test_arabic_and_french_dates(text, expected):
    [span] = find_dates(text)
    assert span.first == expected


ARABIC = """بيان صحفي
جامعة الدول العربية
الخميس 5 آذار/مارس 2020
يطالب مجلس الجامعة المجتمع الدولي بتحمل مسؤولياته تجاه المدنيين في إدلب.
كما يناشد المجلس الأمم المتحدة العمل على تنفيذ قرار مجلس الأمن رقم ٢٢٥٤.
وتدعو الجامعة جميع الأطراف إلى وقف إطلاق النار فوراً.
"""

FRENCH = """Communiqué de presse
Union africaine
Addis-Abeba, le 1er mars 2022
Le Conseil de paix et de sécurité appelle toutes les parties à cesser les hostilités.
Il exhorte la communauté internationale à soutenir la résolution 2254 (2015).
Le Conseil demande à toutes les parties de respecter le cessez-le-feu.
"""


def test_an_arabic_communique():
    record = extract(ARABIC)
    assert record.language == "ar"
    assert record.issuer == "Arab League"
    assert record.date == dt.date(2020, 3, 5)
    assert [d.addressees for d in record.demands] == [
        ["International community"],
        ["United Nations"],
        ["All parties"],
    ]
    assert [str(r) for r in record.resolutions] == ["UNSC Resolution 2254"]


def test_a_french_communique():
    record = extract(FRENCH)
    assert record.language == "fr"
    assert record.issuer == "African Union"
    assert record.date == dt.date(2022, 3, 1)
    assert [d.addressees for d in record.demands] == [
        ["All parties"],
        ["International community"],
        ["All parties"],
    ]
    assert [str(r) for r in record.resolutions] == ["UNSC Resolution 2254 (2015)"]
