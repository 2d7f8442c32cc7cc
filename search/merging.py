"""Merging the index's small segments without holding the index.

Every update commits its documents as a segment of their own (search.backend.apply), and
Whoosh's policy for small segments (MERGE_SMALL) says when enough of them are due to become
one. Whoosh's merge reads every posting back through its matchers and hands each to its pool
in a call of its own, about 28 ms a document, and holds the writer lock all the while: at
100,000 documents, a merge of 2,000 kept every publication waiting for 59 s (measured).

Here the merged segment is built with no lock held, in a directory of its own inside the index
(`.merging`: Whoosh's cleaning of the files a commit no longer lists never looks into it).
Each term's postings are read from their blocks whole, as search.fast reads them, and written
as search.bulk writes a rebuild's. Only the commit takes the writer lock, briefly: it carries
over to the merged segment the deletions made meanwhile, and gives the merge up if a segment
it took in is gone (a rebuild, a clear, another merge). One merge at a time on the machine
(merger_lock), run in a background thread of the process that made the update; a large one
is built in a process of its own (ELSEWHERE_FROM), and none takes in more than a rebuild's
segment (due). The same merge of 2,000 documents: 10 s, the index free for updates all along
but the commit.
"""

from __future__ import annotations

import heapq
import logging
import multiprocessing
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from functools import lru_cache
from itertools import accumulate, groupby, repeat
from operator import itemgetter

from django.conf import settings
from whoosh.filedb.filestore import FileStorage
from whoosh.reading import SegmentReader
from whoosh.system import pack_ushort
from whoosh.writing import MERGE_SMALL

from search import bulk
from search.background import Background
from search.fast import _blocks, _postings_bytes
from search.locking import merger_lock, writer_lock

logger = logging.getLogger(__name__)

WORK_DIR = ".merging"


class _Choice:
    """Stands in for the writer to which MERGE_SMALL adds the segments it merges, so that
    Whoosh's own policy chooses them."""

    def __init__(self, ix):
        self.storage, self.schema = ix.storage, ix.schema
        self.chosen: list = []

    def add_reader(self, reader) -> None:
        self.chosen.append(reader.segment())


def due(ix, limit: int) -> list:
    """The segments Whoosh's MERGE_SMALL would merge now among those of fewer than `limit`
    documents, the smallest first and at most `limit` documents in all (none when no merge is
    due).

    The limit is a rebuild's segment size (BAYAN_INDEX_SEGMENT_DOCS), which bounds a merge's
    memory below a rebuild worker's: a merge keeps each term's place in the term table until
    it closes the segment, 788 MB at 27,001 documents (measured), and Whoosh's policy would in
    time merge a whole archive into one segment. Larger segments stay as they are, as in
    Lucene's tiered merges; a rebuild makes them even again."""
    segments = [segment for segment in ix._segments() if segment.doc_count_all() < limit]
    choice = _Choice(ix)
    if MERGE_SMALL(choice, segments) is segments:  # its answer when no merge is due
        return []
    chosen, total = [], 0
    for segment in choice.chosen:  # the smallest first, as MERGE_SMALL sorts them
        total += segment.doc_count_all()
        if total > limit:
            break
        chosen.append(segment)
    return chosen if len(chosen) > 1 else []


def merge_small(ix, timeout: float = 60.0) -> bool:
    """Merge the small segments that are due, if any and if no other merge is running on this
    index; True when a merge was committed."""
    if not isinstance(ix.storage, FileStorage):
        return False  # an index in memory lives in one process: nothing to work beside it
    with merger_lock() as mine:
        if not mine:
            return False
        chosen = due(ix, settings.BAYAN_INDEX_SEGMENT_DOCS)
        if not chosen:
            return False
        root = os.path.join(ix.storage.folder, WORK_DIR)
        shutil.rmtree(root, ignore_errors=True)  # what a merger killed midway left
        os.makedirs(root, exist_ok=True)
        # A directory of this merge's own: a builder process that outlived its merger (killed
        # with it) fails on its next file rather than writing among this merge's files.
        work = tempfile.mkdtemp(dir=root)
        started = time.perf_counter()
        try:
            merged = _build_where_best(ix, chosen, work)
            committed = _commit(ix, chosen, merged, work, timeout)
        finally:
            shutil.rmtree(root, ignore_errors=True)
        merge = {
            "segments": len(chosen),
            "docs": merged.segment.doc_count() if merged.segment is not None else 0,
            "seconds": time.perf_counter() - started,
            "committed": committed,
        }
        logger.info(
            "merged %(segments)d segments, %(docs)d documents kept, in %(seconds).1f s%(gave_up)s",
            {**merge, "gave_up": "" if committed else ", then gave it up: a segment was gone"},
            extra={"merge": merge},
        )
        return committed


