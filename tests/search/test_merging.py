"""Merging small segments (search.merging): what Whoosh's merge writes, without holding the
index while it works."""

from __future__ import annotations

import io
import os
import shutil
import threading

import pytest
from django.core.management import call_command
from haystack import connections
from haystack.constants import ID
from whoosh import index as whoosh_index
from whoosh.writing import MERGE_SMALL, NO_MERGE

from archive.models import Communique
from search import merging, queue
from search.models import IndexTask
from tests.search.helpers import api, titles, whoosh_only
from tests.search.test_bulk import _same, snapshot, whooshs_own_index

pytestmark = [pytest.mark.django_db, whoosh_only]


def backend():
    return connections["default"].get_backend()


@pytest.fixture
def segmented(index, settings, monkeypatch):
    """90 communiqués rebuilt into 18 segments of 5, the first two of them re-indexed by the
    queue and the third by Whoosh's own writer (which keeps a term found once inline in its
    entry), all without merging: a merge is due, and it takes in deleted documents."""
    call_command("generate_corpus", count=90, seed=3, no_progress=True, stdout=io.StringIO())
    index()
    settings.BAYAN_INDEX_PROCS = 1
    settings.BAYAN_INDEX_SEGMENT_DOCS = 5
    queue.rebuild(progress=False)
    ids = queue._published_ids()
    with monkeypatch.context() as patched:
        patched.setattr(merging, "start", lambda *args: None)
        queue.index_now(ids[:2])
        search_index = queue._engine()[1]
        writer = backend().index.writer()
        writer.delete_by_term(ID, queue.identifier(ids[2]))
        writer.add_document(**backend()._document(search_index, Communique.objects.get(pk=ids[2])))
        writer.commit(mergetype=NO_MERGE)
    assert len(backend().index._segments()) == 18 + 2
    settings.BAYAN_INDEX_SEGMENT_DOCS = 1000  # merges take in segments of fewer documents
    return ids


def _files(ix) -> set[str]:
    """The index directory's files but Whoosh's lock file."""
    return set(os.listdir(ix.storage.folder)) - {f"{ix.indexname}_WRITELOCK"}


def _merges_as_whoosh_merges(ix, tmp_path) -> None:
    """Merge what is due, and find what Whoosh's own merge of the same segments gives."""
    copy = tmp_path / "whooshs"
    shutil.copytree(ix.storage.folder, copy)
    theirs = whoosh_index.open_dir(str(copy), schema=ix.schema)
    theirs.writer().commit(mergetype=MERGE_SMALL)
    chosen = merging.due(ix, 1000)
    assert len(chosen) > 1 and any(segment.has_deletions() for segment in chosen)
    assert merging.merge_small(ix) is True
    whooshs, ours = snapshot(theirs), snapshot(ix)
    assert ours["segments"] == whooshs["segments"] < 18 + 2
    _same(whooshs, ours)
    # Nothing left beside the index but what its table of contents lists.
    listed = {segment.make_filename(segment.COMPOUND_EXT) for segment in ix._segments()}
    assert _files(ix) == listed | {f"_MAIN_{ix.latest_generation()}.toc"}


def test_a_merge_writes_what_whooshs_merge_writes(segmented, tmp_path):
    """The same segments merged, the same index: postings, positions, term statistics (the
    deleted documents left out of them), stored fields, lengths and spelling words."""
    ix = backend().index
    # What a merger killed midway left behind: cleared before the next merge.
    os.makedirs(os.path.join(ix.storage.folder, merging.WORK_DIR, "MAIN.tmp"))
    _merges_as_whoosh_merges(ix, tmp_path)


def test_merges_leave_segments_of_a_rebuilds_size_alone(segmented, settings):
    """No merge takes in a segment of BAYAN_INDEX_SEGMENT_DOCS documents or more, nor makes
    one larger: its memory stays below a rebuild worker's."""
    ix = backend().index
    assert [s.doc_count_all() for s in merging.due(ix, 1000)] == [1, 2, 5, 5, 5]
    assert merging.due(ix, 5) == []  # the 1 and the 2 alone: too few to be due
    assert [s.doc_count_all() for s in merging.due(ix, 12)] == [1, 2, 5]
    settings.BAYAN_INDEX_SEGMENT_DOCS = 12
    before = {segment.segment_id() for segment in ix._segments()}
    assert merging.merge_small(ix) is True
    after = {segment.segment_id() for segment in ix._segments()}
    assert len(before - after) == 3 and len(after - before) == 1  # the 1, the 2 and a 5
    assert ix.doc_count() == len(segmented)


