"""Writing a shingle field's postings (search.analysis.ShinglesField) with numpy.

A rebuild's segment of 25,000 communiqués holds some 435,000 runs of words, with 15 million
postings in half a million blocks. Made a term and a block at a time (search.bulk._postings),
they were a fifth of a rebuild's CPU. But every posting of this field is alike: no value, a
weight of 1.0, no field length. So a block is the pickle of its documents' deltas and two
Nones, and a term's entry in the term table differs from another's only by its numbers: here
both are laid out for thousands of terms at once, and only the compression of each block is
a call of its own. The bytes are the ones Whoosh's per-posting calls write (a test compares
the files)."""

from __future__ import annotations

import numpy as np
from whoosh.codec import whoosh3
from whoosh.system import pack_ushort

from search import pickled
from search.analysis import SHINGLE_TERM_SIZE, shingle_terms

# Terms written at a time: bounds the Python objects (a block's bytes) held at once.
_TERMS_AT_A_TIME = 65_536

# A block is the pickle of (deltas, None, None) (search.pickled): the frame, the deltas'
# tuple, then the two Nones, the outer tuple (TUPLE3) and its memo, and the end.
_END = np.frombuffer(b"NN\x87\x94.", np.uint8)
_MAGIC = whoosh3.WHOOSH3_HEADER_MAGIC

# A term's record in the term table (OrderedHashWriter.add): the lengths of its key and value,
# the key (the field's number, the term), and the value: W3TermInfo's struct (not inlined,
# total weight, documents, shortest and longest length as bytes, largest weight, first and
# last document) and where its postings are (offset, size).
_RECORD = np.dtype(
    [
        ("key_length", ">i4"),
        ("value_length", ">i4"),
        ("field", ">u2"),
        ("term", f"S{SHINGLE_TERM_SIZE}"),
        ("inlined", "u1"),
        ("total", ">f4"),
        ("count", ">u4"),
        ("shortest", "u1"),
        ("longest", "u1"),
        ("heaviest", ">f4"),
        ("first", ">u4"),
        ("last", ">u4"),
        ("offset", ">i8"),
        ("size", ">i4"),
    ]
)
_KEY_LENGTH = 2 + SHINGLE_TERM_SIZE
_VALUE_LENGTH = whoosh3.W3TermInfo._struct.size + 12
assert _RECORD.itemsize == 8 + _KEY_LENGTH + _VALUE_LENGTH


def write(fieldwriter, hashes: np.ndarray, docs: np.ndarray, starts: np.ndarray) -> None:
    """Write a shingle field whose postings all weigh 1.0: `hashes` and `docs` the postings
    sorted by hash and then by document, one per (hash, document); `starts` where each
    term's postings begin."""
    ends = np.r_[starts[1:], len(hashes)]
    for first in range(0, len(starts), _TERMS_AT_A_TIME):
        last = min(first + _TERMS_AT_A_TIME, len(starts))
        low, high = starts[first], ends[last - 1]
        _write_terms(
            fieldwriter, hashes[starts[first:last]], docs[low:high], starts[first:last] - low
        )


def _write_terms(fieldwriter, terms: np.ndarray, docs: np.ndarray, starts: np.ndarray) -> None:
    writer = fieldwriter._postwriter
    limit, compression = writer._blocklimit, writer._compression
    counts = np.diff(np.r_[starts, len(docs)])
    blocks = pickled.blocks(starts, counts, limit)
    raw, bounds = _pickled_blocks(docs, blocks[0], blocks[1])
    offset = writer._postfile.tell()
    sizes = _write_postings(writer._postfile, raw, bounds, docs, blocks, compression)
    # A term's postings: the header, then its blocks.
    postings = np.add.reduceat(sizes, np.flatnonzero(blocks[2] == 0)) + len(_MAGIC)
    offsets = offset + np.cumsum(postings) - postings
    _write_records(fieldwriter, terms, docs, starts, counts, offsets, postings)


def _pickled_blocks(docs, first, size) -> tuple[bytes, list[int]]:
    """Every block's (deltas, None, None) pickled, end to end, and where each one starts
    (and, last, where the final one ends)."""
    deltas = pickled.deltas(docs, first)
    widths = pickled.int_widths(deltas)
    inside = pickled.tuple_length(size, np.add.reduceat(widths, first))
    length = pickled.FRAMED + inside + len(_END)
    start = np.r_[0, np.cumsum(length)]
    buffer = np.zeros(start[-1], np.uint8)
    pickled.put_frames(buffer, start[:-1], length)
    place = pickled.put_tuples(buffer, start[:-1] + pickled.FRAMED, size, first, widths)
    pickled.put_ints(buffer, place, deltas, widths)
    tail = start[:-1] + pickled.FRAMED + inside
    buffer[tail[:, None] + np.arange(len(_END))] = _END
    return buffer.tobytes(), start.tolist()


def _write_postings(postfile, raw: bytes, bounds: list, docs, blocks, compression) -> np.ndarray:
    """Write each term's postings as W3PostingsWriter does (the header, then each block:
    pickled.block); returns each block's size as written."""
    first, size, index, last = blocks
    # A block's statistics: postings, last document, a weight of 1.0, no field lengths.
    ends = (docs[first + size - 1]).tolist()
    parts = []
    written = []
    for low, high, count, end, opens, closes in zip(
        bounds[:-1],
        bounds[1:],
        size.tolist(),
        ends,
        (index == 0).tolist(),
        last.tolist(),
        strict=True,
    ):
        made = pickled.block(raw[low:high], compression, (count, end, 1.0, 0, 0), closes)
        if opens:
            parts.append(_MAGIC)
        parts.append(made)
        written.append(len(made))
    postfile.write(b"".join(parts))
    return np.array(written, np.int64)


def _write_records(fieldwriter, terms, docs, starts, counts, offsets, sizes) -> None:
    """Each term's record in the term table, and its place in the table's hash index."""
    table = fieldwriter._tindex
    records = np.zeros(len(terms), _RECORD)
    records["key_length"], records["value_length"] = _KEY_LENGTH, _VALUE_LENGTH
    records["field"] = fieldwriter._fieldid
    records["term"] = shingle_terms(terms)
    records["total"] = counts
    records["count"] = counts
    records["heaviest"] = 1.0
    records["first"] = docs[starts]
    records["last"] = docs[starts + counts - 1]
    records["offset"], records["size"] = offsets, sizes
    keys = [pack_ushort(fieldwriter._fieldid) + term for term in records["term"].tolist()]
    if keys[0] <= table.lastkey:
        raise ValueError(f"Keys must increase: {table.lastkey!r}..{keys[0]!r}")
    position = table.dbfile.tell()
    positions = range(position, position + len(keys) * _RECORD.itemsize, _RECORD.itemsize)
    table.dbfile.write(records.tobytes())
    table.index.extend(positions)
    buckets, hashed = table.buckets, table.hashfn
    for key, place in zip(keys, positions, strict=True):
        value = hashed(key)
        buckets[value & 255].append((value, place))
    table.lastkey = keys[-1]