class _Merged:
    """The merged segment, and where each document of the segments it took in went."""

    def __init__(self, segment, moves: list[dict | int]):
        self.segment = segment  # None when every document taken in was deleted
        # Per segment taken in: its document numbers' new ones (a dict, when it had deleted
        # documents), or the offset added to them.
        self.moves = moves

    def new_number(self, index: int, docnum: int) -> int:
        move = self.moves[index]
        return move[docnum] if isinstance(move, dict) else move + docnum


# A merge of more documents than this is built in a process of its own, spawned (a fresh
# interpreter: this one may have threads that a fork would copy in the middle of their work).
# In the process that made the update, it would share the interpreter's lock with whatever
# else that process serves: beside a stream of updates, a merge of 2,000 documents took 29.7 s
# instead of 10, and each batch of updates twice its time (measured). A smaller merge takes
# less than starting a process does.
ELSEWHERE_FROM = 1000


def _build_where_best(ix, chosen: list, work: str) -> _Merged:
    if sum(segment.doc_count_all() for segment in chosen) < ELSEWHERE_FROM:
        return _build(ix, chosen, work)
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(_build, ix, chosen, work).result()


def _build(ix, chosen: list, work: str) -> _Merged:
    """Write the segments `chosen` as one segment in the directory `work`."""
    storage = FileStorage(work).create()
    builder = MergeBuilder(storage.create_index(ix.schema, indexname=ix.indexname), _lk=False)
    readers = [SegmentReader(ix.storage, ix.schema, segment) for segment in chosen]
    try:
        moves = [builder.add_segment(reader) for reader in readers]
        if not builder.docnum:
            builder._close_segment()
            return _Merged(None, moves)
        return _Merged(builder._finalize_segment(), moves)
    finally:
        builder._finish()
        for reader in readers:
            reader.close()
        _decoded.cache_clear()


def _commit(ix, chosen: list, merged: _Merged, work: str, timeout: float) -> bool:
    """Put the merged segment in place of the segments it took in, in one commit under the
    writer lock; False, and nothing changed, if one of those segments is no longer there."""
    with writer_lock(timeout):
        writer = ix.writer(timeout=timeout)
        try:
            current = {segment.segment_id(): segment for segment in writer.segments}
            if any(segment.segment_id() not in current for segment in chosen):
                bulk.cancel(writer)
                return False
            new = merged.segment
            if new is not None:
                # Deleted since the merge read them (replaced or withdrawn meanwhile).
                for index, segment in enumerate(chosen):
                    before = set(segment.deleted_docs())
                    for docnum in set(current[segment.segment_id()].deleted_docs()) - before:
                        new.delete_document(merged.new_number(index, docnum))
                name = new.make_filename(new.COMPOUND_EXT)
                os.replace(os.path.join(work, name), os.path.join(ix.storage.folder, name))
            gone = {segment.segment_id() for segment in chosen}
            kept = [segment for segment in writer.segments if segment.segment_id() not in gone]
            writer._close_segment()
            writer._commit_toc(kept + ([new] if new is not None else []))
        except BaseException:
            bulk.cancel(writer)
            raise
        writer._finish()
        return True


class MergeBuilder(bulk.SegmentBuilder):
    """A segment writer that takes in whole segments: their documents' stored fields, lengths
    and columns through Whoosh's own per-document copy, then every field's terms in one pass,
    each term's postings from all the segments read whole and written at once."""

    def __init__(self, ix, **options):
        super().__init__(ix, **options)
        self._sources: list[tuple[SegmentReader, dict | int]] = []

    def add_segment(self, reader) -> dict | int:
        """Copy a segment's documents (all but the deleted); return where they went."""
        base = self.docnum
        names = {name for name in reader.indexed_field_names() if name in self.schema}
        docmap = self.write_per_doc(set(self.schema.names()) | names, reader)
        move = base if docmap is None else docmap
        self._sources.append((reader, move))
        self._added = True
        return move

    def _flush_segment(self):
        self.perdocwriter.close()
        lengths = self.per_document_reader()
        fieldwriter, schema = self.fieldwriter, self.schema
        try:
            names = {}  # field: the segments that have it
            for source in self._sources:
                for name in source[0].indexed_field_names():
                    if name in schema:
                        names.setdefault(name, []).append(source)
            for fieldname, sources in sorted(names.items()):
                fieldwriter.start_field(fieldname, schema[fieldname])
                if fieldname in self.pool.spelling_fields:
                    words = set()
                    for reader, _move in sources:
                        words.update(reader.lexicon(fieldname))
                    bulk.write_spelling(fieldwriter, words)
                else:
                    fixed = schema[fieldname].format.fixed_value_size()
                    length = bulk.field_lengths(lengths, fieldname, self.docnum)
                    terms = _terms(sources, fieldname, fixed)
                    bulk.write_field(fieldwriter, terms, fixed != 0, length)
                fieldwriter.finish_field()
        finally:
            lengths.close()
        fieldwriter.close()