def test_a_large_merge_is_built_in_a_process_of_its_own(segmented, tmp_path, monkeypatch):
    """Built elsewhere (this process's builder would fail), committed here, the same index."""
    monkeypatch.setattr(merging, "ELSEWHERE_FROM", 1)

    def not_here(*args):
        raise AssertionError("built in the process that made the update")

    monkeypatch.setattr(merging.MergeBuilder, "add_segment", not_here)
    _merges_as_whoosh_merges(backend().index, tmp_path)


def test_deletions_made_while_a_merge_works_are_kept(segmented, monkeypatch, client):
    """A communiqué edited after the merge read its segment: the merged segment carries the
    deletion of the old version, which is found no more."""
    first = segmented[0]
    real_commit = merging._commit

    def edited_meanwhile(*args):
        Communique.objects.filter(pk=first).update(title="Amended while merging")
        queue.index_now([first])  # its own merge gives way: one merger at a time
        return real_commit(*args)

    monkeypatch.setattr(merging, "_commit", edited_meanwhile)
    before = len(backend().index._segments())
    assert merging.merge_small(backend().index) is True
    assert len(backend().index._segments()) < before + 1
    merged = snapshot()
    assert merged["documents"][str(first)][0]["title"] == "Amended while merging"
    assert backend().index.doc_count() == len(segmented)  # the old version is deleted
    whooshs_own_index()
    whooshs = snapshot()
    assert merged["documents"] == whooshs["documents"]
    # The old title's words are still terms of the merged segment, with no live posting.
    for term, (_stats, postings) in merged["terms"].items():
        assert postings == whooshs["terms"].get(term, [None, []])[1], term
    assert whooshs["terms"].keys() <= merged["terms"].keys()
    assert titles(api(client, q='"Amended while merging"')) == ["Amended while merging"]


def test_a_merge_gives_way_when_its_segments_are_gone(segmented, monkeypatch):
    """A rebuild committed while the merge worked: the merge commits nothing and leaves no
    files behind."""
    real_commit = merging._commit

    def rebuilt_meanwhile(*args):
        queue.rebuild(progress=False)
        return real_commit(*args)

    monkeypatch.setattr(merging, "_commit", rebuilt_meanwhile)
    assert merging.merge_small(backend().index) is False
    ix = backend().index
    assert [segment.doc_count_all() for segment in ix._segments()] == [90]  # the rebuild's
    listed = {segment.make_filename(segment.COMPOUND_EXT) for segment in ix._segments()}
    assert _files(ix) == listed | {f"_MAIN_{ix.latest_generation()}.toc"}
    assert queue.drift().total == 0


def test_an_update_does_not_wait_for_a_merge(segmented, monkeypatch, settings, client):
    """With a merge held halfway in the background, a publication is written and found; the
    merge then commits, and every communiqué is still found once."""
    settings.BAYAN_INDEX_IN_BACKGROUND = True
    building, release = threading.Event(), threading.Event()
    real_build = merging._build

    def held(*args):
        building.set()
        assert release.wait(60)
        return real_build(*args)

    monkeypatch.setattr(merging, "_build", held)
    first, second = segmented[3], segmented[4]
    queue.index_now([first])  # a merge is due: it starts in the background, and is held
    assert building.wait(10)
    Communique.objects.filter(pk=second).update(title="Published while a merge was held")
    queue.index_now([second])
    assert titles(api(client, q='"while a merge was held"')) == ["Published while a merge was held"]
    before = len(backend().index._segments())
    release.set()
    merging.wait()
    assert len(backend().index._segments()) < before
    assert api(client)["total"] == len(segmented)
    assert queue.drift().total == 0


def test_updates_after_a_rebuild_merge_as_they_go(index, settings):
    """Six updates after a rebuild into 18 segments: each applies, the small segments are
    merged, and the index is Whoosh's own. (A rebuild once wrote spelling postings that
    Whoosh's merge could not read back, and every update failed once a merge was due.)"""
    call_command("generate_corpus", count=90, seed=3, no_progress=True, stdout=io.StringIO())
    index()
    settings.BAYAN_INDEX_PROCS = 1
    settings.BAYAN_INDEX_SEGMENT_DOCS = 5
    queue.rebuild(progress=False)
    assert len(backend().index._segments()) == 18
    settings.BAYAN_INDEX_SEGMENT_DOCS = 1000  # merges take in the rebuilt segments
    for pk in queue._published_ids()[:6]:
        queue.enqueue([pk])
        queue.drain()
        assert not IndexTask.objects.exists()  # applied, not left failed
    assert len(backend().index._segments()) < 18 + 6  # merged
    merged = snapshot()
    whooshs_own_index()
    _same(snapshot(), merged, statistics=False)
