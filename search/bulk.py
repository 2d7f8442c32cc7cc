"""Writing segments with their postings held in memory: a rebuild's, built in parallel, and
an update's new documents (search.backend.apply).

Whoosh's writer sends every posting through an external sort (pickled to temporary runs, read
back and merged: about half of a rebuild's time, profiled), then hands the postings to the
codec one call at a time. A rebuild knows all of its documents up front, so here each worker
process builds whole segments of contiguous documents: it reads its records from the database
itself, gathers each field's postings in columns in document order, sorts them by term once
(numpy's stable sort keeps each term's documents in order), and writes each term's blocks in
Whoosh's own format: those of the two largest fields, the full text and its runs of words,
laid out with numpy for thousands of terms at once (search.positions, search.runs). The new
segments replace the old ones in one commit at the end, so the old index answers searches
until then. An update builds its new documents' segment the same way and commits it alone;
a merge of small segments writes its segment the same way too (search.merging).

The segments are the ones Whoosh's writer makes (a test compares every posting), except that
the spelling field holds each word once, where Whoosh adds it again for every document that
has it: only its words are ever read (search.backend._suggest).
"""

from __future__ import annotations

import gc
import math
import multiprocessing
import struct
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_EXCEPTION, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from functools import lru_cache, partial
from itertools import accumulate, chain, count, islice, repeat
from operator import add, mul, sub

import numpy as np
from django.db import connections
from whoosh.codec import whoosh3
from whoosh.filedb.filetables import _lengths as _LENGTHS
from whoosh.index import TOC, clean_files
from whoosh.system import pack_uint, pack_ushort
from whoosh.util.numeric import length_to_byte
from whoosh.writing import SegmentWriter

from search import pickled, positions, runs
from search.analysis import FullTextField, ShinglesField, shingle_term

_TERM_INFO = whoosh3.W3TermInfo._struct
# Where a term's postings are, after its entry: pack_long(offset) + pack_int(length).
_EXTENT = struct.Struct("!qi")


class WorkerDied(RuntimeError):
    """A worker process of a rebuild ended abruptly; the index was left as it was."""


# Terms at a time: whose postings `FieldPostings.by_term` turns into Python numbers, and
# whose postings and entries `_write_terms` writes in one go.
_TERMS_AT_A_TIME = 4096


class FieldPostings:
    """One field's postings in arrival order, a column each: the term's code (given when the
    term is first met), the document, the weight and the value. Columns grow by whole
    documents in C: a posting appended at a time to its own term's arrays, three appends and
    a lookup each, was a fifth of a rebuild (profiled)."""

    __slots__ = ("codes", "docs", "next_code", "table", "values", "weights")

    def __init__(self, valued: bool):
        self.table: dict[bytes, int] = {}
        self.next_code = count()  # codes are unique, not consecutive: a met term takes one too
        self.codes, self.docs, self.weights = array("I"), array("I"), array("d")
        # Weights as doubles: Whoosh keeps the block's largest weight unrounded. A format
        # without values (Existence: the ID fields, the shingles) keeps no column of them.
        self.values: list | None = [] if valued else None

    def add(self, docnum: int, btexts, weights, values, boost: float) -> None:
        self.codes.extend(map(self.table.setdefault, btexts, self.next_code))
        self.docs.extend(repeat(docnum, len(btexts)))
        self.weights.extend(weights if boost == 1.0 else map(mul, weights, repeat(boost)))
        if self.values is not None:
            self.values.extend(values)

    def by_term(self) -> Iterator[tuple[bytes, list, list, Sequence]]:
        """(term, documents, weights, values) of every term, terms sorted, each term's
        postings in document order (a stable sort keeps the order in which they came)."""
        terms, bounds, order, docs, weights = self.sorted()
        # Reordered whole, not with the numbers below: a few thousand terms' values at a time
        # peaked 100 MB higher in a segment of 12,500 documents (measured).
        return _by_term(terms, bounds, docs, weights, self.ordered_values(order))

    def sorted(self) -> tuple[list[bytes], list[int], np.ndarray, np.ndarray, np.ndarray]:
        """(terms sorted, where each one's postings start and end, the postings' arrival
        order so sorted, their documents and their weights so sorted)."""
        terms = sorted(self.table)
        rank = np.zeros(next(self.next_code), np.uint32)
        rank[np.fromiter(map(self.table.__getitem__, terms), np.int64, len(terms))] = np.arange(
            len(terms), dtype=np.uint32
        )
        ranks = rank[np.frombuffer(self.codes, np.uint32)]
        order = np.argsort(ranks, kind="stable")
        bounds = np.searchsorted(ranks[order], np.arange(len(terms) + 1)).tolist()
        docs = np.frombuffer(self.docs, np.uint32)[order]
        weights = np.frombuffer(self.weights, np.float64)[order]
        return terms, bounds, order, docs, weights

    def ordered_values(self, order: np.ndarray) -> Sequence:
        return () if self.values is None else list(map(self.values.__getitem__, order.tolist()))

    def write(self, fieldwriter, length: list) -> None:
        self.write_terms(fieldwriter, length)

    def write_terms(self, fieldwriter, length: list) -> None:
        """Write the field's terms one by one (`write_field`)."""
        write_field(fieldwriter, self.by_term(), self.values is not None, length)


