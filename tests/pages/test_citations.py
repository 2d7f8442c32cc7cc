"""archive.citations: each format from one record."""

import datetime as dt
import json

from archive.citations import CitationRecord, bibtex, chicago, csl_json, ris

RECORD = CitationRecord(
    public_id="7ghvyw2",
    title="Final communique",
    url="https://bayan.example/c/7ghvyw2/",
    accessed=dt.date(2024, 1, 5),
    organization="Syrian Opposition Coalition",
    body="General Assembly",
    date=dt.date(2023, 10, 10),
    language="en",
)


def test_chicago_names_organization_title_body_date_url_and_access_date():
    assert chicago(RECORD) == (
        "Syrian Opposition Coalition. “Final communique.” General Assembly, October 10, 2023. "
        "https://bayan.example/c/7ghvyw2/ (accessed January 5, 2024)."
    )


def test_chicago_leaves_out_what_is_unknown():
    record = CitationRecord("abc", "Statement", "https://x.example/c/abc/", dt.date(2024, 1, 5))
    assert chicago(record) == "“Statement.” https://x.example/c/abc/ (accessed January 5, 2024)."


def test_bibtex_is_a_misc_entry_keyed_by_the_public_id():
    assert bibtex(RECORD).startswith("@misc{bayan-7ghvyw2,\n")


def test_bibtex_keeps_the_organization_as_one_corporate_author():
    assert "  author = {{Syrian Opposition Coalition}}," in bibtex(RECORD)


def test_bibtex_escapes_special_characters():
    record = CitationRecord("a", "Aid & 100% of {it}", "https://x.example/", dt.date(2024, 1, 1))
    assert r"title = {{Aid \& 100\% of \{it\}}}" in bibtex(record)


def test_bibtex_writes_a_backslash_as_one_command_whose_braces_stay_braces():
    record = CitationRecord("a", "Either\\or ~ $x_1$ #2", "https://x.example/", dt.date(2024, 1, 1))
    expected = r"title = {{Either\textbackslash{}or \textasciitilde{} \$x\_1\$ \#2}}"
    assert expected in bibtex(record)


def test_bibtex_carries_url_date_and_access_date():
    entry = bibtex(RECORD)
    assert "  url = {https://bayan.example/c/7ghvyw2/}" in entry
    assert "  date = {2023-10-10}" in entry
    assert "  urldate = {2024-01-05}" in entry


def test_ris_is_a_press_release_record_ending_with_er():
    lines = ris(RECORD).split("\r\n")
    assert lines[0] == "TY  - PRESS"
    assert lines[-2] == "ER  - "


def test_ris_writes_dates_with_slashes():
    text = ris(RECORD)
    assert "DA  - 2023/10/10\r\n" in text
    assert "Y2  - 2024/01/05\r\n" in text


def test_ris_folds_a_multi_line_title_onto_one_line():
    record = CitationRecord("a", "Final\ncommunique", "https://x.example/", dt.date(2024, 1, 1))
    assert "TI  - Final communique\r\n" in ris(record)


def test_csl_json_is_a_list_of_one_item_with_date_parts():
    [item] = json.loads(csl_json(RECORD))
    assert item["issued"] == {"date-parts": [[2023, 10, 10]]}
    assert item["author"] == [{"literal": "Syrian Opposition Coalition"}]
    assert item["URL"] == "https://bayan.example/c/7ghvyw2/"
