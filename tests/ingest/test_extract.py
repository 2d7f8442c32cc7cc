"""Unit tests, one or more per extraction rule (pure Python, no Django settings needed)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archive.ingest.extract import extract
from archive.ingest.extract.dates import find_dates, first_meeting_sentence, meeting_dates
from archive.ingest.extract.language import detect_language
from archive.ingest.extract.places import find_places
from archive.ingest.extract.resolutions import ResolutionRef, find_resolutions
from archive.ingest.extract.text import normalize_digits, sentences


# tests/conftest.py gives every test a Django media directory and search index; extraction is
# pure Python and must run without Django settings, so these tests opt out of both.
@pytest.fixture(autouse=True)
def media_dir() -> None:
    return None


@pytest.fixture(autouse=True)
def search_index() -> None:
    return None


HEADER = "Final communique\nSyrian Opposition Coalition\nGeneral Assembly\nOctober 10, 2023\n"


def people(text: str) -> list[tuple[str, str, str, str]]:
    record = extract(HEADER + text)
    return [(p.name, p.role, p.organization, p.rank) for p in record.participants]


# --- participants -------------------------------------------------------------------------


def test_role_comma_name() -> None:
    got = people(
        "Participating were Head of the Syrian Interim Government (SIG), Abdurrahman Mustafa."
    )
    assert got == [("Abdurrahman Mustafa", "Head", "Syrian Interim Government", "")]


def test_name_comma_role_of_org() -> None:
    got = people(
        "Also in attendance were Badr Jamous, President of the Syrian Negotiations Commission."
    )
    assert got == [("Badr Jamous", "President", "Syrian Negotiations Commission", "")]


def test_rank_name_inherits_org_from_including() -> None:
    got = people(
        "Present were SIG’s ministers, including the Minister of Defense, Brigadier General "
        "Hassan Hamadeh, and others."
    )
    assert got == [
        ("Hassan Hamadeh", "Minister of Defense", "Syrian Interim Government", "Brigadier General")
    ]


def test_mixed_list_pairs_every_role_with_one_name() -> None:
    got = people(
        "Also in attendance were Badr Jamous, President of the Syrian Negotiations Commission, "
        "Executive Director of the Assistance Coordination Unit, Muhammad Hasno."
    )
    assert [(name, role) for name, role, _, _ in got] == [
        ("Badr Jamous", "President"),
        ("Muhammad Hasno", "Executive Director"),
    ]


def test_org_inside_role_leaves_the_role() -> None:
    got = people("Present was Member of the Civil Defense Board of Directors, Ahmed Yazji.")
    assert got == [("Ahmed Yazji", "Member of the Board of Directors", "Syrian Civil Defense", "")]


def test_later_mentions_are_the_same_person() -> None:
    record = extract(
        HEADER + "Present were the Minister of Defense, Brigadier General Hassan Hamadeh.\n"
        "Brigadier General Hamadeh provided a briefing. President Hamadeh, Hassan Hamadeh spoke."
    )
    assert [p.name for p in record.participants] == ["Hassan Hamadeh"]


def test_unnamed_groups_are_not_participants() -> None:
    assert (
        people("Present were representatives of the Syrian National Army and the vice-presidents.")
        == []
    )


def test_french_honorific_names_in_participation_sentence() -> None:
    record = extract(
        "Ont participé à cette rencontre, outre le ministre des affaires étrangères M. Hamady "
        "Ould Hamady, ses homologues, respectivement M. Mohamed Bazoum et M. Abdelkader Messahel."
    )
    assert [p.name for p in record.participants] == [
        "Hamady Ould Hamady",
        "Mohamed Bazoum",
        "Abdelkader Messahel",
    ]


# --- dates -------------------------------------------------------------------------------


def test_relative_meeting_weekday_is_the_one_before_the_header_date() -> None:
    record = extract(HEADER + "The coalition convened an emergency meeting on Monday to talk.")
    assert record.date == dt.date(2023, 10, 10)
    assert record.meeting_date == dt.date(2023, 10, 9)


def test_meeting_range_gives_first_day_and_issue_falls_back_to_last_day() -> None:
    record = extract(
        "Statement\nThe SNC held its periodic meeting in Geneva, on November 17-18, 2023."
    )
    assert record.meeting_date == dt.date(2023, 11, 17)
    assert record.date == dt.date(2023, 11, 18)
    assert record.meeting_place == "Geneva"


def test_arabic_indic_digits_are_normalised() -> None:
    assert normalize_digits("٢٠٢٣ ۱۲") == "2023 12"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("١٠ تشرين الأول ٢٠٢٣", dt.date(2023, 10, 10)),
        ("٣٠ تشرين أول ٢٠١٨", dt.date(2018, 10, 30)),
        ("5 كانون الثاني 2020", dt.date(2020, 1, 5)),
        ("9 مارس 2010", dt.date(2010, 3, 9)),
        ("10 octobre 2023", dt.date(2023, 10, 10)),
        ("le 1er mars 2022", dt.date(2022, 3, 1)),
        ("Issued on 11 Jul. 2018", dt.date(2018, 7, 11)),
        ("October 10, 2023", dt.date(2023, 10, 10)),
    ],
)
def test_dates_in_many_languages(text: str, expected: dt.date) -> None:
    assert find_dates(text)[0].first == expected


def test_arabic_header_date() -> None:
    record = extract(
        "تصريح صحفي\nالائتلاف الوطني السوري\nالمكتب الإعلامي\n١٠ تشرين الأول ٢٠٢٣\n" + "نص " * 20
    )
    assert record.date == dt.date(2023, 10, 10)
    assert record.issuer == "Syrian Opposition Coalition"
    assert record.issuer_body == "المكتب الإعلامي"
    assert record.language == "ar"


def test_french_dateline_dates_and_places_the_meeting() -> None:
    record = extract(
        "Déclaration des ministres du G7 (Münster, 4 novembre 2022)\n"
        "Nous appelons une nouvelle fois la Russie à cesser immédiatement sa guerre."
    )
    assert (record.title, record.issuer, record.language) == (
        "Déclaration des ministres du G7",
        "Group of Seven",
        "fr",
    )
    assert record.date == record.meeting_date == dt.date(2022, 11, 4)
    assert record.meeting_place == "Münster"


def test_meeting_weekday_needs_a_meeting_sentence() -> None:
    meeting = first_meeting_sentence(["A delegation will visit Paris on Tuesday."])
    assert meeting_dates(meeting, dt.date(2023, 10, 10)) is None


# --- demands -----------------------------------------------------------------------------


def demands(text: str) -> list[tuple[list[str], str]]:
    return [(d.addressees, d.verb) for d in extract(HEADER + text).demands]


def test_appeal_to_named_addressee() -> None:
    assert demands("Al-Bahra appealed to the UN Security Council to convene a session.") == [
        (["UN Security Council"], "appealed to")
    ]


def test_the_council_refers_back_to_the_security_council() -> None:
    got = demands(
        "Al-Bahra appealed to the UN Security Council to convene a session. "
        "He called on the Council to shoulder its responsibility."
    )
    assert got[1] == (["UN Security Council"], "called on")


def test_passive_urged_gives_the_subject_as_addressees() -> None:
    got = demands(
        "He noted that the United Nations, the Arab League, and active countries in the Syrian "
        "conflict had been urged to condemn the assault."
    )
    assert got == [
        (["United Nations", "Arab League", "Active countries in the Syrian conflict"], "urged")
    ]


def test_need_for_x_to_and_this_call() -> None:
    got = demands(
        "The attendees stressed that the only way is for the international community to act. "
        "He emphasized the urgent need for international measures to protect civilians. "
        "This call came after the attacks."
    )
    assert got == [
        (["International community"], "stressed"),
        (["International community"], "emphasized"),
    ]


def test_noun_demands_is_not_a_demand() -> None:
    assert demands("They underscored the unity of the people’s demands for freedom.") == []


def test_prepositional_aside_is_not_an_addressee() -> None:
    got = demands(
        "They urged all States, in accordance with relevant Security Council resolutions, to "
        "cooperate actively."
    )
    assert got == [(["All States"], "urged")]


def test_french_and_arabic_demand_verbs() -> None:
    french = extract("Nous appelons la Russie à cesser sa guerre d’agression contre l’Ukraine.")
    assert [d.addressees for d in french.demands] == [["Russia"]]
    arabic = extract(
        "يؤكد الائتلاف موقفه، ويدعو كافة الأطراف لتجنب أي خطوات تلحق ضرراً بالعملية السياسية."
    )
    assert [d.addressees for d in arabic.demands] == [["All parties"]]


def test_speaker_is_recorded_apart() -> None:
    record = extract(
        HEADER + "SOC’s President, Hadi Al-Bahra, gave a briefing. He called on the UN Security "
        "Council to act."
    )
    assert record.demands[0].speaker == "Hadi Al-Bahra"
    assert record.demands[0].paragraph == 1


# --- resolutions, places, language -----------------------------------------------------------


def test_resolutions_list_and_year_merge() -> None:
    found = find_resolutions(
        "implementing UN Security Council Resolutions 2254 and 2118. Later: UN Security Council "
        "Resolutions 2254 (2015) and 2118 (2013)."
    )
    assert [str(r) for r in found] == ["UNSC Resolution 2254 (2015)", "UNSC Resolution 2118 (2013)"]


def test_resolution_without_year_and_in_french_and_arabic() -> None:
    assert str(ResolutionRef("UNSC", 2254)) == "UNSC Resolution 2254"
    french = find_resolutions("la résolution 2254 (2015) du Conseil de sécurité")
    assert [str(r) for r in french] == ["UNSC Resolution 2254 (2015)"]
    arabic = find_resolutions("تنفيذ القرار ٢٢٥٤ وقراري مجلس الأمن ٢١١٨ و٢١٣٩")
    assert [r.number for r in arabic] == [2254, 2118, 2139]


def test_places_reduce_to_named_place_and_skip_adjectives_and_names() -> None:
    text = (
        "Attacks in Idlib province and the western countryside of Aleppo, in northwestern Syria. "
        "The Turkish government and the Astana group met; Brigadier General Hassan Hamadeh spoke."
    )
    assert [p.name for p in find_places(text)] == ["Idlib", "Aleppo", "Syria"]
    idlib = find_places(text)[0]
    assert (idlib.country_code, idlib.kind, idlib.geonameid) == ("SY", "city", 169389)


def test_places_in_french_and_arabic() -> None:
    assert [p.name for p in find_places("de l’Allemagne, des États-Unis et d'Algérie")] == [
        "Germany",
        "United States",
        "Algeria",
    ]
    assert [p.name for p in find_places("في العاصمة الإيطالية روما حول دستور جديد لسورية")] == [
        "Rome",
        "Syria",
    ]


def test_language_detection() -> None:
    assert (
        detect_language("The members of the Security Council condemned the attack today.") == "en"
    )
    assert (
        detect_language("Les ministres ont fermement condamné le renversement du pouvoir.") == "fr"
    )
    assert detect_language("بيان ختامي") == ""  # too short for any guess
    assert detect_language("يدين الائتلاف الوطني السوري الهجوم على المدنيين في إدلب") == "ar"


def test_sentences_keep_abbreviations() -> None:
    assert sentences("Made by H.E. Albert Chimbindi today. Then M. Bazoum spoke.") == [
        "Made by H.E. Albert Chimbindi today.",
        "Then M. Bazoum spoke.",
    ]


# --- robustness --------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "   \n\n", "\x00\x01\x02", "." * 500, "a" * 300_000, "١٢٣"])
def test_empty_and_garbage_give_empty_fields(text: str) -> None:
    record = extract(text)
    assert record.as_json() == {
        "title": record.title,
        "issuer": "",
        "issuer_body": "",
        "date": "",
        "meeting_date": "",
        "meeting_place": "",
        "language": "",
        "participants": [],
        "demands": [],
        "places": [],
        "resolutions": [],
    }


def test_json_serialisable_with_non_ascii() -> None:
    record = extract("تصريح صحفي\nالائتلاف الوطني السوري\n٣٠ تشرين أول ٢٠١٨\n" + "نص عربي " * 10)
    assert "٢" not in json.dumps(record.as_json(), ensure_ascii=False)


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=400))
def test_extract_never_raises(text: str) -> None:
    assert isinstance(extract(text).as_json(), dict)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "Final communique",
                "October 10, 2023",
                "UN Security Council",
                "called on",
                "the Council",
                "to act",
                "Resolutions",
                "2254",
                "(2015)",
                "and",
                ",",
                ".",
                "\n",
                "Head of",
                "Badr Jamous",
                "Brigadier General",
                "٢٠١٨",
                "تشرين أول",
                "يدعو",
                "Monday",
                "met in",
                "Paris",
                "(",
                ")",
                "’s",
            ]
        ),
        max_size=60,
    )
)
def test_extract_never_raises_on_communique_like_noise(words: list[str]) -> None:
    assert isinstance(extract(" ".join(words)).as_json(), dict)
