"""Pickles laid out with numpy, for many objects at once: the posting blocks a rebuild writes
(search.runs, search.positions), byte for byte as pickle.dumps makes them one at a time.

Whoosh stores a block as the pickle of (documents' deltas, weights, values), which the index
pickles with protocol 4 (search.backend._block_dumps): the protocol, a frame and its length,
then each object. A tuple is its items after a MARK when there are more than three of them,
then TUPLE (or TUPLE1, TUPLE2, TUPLE3 without the MARK), then MEMOIZE; an int from 0 to
2**31 - 1 is BININT1 (K, one byte), BININT2 (M, two) or BININT (J, four), little-endian.

The layout functions work on whole columns: `first[i]` and `size[i]` say which of the items
belong to the i-th object, and `start[i]` where in `buffer` it goes. `block` and `packed` then
frame one block as the posting file holds it, for every writer of blocks (search.bulk,
search.runs, search.positions)."""

from __future__ import annotations

import zlib
from array import array

import numpy as np
from whoosh.codec import whoosh3
from whoosh.system import pack_int

PROTO = np.frombuffer(b"\x80\x04\x95", np.uint8)  # PROTO 4, FRAME
FRAMED = len(PROTO) + 8  # the frame's length: 8 bytes, little-endian
# A frame is cut at an object's end once it holds 64 KiB (pickle's FRAME_SIZE_TARGET): only
# pickles with less inside are laid out here.
FRAME_MOST = 64 * 1024 - 1
MEMOIZE, MARK, TUPLE, TUPLE1 = 0x94, ord("("), ord("t"), 0x85  # TUPLE2, TUPLE3 follow TUPLE1
_INT_OPCODES = np.frombuffer(b"KMJ", np.uint8)
# A block whose pickle is shorter is stored as it is. zlib makes such a block longer (by 1.5
# to 4 bytes on average under 60 bytes, over the blocks of a rebuild's segment), and about
# 70 % of a segment's blocks are that short (a run of words or a rare word, in a document or
# two): compressing them was most of the rebuild's 9 % of CPU in zlib (docs/benchmarks.md,
# session 20). Whoosh's writer means to skip blocks under 20 bytes, then compresses every
# block anyway; its readers follow each block's own flag, so segments written either way read
# alike.
PLAIN_BELOW = 60


def int_widths(values: np.ndarray) -> np.ndarray:
    """Bytes each int takes: its opcode and one, two or four bytes."""
    return 2 + (values >= 256) + 2 * (values >= 65_536)


def put_ints(buffer: np.ndarray, place: np.ndarray, values: np.ndarray, widths) -> None:
    buffer[place] = _INT_OPCODES[(widths > 2).astype(np.intp) + (widths > 3)]
    for byte in range(4):
        wide = widths > byte + 1
        buffer[place[wide] + 1 + byte] = (values[wide] >> (8 * byte)) & 0xFF


def tuple_length(size: np.ndarray, inside: np.ndarray) -> np.ndarray:
    """Bytes each tuple takes, of `size` items taking `inside` bytes."""
    return (size > 3) + inside + 2


def put_tuples(buffer, start, size, first, widths: np.ndarray) -> np.ndarray:
    """Each tuple's MARK, closing and memo; returns where each item goes."""
    items = start + (size > 3)
    buffer[start[size > 3]] = MARK
    before = np.cumsum(widths) - widths
    place = np.repeat(items - before[first], size) + before
    end = items + np.add.reduceat(widths, first)
    buffer[end] = np.where(size > 3, TUPLE, TUPLE1 - 1 + np.minimum(size, 3))
    buffer[end + 1] = MEMOIZE
    return place


def put_frames(buffer: np.ndarray, start: np.ndarray, length: np.ndarray) -> None:
    """Each pickle's protocol and frame, the pickles taking `length` bytes from `start`."""
    opening = start[:, None] + np.arange(FRAMED)
    buffer[opening[:, : len(PROTO)]] = PROTO
    buffer[opening[:, len(PROTO) :]] = (length - FRAMED).astype("<u8")[:, None].view(np.uint8)


def blocks(starts: np.ndarray, counts: np.ndarray, limit: int) -> tuple[np.ndarray, ...]:
    """(first posting, postings, index in its term, whether its term's last) of each block:
    each term's postings, from `starts` and `counts`, in blocks of `limit`."""
    per_term = -(-counts // limit)
    term = np.repeat(np.arange(len(starts)), per_term)
    index = np.arange(len(term)) - np.repeat(np.cumsum(per_term) - per_term, per_term)
    first = starts[term] + index * limit
    size = np.minimum(limit, counts[term] - index * limit)
    return first, size, index, index == per_term[term] - 1


def deltas(docs: np.ndarray, first: np.ndarray) -> np.ndarray:
    """Each block's documents as Whoosh stores them: each one's distance from the one before,
    the block's first from 0."""
    docs = docs.astype(np.int64)
    gaps = np.diff(docs, prepend=0)
    gaps[first] = docs[first]
    return gaps


def block(data: bytes, compression: int, statistics: tuple, closes: bool) -> bytes:
    """A posting block as W3PostingsWriter._write_block writes it: its size (negative for
    its term's last block), its statistics (postings, last document, largest weight, shortest
    and longest field length as bytes) with the compression used between the weight and the
    lengths, and its pickle `data`, packed."""
    data, level = packed(data, compression)
    postings, last_doc, weight, shortest, longest = statistics
    info = whoosh3.dumps((postings, last_doc, weight, level, shortest, longest), 2)
    size = len(info) + len(data)
    return pack_int(-size if closes else size) + info + data


def packed(data: bytes, compression: int) -> tuple[bytes, int]:
    """A block's pickle as the posting file holds it, and the compression its statistics
    record (0: stored as it is)."""
    if not compression or kept_plain(data):
        return data, 0
    return zlib.compress(data, compression), compression


def kept_plain(data: bytes) -> bool:
    """Whether a block's pickle is stored uncompressed whatever the writer's compression."""
    return len(data) < PLAIN_BELOW


def block_weights(stored: array) -> float | tuple | None:
    """A block's weights (as float32, as it holds them) as Whoosh's block pickles them: None
    when all are 1.0, the one value when all are equal, else all of them."""
    if stored.count(1.0) == len(stored):
        return None
    if stored.count(stored[0]) == len(stored):
        return stored[0]
    return tuple(stored)
