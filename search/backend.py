"""Everything Whoosh-specific, in one place: SEARCH_URL=whoosh:///path selects it.

Haystack's Whoosh backend works but has measured weaknesses, each handled here:

- Schema: Haystack indexes its `*_exact` facet fields as stemmed text and, with term vectors,
  raises a bare Exception when one is empty. Facet fields here (FacetMultiValueField in
  search.search_indexes) are plain comma-separated KEYWORDs holding stable keys (slugs),
  and the full-text fields share one analyzer (Arabic, French, English: search.analysis).
- Searching: Haystack opens a new searcher per query and first runs a second search to
  restrict results to registered models. Here one searcher stays open per thread until the
  index changes (a generation check), and since one model is indexed the restriction is
  skipped; narrowing queries become a filter, not extra scored searches.
- Faceting and scoring: Haystack's Whoosh faceting walks every posting list of a field per
  query, and Whoosh scores document by document. Here both are numpy passes over tables
  kept per segment (search.fast); BAYAN_SEARCH_FAST=0 keeps Whoosh's own path (below), the
  baseline the equivalence tests compare with.
- Phrases: a shingle field (search.analysis) makes a phrase of up to three words one
  posting list.
- Reading: segments are read in place, not copied into memory per searcher (_patch_whoosh).
- Whoosh's own path, the baseline: two bugs of Whoosh 2.7.4 that reordered and miscounted
  its results at a few thousand documents are fixed (_fix_whoosh, and its collector in
  `search`), so that both paths answer alike there too.
- Writing: only one Whoosh writer may exist at a time, and Haystack's AsyncWriter can drop
  or delay updates under contention. Every write here goes through search.locking's
  inter-process lock and commits one writer per batch (`apply`); a rebuild builds whole
  segments in worker processes and commits them together (`rebuild`, search.bulk).
- Highlights and spelling: fragments come back with private-use markers that the service
  turns into <mark> after escaping (search.service), and "did you mean" is computed per
  word, against unstemmed words, only for words the index does not know.
"""

from __future__ import annotations

import io
import logging
import os
import pickle
import time
from collections import Counter
from contextlib import contextmanager
from datetime import date, datetime
from functools import partial

import numpy as np
from django.conf import settings
from haystack.backends import BaseEngine, log_query
from haystack.backends.whoosh_backend import (
    WhooshSearchBackend,
    WhooshSearchQuery,
)
from haystack.constants import DJANGO_CT, DJANGO_ID, ID
from haystack.exceptions import SearchBackendError, SkipDocument
from haystack.models import SearchResult
from haystack.utils import get_identifier
from whoosh import query
from whoosh.fields import DATETIME, NUMERIC, STORED, Schema
from whoosh.fields import ID as WHOOSH_ID
from whoosh.filedb.filestore import FileStorage
from whoosh.index import EmptyIndexError
from whoosh.searching import Results
from whoosh.writing import CLEAR, NO_MERGE

from search import bulk, merging, pickled
from search.analysis import (
    SHINGLES_FIELD,
    FacetKeysField,
    ShinglesField,
    spelling_form,
    text_field,
)
from search.fast import (
    FastTables,
    SegmentCache,
    Unsupported,
    fast_path_enabled,
    hit,
    key_terms,
    top,
)
from search.highlighting import FastHighlighter, MarkFormatter, highlight_fragmenter
from search.locking import writer_lock
from search.prefixes import PrefixParser

logger = logging.getLogger(__name__)


