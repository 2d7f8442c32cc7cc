"""The Whoosh backend's own guarantees (skipped when SEARCH_URL names another engine)."""

from __future__ import annotations

import os

import pytest
from haystack import connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from search.query import QueryError, parse
from tests.search.factories import communique
from tests.search.helpers import whoosh_only

pytestmark = [pytest.mark.django_db, whoosh_only]


def backend():
    return connections["default"].get_backend()


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(max_size=80) | st.text(alphabet='ab "()-:*?~^[]{}ANDORNOTplace', max_size=40))
def test_every_accepted_query_is_one_whoosh_parses_without_error(search_index, text):
    try:
        rendered = parse(text).engine_query
    except QueryError:
        return
    b = backend()
    if not b.setup_complete:
        b.setup()
    b.parser.parse(rendered)  # raises on anything Whoosh cannot read


def test_one_searcher_serves_queries_until_the_index_changes(index):
    communique("A", ["truce"])
    index()
    b = backend()
    first = b._current_searcher()
    assert b._current_searcher() is first
    communique("B", ["truce"])
    index()
    assert b._current_searcher() is not first


def test_facet_keys_with_hyphens_and_unicode_survive(client, index):
    from tests.search.factories import PlaceFactory

    place = PlaceFactory(name="Ḥalab, al-Shahbāʾ")
    communique("A", ["x"], places=[place])
    index()
    answer = client.get("/api/search/", {"place": place.slug}).json()
    assert answer["total"] == 1
    assert answer["facets"]["place"] == [
        {"key": place.slug, "label": "Ḥalab, al-Shahbāʾ", "count": 1}
    ]


def test_a_second_index_opened_on_the_same_directory_keeps_the_documents(index):
    communique("A", ["truce"])
    index()
    connections.reload("default")  # as another process starting: must open, never recreate
    assert backend()._current_searcher().doc_count() == 1


def test_an_optional_words_score_survives_a_skip():
    """Whoosh 2.7.4's AndMaybeMatcher (a word that must match, plus one that adds its score
    where it also matches) left the optional word behind after skip_to when the required one
    landed past the target: a document holding both lost the optional score, and whole pages
    of Whoosh's own results came out in another order (search.backend._fix_whoosh)."""
    from whoosh.matching import ListMatcher
    from whoosh.matching.binary import AndMaybeMatcher

    import search.backend  # noqa: F401  (applies the fix)

    required = ListMatcher([1, 9, 12], all_weights=2.0)
    optional = ListMatcher([2, 5, 9, 12], all_weights=3.0)
    m = AndMaybeMatcher(required, optional)
    m.skip_to(3)  # the required word's next document is 9, which both hold
    assert (m.id(), m.score()) == (9, 5.0)
    m.next()
    assert (m.id(), m.score()) == (12, 5.0)


def test_segment_files_are_read_in_place_not_copied_into_memory():
    """Whoosh wrapped each memory-mapped segment in BytesIO, a heap copy of the whole index
    per searcher and per process (2 GB per worker at 100,000 documents): search.backend
    reads the mapped bytes in place, through a small buffer, with the same answers."""
    import io
    import pickle

    from whoosh.filedb.structfile import BufferFile

    from search.backend import BufferReader

    far = 200_000  # well past the read buffer
    payload = b"header\n" + pickle.dumps({"ids": [1, 2, 3]}, 2) + b"tail"
    payload += b"." * (far - len(payload)) + b"end"
    view = memoryview(bytearray(payload))
    f = BufferFile(view)
    assert isinstance(f.file, io.BufferedReader) and isinstance(f.file.raw, BufferReader)
    assert f.readline() == b"header\n"
    assert f.read_pickle() == {"ids": [1, 2, 3]}
    assert f.read(4) == b"tail"
    f.seek(0)
    assert f.get(0, 6) == b"header" and f.tell() == 0
    view[far : far + 1] = b"E"  # the file reads the buffer itself, not a copy of it
    f.seek(far)
    assert f.read(3) == b"End" and f.read(3) == b""


def test_a_process_opening_the_index_as_another_commits_opens_the_next_generation(
    index, monkeypatch
):
    from whoosh.filedb.filestore import FileStorage
    from whoosh.index import open_dir

    communique("A", ["truce"])
    index()
    path = backend().path
    connections.reload("default")  # a process starting, as a worker or a second gunicorn
    real_open = FileStorage.open_file
    raced = []

    def open_file(storage, name, *args, **kwargs):
        if name.endswith(".toc") and not raced:
            # Whoosh has listed the files and chosen this generation; another process's
            # commit now writes the next one and deletes this table of contents.
            raced.append(name)
            open_dir(path).writer().commit()
        return real_open(storage, name, *args, **kwargs)

    monkeypatch.setattr(FileStorage, "open_file", open_file)
    assert backend()._current_searcher().doc_count() == 1
    assert raced and not os.path.exists(os.path.join(path, raced[0]))
