"""The fast search path: matching, scoring, facet counts and sorting as numpy arrays.

Whoosh answers a query by walking matchers document by document in Python; at 10^5
documents that walk, repeated for the total, each facet and the page, is most of a search.
Here a query is read once from the posting *blocks* of its terms into arrays over global
document numbers:

- `match(q)`: a boolean mask of the live documents q matches, for the total and for every
  facet count (one bincount per facet over per-searcher tables);
- `scored(q)`: that mask and Whoosh's BM25F score of each matching document, computed in one
  vectorized pass with Whoosh's own formula and statistics (idf, average field length,
  byte-encoded field lengths, float32 weights), so that the page's top documents are a
  partition and a sort instead of a scored walk of the whole archive;
- phrases: from the shingle field (search.analysis.SHINGLES_FIELD), where a run of two or
  three words is one posting list; a longer phrase is checked position by position only in
  the documents that hold all its three-word runs.

Queries this module does not know (prefixes, fuzzy terms, boosts on compound queries) fall
back to Whoosh, for the part it does not know or for the whole. Results, scores and counts
are Whoosh's own: tests/search/test_fast_path.py runs both paths and compares them.
Everything here lives as long as one searcher, and is dropped with it when the index changes.
"""

from __future__ import annotations

import os
from collections import OrderedDict

import numpy as np
from whoosh import query
from whoosh.reading import TermNotFound
from whoosh.scoring import BM25F
from whoosh.util.numeric import byte_to_length

from search.analysis import SHINGLE_SIZES, shingle, shingles_field_of

_EMPTY = np.zeros(0, dtype=np.int64)
_LENGTHS = np.array([byte_to_length(b) if b else 0 for b in range(256)], dtype=np.float64)


def fast_path_enabled() -> bool:
    """The fast search path: on unless BAYAN_SEARCH_FAST=0, which keeps Whoosh's own path (the
    baseline the benchmark and the equivalence tests compare with)."""
    return os.environ.get("BAYAN_SEARCH_FAST", "1") != "0"


class Unsupported(Exception):
    """A query this module cannot score exactly as Whoosh does: ask Whoosh."""


def top(mask: np.ndarray, scores: np.ndarray, limit: int | None) -> list[tuple[float, int]]:
    """(score, docnum) of the best `limit` matching documents, in Whoosh's order: score
    descending, then document number ascending (its collector keeps the first of equals)."""
    docs = np.flatnonzero(mask)
    values = scores[docs]
    if limit is not None and limit < len(docs):
        kth = np.partition(values, len(values) - limit)[len(values) - limit]
        keep = values >= kth  # every tie of the last place, so that the sort decides
        docs, values = docs[keep], values[keep]
    order = np.lexsort((docs, -values))
    if limit is not None:
        order = order[:limit]
    return [(float(values[i]), int(docs[i])) for i in order]


def hit(results, docnum, pos, score):
    from whoosh.searching import Hit

    return Hit(results, docnum, pos, score)


