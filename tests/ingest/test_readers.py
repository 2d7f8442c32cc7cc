"""Reading uploaded files into text: what an admin relies on when importing statements."""

from __future__ import annotations

import random
import time
from pathlib import Path

import pytest

from archive.ingest.errors import IngestError
from archive.ingest.readers import read_document, sniff_format
from archive.ingest.readers.isolation import run_isolated
from archive.ingest.readers.paragraphs import join_lines
from archive.ingest.readers.result import ReadResult

DATA = Path(__file__).resolve().parent.parent / "data" / "readers"


def load(name: str) -> bytes:
    return (DATA / name).read_bytes()


def expected(name: str) -> str:
    return (DATA / "out" / f"{name}.txt").read_text(encoding="utf-8").rstrip("\n")


def read(name: str, **kwargs: float) -> ReadResult:
    return read_document(name, load(name), **kwargs)


def read_error(filename: str, data: bytes) -> IngestError:
    with pytest.raises(IngestError) as caught:
        read_document(filename, data)
    return caught.value


# Readers run in a child process, so these helpers must live at module level.
def _slow_reader(filename: str, data: bytes) -> ReadResult:
    time.sleep(30)
    return ReadResult(text="never", format="text")


def _greedy_reader(filename: str, data: bytes) -> ReadResult:
    hoard = bytearray(2 * 1024**3)
    return ReadResult(text=str(len(hoard)), format="text")


# --- PDF -------------------------------------------------------------------------------


def test_pdf_text_comes_out_as_paragraphs() -> None:
    assert read("statement.pdf").text == expected("statement.pdf")


def test_pdf_drops_page_numbers_and_running_header() -> None:
    text = read("statement.pdf").text
    assert "Page 1 of 2" not in text
    assert "Ministry of Water and Irrigation" not in text


def test_pdf_joins_a_word_hyphenated_at_a_line_end() -> None:
    assert "protection of groundwater from pollution" in read("statement.pdf").text


def test_pdf_paragraph_running_on_to_the_next_page_stays_whole() -> None:
    assert "from the regional centre and invited it" in read("statement.pdf").text


def test_pdf_without_text_layer_is_kept_and_flagged_for_ocr() -> None:
    result = read("scanned.pdf")
    assert (result.format, result.needs_ocr, result.text) == ("pdf", True, "")


def test_damaged_pdf_is_reported_as_corrupt_naming_the_file() -> None:
    error = read_error("corrupt.pdf", load("corrupt.pdf"))
    assert error.reason == "corrupt"
    assert error.filename == "corrupt.pdf"
    assert str(error).startswith("corrupt.pdf: the PDF is damaged")
    assert "re-upload" in str(error)


def test_password_protected_pdf_is_refused_with_advice() -> None:
    error = read_error("encrypted.pdf", load("encrypted.pdf"))
    assert error.reason == "corrupt"
    assert "password" in str(error)


def test_pdf_named_txt_is_read_as_pdf() -> None:
    result = read_document("statement.txt", load("statement.pdf"))
    assert result.format == "pdf"
    assert "Joint Statement on Water Cooperation" in result.text


def test_text_named_pdf_is_read_as_text_with_a_warning() -> None:
    result = read_document("notes.pdf", b"Plain notes, not a PDF at all.\n")
    assert (result.format, result.text) == ("text", "Plain notes, not a PDF at all.")
    assert any("PDF" in warning for warning in result.warnings)


def test_small_pdf_reads_quickly_through_the_child_process() -> None:
    read("statement.pdf")  # the first read also starts the fork server
    started = time.perf_counter()
    read("statement.pdf")
    assert time.perf_counter() - started < 1.0


# --- DOCX ------------------------------------------------------------------------------


def test_docx_paragraphs_and_table_cells_in_document_order() -> None:
    assert read("statement.docx").text == expected("statement.docx")


def test_docx_title_comes_from_document_properties() -> None:
    assert read("statement.docx").title == "Communiqué on the Ministerial Meeting"


def test_docx_that_is_not_a_word_file_is_corrupt() -> None:
    error = read_error("minutes.docx", b"PK\x03\x04 this zip was cut off")
    assert (error.reason, error.filename) == ("corrupt", "minutes.docx")
    assert "Word document" in str(error)


# --- HTML and Markdown -----------------------------------------------------------------


def test_saved_press_release_page_yields_just_the_statement() -> None:
    assert read("press_release.html").text == expected("press_release.html")


@pytest.mark.parametrize(
    "boilerplate",
    ["cookies", "Accept all", "Contact us", "Latest news", "All rights reserved", "Facebook"],
)
def test_saved_page_boilerplate_is_gone(boilerplate: str) -> None:
    assert boilerplate not in read("press_release.html").text


def test_saved_page_title_is_the_statement_heading() -> None:
    assert read("press_release.html").title == "Foreign Minister receives UN envoy"


def test_page_without_article_markup_keeps_the_densest_block() -> None:
    text = read("bulletin.html").text
    assert text.splitlines()[0].startswith("Le Conseil des ministres s'est réuni mercredi")
    assert "Le Conseil a également approuvé la nomination de trois ambassadeurs." in text
    assert "Archives" not in text
    assert "Tous droits réservés" not in text