class PositionPostings(FieldPostings):
    """A full-text field's postings (Whoosh's Positions format), each one's positions kept
    as numbers (a column of them all, and each posting's count) and pickled only as the
    field is written: with numpy, a segment's together (search.positions). Pickled one
    posting at a time as each communiqué came, then each block pickled again, a rebuild took
    6.1 to 6.3 ms of CPU a communiqué; this way, 5.2 to 5.3 (12,500 a segment, runs side by
    side, one per core)."""

    __slots__ = ("boost", "counts", "format", "positions", "unit")

    def __init__(self, fieldformat):
        super().__init__(valued=False)
        self.format, self.boost = fieldformat, fieldformat.field_boost
        self.counts, self.positions = array("I"), array("I")
        self.unit = True  # every weight its posting's count of positions: no boost

    def add_positions(self, docnum: int, positions: dict[str, list[int]], boost: float) -> int:
        """A document's terms and each one's positions (FullTextField.positions); returns
        the field's length."""
        counts = list(map(len, positions.values()))
        # Positions.word_values: a weight of 1.0 per position, times the field's boost.
        weights = counts if self.boost == 1.0 else list(map(mul, counts, repeat(self.boost)))
        self._add(docnum, list(map(str.encode, positions)), weights, positions.values(), boost)
        return sum(counts)

    def add(self, docnum: int, btexts, weights, values, boost: float) -> None:
        """Postings with their values encoded (as Whoosh's writer hands them)."""
        positions = list(map(self.format.decode_positions, values))
        self._add(docnum, btexts, weights, positions, boost)

    def _add(self, docnum: int, btexts, weights, positions, boost: float) -> None:
        counts = list(map(len, positions))
        super().add(docnum, btexts, weights, (), boost)
        self.counts.extend(counts)
        self.positions.extend(chain.from_iterable(positions))
        self.unit = self.unit and boost == 1.0 and list(map(float, weights)) == counts

    def ordered_values(self, order: np.ndarray) -> Sequence:
        counts = np.frombuffer(self.counts, np.uint32).astype(np.int64)
        starts = np.cumsum(counts) - counts
        ends = starts + counts
        spans = zip(starts[order].tolist(), ends[order].tolist(), strict=True)
        return [self.format.encode(self.positions[start:end]) for start, end in spans]

    def write(self, fieldwriter, length: list) -> None:
        """With numpy (search.positions) when every weight is its posting's count of
        positions, as it is unless a document or the field has a boost."""
        if not self.unit:
            self.write_terms(fieldwriter, length)
            return
        terms, bounds, order, docs, _weights = self.sorted()
        if terms:
            made = positions.terms(
                fieldwriter, terms, bounds, docs, order, self.counts, self.positions, length
            )
            _write_terms(fieldwriter, made)

    def write_terms(self, fieldwriter, length: list) -> None:
        write_field(fieldwriter, self.by_term(), True, length)