def _terms(sources: list[tuple], fieldname: str, fixed: int | None) -> Iterator[tuple]:
    """(term, documents, weights, values) of every term of a field in the merged segment,
    terms in order; each segment's documents come after the previous segment's (heapq.merge
    keeps equal terms in the order of the segments)."""
    streams = [_moved(_segment_terms(reader, fieldname, fixed), move) for reader, move in sources]
    for btext, parts in groupby(heapq.merge(*streams, key=_TERM), key=_TERM):
        ids, weights, values = [], [], []
        for _btext, part_ids, part_weights, part_values in parts:
            ids += part_ids
            weights += part_weights
            values += part_values
        if ids:  # a term only deleted documents had is gone
            yield btext, ids, weights, values


_TERM = itemgetter(0)


def _moved(terms: Iterator[tuple], move: dict | int) -> Iterator[tuple]:
    """A segment's terms with their postings renumbered for the merged segment, the deleted
    documents' left out."""
    if isinstance(move, int):
        for btext, ids, weights, values in terms:
            yield btext, [move + docnum for docnum in ids], weights, values
        return
    for btext, ids, weights, values in terms:
        kept = [k for k, docnum in enumerate(ids) if docnum in move]
        if len(kept) < len(ids):
            weights = [weights[k] for k in kept]
            values = [values[k] for k in kept] if values else values
        yield btext, [move[ids[k]] for k in kept], weights, values


def _segment_terms(reader, fieldname: str, fixed: int | None) -> Iterator[tuple]:
    """(term, documents, weights, values) of every term of a field in one segment, in order:
    values one per posting, or none for a format without them."""
    terms = reader._terms
    fmt = reader.schema[fieldname].format
    buf = _postings_bytes(terms)
    if buf is None:  # another codec: its own lexicon and matchers
        for btext in reader.lexicon(fieldname):
            yield (btext, *_matched(terms.matcher(fieldname, btext, fmt), fixed))
        return
    # The term table's raw entries (Whoosh 3's: see search.bulk._postings): decoding each into
    # a W3TermInfo was an eighth of a merge's profile.
    prefix = pack_ushort(terms._fieldmap[fieldname])
    for key, entry in terms._tindex.items_from(prefix):
        if not key.startswith(prefix):
            return
        btext = key[len(prefix) :]
        # The first byte flags postings kept inline in the entry, as Whoosh's writer keeps
        # those of a term found once.
        if entry[0]:
            yield (btext, *_matched(terms.matcher(fieldname, btext, fmt), fixed))
            continue
        offset, length = bulk._EXTENT.unpack_from(entry, bulk._TERM_INFO.size)
        decode = _decoded if length <= _SHORT else _decode
        yield (btext, *decode(buf[offset : offset + length], fixed))


def _decode(postings: bytes, fixed: int | None) -> tuple[tuple, tuple, tuple]:
    """(documents, weights, values) of a posting list in Whoosh 3's format (fast._blocks)."""
    ids, weights, values = [], [], []
    for count, deltas, block_weights, block_values in _blocks(postings, 0, len(postings)):
        ids += accumulate(deltas)  # ids restart from 0 in each block
        if block_weights is None:
            weights += repeat(1.0, count)
        elif isinstance(block_weights, float):
            weights += repeat(block_weights, count)
        else:
            weights += block_weights
        if fixed is None or fixed < 0:
            values += block_values
        elif fixed:
            values += (block_values[i : i + fixed] for i in range(0, count * fixed, fixed))
    return tuple(ids), tuple(weights), tuple(values)


# A posting list is mostly one short block, and the same bytes recur: a three-word run found
# in one document only is a block of that document's number alone, the same for each of the
# hundreds of such runs it has. Decoded once each, a merge took a third less time (measured).
# Cleared after each merge (_build).
_SHORT = 128
_decoded = lru_cache(maxsize=1 << 16)(_decode)


def _matched(matcher, fixed: int | None) -> tuple[list, list, list]:
    """A term's postings through Whoosh's matcher."""
    ids, weights, values = [], [], []
    while matcher.is_active():
        ids.append(matcher.id())
        weights.append(matcher.weight())
        if fixed != 0:
            values.append(matcher.value())
        matcher.next()
    return ids, weights, values


# -- In the background ------------------------------------------------------------------------


def _merge(ix, timeout: float) -> None:
    try:
        merge_small(ix, timeout)
    except Exception:
        # The updates are committed: a merge that fails leaves more segments, not less.
        logger.exception("merging the index's small segments failed")


_merger = Background("bayan-merge", _merge, finish=None)


def start(ix, timeout: float = 60.0) -> None:
    """Merge in a daemon thread, unless one is running (then it looks again when done): the
    update that made a merge due never waits for it. With BAYAN_INDEX_IN_BACKGROUND off, as
    index updates themselves, in the caller's thread."""
    if settings.BAYAN_INDEX_IN_BACKGROUND:
        _merger.start(ix, timeout)
    else:
        _merge(ix, timeout)


def running() -> bool:
    """Whether this process is merging in the background."""
    return _merger.running


def wait(timeout: float = 60.0) -> None:
    """Wait for this process's background merge, if any (tests, commands about to exit)."""
    _merger.wait(timeout)