class FastTables:
    """Per-searcher arrays: built on first use, dropped with the searcher (index change).

    - live: the documents not deleted;
    - lengths: each scorable field's length per document, as Whoosh decodes it;
    - facet fields: for each (document, key) pair, `owner` (the document number) and `code`
      (the key's position in `keys`), so that a query's counts are one bincount;
    - sort columns: one value per document, from Whoosh's sortable column.
    """

    CACHE_BYTES = int(float(os.environ.get("BAYAN_SEARCH_CACHE_MB", "64")) * 2**20)

    def __init__(self):
        self._live = None
        self._postings: OrderedDict = OrderedDict()
        self._shingle_fields: dict[str, str | None] = {}
        self._cached = 0
        self._lengths: dict[str, np.ndarray] = {}
        self._facets: dict[str, tuple[list[str], np.ndarray, np.ndarray]] = {}
        self._columns: dict[str, np.ndarray] = {}

    # -- postings as arrays

    @staticmethod
    def _leaf_postings(leaf, field, text, weights=False):
        """(ids, weights or None) of a term in one segment, block by block."""
        try:
            btext = leaf._text_to_bytes(field, text) if isinstance(text, str) else text
            m = leaf._terms.matcher(field, btext, leaf.schema[field].format)
        except (KeyError, TermNotFound):
            return _EMPTY, (np.zeros(0) if weights else None)
        if hasattr(m, "_read_ids") and hasattr(m, "_next_block"):
            ids, ws = [], []
            while not m._atend:
                if m._ids is None:
                    m._read_ids()
                ids.append(np.asarray(m._ids, dtype=np.int64))
                if weights:
                    m._read_weights()
                    # float32 as stored: Whoosh's weight() returns the same values.
                    ws.append(np.asarray(m._weights, dtype=np.float32).astype(np.float64))
                m._next_block()
            if not ids:
                return _EMPTY, (np.zeros(0) if weights else None)
            return np.concatenate(ids), (np.concatenate(ws) if weights else None)
        ids, ws = [], []
        while m.is_active():  # postings kept inline in the term's entry
            ids.append(m.id())
            if weights:
                ws.append(m.weight())
            m.next()
        found = np.asarray(ws, dtype=np.float64) if weights else None
        return np.asarray(ids, dtype=np.int64), found

    def postings(self, searcher, field, text, weights=False):
        """Global document numbers (and weights) of a term, deleted documents included.

        Decoding a term's blocks costs about a microsecond a posting (each block is a
        compressed pickle), a tenth of a second for a word in most of 100,000 documents, so
        decoded terms are kept for the searcher's life, within `CACHE_BYTES` (least recently
        used out first): the postings of an unchanged index, not answers to queries."""
        key = (field, text)
        found = self._postings.get(key)
        if found is None:
            found = self._read(searcher, field, text)
            size = found[0].nbytes + found[1].nbytes
            if size <= self.CACHE_BYTES:
                self._postings[key] = found
                self._cached += size
                while self._cached > self.CACHE_BYTES:
                    _, (ids, ws) = self._postings.popitem(last=False)
                    self._cached -= ids.nbytes + ws.nbytes
        else:
            self._postings.move_to_end(key)
        ids, ws = found
        return ids.astype(np.int64), (ws.astype(np.float64) if weights else None)

    def _read(self, searcher, field, text) -> tuple[np.ndarray, np.ndarray]:
        reader = searcher.reader()
        ids, ws = [], []
        if field in reader.schema:
            for leaf, offset in reader.leaf_readers():
                leaf_ids, leaf_ws = self._leaf_postings(leaf, field, text, True)
                if len(leaf_ids):
                    ids.append(leaf_ids + offset)
                    ws.append(leaf_ws)
        if not ids:
            return np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float32)
        # int32 and float32 hold them exactly (Whoosh stores weights as float32).
        return (
            np.concatenate(ids).astype(np.int32),
            np.concatenate(ws).astype(np.float32),
        )

    def term_ids(self, searcher, field, text) -> np.ndarray:
        return self.postings(searcher, field, text)[0]

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

    def lengths(self, searcher, field) -> np.ndarray:
        """The field's length in each document, decoded from Whoosh's length bytes."""
        values = self._lengths.get(field)
        if values is None:
            from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield

            parts = []
            for leaf, _offset in searcher.reader().leaf_readers():
                column = leaf._perdoc._cached_reader(_lenfield(field), LENGTHS_COLUMN)
                count = leaf.doc_count_all()
                if column is None:
                    parts.append(np.ones(count, dtype=np.uint8))  # Whoosh's default: 1
                else:
                    parts.append(np.fromiter(column, dtype=np.uint8, count=count))
            raw = np.concatenate(parts) if parts else np.zeros(0, dtype=np.uint8)
            values = _LENGTHS[raw]
            self._lengths[field] = values
        return values

    def _size(self, searcher) -> int:
        return searcher.reader().doc_count_all()

    def _mask(self, searcher, ids) -> np.ndarray:
        mask = np.zeros(self._size(searcher), dtype=bool)
        mask[ids] = True
        return mask

    # -- matching

    def match(self, searcher, q) -> np.ndarray:
        """A boolean mask over document numbers: the live documents q matches."""
        return self._match(searcher, q) & self.live(searcher)

    def _match(self, searcher, q) -> np.ndarray:
        if isinstance(q, query.Every):
            return self.live(searcher).copy()
        if q is query.NullQuery:
            return np.zeros(self._size(searcher), dtype=bool)
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
            mask = np.zeros(self._size(searcher), dtype=bool)
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
            mask = np.zeros(self._size(searcher), dtype=bool)
            for btext in q._btexts(searcher.reader()):
                mask[self.term_ids(searcher, q.fieldname, btext)] = True
            return mask
        if type(q) is query.Phrase and q.slop == 1:
            return self._phrase(searcher, q)
        return self._whoosh(searcher, q)

    def _whoosh(self, searcher, q) -> np.ndarray:
        ids = np.fromiter(searcher.docs_for_query(q), dtype=np.int64)
        return self._mask(searcher, ids)

    # -- phrases

    def _phrase(self, searcher, q) -> np.ndarray:
        """Documents with the words at consecutive positions (Whoosh's Phrase, slop 1)."""
        field, words = q.fieldname, list(q.words)
        if not words:
            return np.zeros(self._size(searcher), dtype=bool)
        shingles = self._shingles(searcher, field) if len(words) > 1 else None
        if shingles is None:
            mask = self._match(searcher, query.Term(field, words[0]))
            for word in words[1:]:
                mask &= self._mask(searcher, self.term_ids(searcher, field, word))
        else:
            # Every run of (up to) three words of the phrase is one posting list.
            size = min(len(words), max(SHINGLE_SIZES))
            mask = np.ones(self._size(searcher), dtype=bool)
            for i in range(len(words) - size + 1):
                run = shingle(words[i : i + size])
                mask &= self._mask(searcher, self.term_ids(searcher, shingles, run))
            if len(words) <= max(SHINGLE_SIZES):
                return mask
        if len(words) == 1 or not mask.any():
            return mask
        return self._positions(searcher, field, words, mask)

    def _shingles(self, searcher, field) -> str | None:
        """The shingle field of `field`, if every segment with documents has it (an index
        written before the field existed answers phrases from positions alone)."""
        if field not in self._shingle_fields:
            name = shingles_field_of(searcher.schema, field)
            for leaf, _offset in searcher.reader().leaf_readers():
                if name and leaf.doc_count() and name not in set(leaf.indexed_field_names()):
                    name = None
            self._shingle_fields[field] = name
        return self._shingle_fields[field]

    def _positions(self, searcher, field, words, candidates) -> np.ndarray:
        """The candidates where the words stand at consecutive positions."""
        found = np.zeros(self._size(searcher), dtype=bool)
        docs = np.flatnonzero(candidates)
        if not len(docs):
            return found
        for leaf, offset in searcher.reader().leaf_readers():
            local = docs[(docs >= offset) & (docs < offset + leaf.doc_count_all())] - offset
            if not len(local):
                continue
            matchers = [leaf.postings(field, word) for word in words]
            for docnum in local.tolist():
                starts = None
                for i, m in enumerate(matchers):
                    m.skip_to(docnum)
                    if not m.is_active() or m.id() != docnum:
                        starts = set()
                        break
                    shifted = {p - i for p in m.value_as("positions")}
                    starts = shifted if starts is None else starts & shifted
                    if not starts:
                        break
                if starts:
                    found[docnum + offset] = True
        return found

    # -- scoring

    def scored(self, searcher, q) -> tuple[np.ndarray, np.ndarray]:
        """(mask, scores): the live documents q matches and Whoosh's BM25F score of each.

        Raises Unsupported for a query whose scores this does not reproduce."""
        weighting = searcher.weighting
        if type(weighting) is not BM25F or weighting._field_B:
            raise Unsupported("not the default BM25F weighting")
        mask, scores = self._scored(searcher, q)
        return mask & self.live(searcher), scores

    def _scored(self, searcher, q):
        n = self._size(searcher)
        boost = getattr(q, "boost", 1.0)
        if type(q) is query.Term:
            mask, scores = self._term_scores(searcher, q.fieldname, q.text)
            return mask, (scores * boost if boost != 1.0 else scores)
        if boost != 1.0 and type(q) is not query.ConstantScoreQuery:
            raise Unsupported("boosted compound query")
        if type(q) is query.And and q.subqueries:
            mask, scores = self._scored(searcher, q.subqueries[0])
            scores = scores.copy()
            for child in q.subqueries[1:]:
                child_mask, child_scores = self._scored(searcher, child)
                mask = mask & child_mask
                scores += child_scores
            return mask, scores
        if type(q) is query.Not:
            # Whoosh's InverseMatcher: every document the child does not match, scored 1.0
            # (inside an And too, where it is one more matcher of the intersection).
            mask = ~self._match(searcher, q.query)
            return mask, mask.astype(np.float64)
        if type(q) is query.Or and not q.minmatch and not q.scale:
            mask, scores = np.zeros(n, dtype=bool), np.zeros(n)
            for child in q.subqueries:
                child_mask, child_scores = self._scored(searcher, child)
                mask |= child_mask
                scores += child_scores
            return mask, scores
        if isinstance(q, query.NumericRange) and q.constantscore:
            return self._scored(searcher, q._compile_query(searcher.reader()))
        if type(q) is query.ConstantScoreQuery:
            mask = self._match(searcher, q.child)
            return mask, np.where(mask, q.score, 0.0)
        if type(q) is query.Phrase and q.slop == 1:
            # Whoosh scores a phrase as the sum of its words' scores (SpanNear2 wraps the
            # intersection of the word matchers).
            mask = self._phrase(searcher, q)
            scores = np.zeros(n)
            for word in q.words:
                scores += self._term_scores(searcher, q.fieldname, word)[1]
            return mask, (scores * boost if boost != 1.0 else scores)
        raise Unsupported(type(q).__name__)

    def _term_scores(self, searcher, field, text):
        n = self._size(searcher)
        ids, weights = self.postings(searcher, field, text, weights=True)
        mask, scores = np.zeros(n, dtype=bool), np.zeros(n)
        if not len(ids):
            return mask, scores
        mask[ids] = True
        schema_field = searcher.schema[field]
        if not schema_field.scorable:
            scores[ids] = weights  # Whoosh's WeightScorer
            return mask, scores
        weighting = searcher.weighting
        btext = schema_field.to_bytes(text) if isinstance(text, str) else text
        idf = searcher.idf(field, btext)
        avgfl = searcher.avg_field_length(field) or 1
        B, K1 = weighting.B, weighting.K1
        fl = self.lengths(searcher, field)[ids]
        # whoosh.scoring.bm25, term for term and in the same order of operations.
        scores[ids] = idf * ((weights * (K1 + 1)) / (weights + K1 * ((1 - B) + B * fl / avgfl)))
        return mask, scores

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
                    ids = self._read(searcher, field, key)[0].astype(np.int64)
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
