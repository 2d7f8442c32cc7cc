"""Fuzzing: the readers, the extractors, the query parser and the search API.

Thousands of generated inputs in all (hypothesis; each test bounded to a few hundred
examples, and to seconds, so that CI runs them every time). The contract under test:
a reader returns a result or raises IngestError, never anything else; extraction and
parsing never raise (or raise their own documented error); the search API answers every
query string with 200 or 400, never 500.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archive.ingest.errors import IngestError
from archive.ingest.extract import extract
from archive.ingest.readers.docx import read_docx
from archive.ingest.readers.html import read_html
from archive.ingest.readers.markdown import read_markdown
from archive.ingest.readers.pdf import read_pdf
from archive.ingest.readers.sniff import sniff_format
from archive.ingest.readers.text import read_text
from search.query import QueryError, parse

DATA = Path(__file__).resolve().parents[1] / "data" / "readers"
FAST = settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
SLOW = settings(max_examples=120, deadline=None, suppress_health_check=list(HealthCheck))

# Text that looks like communiqués: Arabic, French, dates, markup, control characters.
WORDS = st.sampled_from(
    [
        "The",
        "Council",
        "called",
        "on",
        "Geneva",
        "10 October 2023",
        "UNSC",
        "resolution",
        "2254",
        "(2015)",
        "بيان",
        "مجلس",
        "الأمن",
        "communiqué",
        "le",
        "Conseil",
        "appelle",
        "\u200f",
        "\u202e",
        "\x00",
        "<script>",
        "&amp;",
        "#",
        "*",
        "-",
        "1.",
        "\n",
        "\n\n",
        "General",
        "Assembly",
        "Minister",
        "urged",
        "Paris",
        "Idlib",
        "«",
        "»",
        "—",
    ]
)
DOCUMENTS = st.one_of(
    st.text(max_size=2000),
    st.lists(WORDS, max_size=300).map(" ".join),
)


def _mutate(data: bytes, edits: list[tuple[int, int]]) -> bytes:
    out = bytearray(data)
    for position, value in edits:
        if out:
            out[position % len(out)] = value
    return bytes(out)


EDITS = st.lists(st.tuples(st.integers(0, 10**7), st.integers(0, 255)), max_size=30)


def _read(reader, name: str, data: bytes) -> None:
    try:
        result = reader(name, data)
    except IngestError:
        return
    assert isinstance(result.text, str)


@FAST
@given(data=st.binary(max_size=4000))
def test_text_reader_on_any_bytes(data):
    _read(read_text, "a.txt", data)


@FAST
@given(text=DOCUMENTS, encoding=st.sampled_from(["utf-8", "utf-16", "cp1256", "latin-1"]))
def test_text_reader_on_encoded_text(text, encoding):
    _read(read_text, "a.txt", text.encode(encoding, errors="ignore"))


@FAST
@given(
    body=DOCUMENTS,
    tags=st.lists(
        st.sampled_from(
            [
                "<p>",
                "</p>",
                "<div>",
                "</div>",
                "<script>",
                "</script>",
                "<article>",
                "<nav>",
                "<!--",
                "-->",
                "<![CDATA[",
                "<table><tr><td>",
                "<a href='javascript:x'>",
                "<br>",
                "<meta charset='cp1256'>",
                "<style>",
                "</style>",
                "<pre>",
                "<h1>",
            ]
        ),
        max_size=40,
    ),
)
def test_html_reader_on_generated_markup(body, tags):
    markup = "".join(tags) + body + "".join(reversed(tags))
    _read(read_html, "a.html", markup.encode("utf-8"))


@FAST
@given(data=st.binary(max_size=3000))
def test_html_reader_on_any_bytes(data):
    _read(read_html, "a.html", b"<html>" + data)


@FAST
@given(body=DOCUMENTS, prefix=st.sampled_from(["", "---\ntitle: x\n---\n", "# ", "> ", "* "]))
def test_markdown_reader(body, prefix):
    _read(read_markdown, "a.md", (prefix + body).encode("utf-8"))


@SLOW
@given(edits=EDITS)
def test_pdf_reader_on_mutated_pdfs(edits):
    _read(read_pdf, "a.pdf", _mutate((DATA / "statement.pdf").read_bytes(), edits))


@SLOW
@given(data=st.binary(max_size=2000))
def test_pdf_reader_on_any_bytes(data):
    _read(read_pdf, "a.pdf", b"%PDF-1.4\n" + data)


@SLOW
@given(edits=EDITS)
def test_docx_reader_on_mutated_documents(edits):
    _read(read_docx, "a.docx", _mutate((DATA / "statement.docx").read_bytes(), edits))


@FAST
@given(name=st.text(max_size=40), data=st.binary(max_size=2000))
def test_sniffing_any_name_and_bytes(name, data):
    assert isinstance(sniff_format(name, data), str)


@SLOW
@given(text=DOCUMENTS)
def test_extraction_never_raises(text):
    result = extract(text)
    assert isinstance(result.paragraphs, list)


@FAST
@given(text=st.text(max_size=500))
def test_query_parser_raises_only_its_own_error(text):
    with contextlib.suppress(QueryError):
        parse(text)


QUERY_TEXT = st.one_of(
    st.text(max_size=300),
    st.lists(
        st.sampled_from(
            [
                '"',
                "(",
                ")",
                "-",
                "OR",
                "AND",
                "NOT",
                "*",
                "?",
                "~",
                ":",
                "title:",
                "\\",
                "truce",
                "بيان",
                "issuer:",
                "[",
                "]",
                "{",
                "}",
                "^2",
                "/",
                "'",
                "\x00",
                " ",
                "0099",  # a year before 1000: Haystack wrote it unpadded
                "-01",
            ]
        ),
        max_size=60,
    ).map("".join),
)
PARAM = st.sampled_from(
    [
        "q",
        "sort",
        "page",
        "date_from",
        "date_to",
        "issuer",
        "place",
        "language",
        "year",
        "person",
        "organization",
        "resolution",
        "facet",
        "page_size",
    ]
)


@pytest.mark.django_db
@SLOW
@given(q=QUERY_TEXT)
def test_search_api_never_fails_on_any_query(client, q):
    response = client.get("/api/search/?" + urlencode({"q": q}))
    assert response.status_code in (200, 400), (q, response.content[:300])


@pytest.mark.django_db
@SLOW
@given(params=st.lists(st.tuples(PARAM, QUERY_TEXT), max_size=6))
def test_search_api_never_fails_on_any_parameters(client, params):
    response = client.get("/api/search/?" + urlencode(params))
    assert response.status_code in (200, 400), (params, response.content[:300])


@pytest.mark.django_db
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(params=st.lists(st.tuples(PARAM, QUERY_TEXT), max_size=4))
def test_search_page_and_exports_never_fail(client, params):
    query = urlencode(params)
    for url in ("/search/", "/api/search/export.csv", "/feeds/search.atom"):
        response = client.get(f"{url}?{query}")
        assert response.status_code in (200, 400, 404), (url, params)
        if response.streaming:
            b"".join(response.streaming_content)


@pytest.mark.django_db
def test_a_very_long_query_is_answered(client):
    for q in ["truce " * 20000, "(" * 5000, '"' * 9999, "a" * 100000]:
        response = client.get("/api/search/?" + urlencode({"q": q}))
        assert response.status_code in (200, 400)


# Every public address, with whatever a link or a script may put in its path or its query:
# an answer (a page, a redirect, a 400 or a 404), never a 500, on SQLite and on PostgreSQL,
# which refuses text with a NUL in it and dates outside years 1 to 9999.
SEGMENT = st.one_of(
    st.text(max_size=30),
    st.sampled_from(
        ["0", "-1", "10000", "99999999999999999999", "\x00", "a\x00b", "2023", "13", "%", ".."]
    ),
)
ROUTES = [
    "/c/{}/",
    "/c/{}/r/1/",
    "/c/{}/cite.bib",
    "/c/{}/compare/previous/",
    "/compare/{}/{}/",
    "/browse/{}/",
    "/browse/{}/{}/",
    "/people/{}/",
    "/organizations/{}/",
    "/places/{}/",
    "/resolutions/{}/",
    "/places/{}/timeline.csv",
    "/resolutions/{}/citations.csv",
    "/feeds/issuer/{}.atom",
    "/feeds/places/{}.atom",
    "/sitemap-{}.xml",
    "/api/communiques/{}/",
    "/api/organizations/{}/",
]
PAGES = [
    "/",
    "/browse/",
    "/issuers/",
    "/people/",
    "/demands/",
    "/demands.json",
    "/demands.csv",
    "/demands/chart.csv",
    "/api/communiques/",
    "/api/places/",
    "/feeds/latest.atom",
    "/sitemap.xml",
    "/organizations/syrian-opposition-coalition/",
]
ANY_PARAM = st.one_of(
    PARAM,
    st.sampled_from(
        [
            *("addressee", "by", "unit", "period", "lang", "compare", "kind", "cursor"),
            *("people", "organizations", "places", "resolutions", "limit", "offset", "ordering"),
        ]
    ),
)


@pytest.fixture
def archive(db):
    from tests.pages.factories import seed_communique

    return seed_communique()


def _answered(response) -> None:
    if response.streaming:
        b"".join(response.streaming_content)
    assert response.status_code < 500


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(route=st.sampled_from(ROUTES), segments=st.lists(SEGMENT, min_size=2, max_size=2))
def test_every_address_answers_any_path_segment(client, archive, route, segments):
    from urllib.parse import quote

    path = route.format(*(quote(s, safe="") for s in segments))
    _answered(client.get(path))


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    page=st.sampled_from([*PAGES, "/c/{}/"]),
    params=st.lists(st.tuples(ANY_PARAM, QUERY_TEXT), max_size=4),
)
def test_every_page_answers_any_parameters(client, archive, page, params):
    _answered(client.get(page.format(archive.public_id) + "?" + urlencode(params)))


@pytest.mark.parametrize(
    "url", ["/c/a%00b/", "/people/%00/", "/demands/?addressee=%00", "/search/?q=truce%00"]
)
def test_a_nul_in_an_address_is_a_bad_request_that_says_so(client, archive, url):
    response = client.get(url)
    assert response.status_code == 400
    assert "NUL character (%00): check the link you followed." in response.content.decode()


def test_a_nul_under_the_api_is_a_bad_request_in_json(client, archive):
    response = client.get("/api/communiques/a%00b/")
    assert response.status_code == 400
    assert "NUL character" in response.json()["detail"]


def test_a_nul_in_a_cookie_is_a_bad_request_that_says_what_to_do(client, archive):
    # PostgreSQL would have refused the session's lookup on any page that reads it: a 500.
    client.cookies["sessionid"] = "abc\x00defghijk"
    response = client.get("/admin/")
    assert response.status_code == 400
    assert "clear this site&#x27;s cookies" in response.content.decode()


def test_the_bad_request_page_is_in_the_readers_language(client, archive):
    response = client.get("/c/a%00b/", HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 400
    page = response.content.decode()
    assert "L’adresse contient un caractère NUL (%00) : vérifiez le lien" in page
