"""A rebuild (search.bulk) writes the index Whoosh's own writer writes, posting for posting,
in this process and in worker processes, and leaves the old index whole when it fails; so do
the index's updates, whose new segments search.bulk writes too."""

from __future__ import annotations

import io
import json
import os
import zlib
from functools import partial

import pytest
from django.core.management import call_command
from haystack import connections

from archive.models import Communique
from search import bulk, queue
from search.models import IndexTask
from tests.search import segments
from tests.search.helpers import whoosh_only
from tests.search.test_concurrency import run, scratch_database

pytestmark = [pytest.mark.django_db, whoosh_only]


def snapshot(ix=None) -> dict:
    """Everything a search can read from the index (the backend's, or `ix`), by communiqué id
    rather than by docnum (which depends on how documents fall into segments): every term's
    postings, weights and encoded positions, the term statistics scoring uses, stored fields
    and field lengths."""
    backend = connections["default"].get_backend()
    if ix is not None:
        with ix.reader() as reader:
            return {**_read(reader), "segments": len(ix._segments())}
    return {
        **_read(backend._current_searcher().reader()),
        "segments": len(backend.index._segments()),
    }


def _read(reader) -> dict:
    schema = reader.schema
    pk = {docnum: stored["django_id"] for docnum, stored in reader.iter_docs()}
    spelling = {f.spelling_fieldname(n) for n, f in schema.items() if f.separate_spelling()}
    terms, words = {}, set()
    for fieldname, btext in reader.all_terms():
        if fieldname in spelling:
            words.add(f"{fieldname}:{btext.decode()}")
            continue
        info = reader.term_info(fieldname, btext)
        matcher = reader.postings(fieldname, btext)
        postings = []
        while matcher.is_active():
            value = matcher.value()
            postings.append([pk[matcher.id()], matcher.weight(), value.hex() if value else ""])
            matcher.next()
        stats = [
            round(info.weight(), 6),
            info.doc_frequency(),
            info.min_length(),
            info.max_length(),
            info.max_weight(),
        ]
        terms[f"{fieldname}:{btext.hex()}"] = [stats, sorted(postings)]
    scorable = [name for name, field in schema.items() if field.scorable]
    documents = {
        pk[docnum]: [
            {k: str(v) for k, v in sorted(stored.items())},
            [reader.doc_field_length(docnum, name) for name in scorable],
        ]
        for docnum, stored in reader.iter_docs()
    }
    return {
        "terms": terms,
        "spelling": sorted(words),
        "documents": documents,
    }


def _same(whooshs: dict, rebuilt: dict, statistics: bool = True) -> None:
    """The same documents, words and postings; and the same term statistics unless an index
    has deleted documents, which Whoosh counts in them until it merges their segment."""
    assert rebuilt["documents"] == whooshs["documents"]
    assert rebuilt["spelling"] == whooshs["spelling"]
    assert rebuilt["terms"].keys() == whooshs["terms"].keys()
    for term, (stats, postings) in whooshs["terms"].items():
        if statistics:
            assert rebuilt["terms"][term] == [stats, postings], term
        else:
            assert rebuilt["terms"][term][1] == postings, term


def whooshs_own_index() -> None:
    """Index every published communiqué anew with Whoosh's own writer (its add_document,
    posting pool and codec calls, and its merges): what search.bulk is compared with."""
    backend = connections["default"].get_backend()
    index = connections["default"].get_unified_index().get_index(Communique)
    backend.clear()
    writer = backend.index.writer()
    for obj in queue._load(queue._published_ids()):
        writer.add_document(**backend._document(index, obj))
    writer.commit()


@pytest.fixture
def archive(index):
    call_command("generate_corpus", count=90, seed=3, no_progress=True, stdout=io.StringIO())
    index()  # the queue emptied
    whooshs_own_index()


def test_a_rebuild_writes_what_whooshs_writer_writes(archive, settings):
    whooshs = snapshot()
    settings.BAYAN_INDEX_PROCS = 1
    settings.BAYAN_INDEX_SEGMENT_DOCS = 40  # three segments, built one after the other
    queue.rebuild(progress=False)
    rebuilt = snapshot()
    assert rebuilt["segments"] == 3
    assert len(rebuilt["documents"]) == 90
    _same(whooshs, rebuilt)