def test_markdown_renders_headings_and_lists_as_paragraphs() -> None:
    assert read("election.md").text == expected("election.md")


def test_markdown_title_comes_from_front_matter() -> None:
    assert read("election.md").title == "Statement on the Election Results"


# --- text encodings --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected_name"),
    [
        ("arabic_cp1256.txt", "arabic_cp1256.txt"),
        ("french_latin1.txt", "french_latin1.txt"),
        ("english_cp1252.txt", "english_cp1252.txt"),
        ("mixed_utf16le_bom.txt", "mixed_utf16le_bom.txt"),
        ("mixed_utf16be_bom.txt", "mixed_utf16le_bom.txt"),
        ("mixed_utf8_bom.txt", "mixed_utf16le_bom.txt"),
    ],
)
def test_text_in_common_encodings_is_decoded(name: str, expected_name: str) -> None:
    assert read(name).text == expected(expected_name)


def test_text_is_normalised_to_nfc() -> None:
    decomposed = "Gene\u0300ve".encode()  # "e" + combining grave accent
    assert read_document("city.txt", decomposed).text == "Gen\u00e8ve"


def test_wrapped_text_lines_join_into_paragraphs_but_blank_lines_separate() -> None:
    data = b"The ministry said that\nthe talks would resume.\n\n\n\nA second paragraph.\r\n"
    assert read_document("note.txt", data).text == (
        "The ministry said that the talks would resume.\nA second paragraph."
    )


def test_undecodable_text_is_reported() -> None:
    noise = random.Random(1)
    data = bytes(noise.randrange(0x80, 0x100) for _ in range(400))
    error = read_error("garbled.txt", data)
    assert (error.reason, error.filename) == ("undecodable", "garbled.txt")
    assert "UTF-8" in str(error)


# --- refusals --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filename", "data"),
    [
        ("photo.png", b"\x89PNG\r\n\x1a\n" + bytes(200)),
        ("statement.txt", b"\x89PNG\r\n\x1a\n" + bytes(200)),
        ("setup.exe", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + bytes(300)),
    ],
)
def test_unknown_binary_is_unsupported_and_lists_supported_formats(
    filename: str, data: bytes
) -> None:
    error = read_error(filename, data)
    assert (error.reason, error.filename) == ("unsupported", filename)
    assert "PDF, Word (.docx), HTML, Markdown and plain text" in str(error)


def test_old_word_doc_is_refused_with_a_hint_to_save_as_docx() -> None:
    error = read_error("letter.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500))
    assert error.reason == "unsupported"
    assert ".docx" in str(error)


@pytest.mark.parametrize("data", [b"", b"  \r\n\t \n"])
def test_empty_file_is_reported(data: bytes) -> None:
    error = read_error("blank.txt", data)
    assert (error.reason, error.filename) == ("empty", "blank.txt")


def test_html_page_with_no_text_is_empty() -> None:
    error = read_error("shell.html", b"<html><body><script>app()</script></body></html>")
    assert error.reason == "empty"


# --- format sniffing -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filename", "fixture", "format"),
    [
        ("report.txt", "statement.pdf", "pdf"),
        ("report.html", "statement.docx", "docx"),
        ("page.txt", "press_release.html", "html"),
        ("notes.pdf", "french_latin1.txt", "text"),
        ("election.md", "election.md", "markdown"),
        ("batch.docx", "batch.zip", "zip"),
    ],
)
def test_format_is_decided_by_content_first(filename: str, fixture: str, format: str) -> None:
    assert sniff_format(filename, load(fixture)) == format


# --- the child process -----------------------------------------------------------------


def test_a_reader_that_hangs_is_stopped_at_the_time_limit() -> None:
    started = time.perf_counter()
    with pytest.raises(IngestError) as caught:
        run_isolated(_slow_reader, "huge.pdf", b"%PDF-", timeout=1.0)
    assert time.perf_counter() - started < 5
    assert caught.value.reason == "timeout"
    assert str(caught.value).startswith("huge.pdf: took longer than 1 s to read")


def test_a_reader_that_needs_too_much_memory_is_stopped() -> None:
    with pytest.raises(IngestError) as caught:
        run_isolated(_greedy_reader, "bloated.pdf", b"%PDF-", memory_limit_mb=200)
    assert caught.value.reason == "too_large"
    assert "200 MB" in str(caught.value)


def test_ingest_errors_survive_the_trip_from_the_child() -> None:
    error = read_error("corrupt.pdf", load("corrupt.pdf"))
    assert isinstance(error, IngestError)
    assert error.detail.startswith("the PDF is damaged")


# --- paragraph joining -----------------------------------------------------------------


def test_lowercase_continuation_joins_but_a_finished_sentence_does_not() -> None:
    lines = ["The council met on", "monday in Beirut.", "The next session is in May."]
    assert join_lines(lines) == [
        "The council met on monday in Beirut.",
        "The next session is in May.",
    ]


def test_list_items_are_never_joined() -> None:
    lines = ["The decisions were:", "- approve the budget", "- ratify the treaty"]
    assert join_lines(lines) == lines