class HashedPostings:
    """The postings of a shingle field (search.analysis.ShinglesField), whose terms are hashes
    of runs of words: each document's hashes kept as its one array, sorted as numbers once,
    each term made only when it is written. A communiqué has a thousand runs, each a term to
    make, encode and look up in FieldPostings: a rebuild took 7.5 ms of CPU a communiqué
    that way, 6.5 ms this way (runs side by side, one per core)."""

    __slots__ = ("boosts", "counts", "docnums", "hashes", "values")

    def __init__(self):
        self.hashes: list[np.ndarray] = []
        self.docnums: list[int] = []
        self.counts: list[int] = []
        self.boosts: list[float] = []
        self.values = None  # the format holds no values (Existence)

    def add(self, docnum: int, hashes: np.ndarray, boost: float) -> None:
        self.hashes.append(hashes)
        self.docnums.append(docnum)
        self.counts.append(len(hashes))
        self.boosts.append(boost)

    def sorted(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(hashes, documents, weights) of the postings sorted by hash, then by document, a
        run found twice in a document one posting; and where each hash's postings start."""
        hashes = np.concatenate([np.zeros(0, np.uint64), *self.hashes])
        docs = np.repeat(np.array(self.docnums, np.uint32), self.counts)
        # Whoosh's weight of a posting without frequencies: 1.0 times the boost.
        weights = np.repeat(np.array(self.boosts, np.float64), self.counts)
        if not len(hashes):  # no document of the segment has two words in a row
            return hashes, docs, weights, np.zeros(0, np.intp)
        order = np.argsort(hashes, kind="stable")  # a term's documents stay in order
        hashes, docs, weights = hashes[order], docs[order], weights[order]
        first_of_term = np.r_[True, hashes[1:] != hashes[:-1]]
        kept = first_of_term | np.r_[True, docs[1:] != docs[:-1]]
        hashes, docs, weights = hashes[kept], docs[kept], weights[kept]
        return hashes, docs, weights, np.flatnonzero(first_of_term[kept])

    def by_term(self) -> Iterator[tuple[bytes, list, list, Sequence]]:
        """As FieldPostings.by_term: terms in order, each term's postings in document order."""
        hashes, docs, weights, starts = self.sorted()
        bounds = np.r_[starts, len(hashes)].tolist()
        # Each term made as it is written: a segment has millions of runs.
        for run, ids, weighed, values in _by_term(
            hashes[starts].tolist(), bounds, docs, weights, ()
        ):
            yield shingle_term(run), ids, weighed, values

    def write(self, fieldwriter, length: list) -> None:
        """Write the field's terms: with numpy (search.runs) when every posting weighs 1.0,
        as it does unless a document or the field has a boost."""
        if all(boost == 1.0 for boost in self.boosts):
            hashes, docs, _weights, starts = self.sorted()
            if len(hashes):
                runs.write(fieldwriter, hashes, docs, starts)
        else:
            self.write_terms(fieldwriter, length)

    def write_terms(self, fieldwriter, length: list) -> None:
        """Write the field's terms one by one, as any field's (`write_field`)."""
        write_field(fieldwriter, self.by_term(), False, length)


def _by_term(terms: list, bounds: list, docs, weights, values: Sequence) -> Iterator[tuple]:
    """(term, documents, weights, values) of each term, whose postings are those from
    bounds[i] to bounds[i + 1] of the arrays `docs` and `weights` and of `values`. As Python
    numbers, which the blocks pickle as Whoosh's do: a few thousand terms' postings at a time,
    since a list of numbers takes ten times an array's memory."""
    for first in range(0, len(terms), _TERMS_AT_A_TIME):
        last = min(first + _TERMS_AT_A_TIME, len(terms))
        low, high = bounds[first], bounds[last]
        ids, weighed = docs[low:high].tolist(), weights[low:high].tolist()
        for term, start, end in zip(
            terms[first:last], bounds[first:last], bounds[first + 1 : last + 1], strict=True
        ):
            yield (
                term,
                ids[start - low : end - low],
                weighed[start - low : end - low],
                values[start:end],
            )


class MemoryPostings:
    """Whoosh's PostingPool, in memory: per field, its postings in arrival order (documents
    arrive in docnum order, so each term's postings come sorted)."""

    def __init__(self, schema):
        self.schema = schema
        self.fieldnames: set[str] = set()  # read by Whoosh's writer
        self.fields: dict[str, FieldPostings] = {}
        self.spelling: dict[str, set[bytes]] = {}
        self.spelling_fields = {
            field.spelling_fieldname(name)
            for name, field in schema.items()
            if field.separate_spelling()
        }

    def add(self, item) -> None:
        """PostingPool.add: one posting, or a spelling word."""
        fieldname, btext, docnum, weight, vbytes = item
        if fieldname in self.spelling_fields:
            self.add_spelling(fieldname, (btext,))
        else:
            self.add_field(fieldname, docnum, [(btext, 0, weight, vbytes)], 1.0, False)

    def add_spelling(self, fieldname: str, words: Iterable[bytes]) -> None:
        """A document's spelling words, kept once each (see the module's docstring)."""
        self.spelling.setdefault(fieldname, set()).update(words)

    def add_field(self, fieldname: str, docnum: int, items, boost: float, scorable: bool) -> int:
        """Every (term, frequency, weight, value) of one field of a document, in one call;
        returns the field's length (Whoosh counts the frequencies of scorable fields)."""
        postings = self._postings(fieldname)
        columns = tuple(zip(*items, strict=True))  # in C: terms, frequencies, weights, values
        if not columns:
            return 0
        btexts, freqs, weights, values = columns
        postings.add(docnum, btexts, weights, values, boost)
        return sum(freqs) if scorable else 0

    def add_positions(self, fieldname: str, docnum: int, field, value: str, boost: float) -> int:
        """A document's full text (FullTextField.positions); returns the field's length."""
        postings = self._postings(fieldname)
        counted = postings.add_positions(docnum, field.positions(value), boost)
        return counted if field.scorable else 0

    def _postings(self, fieldname: str) -> FieldPostings:
        postings = self.fields.get(fieldname)
        if postings is None:
            field = self.schema[fieldname]
            if isinstance(field, FullTextField) and field.has_positions:
                postings = PositionPostings(field.format)
            else:
                postings = FieldPostings(field.format.fixed_value_size() != 0)
            self.fields[fieldname] = postings
        return postings

    def add_hashes(self, fieldname: str, docnum: int, hashes, boost: float) -> None:
        """A document's runs in a shingle field, as ShinglesField.hashes gives them."""
        postings = self.fields.get(fieldname)
        if postings is None:
            postings = self.fields[fieldname] = HashedPostings()
        postings.add(docnum, hashes, boost)

    def cleanup(self) -> None:
        self.fields, self.spelling = {}, {}

    def write(self, fieldwriter, schema, lengths, doccount: int) -> None:
        """Write every term's postings through the codec's field writer, terms in order."""
        for fieldname in sorted(self.fields.keys() | self.spelling.keys()):
            fieldwriter.start_field(fieldname, schema[fieldname])
            if fieldname in self.spelling:
                write_spelling(fieldwriter, self.spelling[fieldname])
            else:
                # Taken out of the pool, so that each field's columns go once it is written.
                postings = self.fields.pop(fieldname)
                length = field_lengths(lengths, fieldname, doccount)
                postings.write(fieldwriter, length)
            fieldwriter.finish_field()


def field_lengths(lengths, fieldname: str, doccount: int) -> list[int]:
    """Each document's length in a field, from the new segment's per-document reader."""
    return [lengths.doc_field_length(d, fieldname) for d in range(doccount)]


def write_spelling(fieldwriter, words: Iterable[bytes]) -> None:
    """A spelling field's words: one posting each, at document 0, as Whoosh's writer adds
    each of them."""
    same = _postings(fieldwriter, _AT_ZERO, _UNIT, _ONCE, _NO_LENGTH)
    _write_terms(fieldwriter, ((word, *same) for word in sorted(words)))


def write_field(fieldwriter, terms: Iterable[tuple], valued: bool, length: list) -> None:
    """Write one field's (term, documents, weights, values), terms in order: each one's
    postings made by `_postings`, then written with its entry by `_write_terms`."""
    limit = fieldwriter._postwriter._blocklimit
    # Without values, a block is its documents and weights, and blocks repeat: a shingle found
    # in one document only is a block of that document's number alone, the same for each of
    # the hundreds of such shingles it has.
    made = None
    if not valued:
        made = lru_cache(maxsize=1 << 16)(partial(_postings, fieldwriter, length=length))

    def with_postings(btext, ids, weights, values):
        if made is not None and len(ids) <= limit:
            return (btext, *made(tuple(ids), tuple(weights), ()))
        return (btext, *_postings(fieldwriter, ids, weights, values, length))

    _write_terms(fieldwriter, (with_postings(*term) for term in terms))


# The spelling field's postings: one at document 0, of weight 1, without a length, valued as
# one occurrence in the spelling field's format (Frequency, whose values are 4 bytes): a merge
# by Whoosh's own writer (add_reader) reads a value back, where search.merging reads the words.
_AT_ZERO, _UNIT, _NO_LENGTH, _ONCE = (0,), (1.0,), (0,), (pack_uint(1),)


def _postings(fieldwriter, ids: Sequence, weights: Sequence, values: Sequence, length):
    """A term's postings as Whoosh writes them (W3PostingsWriter: start_postings, add_posting
    for each, finish_postings; a test compares the files), and its entry in the term table
    but for where they are (W3TermInfo.to_bytes). Whoosh takes about forty calls for a term
    found in one document, as nearly every term of a segment is (most shingles are in a few
    documents), and runs three generators over each block of the others: writing the terms
    of 2,000 documents four times took 19.1 s of CPU that way, 16.5 s here with
    `_write_terms` (runs taken in turn in one process; docs/benchmarks.md, session 9)."""
    writer = fieldwriter._postwriter
    limit, compression = writer._blocklimit, writer._compression
    fixed = fieldwriter._format.fixed_value_size()
    count = len(ids)
    parts = [whoosh3.WHOOSH3_HEADER_MAGIC]
    # The term's statistics, gathered block by block as W3TermInfo.add_block does.
    total, shortest, longest, heaviest = 0, None, 0, 0
    for start in range(0, count, limit):
        end = min(start + limit, count)
        block_ids, block_weights = ids[start:end], weights[start:end]
        stored = array("f", block_weights)  # as a block holds them
        mini_weights = pickled.block_weights(stored)
        block_values = [v for v in values[start:end] if v]
        if fixed is None or fixed < 0:
            mini_values = tuple(block_values)
        else:
            mini_values = None if fixed == 0 else b"".join(block_values)
        deltas = tuple(map(sub, block_ids, chain((0,), block_ids)))
        data = whoosh3.dumps((deltas, mini_weights, mini_values), 2)
        low, high, most = _block_statistics(block_ids, block_weights, length)
        statistics = (end - start, block_ids[-1], most, length_to_byte(low), length_to_byte(high))
        parts.append(pickled.block(data, compression, statistics, end == count))
        total += sum(stored)
        shortest = low if shortest is None else min(shortest, low)
        longest, heaviest = max(longest, high), max(heaviest, most)
    entry = _TERM_INFO.pack(
        False,
        total,
        count,
        length_to_byte(shortest),
        length_to_byte(longest),
        heaviest,
        ids[0],
        ids[-1],
    )
    return b"".join(parts), entry


def _write_terms(fieldwriter, terms: Iterable[tuple[bytes, bytes, bytes]]) -> None:
    """Write (term, postings, entry but for where they are) of terms in order, a few thousand
    at a time: the postings, then each term's entry in the term table, as
    OrderedHashWriter.add writes it. Added one by one, a term's entry took a dozen calls
    (three file writes, two positions asked of the file, a hash): a sixth of writing a
    segment's terms (profiled)."""
    terms = iter(terms)
    while chunk := list(islice(terms, _TERMS_AT_A_TIME)):
        _write_chunk(fieldwriter, chunk)


def _write_chunk(fieldwriter, terms: list[tuple[bytes, bytes, bytes]]) -> None:
    """`_write_terms` for one chunk of terms."""
    btexts, blocks, entries = zip(*terms, strict=True)
    postfile, table = fieldwriter._postwriter._postfile, fieldwriter._tindex
    sizes = list(map(len, blocks))
    offsets = accumulate(sizes, initial=postfile.tell())
    postfile.write(b"".join(blocks))
    located = list(map(add, entries, map(_EXTENT.pack, offsets, sizes)))
    keys = list(map(add, repeat(pack_ushort(fieldwriter._fieldid)), btexts))
    if keys[0] <= table.lastkey:
        raise ValueError(f"Keys must increase: {table.lastkey!r}..{keys[0]!r}")
    # Each entry: the lengths of its key and value, the key, the value (HashWriter.add).
    records = list(
        map(add, map(add, map(_LENGTHS.pack, map(len, keys), map(len, located)), keys), located)
    )
    positions = list(accumulate(map(len, records), initial=table.dbfile.tell()))[:-1]
    table.dbfile.write(b"".join(records))
    table.index.extend(positions)
    buckets = table.buckets
    for hashed, position in zip(map(table.hashfn, keys), positions, strict=True):
        buckets[hashed & 255].append((hashed, position))
    table.lastkey = keys[-1]


def _block_statistics(ids: Sequence, weights: Sequence, length: Sequence) -> tuple:
    """(shortest field length, longest, largest weight) of a block, as Whoosh's add_posting
    keeps them: lengths of 0 are not counted, and no length at all is None and 0."""
    lengths = [n for n in map(length.__getitem__, ids) if n]
    if not lengths:
        return None, 0, max(0, max(weights))
    return min(lengths), max(lengths), max(0, max(weights))


class SegmentBuilder(SegmentWriter):
    """Whoosh's segment writer with its postings in memory, written in bulk (_write_terms).

    A rebuild's workers make it without Whoosh's lock (`_lk=False`) and never commit: the
    process that started the rebuild holds the lock and commits their segments together.
    Index updates (search.backend) make it with the lock, for their new documents' segment."""

    def __init__(self, ix, **options):
        super().__init__(ix, **options)
        self.pool = MemoryPostings(self.schema)

    def add_document(self, **fields):
        """Whoosh's SegmentWriter.add_document (2.7.4) line for line, except that a field's
        postings go to the pool in one call (MemoryPostings.add_field): Whoosh makes a tuple
        and a call of each, a thousand a communiqué, a fifth of a rebuild (profiled)."""
        self._check_state()
        perdocwriter = self.perdocwriter
        schema = self.schema
        docnum = self.docnum
        pool = self.pool
        docboost = self._doc_boost(fields)
        fieldnames = sorted(name for name in fields if not name.startswith("_"))
        self._check_fields(schema, fieldnames)
        perdocwriter.start_doc(docnum)
        for fieldname in fieldnames:
            value = fields.get(fieldname)
            if value is None:
                continue
            field = schema[fieldname]
            length = 0
            if field.indexed:
                boost = self._field_boost(fields, fieldname, docboost)
                if isinstance(field, ShinglesField):
                    pool.add_hashes(fieldname, docnum, field.hashes(value), boost)
                elif isinstance(field, FullTextField) and field.positioned(value):
                    length = pool.add_positions(fieldname, docnum, field, value, boost)
                else:
                    length = pool.add_field(
                        fieldname, docnum, field.index(value), boost, field.scorable
                    )
            if field.separate_spelling():
                spellfield = field.spelling_fieldname(fieldname)
                pool.add_spelling(spellfield, map(str.encode, field.spellable_words(value)))
            vformat = field.vector
            if vformat:
                vitems = vformat.word_values(value, field.analyzer, mode="index")
                vitems = sorted((text, weight, vbytes) for text, _, weight, vbytes in vitems)
                perdocwriter.add_vector_items(fieldname, field, vitems)
            customval = fields.get(f"_stored_{fieldname}", value)
            perdocwriter.add_field(fieldname, field, customval if field.stored else None, length)
            column = field.column_type
            if column and customval is not None:
                perdocwriter.add_column_value(fieldname, column, field.to_column_value(customval))
        perdocwriter.finish_doc()
        self._added = True
        self.docnum += 1

    def _flush_segment(self):
        self.perdocwriter.close()
        lengths = self.per_document_reader()
        try:
            self.pool.write(self.fieldwriter, self.schema, lengths, self.docnum)
        finally:
            lengths.close()
        self.fieldwriter.close()


# What a worker needs, inherited through fork rather than pickled: the index, the function that
# turns ids into documents, and the shared count of documents done.
_job: tuple | None = None
# The parent's database connections, as a forked worker inherited them: kept, never closed,
# since closing one would end the parent's session on the server.
_inherited: list = []


def _segment(ids: list[int]):
    """Build one segment of these documents (in a worker, or in this process)."""
    ix, documents, done = _job
    # Python's collector runs every few hundred new objects, and a rebuild makes millions
    # (the ORM's records and their cycles, the analyzers' tuples): left to itself, it was a
    # seventh of a segment's CPU at 12,500 documents. Once a batch, it finds the same cycles.
    collecting = gc.isenabled()
    gc.disable()
    try:
        writer = SegmentBuilder(ix, _lk=False)
        for batch in documents(ids):
            for document in batch:
                writer.add_document(**document)
            with done.get_lock():
                done.value += len(batch)
            gc.collect(1)
        if not writer._added:
            writer._close_segment()
            return None
        return writer._finalize_segment()
    finally:
        if collecting:
            gc.enable()


def cancel(writer) -> None:
    """Give up a writer: Whoosh's lock goes back, and the files no table of contents lists
    (its new segment's, a failed rebuild's segments) go now, as Whoosh deletes those a commit
    leaves behind, rather than at the next commit. The caller still holds writer_lock. A
    failed writer left open held the lock for as long as the process lived, and every later
    update failed."""
    if writer.is_closed:
        return
    writer.cancel()
    toc = TOC.read(writer.storage, writer.indexname)
    clean_files(writer.storage, writer.indexname, toc.generation, toc.segments)


def _start_worker() -> None:
    """In a forked worker: set the parent's connections aside; the worker opens its own."""
    for connection in connections.all(initialized_only=True):
        _inherited.append(connection.connection)
        connection.connection = None


def _can_fork() -> bool:
    """Workers read the database through their own connections: they cannot see an in-memory
    SQLite database or rows of a transaction this process has not committed."""
    for connection in connections.all(initialized_only=True):
        if connection.in_atomic_block:
            return False
        if connection.vendor == "sqlite" and connection.is_in_memory_db():
            return False
    return "fork" in multiprocessing.get_all_start_methods()


def parts(ids: list[int], procs: int, size: int) -> list[list[int]]:
    """Contiguous runs of ids, one per segment: at most `size` each, a multiple of `procs` in
    number so that the workers finish together."""
    if not ids:
        return []
    count = procs * math.ceil(len(ids) / (procs * size))
    count = min(count, len(ids))
    step = math.ceil(len(ids) / count)
    return [ids[start : start + step] for start in range(0, len(ids), step)]


def rebuild(
    ix,
    runs: list[list[int]],
    documents: Callable[[list[int]], Iterator[Iterable[dict]]],
    procs: int,
    progress: Callable[[int], None],
    timeout: float = 60.0,
) -> None:
    """Replace every segment of `ix` with one segment per run of ids, in one commit.

    `documents(ids)` yields batches of Whoosh documents; `progress(n)` hears of every n done.
    On failure the old index stays as it was."""
    global _job
    writer = ix.writer(timeout=timeout)  # Whoosh's own lock, for the final commit
    context = multiprocessing.get_context("fork") if procs > 1 and _can_fork() else None
    done = multiprocessing.Value("q", 0) if context is None else context.Value("q", 0)
    _job = (ix, documents, done)
    reported = 0

    def report() -> None:
        nonlocal reported
        if done.value > reported:
            progress(done.value - reported)
            reported = done.value

    try:
        if context is None:
            segments = []
            for run in runs:
                segments.append(_segment(run))
                report()
        else:
            with ProcessPoolExecutor(procs, mp_context=context, initializer=_start_worker) as pool:
                futures = [pool.submit(_segment, run) for run in runs]
                while True:
                    finished, pending = wait(futures, timeout=0.5, return_when=FIRST_EXCEPTION)
                    report()
                    failed = [f for f in finished if f.exception()]
                    if failed or not pending:
                        break
                for future in futures:
                    future.cancel()
                if failed:
                    error = failed[0].exception()
                    if isinstance(error, BrokenProcessPool):
                        raise WorkerDied(
                            "A process building the index stopped without a word (killed, or "
                            "out of memory?). The index is unchanged. Run the rebuild again "
                            "with a lower BAYAN_INDEX_SEGMENT_DOCS or BAYAN_INDEX_PROCS."
                        ) from error
                    raise error
                segments = [future.result() for future in futures]
        report()
    except BaseException:
        cancel(writer)  # and with its files, the segments the workers already built
        raise
    finally:
        _job = None
    # Whoosh's commit, without a segment of this writer's own and without the old segments.
    try:
        writer._close_segment()
        writer._commit_toc([segment for segment in segments if segment is not None])
    finally:
        writer._finish()