def _patch_whoosh() -> None:
    """Costs of Whoosh 2.7.4 found by profiling, removed with the same answers:

    - its per-document reader caches the lengths column of a field, but not its absence: a
      field without lengths (the spelling field) cost a stat() of the segment's files for
      every posting written at commit (a third of a commit);
    - doc_field_length went through a column reader per call (a sixth of a commit): the
      segment's length bytes of a field are read once instead (segments never change);
    - segments are read in place, not copied (BufferReader, below);
    - posting blocks are pickled with protocol 4, not 2 (_block_dumps, below);
    - short blocks are stored uncompressed, as search.bulk writes them (pickled.packed).
    """
    from whoosh.codec import whoosh3
    from whoosh.util.numeric import byte_to_length

    reader = whoosh3.W3PerDocReader
    if getattr(reader, "_bayan_patched", False):
        return
    original = reader._cached_reader
    missing = object()

    def _cached_reader(self, fieldname, column):
        found = self._readers.get(fieldname, missing)
        if found is not missing:
            return found
        found = original(self, fieldname, column)
        self._readers[fieldname] = found
        return found

    def doc_field_length(self, docnum, fieldname, default=0):
        cache = self.__dict__.setdefault("_bayan_lengths", {})
        lengths = cache.get(fieldname, missing)
        if lengths is missing:
            column = self._cached_reader(whoosh3._lenfield(fieldname), whoosh3.LENGTHS_COLUMN)
            lengths = None if column is None else bytes(column)
            cache[fieldname] = lengths
        if docnum > self._doccount:
            raise IndexError(f"Asked for docnum {docnum!r} of {self._doccount}")
        if lengths is None:
            return default
        lbyte = lengths[docnum]
        return byte_to_length(lbyte) if lbyte else None  # None for 0, as Whoosh's own

    reader._cached_reader = _cached_reader
    reader.doc_field_length = doc_field_length
    reader._bayan_patched = True

    # Whoosh opens a segment's memory-mapped files as BufferFile(buf), which wraps the buffer
    # in BytesIO(buf): a heap copy of the whole segment for every searcher in every process
    # (2 GB per gunicorn worker at 100,000 documents, and seconds to open a searcher after
    # each index change). A read-only file over the buffer itself reads the same bytes. It
    # is read through io.BufferedReader (16 KB at a time): Whoosh reads each posting block's
    # header with pickle.load on the file, which asks a Python-level file for every byte.
    from whoosh.filedb import structfile

    def buffer_file_init(self, buf, name=None, onclose=None):
        self._buf = buf
        self._name = name
        self.file = io.BufferedReader(BufferReader(buf), buffer_size=16384)
        self.onclose = onclose
        self.is_real = False
        self.is_closed = False

    structfile.BufferFile.__init__ = buffer_file_init

    # Whoosh pickles each posting block with protocol 2, where a bytes object (a posting's
    # encoded positions) is stored as a call to codecs.encode: unpickling a block of the
    # full-text field took 200 µs, 95 % of reading it (measured at 100,000 documents), and
    # reading postings is most of a "more like this". Protocol 4 stores bytes as bytes: the
    # same block in 10 µs, and half the size compressed. Any protocol reads back the same
    # data (pickle.loads takes them all), so segments written before this still read.
    whoosh3.dumps = _block_dumps

    # Whoosh's own writer (tests compare search.bulk's files with its) stores a short block
    # as search.bulk does: its compression is off for that block alone.
    write_block = whoosh3.W3PostingsWriter._write_block

    def _write_block(self, last=False):
        level = self._compression
        data = (self._mini_ids(), self._mini_weights(), self._mini_values())
        if pickled.kept_plain(whoosh3.dumps(data, 2)):
            self._compression = 0
        try:
            write_block(self, last)
        finally:
            self._compression = level

    whoosh3.W3PostingsWriter._write_block = _write_block


def _block_dumps(obj, protocol=None) -> bytes:
    return pickle.dumps(obj, 4)


def despite_commits(open_files):
    """open_files(), tried again when a file it needs vanished: another process's commit
    removed the previous generation's table of contents or merged away a segment between
    Whoosh listing the files and opening them. The next generation is complete."""
    for attempt in range(5):
        try:
            return open_files()
        except FileNotFoundError:
            time.sleep(0.01 * (attempt + 1))
    return open_files()


class BufferReader(io.RawIOBase):
    """A read-only, seekable raw file over a buffer (an mmap's memoryview), without a copy;
    io.BufferedReader reads it through readinto."""

    def __init__(self, buf):
        self._view = memoryview(buf)
        self._pos = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def readinto(self, target) -> int:
        chunk = self._view[self._pos : self._pos + len(target)]
        n = len(chunk)
        target[:n] = chunk
        self._pos += n
        return n

    def seek(self, offset, whence=io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: len(self._view)}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def tell(self) -> int:
        return self._pos


