"""The fast search path: matching, scoring, facet counts and sorting as numpy arrays.

Whoosh answers a query by walking matchers document by document in Python; at 10^5
documents that walk, repeated for the total, each facet and the page, is most of a search.
Here a query is read once from the posting *blocks* of its terms into arrays over global
document numbers:

- `match(q)`: a boolean mask of the live documents q matches, for the total and for the
  facet counts (one bincount for all the facets, over per-searcher tables);
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

import io
import logging
import pickle
import zlib
from array import array
from collections import OrderedDict
from itertools import accumulate

import numpy as np
from django.conf import settings
from rapidfuzz import process
from rapidfuzz.distance import OSA
from whoosh import classify, query
from whoosh.codec.whoosh3 import W3TermsReader
from whoosh.fields import DATETIME
from whoosh.reading import TermNotFound
from whoosh.scoring import BM25F
from whoosh.util.numeric import byte_to_length

from search.analysis import SHINGLE_SIZES, hashed_runs, shingle, shingles_field_of

logger = logging.getLogger(__name__)

_EMPTY = np.zeros(0, dtype=np.int64)
_ABSENT = object()
_LENGTHS = np.array([byte_to_length(b) if b else 0 for b in range(256)], dtype=np.float64)


def fast_path_enabled() -> bool:
    """The fast search path: on unless BAYAN_SEARCH_FAST=0, which keeps Whoosh's own path (the
    baseline the benchmark and the equivalence tests compare with)."""
    return settings.BAYAN_SEARCH_FAST


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


class SegmentCache:
    """What never changes in a segment, kept across searchers (segments are immutable: an
    index change adds segments, merges some into a new one, and records deletions apart).

    A new searcher after an index change therefore reads only the new segments: a publish
    costs the first search a table of one small segment, not of the whole archive. Kept per
    segment: facet pairs, field lengths, sort columns, and decoded postings (least recently
    used out first beyond `budget` bytes: decoding a term costs about a microsecond a
    posting, a compressed pickle per block, a tenth of a second for a word in most of 100,000
    documents). Tables of segments gone from the index are dropped by `keep_only`.
    """

    def __init__(self, budget: int):
        self.budget = budget
        self._tables: dict[str, dict] = {}
        self._postings: OrderedDict = OrderedDict()
        self._cached = 0

    @staticmethod
    def key(leaf) -> str:
        segment = leaf.segment()  # None for the reader of an empty index
        return segment.segment_id() if segment is not None else f"reader-{id(leaf)}"

    def tables(self, leaf) -> dict:
        return self._tables.setdefault(self.key(leaf), {})

    def postings(self, leaf, field, text) -> tuple[np.ndarray, np.ndarray]:
        """(document numbers in the segment, weights) of a term."""
        key = (self.key(leaf), field, text)
        found = self._postings.get(key)
        if found is not None:
            self._postings.move_to_end(key)
            return found
        ids, weights = _leaf_postings(leaf, field, text)
        # int32 and float32 hold them exactly (Whoosh stores weights as float32).
        found = ids.astype(np.int32), weights.astype(np.float32)
        size = found[0].nbytes + found[1].nbytes
        if size <= self.budget:
            self._postings[key] = found
            self._cached += size
            while self._cached > self.budget:
                _, (old_ids, old_weights) = self._postings.popitem(last=False)
                self._cached -= old_ids.nbytes + old_weights.nbytes
        return found

    def keep_only(self, reader) -> None:
        """Forget the segments that are no longer in the index."""
        alive = {self.key(leaf) for leaf, _offset in reader.leaf_readers()}
        for key in [k for k in self._tables if k not in alive]:
            del self._tables[key]
        for key in [k for k in self._postings if k[0] not in alive]:
            ids, weights = self._postings.pop(key)
            self._cached -= ids.nbytes + weights.nbytes


def _leaf_postings(leaf, field, text) -> tuple[np.ndarray, np.ndarray]:
    """(ids, weights) of a term in one segment."""
    empty = _EMPTY, np.zeros(0)
    try:
        btext = leaf._text_to_bytes(field, text) if isinstance(text, str) else text
        terms = leaf._terms
        info = terms.term_info(field, btext)
    except (KeyError, TermNotFound):
        return empty
    buf = _postings_bytes(terms)
    if buf is not None and not info.is_inlined():
        return _read_blocks(buf, *_span(info))
    ids, weights = [], []
    m = terms.matcher(field, btext, leaf.schema[field].format)
    while m.is_active():  # postings kept inline in the term's entry, or another codec
        ids.append(m.id())
        weights.append(m.weight())
        m.next()
    return np.asarray(ids, dtype=np.int64), np.asarray(weights, dtype=np.float64)


_BLOCK_MAGIC = b"W3Bl"


def _postings_bytes(terms):
    """The bytes of a segment's posting file, where the blocks can be read straight from them
    (Whoosh 3's codec over a mapped file), else None."""
    buf = getattr(terms._postfile, "_buf", None)
    return buf if buf is not None and isinstance(terms, W3TermsReader) else None


def _span(info) -> tuple[int, int]:
    """(offset, length) of a term's posting list in the posting file."""
    # Whoosh 2.7.4 reads the length back as a 1-tuple (unpack_int without [0]).
    length = info._length[0] if isinstance(info._length, tuple) else info._length
    return info._offset, length


def _blocks(buf, offset: int, length: int):
    """(count, id gaps, weights, values) of each block of a term's posting list, read straight
    from the segment's bytes in Whoosh 3's block format (whoosh.codec.whoosh3.W3PostingsWriter):
    a 4-byte tag, then per block its length (a signed big-endian int, negative for the last),
    a pickled info tuple (count, last id, max weight, compression, min and max length bytes),
    and the pickled data tuple (ids delta-encoded from 0; weights None for all 1.0, one float
    for all, or one each; the encoded values), zlib-compressed when the info says so."""
    if bytes(buf[offset : offset + 4]) != _BLOCK_MAGIC:
        raise ValueError("not a Whoosh 3 posting list")
    position, end = offset + 4, offset + length
    while position < end:
        size = int.from_bytes(buf[position : position + 4], "big", signed=True)
        last, size = size < 0, abs(size)
        block = io.BytesIO(buf[position + 4 : position + 4 + size])
        count, _last_id, _max_weight, compression, _min, _max = pickle.load(block)
        data = block.read()
        block_ids, block_weights, values = pickle.loads(
            zlib.decompress(data) if compression else data
        )
        yield count, block_ids, block_weights, values
        position += 4 + size
        if last:
            break


def _read_blocks(buf, offset: int, length: int) -> tuple[np.ndarray, np.ndarray]:
    """A term's postings, as arrays of ids and weights (see _blocks).

    Whoosh's matcher reads the same bytes through a file object and decodes every posting in
    Python; here each block costs a decompression and an unpickling, and the ids and weights
    of all blocks become arrays in one step (equal to the matcher's: tested)."""
    counts, deltas, weights = [], [], []
    for count, block_ids, block_weights, _values in _blocks(buf, offset, length):
        counts.append(count)
        deltas.extend(block_ids)
        if block_weights is None:
            weights.extend([1.0] * count)
        elif isinstance(block_weights, float):
            weights.extend([block_weights] * count)
        else:
            weights.extend(block_weights)
    if not counts:
        return _EMPTY, np.zeros(0)
    # Each block's ids restart from 0: a running sum over all deltas, minus the sum at the
    # end of the blocks before.
    running = np.cumsum(np.asarray(deltas, dtype=np.int64))
    ends = np.cumsum(counts)
    before = np.concatenate(([0], running[ends[:-1] - 1]))
    ids = running - np.repeat(before, counts)
    # Whoosh holds weights as float32 (array "f").
    return ids, np.asarray(weights, dtype=np.float32).astype(np.float64)


def _field_ids(leaf, field):
    """(term bytes, document numbers as a list) of every term of a field in one segment, in
    term order: one walk of the field's terms, each list read as _blocks reads it.

    A facet field holds thousands of short lists (a person's, a place's), for which a term
    lookup and the arrays of _leaf_postings cost 60 µs a list: most of a fresh process's
    first search at 100,000 documents."""
    terms = leaf._terms
    buf = _postings_bytes(terms)
    if buf is None:  # another codec: its own lexicon and matchers
        for btext in leaf.lexicon(field):
            yield btext, _leaf_postings(leaf, field, btext)[0].tolist()
        return
    for (fieldname, btext), info in terms.items_from(field, b""):
        if fieldname != field:
            break
        if info.is_inlined():
            yield btext, _leaf_postings(leaf, field, btext)[0].tolist()
            continue
        ids: list[int] = []
        for _count, block_ids, _weights, _values in _blocks(buf, *_span(info)):
            ids.extend(accumulate(block_ids))  # ids restart from 0 in each block
        yield btext, ids


class FastTables:
    """One searcher's view: the segments' tables (SegmentCache) placed at their offsets, and
    what depends on the searcher itself (which documents are deleted).

    - live: the documents not deleted;
    - lengths: each scorable field's length per document, as Whoosh decodes it;
    - facet fields: each document's key codes (a key's position in `keys`), document after
      document, and where each document's codes start, so that a query's counts are one
      bincount over the matching documents' codes;
    - sort columns: one value per document, from Whoosh's sortable column.
    """

    # The documents each query matched, while the backend keeps them for one results page
    # (BayanWhooshSearchBackend.remembering); None otherwise.
    matched: dict | None = None

    def __init__(self, segments: SegmentCache | None = None):
        self.segments = segments or SegmentCache(settings.BAYAN_SEARCH_CACHE_BYTES)
        self._live = None
        self._shingle_fields: dict[str, str | None] = {}
        self._lengths: dict[str, np.ndarray] = {}
        self._facets: dict[str, tuple[list[str], np.ndarray, np.ndarray, np.ndarray]] = {}
        self._joined = None
        self._columns: dict[str, np.ndarray] = {}
        self._term_stats: dict[tuple[str, bytes], tuple[float, int] | None] = {}

    # -- postings as arrays

    def postings(self, searcher, field, text, weights=False):
        """Global document numbers (and weights) of a term, deleted documents included."""
        reader = searcher.reader()
        ids, ws = [], []
        if field in reader.schema:
            for leaf, offset in reader.leaf_readers():
                leaf_ids, leaf_ws = self.segments.postings(leaf, field, text)
                if len(leaf_ids):
                    ids.append(leaf_ids.astype(np.int64) + offset)
                    ws.append(leaf_ws)
        if not ids:
            return _EMPTY, (np.zeros(0) if weights else None)
        found = np.concatenate(ids)
        return found, (np.concatenate(ws).astype(np.float64) if weights else None)

    def term_ids(self, searcher, field, text) -> np.ndarray:
        return self.postings(searcher, field, text)[0]

    def _per_segment(self, searcher, field, build) -> list[tuple[object, int]]:
        """(build(leaf, field) of each segment, its offset), kept per segment by the builder."""
        out = []
        for leaf, offset in searcher.reader().leaf_readers():
            tables = self.segments.tables(leaf)
            table = tables.get((build, field))
            if table is None:
                table = tables[(build, field)] = build(leaf, field)
            out.append((table, offset))
        return out

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
            parts = [t for t, _ in self._per_segment(searcher, field, _leaf_lengths)]
            values = np.concatenate(parts) if parts else np.zeros(0)
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
        matched = self.matched
        if matched is None:
            return self._match_now(searcher, q)
        mask = matched.get(q)
        if mask is None:
            mask = matched[q] = self._match_now(searcher, q)
        return mask.copy()  # callers narrow the mask they get in place

    def _remember(self, q, mask) -> None:
        """Keep the mask that scoring found for q, for the page's later searches: only where
        it is the mask _match gives (a Not's scored mask keeps deleted documents)."""
        if self.matched is not None and _plain(q):
            self.matched.setdefault(q, mask)

    def _match_now(self, searcher, q) -> np.ndarray:
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
            mask = self._date_tier(searcher, q)
            if mask is not None:
                return mask
            mask = np.zeros(self._size(searcher), dtype=bool)
            for btext in q._btexts(searcher.reader()):
                mask[self.term_ids(searcher, q.fieldname, btext)] = True
            return mask
        if type(q) is query.Phrase and q.slop == 1:
            return self._phrase(searcher, q)
        return self._whoosh(searcher, q)

    def _date_tier(self, searcher, q) -> np.ndarray | None:
        """A tier of a date range, read from the documents' date column, where Whoosh walks
        the terms the tier spans (hundreds for a year or two, a posting list each: most of a
        search by dates, profiled).

        A term at shift s stands for the dates whose sortable number, shifted right by s, is
        the term's number, so a tier is a range of dates. Dates only: the column holds one
        value a document, and a communiqué has one date; an undated one holds the column's
        default, beyond every date. None where this does not apply: Whoosh's terms then."""
        if not self.sortable(searcher, q.fieldname):
            return None
        field = searcher.schema[q.fieldname]
        if not isinstance(field, DATETIME):
            return None
        start, end, size = q.start, q.end, 1 + field.bits // 8
        if not (
            isinstance(start, bytes)
            and isinstance(end, bytes)
            and len(start) == len(end) == size
            and start[0] == end[0]
        ):
            return None
        shift = start[0]
        low = field._struct.unpack(start[1:])[0] + bool(q.startexcl)
        high = field._struct.unpack(end[1:])[0] - bool(q.endexcl)
        # Sortable numbers low << s to the last before (high + 1) << s; the column holds
        # the dates themselves (DATETIME.to_column_value), before to_sortable's offset.
        offset = 1 << (field.bits - 1) if field.signed else 0
        first = max((low << shift) - offset, 0)
        last = min(((high + 1) << shift) - 1 - offset, field.default - 1)
        column = self.column(searcher, q.fieldname)
        if last < first:
            return np.zeros(len(column), dtype=bool)
        return (column >= np.uint64(first)) & (column <= np.uint64(last))

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
        """The shingle field of `field`, if every segment with documents has it, its runs
        hashed (an index written before the field existed, or before its runs were hashed,
        answers phrases from positions alone until `rebuild_index`)."""
        if field not in self._shingle_fields:
            name = shingles_field_of(searcher.schema, field)
            for leaf, _offset in searcher.reader().leaf_readers():
                if name and leaf.doc_count() and not _has_runs(leaf, name):
                    logger.warning(
                        "The search index predates this version's phrase index: phrases are "
                        "answered, more slowly, until `python manage.py rebuild_index`."
                    )
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

    # -- "more like this"

    def key_terms(self, searcher, field, text, number) -> list[tuple[str, float]]:
        """key_terms() with the terms' collection statistics memoized for this searcher: a
        communiqué's few hundred distinct words cost a lookup per segment each in Whoosh's
        reader."""
        return key_terms(_StatsReader(searcher.reader(), self._term_stats), field, text, number)

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
            first = q.subqueries[0]
            mask, scores = self._scored(searcher, first)
            self._remember(first, mask)
            scores = scores.copy()
            for child in q.subqueries[1:]:
                child_mask, child_scores = self._scored(searcher, child)
                self._remember(child, child_mask)
                mask = mask & child_mask  # a new array: the children's stay as they were
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
                if type(child) is query.Term:
                    # A word adds its postings' scores in place, without two arrays over the
                    # archive (the 12 words of "more like this"); the same sums, in order.
                    ids, child_scores = self._term_postings_scores(
                        searcher, child.fieldname, child.text
                    )
                    if child.boost != 1.0:
                        child_scores = child_scores * child.boost
                    mask[ids] = True
                    scores[ids] += child_scores
                    continue
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
        mask, scores = np.zeros(n, dtype=bool), np.zeros(n)
        ids, values = self._term_postings_scores(searcher, field, text)
        mask[ids] = True
        scores[ids] = values
        return mask, scores

    def _term_postings_scores(self, searcher, field, text) -> tuple[np.ndarray, np.ndarray]:
        """(document numbers, scores) of the documents holding a term."""
        ids, weights = self.postings(searcher, field, text, weights=True)
        schema_field = searcher.schema[field]
        if not len(ids) or not schema_field.scorable:
            return ids, weights  # Whoosh's WeightScorer
        weighting = searcher.weighting
        btext = schema_field.to_bytes(text) if isinstance(text, str) else text
        idf = searcher.idf(field, btext)
        avgfl = searcher.avg_field_length(field) or 1
        B, K1 = weighting.B, weighting.K1
        fl = self.lengths(searcher, field)[ids]
        # whoosh.scoring.bm25, term for term and in the same order of operations.
        return ids, idf * ((weights * (K1 + 1)) / (weights + K1 * ((1 - B) + B * fl / avgfl)))

    # -- spelling

    def suggest(self, searcher, field: str, text: str, maxdist: int = 2) -> list[str]:
        """What Whoosh's `searcher.corrector(field).suggest(text, limit=1)` answers: the word
        of the field's spelling field within `maxdist` edits of `text` (Damerau-Levenshtein
        as Whoosh counts it, an optimal string alignment), the most frequent in `field` (a
        word the field lacks counts 1), the last in order among equals; [] for none.

        Whoosh measures `text` against every word of every segment, in Python: 50-130 ms a
        misspelled word at 2,300 distinct words (measured), so seconds at the hundreds of
        thousands a real archive holds. rapidfuzz measures it in C++ against the words of a
        length within `maxdist` of its own, listed once per segment."""
        reader = searcher.reader()
        spelling = reader.schema[field].spelling_fieldname(field)
        near: set[str] = set()
        for by_length, _offset in self._per_segment(searcher, spelling, _leaf_words):
            for size in range(len(text) - maxdist, len(text) + maxdist + 1):
                words = by_length.get(size)
                if words:
                    found = process.extract(
                        text,
                        words,
                        scorer=OSA.distance,
                        processor=None,
                        score_cutoff=maxdist,
                        limit=None,
                    )
                    near.update(word for word, _distance, _index in found)
        if not near:
            return []
        # whoosh.spelling.ReaderCorrector's score, and Corrector.suggest's heap: the greatest
        # (score, word).
        return [
            max(
                (0 - (maxdist + (1.0 / (reader.frequency(field, word) or 1) * 0.5)), word)
                for word in near
            )[1]
        ]

    # -- facets

    def facet_counts(self, searcher, sizes: dict, mask) -> dict[str, list[tuple[str, int]]]:
        """For each field of `sizes`, (key, count) of the keys the matching documents have,
        most frequent first (the first `size` of them)."""
        if not sizes:
            return {}
        if len(sizes) == 1:
            # The counts of a chosen facet without its own filter: that field's own table
            # holds a part of the joined one's entries (a fifteenth for the issuer).
            (field,) = sizes
            _keys, code, starts, totals = self._facet(searcher, field)
            bounds = {field: 0}
        else:
            # All the fields in one pass: a pass per field cost twice as much on the
            # benchmark's mix (each gathered and counted a few entries).
            code, starts, totals, bounds = self._joined_facets(searcher, sizes)
        if int(np.count_nonzero(mask)) * 2 <= len(mask):
            counts = np.bincount(code[_rows(starts, np.flatnonzero(mask))], minlength=len(totals))
        else:
            # Most of the archive matches: count the documents that do not, and subtract.
            others = np.bincount(code[_rows(starts, np.flatnonzero(~mask))], minlength=len(totals))
            counts = totals - others
        out = {}
        for field, size in sizes.items():
            keys = self._facet(searcher, field)[0]
            own = counts[bounds[field] : bounds[field] + len(keys)]
            found = np.flatnonzero(own)
            if size is not None and len(found) > size:
                # Only the `size` that the sort below keeps: the most frequent, ties to the
                # lower code (each key's rank is unique). A participant's thousands of keys
                # were sorted whole to show a hundred.
                rank = own[found].astype(np.int64) * len(keys) - found
                found = found[np.argpartition(-rank, size - 1)[:size]]
            # Most frequent first, then by key: Whoosh's path sorts (-count, key) too.
            found = found[np.lexsort((found, -own[found]))]
            names = map(keys.__getitem__, found.tolist())
            out[field] = list(zip(names, own[found].tolist(), strict=True))
        return out

    def _joined_facets(self, searcher, wanted):
        """(code, starts, totals, bounds): the tables of several facet fields (see _facet)
        in one, each document's codes of every field in one run; a field's codes are shifted
        by its bound. It holds every field asked for so far (the keys of `bounds`), so that
        the sets that searches ask for (each leaves out its chosen facets) share one table."""
        joined = self._joined
        if joined is None or not joined[3].keys() >= set(wanted):
            fields = sorted(set(wanted).union(joined[3] if joined else ()))
            tables = [self._facet(searcher, field) for field in fields]
            per_doc = sum(np.diff(starts) for _k, _c, starts, _t in tables)
            starts = np.zeros(len(per_doc) + 1, dtype=np.int64)
            np.cumsum(per_doc, out=starts[1:])
            code = np.empty(int(starts[-1]), dtype=np.int32)
            fill, bounds, base = starts[:-1].copy(), {}, 0
            for field, (keys, field_code, field_starts, _t) in zip(fields, tables, strict=True):
                lengths = np.diff(field_starts)
                # Entry i of document d goes after the fields before it in d's run.
                shift = np.repeat(fill - field_starts[:-1], lengths)
                code[np.arange(len(field_code)) + shift] = field_code + base
                fill += lengths
                bounds[field], base = base, base + len(keys)
            totals = np.concatenate([t for _k, _c, _s, t in tables]).astype(np.int64)
            joined = self._joined = (code, starts, totals, bounds)
        return joined

    def _facet(self, searcher, field):
        """(keys, code, starts, totals): the facet's keys, sorted; each document's key codes,
        document after document (those of document d are code[starts[d]:starts[d + 1]]);
        and every key's count over all documents, deleted ones included."""
        table = self._facets.get(field)
        if table is None:
            parts = self._per_segment(searcher, field, _leaf_facet)
            # One key space for all segments, sorted, so that code order is key order.
            keys = sorted({key for (leaf_keys, _c, _s), _offset in parts for key in leaf_keys})
            position = {key: n for n, key in enumerate(keys)}
            codes, starts, base = [], [], 0
            for leaf_keys, code, leaf_starts in (part for part, _offset in parts):
                remap = np.asarray([position[k] for k in leaf_keys], dtype=np.int32)
                codes.append(remap[code] if len(leaf_keys) else code)
                starts.append(leaf_starts[:-1] + base)
                base += len(code)
            code = np.concatenate(codes) if codes else np.zeros(0, dtype=np.int32)
            starts.append(np.asarray([base], dtype=np.int64))
            table = (keys, code, np.concatenate(starts), np.bincount(code, minlength=len(keys)))
            self._facets[field] = table
        return table

    # -- sorting

    def sortable(self, searcher, field) -> bool:
        reader = searcher.reader()
        return field in reader.schema and reader.has_column(field)

    def column(self, searcher, field) -> np.ndarray:
        values = self._columns.get(field)
        if values is None:
            parts = [t for t, _ in self._per_segment(searcher, field, _leaf_column)]
            values = np.concatenate(parts) if parts else _EMPTY
            self._columns[field] = values
        return values


def _has_runs(leaf, name: str) -> bool:
    """Whether a segment holds the shingle field `name`, its runs hashed."""
    return name in set(leaf.indexed_field_names()) and hashed_runs(leaf, name)


def _plain(q) -> bool:
    """Whether scoring q finds its documents as _match does: a term, a phrase of adjacent
    words, or an Or of those."""
    if type(q) is query.Term or (type(q) is query.Phrase and q.slop == 1):
        return True
    return type(q) is query.Or and not q.minmatch and all(map(_plain, q.subqueries))


def _leaf_lengths(leaf, field) -> np.ndarray:
    from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield

    column = leaf._perdoc._cached_reader(_lenfield(field), LENGTHS_COLUMN)
    count = leaf.doc_count_all()
    if column is None:
        raw = np.ones(count, dtype=np.uint8)  # Whoosh's default length: 1
    else:
        raw = np.fromiter(column, dtype=np.uint8, count=count)
    return _LENGTHS[raw]


def _leaf_words(leaf, field) -> dict[int, list[str]]:
    """A segment's words of a field, by length."""
    by_length: dict[int, list[str]] = {}
    if field in leaf.schema:
        from_bytes = leaf.schema[field].from_bytes
        for btext in leaf.lexicon(field):
            word = from_bytes(btext)
            by_length.setdefault(len(word), []).append(word)
    return by_length


def _leaf_facet(leaf, field) -> tuple[list[str], np.ndarray, np.ndarray]:
    """A segment's facet keys and, document by document, their codes (see _facet)."""
    keys, sizes, owners = [], [], array("q")  # 8 bytes an entry, not a Python int's 36
    if field in leaf.schema:
        from_bytes = leaf.schema[field].from_bytes
        for btext, ids in _field_ids(leaf, field):  # sorted
            keys.append(from_bytes(btext))
            sizes.append(len(ids))
            owners.extend(ids)
    owner = np.frombuffer(owners, dtype=np.int64)
    code = np.repeat(np.arange(len(keys), dtype=np.int32), sizes)
    order = np.argsort(owner, kind="stable")
    starts = np.zeros(leaf.doc_count_all() + 1, dtype=np.int64)
    np.cumsum(np.bincount(owner, minlength=leaf.doc_count_all()), out=starts[1:])
    return keys, code[order], starts


def _rows(starts: np.ndarray, docs: np.ndarray) -> np.ndarray:
    """The positions of the given documents' entries in a table laid out by `starts`."""
    first = starts[docs]
    lengths = starts[docs + 1] - first
    total = int(lengths.sum())
    if not total:
        return _EMPTY
    # Each run first..first+length, all at once: offsets within runs plus each run's start.
    shift = np.repeat(first - (np.cumsum(lengths) - lengths), lengths)
    return np.arange(total, dtype=np.int64) + shift


def _leaf_column(leaf, field) -> np.ndarray:
    # Whoosh keeps sortable numbers unsigned, and a document without a value (an undated
    # communiqué) gets the column's largest value: only uint64 holds it.
    return np.asarray(list(leaf.column_reader(field, translate=False)), dtype=np.uint64)


# "More like this" leaves out the words found in more than this share of the archive: they
# cannot tell one statement from another, yet Whoosh's Bo1 model ranks a word by how often
# the statement repeats it, so the key terms were "meeting" and "council" (in 80 to 100 % of
# the benchmark's archive), whose postings cost most of a permalink page. Lucene's
# MoreLikeThis (maxDocFreqPct) and Elasticsearch's (max_doc_freq) offer the same cut. Below
# COMMON_FLOOR documents every word counts: there "half the archive" is a handful.
COMMON_SHARE = 0.5
COMMON_FLOOR = 100


def key_terms(reader, field, text, number) -> list[tuple[str, float]]:
    """Whoosh's key_terms_from_text (Bo1 expansion, not normalized) over the words that can
    tell documents apart (COMMON_SHARE): the "more like this" query of both search paths."""
    expander = classify.Expander(_Distinctive(reader), field)
    expander.add_text(text)
    return expander.expanded_terms(number, normalize=False)


class _Distinctive:
    """An index reader, as Whoosh's Expander sees it, without the words found in more than
    COMMON_SHARE of the documents."""

    def __init__(self, reader):
        self._reader = reader
        self.schema = reader.schema
        count = reader.doc_count_all()
        self._limit = count * COMMON_SHARE if count > COMMON_FLOOR else None

    def doc_count_all(self) -> int:
        return self._reader.doc_count_all()

    def field_length(self, field) -> int:
        return self._reader.field_length(field)

    def __contains__(self, term) -> bool:
        if term not in self._reader:
            return False
        return self._limit is None or self._reader.doc_frequency(*term) <= self._limit

    def frequency(self, field, btext):
        return self._reader.frequency(field, btext)


class _StatsReader:
    """The part of an index reader that key_terms() reads, with each term's statistics
    summed over the segments once per searcher, in Whoosh's MultiReader order of
    summation."""

    def __init__(self, reader, memo: dict):
        self._reader = reader
        self._memo = memo
        self._leaves = [leaf for leaf, _offset in reader.leaf_readers()]
        self.schema = reader.schema

    def doc_count_all(self) -> int:
        return self._reader.doc_count_all()

    def field_length(self, field) -> int:
        return self._reader.field_length(field)

    def _stats(self, field, btext) -> tuple[float, int] | None:
        """(frequency, document frequency) of a term, None where no segment has it."""
        key = (field, btext)
        found = self._memo.get(key, _ABSENT)
        if found is _ABSENT:
            present = [leaf for leaf in self._leaves if key in leaf]
            found = None
            if present:
                found = (
                    sum(leaf.frequency(field, btext) for leaf in present),
                    sum(leaf.doc_frequency(field, btext) for leaf in present),
                )
            self._memo[key] = found
        return found

    def __contains__(self, term) -> bool:
        return self._stats(*term) is not None

    def frequency(self, field, btext):
        found = self._stats(field, btext)
        return found[0] if found else 0

    def doc_frequency(self, field, btext) -> int:
        found = self._stats(field, btext)
        return found[1] if found else 0