def _postings_files() -> list[tuple[bytes, bytes]]:
    """Each segment's term table and postings file, as written."""
    from whoosh.codec.whoosh3 import W3Codec

    ix = connections["default"].get_backend().index
    files = []
    for segment in ix._segments():
        storage = segment.open_compound_file(ix.storage) if segment.is_compound() else ix.storage
        contents = []
        for ext in (W3Codec.TERMS_EXT, W3Codec.POSTS_EXT):
            f = segment.open_file(storage, ext)
            contents.append(bytes(f.read()))
            f.close()
        files.append(tuple(contents))
        if storage is not ix.storage:
            storage.close()
    return files


def _rebuilt_through_whooshs_calls(monkeypatch) -> list[tuple[bytes, bytes]]:
    """Rebuild with each term's postings handed to Whoosh's field writer a posting at a time
    (start_term, add, finish_term: what its writer does), instead of bulk._postings and
    bulk._write_terms making the bytes, or search.runs and search.positions those of the
    shingle and full-text fields; the files that gives."""

    def postings(fieldwriter, ids, weights, values, length):
        return (ids, weights, values, length), b""

    def through_whoosh(fieldwriter, terms):
        for btext, (ids, weights, values, length), _entry in terms:
            segments.add_term(fieldwriter, btext, ids, weights, values, length)

    with monkeypatch.context() as patch:
        patch.setattr(bulk, "_postings", postings)
        patch.setattr(bulk, "_write_terms", through_whoosh)
        _term_by_term(patch)
        queue.rebuild(progress=False)
    return _postings_files()


def _term_by_term(patch) -> None:
    """The shingle and full-text fields written a term at a time, as any other field, rather
    than laid out with numpy (search.runs, search.positions)."""
    for postings in (bulk.HashedPostings, bulk.PositionPostings):
        patch.setattr(postings, "write", postings.write_terms)


def test_terms_are_written_byte_for_byte_as_whooshs_calls_write_them(
    archive, settings, monkeypatch
):
    """The rebuild makes each term's postings and its entry in the term table itself, once
    for the blocks that repeat (bulk._postings), and writes a few thousand terms at a time
    (bulk._write_terms), the shingle and full-text fields' all at once (search.runs,
    search.positions); the term table and postings files are the ones Whoosh's per-posting
    calls write."""
    settings.BAYAN_INDEX_PROCS = 1
    settings.BAYAN_INDEX_SEGMENT_DOCS = 40
    queue.rebuild(progress=False)
    ours = _postings_files()
    assert len(ours) == 3 and all(terms and postings for terms, postings in ours)
    assert ours == _rebuilt_through_whooshs_calls(monkeypatch)


def test_terms_over_several_blocks_are_written_as_whooshs(archive, settings, monkeypatch):
    """With blocks of 8 postings, every term in more than 8 of a segment's 90 documents
    spans several blocks, valued or not: the files are still the ones Whoosh's calls write,
    and what a search reads back is what Whoosh's writer indexed."""
    from whoosh.codec import whoosh3

    whooshs = snapshot()
    settings.BAYAN_INDEX_PROCS = 1
    settings.BAYAN_INDEX_SEGMENT_DOCS = 90
    monkeypatch.setattr(whoosh3.W3Codec.__init__, "__defaults__", (8, 3, 1))
    queue.rebuild(progress=False)
    rebuilt = snapshot()
    ours = _postings_files()
    assert rebuilt["segments"] == 1
    _same(whooshs, rebuilt)
    reader = connections["default"].get_backend()._current_searcher().reader()
    several = [t for t in reader.all_terms() if reader.doc_frequency(*t) > 8]
    assert len(several) > 100
    assert ours == _rebuilt_through_whooshs_calls(monkeypatch)


def test_a_failed_rebuild_leaves_the_index_as_it_was(archive, settings, monkeypatch):
    before = snapshot()
    settings.BAYAN_INDEX_PROCS = 1
    settings.BAYAN_INDEX_SEGMENT_DOCS = 40

    def fail_on_the_second_run(ids):
        fail_on_the_second_run.calls += 1
        if fail_on_the_second_run.calls == 2:
            raise RuntimeError("the database went away")
        return queue._load(ids)

    fail_on_the_second_run.calls = 0
    monkeypatch.setattr(queue, "_load", fail_on_the_second_run)
    with pytest.raises(RuntimeError, match="went away"):
        queue.rebuild(progress=False)
    assert snapshot() == before
    # No half-built segment is left in the index's folder, and the lock is free again.
    index_dir = connections["default"].get_backend().path
    assert len([name for name in os.listdir(index_dir) if name.endswith(".seg")]) == 1
    monkeypatch.undo()
    queue.rebuild(progress=False)
    assert snapshot()["segments"] == 3