def _fix_whoosh() -> None:
    """A bug of Whoosh 2.7.4, fixed: AndMaybeMatcher.skip_to(id) moves its optional matcher to
    `id`, not to where its required matcher landed; a document past `id` that both hold then
    loses the optional matcher's score. Whoosh makes one out of a union when one of its
    terms can no longer bring a document onto the page by itself (the collector's replace(),
    every 10 matches): at 4,000 documents, "violations" with two organizations chosen scored
    documents holding both of the word's terms as if they held one. Its next() already moves
    to the required one's id."""
    from whoosh.matching import mcore
    from whoosh.matching.binary import AndMaybeMatcher

    def skip_to(self, id):
        if not self.a.is_active():
            raise mcore.ReadTooFar
        ra = self.a.skip_to(id)
        rb = False
        if self.a.is_active() and self.b.is_active():
            rb = self.b.skip_to(self.a.id())
        return ra or rb

    AndMaybeMatcher.skip_to = skip_to


_patch_whoosh()
_fix_whoosh()


class BayanWhooshSearchBackend(WhooshSearchBackend):
    HIGHLIGHT_FRAGMENTS = 3
    # Query strings parsed during one results page (remembering); None otherwise.
    _parsed: dict | None = None
    # The stored field that highlights and "more like this" read: the readable body, where
    # the full-text field also holds names and roles that make poor snippets.
    SOURCE_FIELD = "body"
    WRITER_TIMEOUT = 60.0

    def setup(self):
        from haystack import connections

        self._searcher = None
        self._facet_tables: dict[str, list[tuple[str, ...]]] = {}
        self._segments = SegmentCache(settings.BAYAN_SEARCH_CACHE_BYTES)
        self._fast = FastTables(self._segments)
        if not self.use_file_storage:
            super().setup()
        else:
            os.makedirs(self.path, exist_ok=True)
            self.storage = FileStorage(self.path)
            fields = connections[self.connection_alias].get_unified_index().all_searchfields()
            self.content_field_name, self.schema = self.build_schema(fields)
            self.index = self._open_or_create()
        # One parser for the query and the narrowing filters; user input is rewritten by
        # search.query, whose only wildcard is a prefix (negotiat*), read as the words that
        # begin with it in the index being searched (search.prefixes).
        self.parser = PrefixParser(self.content_field_name, self.schema, self._searched_reader)
        self.setup_complete = True

    def _searched_reader(self):
        # The reader of the searcher a search of this thread already holds: asking
        # _current_searcher() again could open a newer one and close that one under it.
        searcher = self._searcher if self._searcher is not None else self._current_searcher()
        return searcher.reader()

    def _open_or_create(self):
        # Haystack creates the index whenever opening it fails, and Whoosh's create_index
        # deletes whatever index files exist: two processes starting on a fresh directory
        # could wipe each other's first documents. Creation here happens once, under the lock.
        open_index = partial(self.storage.open_index, schema=self.schema)
        try:
            return despite_commits(open_index)
        except EmptyIndexError:
            pass
        with writer_lock():
            if self.storage.index_exists():
                return despite_commits(open_index)
            return self.storage.create_index(self.schema)

    def build_schema(self, fields):
        schema_fields = {
            ID: WHOOSH_ID(stored=True, unique=True),
            DJANGO_CT: WHOOSH_ID(stored=True),
            DJANGO_ID: WHOOSH_ID(stored=True),
        }
        content_field_name = ""
        for field in fields.values():
            name = field.index_fieldname
            if hasattr(field, "facet_for"):
                # Keys are slugs: no commas, so the comma-joined list splits back exactly.
                schema_fields[name] = FacetKeysField(stored=field.stored)
            elif not field.indexed:
                schema_fields[name] = STORED()
            elif field.field_type in ("date", "datetime"):
                schema_fields[name] = DATETIME(stored=field.stored, sortable=True)
            elif field.field_type == "integer":
                schema_fields[name] = NUMERIC(stored=field.stored, numtype=int, sortable=True)
            else:
                # Arabic, French and English analysis: search.analysis.
                schema_fields[name] = text_field(stored=field.stored, spelling=field.document)
            if field.document:
                content_field_name = name
        if not content_field_name:
            raise SearchBackendError("The search index declares no document=True field.")
        # Runs of adjacent words of the full text, for phrases (search.analysis, search.fast).
        schema_fields[SHINGLES_FIELD] = ShinglesField(source=content_field_name)
        return content_field_name, Schema(**schema_fields)

    # -- Writing --------------------------------------------------------------------------

    def apply(self, index, objects, remove_identifiers) -> None:
        """Add or replace `objects` and remove `remove_identifiers`, in one locked commit."""
        if not self.setup_complete:
            self.setup()
        documents, removals = [], list(remove_identifiers)
        for obj in objects:
            try:
                documents.append(self._document(index, obj))
            except SkipDocument:
                removals.append(get_identifier(obj))
        if not documents and not removals:
            return
        with writer_lock():
            # The new documents' segment is built as a rebuild builds one (Whoosh's writer
            # spent half an update on writing it, profiled) and committed alone; small
            # segments are merged afterwards, in the background (search.merging).
            writer = bulk.SegmentBuilder(self.index, timeout=self.WRITER_TIMEOUT)
            try:
                # Every old version in one searcher: update_document opened a reader over all
                # the segments for each document.
                with writer.searcher() as searcher:
                    for identifier in [*removals, *(document[ID] for document in documents)]:
                        writer.delete_by_term(ID, identifier, searcher=searcher)
                for document in documents:
                    writer.add_document(**document)
                writer.commit(mergetype=NO_MERGE)
            except BaseException:
                bulk.cancel(writer)
                raise
        merging.start(self.index, self.WRITER_TIMEOUT)

    def rebuild(self, index, ids: list[int], load, progress, batch_size: int) -> None:
        """Replace the whole index with the communiqués `ids`, read by `load(ids)` in batches,
        in one commit (search.bulk: segments built in BAYAN_INDEX_PROCS processes). The caller
        holds the writer lock; searches see the old index until the commit."""
        if not self.setup_complete:
            self.setup()

        def documents(run: list[int]):
            for start in range(0, len(run), batch_size):
                batch = []
                for obj in load(run[start : start + batch_size]):
                    try:
                        batch.append(self._document(index, obj))
                    except SkipDocument:
                        continue
                yield batch

        bulk.rebuild(
            self.index,
            bulk.parts(ids, settings.BAYAN_INDEX_PROCS, settings.BAYAN_INDEX_SEGMENT_DOCS),
            documents,
            settings.BAYAN_INDEX_PROCS,
            progress,
            self.WRITER_TIMEOUT,
        )

    def update(self, index, iterable, commit=True):
        self.apply(index, list(iterable), [])

    def remove(self, obj_or_string, commit=True):
        self.apply(None, [], [get_identifier(obj_or_string)])

    def clear(self, models=None, commit=True):
        # One model is indexed, so clearing a model clears the index. A CLEAR commit replaces
        # the segments atomically: open searchers elsewhere keep working, where Haystack's
        # rmtree of the directory would pull the files from under them.
        if not self.setup_complete:
            self.setup()
        with writer_lock():
            self.index.writer(timeout=self.WRITER_TIMEOUT).commit(mergetype=CLEAR)

    def _document(self, index, obj) -> dict:
        document = {}
        for key, value in index.full_prepare(obj).items():
            if key == "boost" or value is None:
                continue
            if isinstance(value, (list, tuple, set)):
                value = ",".join(str(v).replace(",", " ") for v in value)
            elif isinstance(value, datetime):
                pass
            elif isinstance(value, date):
                value = datetime(value.year, value.month, value.day)
            elif isinstance(value, bool):
                value = "true" if value else "false"
            elif not isinstance(value, (int, float)):
                value = str(value)
            if value == "":
                continue  # an absent field, not an empty one: Whoosh stores nothing for it
            document[key] = value
        if self.content_field_name in document:
            document[SHINGLES_FIELD] = document[self.content_field_name]
        return document

    def stored_documents(self, fields: list[str]):
        """(django_id, {field: value}) for every indexed document: for the drift check."""
        searcher = self._current_searcher()
        for stored in searcher.all_stored_fields():
            yield stored[DJANGO_ID], {name: stored.get(name) for name in fields}

    # -- Reading --------------------------------------------------------------------------

    def _current_searcher(self):
        if not self.setup_complete:
            self.setup()
        searcher = self._searcher
        try:
            if searcher is not None and searcher.up_to_date():
                return searcher
        except Exception:  # the index files changed under an old searcher: open a new one
            logger.debug("search index changed under its searcher", exc_info=True)
        fresh = despite_commits(self.index.searcher)
        if searcher is not None:
            searcher.close()
        self._searcher = fresh
        self._facet_tables = {}
        self._segments.keep_only(fresh.reader())
        self._fast = FastTables(self._segments)
        return fresh

    def index_version(self) -> tuple:
        """What this process searches, as a token that every commit changes: the index's
        folder, its generation and its segments (whose names are random, so an index made
        anew never repeats a token of an earlier one)."""
        reader = self._current_searcher().reader()
        segments = tuple(SegmentCache.key(leaf) for leaf, _offset in reader.leaf_readers())
        return (self.path, reader.generation(), segments)

    @contextmanager
    def remembering(self):
        """Within, the searches of one results page share their work: each query string is
        parsed once, and on the fast path each query's documents are matched once. A page
        runs a search for its results, one more for each chosen facet (its counts leave out
        its own filter) and one for the months of a short date range, and each repeats the
        query and most filters: a page with three facets chosen parsed them 13 times.
        Nothing outlives the page, so no other search is answered from it."""
        if self._parsed is not None:  # a page within a page: the outer one keeps it all
            yield
            return
        self._parsed = {}
        try:
            yield
        finally:
            self._parsed = None
            if self.setup_complete:
                self._fast.matched = None

    def _parse(self, text: str):
        if not text or text.strip() in ("*", "*:*"):
            return query.Every()
        parsed = self._parsed
        if parsed is None:
            return self.parser.parse(text)
        q = parsed.get(text)
        if q is None:
            q = parsed[text] = self.parser.parse(text)
        return q

    def _facet_table(self, searcher, field: str) -> list[tuple[str, ...]]:
        """docnum -> keys of a facet field, built once per searcher."""
        table = self._facet_tables.get(field)
        if table is None:
            reader = searcher.reader()
            lists: list[list[str]] = [[] for _ in range(reader.doc_count_all())]
            if field in reader.schema:
                for key in reader.field_terms(field):
                    for docnum in reader.postings(field, key).all_ids():
                        lists[docnum].append(key)
            table = [tuple(keys) for keys in lists]
            self._facet_tables[field] = table
        return table

    def _facet_counts(self, searcher, q, facets) -> dict:
        docs = list(searcher.docs_for_query(q))
        fields = {}
        for name, options in facets.items():
            table = self._facet_table(searcher, name)
            counts = Counter(key for docnum in docs for key in table[docnum])
            size = (options or {}).get("size")
            fields[name] = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:size]
        return {"fields": fields, "dates": {}, "queries": {}}

    def _sorting(self, sort_by):
        if not sort_by:
            return None, False
        directions = {s.startswith("-") for s in sort_by}
        if len(directions) > 1:
            raise SearchBackendError("Whoosh sorts every field in the same direction.")
        return [s.lstrip("-") for s in sort_by], directions.pop()

    @log_query
    def search(
        self,
        query_string,
        sort_by=None,
        start_offset=0,
        end_offset=None,
        fields="",
        highlight=False,
        facets=None,
        date_facets=None,
        query_facets=None,
        narrow_queries=None,
        spelling_query=None,
        result_class=None,
        **kwargs,
    ):
        searcher = self._current_searcher()
        q = self._parse(query_string)
        filters = [self._parse(nq) for nq in (narrow_queries or ())]
        if filters:
            q = query.And([q, *filters]) if not isinstance(q, query.Every) else query.And(filters)
        spelling = self._suggest(searcher, spelling_query) if spelling_query else None
        if searcher.doc_count() == 0 or q is query.NullQuery:
            return {"results": [], "hits": 0, "facets": {}, "spelling_suggestion": spelling}

        # end_offset=0: the caller wants the total and the counts, no page (search.service).
        counts_only = end_offset == 0
        start = start_offset or 0
        limit = end_offset if end_offset is not None else None
        if limit is not None and limit <= start:
            limit = start + 1
        sortedby, reverse = self._sorting(sort_by)
        if fast_path_enabled():
            return self._fast_search(
                searcher,
                q,
                start,
                limit,
                sortedby,
                reverse,
                highlight,
                facets,
                spelling,
                result_class,
                counts_only,
            )
        collector = searcher.collector(limit=limit, sortedby=sortedby, reverse=reverse)
        # Whoosh 2.7.4 prunes a scored search as its page fills (matcher.replace() drops the
        # terms that can no longer bring a document onto the page), yet where it counts the
        # matches itself (no block qualities, as with a NOT) it gives the documents it still
        # visits as the total: "united -corridor" counted 166 of 1,575 matches at 4,000
        # documents. The baseline visits every match.
        collector.replace = 0
        searcher.search_with_collector(q, collector)
        raw = collector.results()
        if highlight:
            raw.formatter = MarkFormatter()
            raw.fragmenter = highlight_fragmenter()
        results = [
            self._result(hit, hit.score or 0, result_class, highlight) for hit in raw[start:limit]
        ]
        return {
            "results": results,
            "hits": len(raw),
            "facets": self._facet_counts(searcher, q, facets) if facets else {},
            "spelling_suggestion": spelling,
        }

    # -- The fast path -------------------------------------------------------------------
    #
    # The matching documents are computed once, as a numpy mask over document numbers, from
    # the posting blocks, with Whoosh's BM25F score of each (search.fast); the total and the
    # facet counts come from that mask and per-searcher arrays, the page from a partition of
    # the scores (or of the sort column). A query the fast path does not score goes to
    # Whoosh's own search for its page. Results, scores and counts are Whoosh's own
    # (tests/search/test_fast_path.py compares both paths).

    def _fast_search(
        self,
        searcher,
        q,
        start,
        limit,
        sortedby,
        reverse,
        highlight,
        facets,
        spelling,
        rc,
        counts_only=False,
    ):
        tables = self._fast
        if self._parsed is not None and tables.matched is None:
            tables.matched = {}  # kept until the page is done (remembering)
        scores = None
        if sortedby or counts_only:
            mask = tables.match(searcher, q)
        else:
            try:
                mask, scores = tables.scored(searcher, q)
            except Unsupported:
                mask = tables.match(searcher, q)
        hits = int(np.count_nonzero(mask))
        top_n = None
        if sortedby and len(sortedby) == 1 and tables.sortable(searcher, sortedby[0]):
            keys = tables.column(searcher, sortedby[0])
            docs = np.flatnonzero(mask)
            values = keys[docs]
            if limit is not None and limit < len(docs):
                # Only the documents that can reach the page (the limit-th value and beyond,
                # ties included) are sorted: a sort of the whole archive took 6 ms.
                at = len(values) - limit if reverse else limit - 1
                kth = np.partition(values, at)[at]
                near = values >= kth if reverse else values <= kth
                docs, values = docs[near], values[near]
            order = np.lexsort((docs, values))
            if reverse:
                order = order[::-1]
            if limit is not None:
                order = order[:limit]
            top_n = [(keys[d].item(), int(d)) for d in docs[order]]
        elif hits == 0 or counts_only:
            top_n = []
        elif scores is not None:
            top_n = top(mask, scores, limit)
        if top_n is None:
            raw = searcher.search(q, limit=limit, sortedby=sortedby, reverse=reverse)
            page = raw[start:limit]
        else:
            raw = Results(searcher, q, top_n)
            shown = top_n[start:limit]  # page 50 ranks 1,000 documents and shows 20
            page = [hit(raw, d, n, score) for n, (score, d) in enumerate(shown, start)]
        if highlight:
            raw.highlighter = self._highlighter()
        results = [self._result(h, h.score or 0, rc, highlight) for h in page]
        counts = {}
        if facets:
            sizes = {name: (options or {}).get("size") for name, options in facets.items()}
            fields = tables.facet_counts(searcher, sizes, mask)
            counts = {"fields": fields, "dates": {}, "queries": {}}
        return {
            "results": results,
            "hits": hits,
            "facets": counts,
            "spelling_suggestion": spelling,
        }

    def _highlighter(self):
        highlighter = getattr(self, "_fast_highlighter", None)
        if highlighter is None:
            highlighter = FastHighlighter(
                fragmenter=highlight_fragmenter(), formatter=MarkFormatter()
            )
            self._fast_highlighter = highlighter
        return highlighter

    def more_like_this(
        self,
        model_instance,
        additional_query_string=None,
        start_offset=0,
        end_offset=None,
        models=None,
        limit_to_registered_models=None,
        result_class=None,
        **kwargs,
    ):
        searcher = self._current_searcher()
        docnum = searcher.document_number(**{ID: get_identifier(model_instance)})
        if docnum is None:
            return {"results": [], "hits": 0}
        top_n = end_offset or 20
        source = searcher.stored_fields(docnum).get(self.SOURCE_FIELD) or ""
        if not source.strip():
            return {"results": [], "hits": 0}
        # Whoosh's more_like: the 12 key terms of the text (Bo1, words in most of the archive
        # left out: search.fast.key_terms), OR-ed with their weights as boosts, the document
        # itself left out; scored by the fast path over the archive.
        field = self.content_field_name
        fast = fast_path_enabled()
        if fast:
            terms = self._fast.key_terms(searcher, field, source, 12)
        else:
            terms = key_terms(searcher.reader(), field, source, 12)
        q = query.Or([query.Term(field, word, boost=weight) for word, weight in terms])
        raw = None
        if fast:
            try:
                mask, scores = self._fast.scored(searcher, q)
            except Unsupported:
                pass
            else:
                mask[docnum] = False
                raw = Results(searcher, q, top(mask, scores, top_n))
                raw = [hit(raw, d, n, score) for n, (score, d) in enumerate(raw.top_n)]
        if raw is None:
            raw = searcher.search(q, limit=top_n, mask={docnum})
        results = [self._result(h, h.score or 0, result_class) for h in raw]
        return {"results": results[start_offset or 0 :], "hits": len(results)}

    def _result(self, hit, score, result_class, with_highlights=False):
        stored = hit.fields()
        app_label, model_name = stored[DJANGO_CT].split(".")
        # The body stays out of results: a page shows highlights or the stored summary.
        skip = {DJANGO_CT, DJANGO_ID, ID, self.content_field_name, self.SOURCE_FIELD}
        values = {key: value for key, value in stored.items() if key not in skip}
        if with_highlights:
            fragments = hit.highlights(
                self.content_field_name,
                text=stored.get(self.SOURCE_FIELD) or "",
                top=self.HIGHLIGHT_FRAGMENTS,
            )
            values["highlighted"] = {self.content_field_name: [fragments] if fragments else []}
        return (result_class or SearchResult)(
            app_label, model_name, stored[DJANGO_ID], score, **values
        )

    def _suggest(self, searcher, words: str) -> str | None:
        """The query's words with unknown ones replaced by their nearest indexed word."""
        field = self.content_field_name
        spelling_field = self.schema[field].spelling_fieldname(field)
        reader = searcher.reader()
        out, changed = [], False
        for word in words.split():
            lowered = spelling_form(word)  # as the spelling field holds it
            if (spelling_field, lowered) in reader:
                out.append(word)
                continue
            if fast_path_enabled():
                suggestions = self._fast.suggest(searcher, field, lowered)
            else:
                suggestions = searcher.corrector(field).suggest(lowered, limit=1)
            if suggestions and suggestions[0] != lowered:
                out.append(suggestions[0])
                changed = True
            else:
                out.append(word)
        return " ".join(out) if changed else None

    def create_spelling_suggestion(self, query_string):
        return self._suggest(self._current_searcher(), query_string)


class BayanWhooshSearchQuery(WhooshSearchQuery):
    def _convert_datetime(self, date):
        # Haystack writes dates with strftime("%Y..."), which leaves a year before 1000
        # unpadded here (glibc: "990101000000" for the year 99), and Whoosh then read another
        # date or raised: a search from the year 1 answered 503.
        time = (date.hour, date.minute, date.second) if hasattr(date, "hour") else (0, 0, 0)
        return "{:04d}{:02d}{:02d}{:02d}{:02d}{:02d}".format(date.year, date.month, date.day, *time)


class BayanWhooshEngine(BaseEngine):
    backend = BayanWhooshSearchBackend
    query = BayanWhooshSearchQuery
