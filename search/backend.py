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
- Faceting: Haystack's Whoosh faceting walks every posting list of a field per query. Here the
  doc -> keys table of each facet field is built once per searcher and a query only counts
  its matching documents.
- Writing: only one Whoosh writer may exist at a time, and Haystack's AsyncWriter can drop
  or delay updates under contention. Every write here goes through search.locking's
  inter-process lock and commits one writer per batch (`apply`).
- Highlights and spelling: fragments come back with private-use markers that the service
  turns into <mark> after escaping (search.service), and "did you mean" is computed per
  word, against unstemmed words, only for words the index does not know.
"""

from __future__ import annotations

import logging
import os
import time
from collections import Counter, deque
from contextlib import contextmanager
from datetime import date, datetime

import numpy as np
from haystack.backends import BaseEngine, log_query
from haystack.backends.whoosh_backend import (
    WhooshSearchBackend,
    WhooshSearchQuery,
)
from haystack.constants import DJANGO_CT, DJANGO_ID, ID
from haystack.exceptions import SearchBackendError, SkipDocument
from haystack.models import SearchResult
from haystack.utils import get_identifier
from whoosh import highlight, query
from whoosh.fields import DATETIME, KEYWORD, NUMERIC, STORED, Schema
from whoosh.fields import ID as WHOOSH_ID
from whoosh.filedb.filestore import FileStorage
from whoosh.index import EmptyIndexError
from whoosh.qparser import QueryParser
from whoosh.reading import TermNotFound
from whoosh.searching import Results
from whoosh.writing import CLEAR

from search.analysis import spelling_form, text_field
from search.locking import writer_lock

logger = logging.getLogger(__name__)

# Processes that analyse documents during a rebuild (Whoosh's MpWriter); 1: in this process.
REBUILD_PROCS = max(1, min(int(os.environ.get("BAYAN_INDEX_PROCS", os.cpu_count() or 1)), 4))


def _patch_whoosh() -> None:
    """Whoosh 2.7.4's per-document reader caches the lengths column of a field, but not its
    absence: a field without lengths (the spelling field) costs a stat() of the segment's
    files for every posting written at commit (a third of a commit's time, profiled)."""
    from whoosh.codec import whoosh3

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

    reader._cached_reader = _cached_reader
    reader._bayan_original_cached_reader = original  # for the benchmark's baseline
    reader._bayan_patched = True


_patch_whoosh()

# Highlight markers: private-use characters no communiqué contains, so that the service can
# escape the whole fragment and only then turn these into <mark> elements.
MARK_START, MARK_END = "\ue000", "\ue001"


def fast_path_enabled() -> bool:
    """The fast search path (search.backend's own matching, scoring and faceting): on unless
    BAYAN_SEARCH_FAST=0, which keeps Whoosh's own path (the baseline the benchmark and the
    equivalence tests compare with)."""
    return os.environ.get("BAYAN_SEARCH_FAST", "1") != "0"


class _MarkFormatter(highlight.Formatter):
    between = " … "

    def format_token(self, text, token, replace=False):
        return MARK_START + highlight.get_text(text, token, replace) + MARK_END


class BayanWhooshSearchBackend(WhooshSearchBackend):
    HIGHLIGHT_FRAGMENTS = 3
    # The stored field that highlights and "more like this" read: the readable body, where
    # the full-text field also holds names and roles that make poor snippets.
    SOURCE_FIELD = "body"
    WRITER_TIMEOUT = 60.0

    def setup(self):
        from haystack import connections

        self._searcher = None
        self._facet_tables: dict[str, list[tuple[str, ...]]] = {}
        self._fast = FastTables()
        if not self.use_file_storage:
            super().setup()
        else:
            os.makedirs(self.path, exist_ok=True)
            self.storage = FileStorage(self.path)
            fields = connections[self.connection_alias].get_unified_index().all_searchfields()
            self.content_field_name, self.schema = self.build_schema(fields)
            self.index = self._open_or_create()
        # One parser for the query and the narrowing filters; no fuzzy plugin: user input is
        # rewritten by search.query and never contains "~".
        self.parser = QueryParser(self.content_field_name, schema=self.schema)
        self.setup_complete = True

    def _open_or_create(self):
        # Haystack creates the index whenever opening it fails, and Whoosh's create_index
        # deletes whatever index files exist: two processes starting on a fresh directory
        # could wipe each other's first documents. Creation here happens once, under the lock.
        try:
            return self.storage.open_index(schema=self.schema)
        except EmptyIndexError:
            pass
        with writer_lock():
            if self.storage.index_exists():
                return self.storage.open_index(schema=self.schema)
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
                schema_fields[name] = KEYWORD(commas=True, stored=field.stored)
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
            writer = self.index.writer(timeout=self.WRITER_TIMEOUT)
            try:
                for identifier in removals:
                    writer.delete_by_term(ID, identifier)
                for document in documents:
                    writer.update_document(**document)
            except BaseException:
                writer.cancel()
                raise
            writer.commit()

    @contextmanager
    def bulk(self, index, procs: int | None = None):
        """A writer for a whole rebuild, into an index just cleared: yields add(objects).

        add_document, not update_document (nothing to delete: no reader over the segments
        per document); documents analysed in `procs` processes (Whoosh's MpWriter), each
        writing its own segment; one commit at the end. The caller holds the writer lock.
        """
        if not self.setup_complete:
            self.setup()
        procs = procs or REBUILD_PROCS
        options = {"procs": procs, "multisegment": True, "limitmb": 128} if procs > 1 else {}
        writer = self.index.writer(timeout=self.WRITER_TIMEOUT, **options)

        def add(objects) -> None:
            for obj in objects:
                try:
                    document = self._document(index, obj)
                except SkipDocument:
                    continue
                writer.add_document(**document)

        try:
            yield add
        except BaseException:
            writer.cancel()
            raise
        writer.commit()

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
        for attempt in range(5):
            try:
                fresh = self.index.searcher()
                break
            except FileNotFoundError:
                # A concurrent commit merged away a segment between reading the table of
                # contents and opening its files; the next generation is complete.
                time.sleep(0.01 * (attempt + 1))
        else:
            fresh = self.index.searcher()
        if searcher is not None:
            searcher.close()
        self._searcher = fresh
        self._facet_tables = {}
        self._fast = FastTables()
        return fresh

    def _parse(self, text: str):
        if not text or text.strip() in ("*", "*:*"):
            return query.Every()
        return self.parser.parse(text)

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
        raw = searcher.search(q, limit=limit, sortedby=sortedby, reverse=reverse)
        if highlight:
            raw.formatter = _MarkFormatter()
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
    # the posting blocks (no per-document Python); the total and the facet counts come from
    # that mask and compact per-searcher arrays; only the page's top documents go through
    # Whoosh's scorer (which skips blocks that cannot reach the top), and sorted pages are
    # ordered from the sort column with numpy. Results, scores and counts are Whoosh's own
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
        mask = tables.match(searcher, q)
        hits = int(np.count_nonzero(mask))
        top_n = None
        if sortedby and len(sortedby) == 1 and tables.sortable(searcher, sortedby[0]):
            keys = tables.column(searcher, sortedby[0])
            docs = np.flatnonzero(mask)
            order = np.lexsort((docs, keys[docs]))
            if reverse:
                order = order[::-1]
            if limit is not None:
                order = order[:limit]
            top_n = [(keys[d].item(), int(d)) for d in docs[order]]
            raw = Results(searcher, q, top_n)
        elif hits == 0 or counts_only:
            raw = Results(searcher, q, [])
        else:
            raw = searcher.search(q, limit=limit, sortedby=sortedby, reverse=reverse)
        if highlight:
            raw.highlighter = self._highlighter()
        page = (
            raw[start:limit]
            if top_n is None
            else [_hit(raw, docnum, n, score) for n, (score, docnum) in enumerate(top_n)][
                start:limit
            ]
        )
        results = [self._result(hit, hit.score or 0, rc, highlight) for hit in page]
        counts = {}
        if facets:
            fields = {}
            for name, options in facets.items():
                size = (options or {}).get("size")
                fields[name] = tables.facet_counts(searcher, name, mask)[:size]
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
                fragmenter=highlight_fragmenter(), formatter=_MarkFormatter()
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
        top = end_offset or 20
        source = searcher.stored_fields(docnum).get(self.SOURCE_FIELD) or ""
        if not source.strip():
            return {"results": [], "hits": 0}
        raw = searcher.more_like(docnum, self.content_field_name, text=source, top=top, numterms=12)
        results = [self._result(hit, hit.score or 0, result_class) for hit in raw]
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
        corrector = searcher.corrector(field)
        out, changed = [], False
        for word in words.split():
            lowered = spelling_form(word)  # as the spelling field holds it
            if (spelling_field, lowered) in reader:
                out.append(word)
                continue
            suggestions = corrector.suggest(lowered, limit=1)
            if suggestions and suggestions[0] != lowered:
                out.append(suggestions[0])
                changed = True
            else:
                out.append(word)
        return " ".join(out) if changed else None

    def create_spelling_suggestion(self, query_string):
        return self._suggest(self._current_searcher(), query_string)


def _hit(results, docnum, pos, score):
    from whoosh.searching import Hit

    return Hit(results, docnum, pos, score)


_EMPTY = np.zeros(0, dtype=np.int64)


class FastTables:
    """Per-searcher arrays: built on first use, dropped with the searcher (index change).

    - live: the documents not deleted;
    - facet fields: for each (document, key) pair, `owner` (the document number) and `code`
      (the key's position in `keys`), so that a query's counts are one bincount;
    - sort columns: one value per document, from Whoosh's sortable column.
    """

    def __init__(self):
        self._live = None
        self._facets: dict[str, tuple[list[str], np.ndarray, np.ndarray]] = {}
        self._columns: dict[str, np.ndarray] = {}

    # -- postings as arrays

    @staticmethod
    def _leaf_ids(leaf, field, text) -> np.ndarray:
        try:
            btext = leaf._text_to_bytes(field, text) if isinstance(text, str) else text
            m = leaf._terms.matcher(field, btext, leaf.schema[field].format)
        except (KeyError, TermNotFound):
            return _EMPTY
        if hasattr(m, "_read_ids") and hasattr(m, "_next_block"):
            parts = []
            while not m._atend:
                if m._ids is None:
                    m._read_ids()
                parts.append(np.asarray(m._ids, dtype=np.int64))
                m._next_block()
            return np.concatenate(parts) if parts else _EMPTY
        return np.fromiter(m.all_ids(), dtype=np.int64)

    def term_ids(self, searcher, field, text) -> np.ndarray:
        """Global document numbers of a term's postings, deleted documents included."""
        reader = searcher.reader()
        if field not in reader.schema:
            return _EMPTY
        parts = []
        for leaf, offset in reader.leaf_readers():
            ids = self._leaf_ids(leaf, field, text)
            if len(ids):
                parts.append(ids + offset)
        return np.concatenate(parts) if parts else _EMPTY

    def live(self, searcher) -> np.ndarray:
        if self._live is None:
            reader = searcher.reader()
            live = np.ones(reader.doc_count_all(), dtype=bool)
            if reader.has_deletions():
                for leaf, offset in reader.leaf_readers():
                    deleted = list(leaf._perdoc.deleted_docs()) if leaf.has_deletions() else []
                    if deleted:
                        live[np.asarray(deleted, dtype=np.int64) + offset] = False
            self._live = live
        return self._live

    # -- matching

    def match(self, searcher, q) -> np.ndarray:
        """A boolean mask over document numbers: the live documents q matches."""
        return self._match(searcher, q) & self.live(searcher)

    def _mask(self, searcher, ids) -> np.ndarray:
        mask = np.zeros(searcher.reader().doc_count_all(), dtype=bool)
        mask[ids] = True
        return mask

    def _match(self, searcher, q) -> np.ndarray:
        if isinstance(q, query.Every):
            return self.live(searcher).copy()
        if isinstance(q, query.NullQuery.__class__) or q is query.NullQuery:
            return np.zeros(searcher.reader().doc_count_all(), dtype=bool)
        if type(q) is query.Term:
            return self._mask(searcher, self.term_ids(searcher, q.fieldname, q.text))
        if type(q) is query.And:
            positive = [c for c in q.subqueries if not isinstance(c, query.Not)]
            negative = [c.query for c in q.subqueries if isinstance(c, query.Not)]
            if not positive:
                mask = self.live(searcher).copy()
            else:
                mask = self._match(searcher, positive[0])
                for child in positive[1:]:
                    mask &= self._match(searcher, child)
            for child in negative:
                mask &= ~self._match(searcher, child)
            return mask
        if type(q) is query.Or and not getattr(q, "minmatch", 0):
            mask = np.zeros(searcher.reader().doc_count_all(), dtype=bool)
            for child in q.subqueries:
                mask |= self._match(searcher, child)
            return mask
        if type(q) is query.Not:
            return self.live(searcher) & ~self._match(searcher, q.query)
        if isinstance(q, query.NumericRange):
            simple = q._compile_query(searcher.reader())
            if simple is not q and not isinstance(simple, query.NumericRange):
                return self._match(searcher, simple)
        if type(q) is query.ConstantScoreQuery:
            return self._match(searcher, q.child)
        if type(q) is query.TermRange:  # a numeric range's tier: the terms it spans
            mask = np.zeros(searcher.reader().doc_count_all(), dtype=bool)
            for btext in q._btexts(searcher.reader()):
                mask[self.term_ids(searcher, q.fieldname, btext)] = True
            return mask
        if type(q) is query.Phrase:
            # Documents with every word first (vectorized), then positions only there.
            mask = self.live(searcher).copy()
            for word in q.words:
                mask &= self._mask(searcher, self.term_ids(searcher, q.fieldname, word))
            if not mask.any():
                return mask
            # Whoosh's own phrase matcher, restricted to the candidates.
            return self._whoosh(searcher, q, mask)
        return self._whoosh(searcher, q)

    def _whoosh(self, searcher, q, candidates=None) -> np.ndarray:
        ids = np.fromiter(searcher.docs_for_query(q), dtype=np.int64)
        return self._mask(searcher, ids)

    # -- facets

    def facet_counts(self, searcher, field, mask) -> list[tuple[str, int]]:
        keys, owner, code = self._facet(searcher, field)
        if not keys:
            return []
        counts = np.bincount(code[mask[owner]], minlength=len(keys))
        found = np.flatnonzero(counts)
        # Most frequent first, then by key: Whoosh's path sorts (-count, key) too.
        order = np.lexsort((found, -counts[found]))
        return [(keys[i], int(counts[i])) for i in found[order]]

    def _facet(self, searcher, field):
        table = self._facets.get(field)
        if table is None:
            reader = searcher.reader()
            keys, owners, codes = [], [], []
            if field in reader.schema:
                for key in reader.field_terms(field):  # sorted: code order is key order
                    ids = self.term_ids(searcher, field, key)
                    owners.append(ids)
                    codes.append(np.full(len(ids), len(keys), dtype=np.int32))
                    keys.append(key)
            owner = np.concatenate(owners) if owners else _EMPTY
            code = np.concatenate(codes) if codes else np.zeros(0, dtype=np.int32)
            table = (keys, owner, code)
            self._facets[field] = table
        return table

    # -- sorting

    def sortable(self, searcher, field) -> bool:
        reader = searcher.reader()
        return field in reader.schema and reader.has_column(field)

    def column(self, searcher, field) -> np.ndarray:
        values = self._columns.get(field)
        if values is None:
            reader = searcher.reader()
            parts = []
            for leaf, _offset in reader.leaf_readers():
                # Whoosh keeps sortable numbers unsigned, and a document without a value
                # (an undated communiqué) gets the column's largest value: only uint64 holds it.
                parts.append(
                    np.asarray(list(leaf.column_reader(field, translate=False)), dtype=np.uint64)
                )
            values = np.concatenate(parts) if parts else _EMPTY
            self._columns[field] = values
        return values


class FastHighlighter(highlight.Highlighter):
    """Whoosh's highlighter, with the text's tokens produced without re-running the analyzer
    over every word of every hit.

    Whoosh re-analyzes a hit's whole text to find the words to mark (two thirds of a
    highlighted search, profiled). The analyzer works word by word (a tokenizer, then
    per-token filters), so the terms of a word are memoized per distinct word: the text is
    only cut into words with the tokenizer's expression, and each word's terms come from the
    memo. Fragments, scores and output are then Whoosh's own code. tests/search/
    test_fast_path.py checks that the token stream equals the analyzer's.
    """

    MEMO_LIMIT = 200_000

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._memo: dict[str, tuple[tuple[str, bool], ...]] = {}

    @staticmethod
    def supported(analyzer) -> bool:
        items = getattr(analyzer, "items", None)
        return bool(items) and hasattr(items[0], "expression")

    def tokens(self, analyzer, text):
        """The analyzer's tokens of `text` (index mode, stop words kept, with characters)."""
        memo = self._memo
        token = highlight.Token(positions=True, chars=True, removestops=False, mode="index")
        for pos, match in enumerate(analyzer.items[0].expression.finditer(text)):
            word = match.group(0)
            terms = memo.get(word)
            if terms is None:
                terms = self._terms(analyzer, word)
            for term, stopped in terms:
                token.text = term
                token.stopped = stopped
                token.startchar = match.start()
                token.endchar = match.end()
                token.pos = pos
                token.boost = 1.0
                yield token

    def fragments(self, analyzer, text, words) -> list:
        """Whoosh's set_matched_filter | _merge_matched_tokens | ContextFragmenter's
        fragment_tokens, ported line for line into one loop over the memoized tokens, with a
        Token object only for matched words (the per-token generators cost more than the
        analysis they consume). The same fragments: tests/search/test_fast_path.py."""
        fragmenter = self.fragmenter
        maxchars, surround, charlimit = (
            fragmenter.maxchars,
            fragmenter.surround,
            fragmenter.charlimit,
        )
        mkfrag, Token = highlight.mkfrag, highlight.Token
        out: list = []
        first = None
        firsts: deque = deque()
        countdown = -1
        tks: list = []
        last_end = None
        currentlen = 0
        stopped = False

        def emit(startchar, endchar, token):  # token: None for an unmatched word
            nonlocal first, firsts, countdown, tks, last_end, currentlen, stopped
            if stopped:
                return
            last_end = endchar
            tlength = endchar - startchar
            if charlimit and endchar > charlimit:
                stopped = True
                return
            if countdown < 0 and token is None:
                firsts.append(startchar)
                while firsts and endchar - firsts[0] > surround:
                    firsts.popleft()
            elif currentlen + tlength > maxchars:
                countdown = 0
            elif token is not None:
                countdown = surround
                if first is None:
                    if firsts:
                        first = firsts[0]
                    else:
                        first = startchar
                        countdown += surround
                tks.append(token.copy())
            if countdown >= 0:
                currentlen += tlength
                countdown -= tlength
                if countdown <= 0:
                    out.append(mkfrag(text, tks, startchar=first, endchar=endchar))
                    tks = []
                    firsts = deque()
                    first = None
                    currentlen = 0

        memo = self._memo
        pending = None
        for pos, match in enumerate(analyzer.items[0].expression.finditer(text)):
            if stopped:
                break
            word = match.group(0)
            terms = memo.get(word)
            if terms is None:
                terms = self._terms(analyzer, word)
            s, e = match.start(), match.end()
            for term, stop in terms:
                if term not in words:
                    if pending is not None:
                        emit(pending.startchar, pending.endchar, pending)
                        pending = None
                    emit(s, e, None)
                    continue
                if pending is None:
                    pending = Token(
                        text=term,
                        startchar=s,
                        endchar=e,
                        pos=pos,
                        boost=1.0,
                        stopped=stop,
                        matched=True,
                    )
                elif s <= pending.endchar:
                    if e > pending.endchar:
                        pending.text += term[pending.endchar - e :]
                        pending.endchar = e
                else:
                    emit(pending.startchar, pending.endchar, pending)
                    pending = None
                    emit(
                        s,
                        e,
                        Token(
                            text=term,
                            startchar=s,
                            endchar=e,
                            pos=pos,
                            boost=1.0,
                            stopped=stop,
                            matched=True,
                        ),
                    )
        if pending is not None:
            emit(pending.startchar, pending.endchar, pending)
        if tks:
            out.append(mkfrag(text, tks, startchar=first, endchar=last_end))
        return out

    def _terms(self, analyzer, word):
        memo = self._memo
        if len(memo) > self.MEMO_LIMIT:
            memo.clear()
        terms = tuple(
            (t.text, t.stopped)
            for t in analyzer(word, positions=True, chars=True, mode="index", removestops=False)
        )
        memo[word] = terms
        return terms

    def highlight_hit(self, hitobj, fieldname, text=None, top=3, minscore=1):
        results = hitobj.results
        field = results.searcher.schema[fieldname]
        analyzer = field.analyzer
        if text is None or not self.supported(analyzer) or self.can_load_chars(results, fieldname):
            return super().highlight_hit(hitobj, fieldname, text, top, minscore)
        if results.has_matched_terms():
            bterms = (term for term in results.matched_terms() if term[0] == fieldname)
        else:
            bterms = results.query_terms(expand=True, fieldname=fieldname)
        words = frozenset(field.from_bytes(term[1]) for term in bterms)
        if type(self.fragmenter) is highlight.ContextFragmenter:
            fragments = self.fragments(analyzer, text, words)
        else:
            tokens = highlight.set_matched_filter(self.tokens(analyzer, text), words)
            tokens = self._merge_matched_tokens(tokens)
            fragments = self.fragmenter.fragment_tokens(text, tokens)
        fragments = highlight.top_fragments(
            fragments, top, self.scorer, self.order, minscore=minscore
        )
        return self.formatter.format(fragments)


def highlight_fragmenter():
    return highlight.ContextFragmenter(maxchars=240, surround=80)


class BayanWhooshSearchQuery(WhooshSearchQuery):
    pass


class BayanWhooshEngine(BaseEngine):
    backend = BayanWhooshSearchBackend
    query = BayanWhooshSearchQuery