def test_blocks_written_before_protocol_4_read_the_same(archive, monkeypatch):
    """Posting blocks are pickled with protocol 4 (search.backend._block_dumps); an index
    whose blocks Whoosh pickled with its own protocol 2 reads back the same postings."""
    from whoosh import compat
    from whoosh.codec import whoosh3

    def block_protocol() -> int:
        reader = connections["default"].get_backend()._current_searcher().reader()
        leaf, _offset = next(iter(reader.leaf_readers()))
        term = next(t for t in leaf.lexicon("text") if leaf.doc_frequency("text", t) > 1)
        matcher = leaf._terms.matcher("text", term, leaf.schema["text"].format)
        raw = matcher._postfile.get(matcher._dataoffset, matcher._nextoffset - matcher._dataoffset)
        data = zlib.decompress(raw) if matcher._compression else raw
        return data[1]  # a pickle starts with PROTO, then its number

    ours = snapshot()
    assert block_protocol() == 4
    monkeypatch.setattr(whoosh3, "dumps", compat.dumps)
    _term_by_term(monkeypatch)  # which pickles with whoosh3.dumps
    queue.rebuild(progress=False)
    assert block_protocol() == 2
    _same(snapshot(), ours)


def _first_blocks(field: str) -> list[tuple[int, int]]:
    """(length of the pickle, compression recorded) of the first block of each term of a
    field, as Whoosh's matcher reads them."""
    reader = connections["default"].get_backend()._current_searcher().reader()
    found = []
    for leaf, _offset in reader.leaf_readers():
        for term in leaf.lexicon(field):
            matcher = leaf._terms.matcher(field, term, leaf.schema[field].format)
            start, end = matcher._dataoffset, matcher._nextoffset
            raw = matcher._postfile.get(start, end - start)
            compression = matcher._compression
            found.append((len(zlib.decompress(raw) if compression else raw), compression))
    return found


def test_short_blocks_are_stored_as_they_are_and_read_the_same_as_compressed_ones(
    archive, monkeypatch
):
    """zlib makes a block of a few postings longer, not shorter (search.pickled.PLAIN_BELOW):
    such blocks are stored uncompressed, the others compressed, and an index whose every
    block is compressed (as Whoosh writes them) reads back the same."""
    from search import pickled

    queue.rebuild(progress=False)
    ours = snapshot()
    for field in ("text", "text_shingles", "issuer"):
        blocks = _first_blocks(field)
        assert {compression for size, compression in blocks if size < pickled.PLAIN_BELOW} == {0}
        assert {compression for size, compression in blocks if size >= pickled.PLAIN_BELOW} in (
            {3},
            set(),
        )
    assert {c for f in ("text", "text_shingles") for _s, c in _first_blocks(f)} == {0, 3}

    monkeypatch.setattr(pickled, "PLAIN_BELOW", 0)
    queue.rebuild(progress=False)
    assert {compression for _size, compression in _first_blocks("text_shingles")} == {3}
    _same(snapshot(), ours)


def test_runs_are_contiguous_and_even_across_workers():
    ids = list(range(1, 101))
    runs = bulk.parts(ids, 2, 30)
    assert len(runs) == 4  # a multiple of the workers, none above 30
    assert [i for run in runs for i in run] == ids
    assert max(map(len, runs)) - min(map(len, runs)) <= 1
    assert bulk.parts(ids, 2, 1000) == [ids[:50], ids[50:]]
    assert bulk.parts([], 2, 30) == []


SNAPSHOT = (
    "import django, json; django.setup()\n"
    "from tests.search.test_bulk import snapshot\n"
    "print(json.dumps(snapshot()))\n"
)
WHOOSHS_OWN_INDEX = (
    "import django; django.setup()\n"
    "from tests.search.test_bulk import whooshs_own_index\n"
    "whooshs_own_index()\n"
)


def _indexed_by_whoosh(env, count: int, seed: int) -> dict:
    """A scratch archive of `count` synthetic communiqués indexed by Whoosh's own writer: its
    snapshot."""
    run(env, "manage.py", "migrate", "--noinput", "-v", "0")
    run(
        env,
        "manage.py",
        "generate_corpus",
        "--count",
        str(count),
        "--seed",
        str(seed),
        "--no-progress",
    )
    run(env, "manage.py", "drain_index", "--once")
    run(env, "-c", WHOOSHS_OWN_INDEX)
    return json.loads(run(env, "-c", SNAPSHOT).stdout)


def test_worker_processes_write_what_whooshs_writer_writes(tmp_path):
    """The real command, in worker processes reading a real database."""
    with scratch_database(tmp_path / "data") as env:
        whooshs = _indexed_by_whoosh(env, 90, 3)
        env.update(BAYAN_INDEX_PROCS="2", BAYAN_INDEX_SEGMENT_DOCS="20")
        result = run(env, "manage.py", "rebuild_index", "--noinput")
        assert "Indexed 90 published communiqués" in result.stdout
        assert "90/90" in result.stderr  # the progress bar, fed by the workers
        rebuilt = json.loads(run(env, "-c", SNAPSHOT).stdout)
    assert rebuilt["segments"] == 6  # 90 documents in runs of at most 20, for 2 workers
    _same(whooshs, rebuilt)


KILL_A_WORKER = """
import django, os, signal; django.setup()
from django.core.management import call_command
from django.core.management.base import CommandError
from search import bulk

real = bulk._segment
def dying(ids):
    if os.getpid() != PARENT and ids[0] != FIRST:
        os.kill(os.getpid(), signal.SIGKILL)  # as the kernel's out-of-memory killer would
    return real(ids)
bulk._segment = dying
PARENT = os.getpid()
from archive.models import Communique
FIRST = Communique.objects.published().order_by("pk").values_list("pk", flat=True).first()
try:
    call_command("rebuild_index", "--noinput", "--no-progress")
except CommandError as error:
    print("ERROR:", error)
"""


def test_a_worker_killed_mid_rebuild_leaves_the_index_and_says_what_to_do(tmp_path):
    with scratch_database(tmp_path / "data") as env:
        before = _indexed_by_whoosh(env, 40, 5)
        env.update(BAYAN_INDEX_PROCS="2", BAYAN_INDEX_SEGMENT_DOCS="10")
        result = run(env, "-c", KILL_A_WORKER)
        assert "ERROR: A process building the index stopped" in result.stdout
        assert "BAYAN_INDEX_SEGMENT_DOCS" in result.stdout
        assert json.loads(run(env, "-c", SNAPSHOT).stdout) == before


def test_a_rebuild_with_nothing_published_leaves_an_empty_index(archive):
    Communique.objects.update(status=Communique.Status.DRAFT)
    assert queue.rebuild(progress=False) == 0
    found = snapshot()
    assert found["segments"] == 0 and found["documents"] == {}


def test_updates_write_what_whooshs_writer_writes(archive):
    """The index queue's updates: each batch's documents in a segment search.bulk writes,
    their old versions deleted; the same index, read by communiqué, as Whoosh's writer's."""
    whooshs = snapshot()
    connections["default"].get_backend().clear()
    ids = queue._published_ids()
    queue.enqueue(ids)
    assert queue.drain(batch_size=40) == len(ids)
    _same(whooshs, snapshot())
    queue.enqueue(ids[::3])  # again: replaced, not added a second time
    queue.drain(batch_size=40)
    _same(whooshs, snapshot(), statistics=False)


def test_communiques_without_a_fields_words_are_written_beside_the_others(archive):
    """A communiqué with no participants has no words in `participant_text` (no length,
    which Whoosh's reader gives as None) while the others of its batch do: the batch's
    segment is still written, as Whoosh's writer writes it."""
    first, second = Communique.objects.published().order_by("pk")[:2]
    for communique in (first, second):
        communique.participations.all().delete()
    queue.drain()  # the index tasks the deletions queued
    whooshs_own_index()
    whooshs = snapshot()
    connections["default"].get_backend().clear()
    queue.write(queue._load(queue._published_ids()), [])  # one batch, one segment
    _same(whooshs, snapshot())


def test_a_failed_update_changes_nothing_and_gives_the_lock_back(archive, monkeypatch):
    """An update that fails while writing (a full disk) changes nothing, and gives Whoosh's
    lock back at once: the queue's retry of each communiqué alone, while the failure is still
    being handled, goes through."""
    backend = connections["default"].get_backend()
    monkeypatch.setattr(backend, "WRITER_TIMEOUT", 1.0)
    first, second = queue._published_ids()[:2]
    Communique.objects.filter(pk=first).update(title="Written after the disk filled up")
    real, failures = bulk._write_terms, []

    def disk_full(*args, times: int):
        if len(failures) < times:
            failures.append(args)
            raise OSError(28, "No space left on device")
        return real(*args)

    before = snapshot()
    monkeypatch.setattr(bulk, "_write_terms", partial(disk_full, times=1))
    with pytest.raises(OSError, match="No space"):
        queue.index_now([first])
    assert snapshot() == before
    failures.clear()
    queue.enqueue([first, second])  # the batch fails once, then each is applied alone
    assert queue.drain() == 2
    assert len(failures) == 1 and not IndexTask.objects.exists()
    assert snapshot()["documents"][str(first)][0]["title"] == "Written after the disk filled up"
