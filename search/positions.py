"""Writing a full-text field's postings (Whoosh's Positions format) with numpy.

A posting's value is its positions: how many (4 bytes), then the pickle (protocol 2, as
Positions.encode makes it) of the list of their deltas. A rebuild used to pickle them one
posting at a time as it added each communiqué (some 250 pickles a communiqué), then pickle
each block's postings again (search.bulk._postings). Here a segment's values and blocks are
laid out together (search.pickled), a few hundred thousand postings at a time; only each
block's compression and its statistics' small pickle are calls of their own. The bytes are
the ones Whoosh's per-posting calls write (a test compares the files).

For postings weighed by their number of positions alone (no boost), as a communiqué's are."""

from __future__ import annotations

from array import array
from collections.abc import Iterator

import numpy as np
from whoosh.codec import whoosh3
from whoosh.formats import Positions
from whoosh.util.numeric import _length_byte_cache

from search import pickled

_POSTINGS_AT_A_TIME = 1 << 19

# A value: its count of positions (4 bytes, big-endian), then PROTO 2, EMPTY_LIST and its
# memo (BINPUT 0); the deltas, one as APPEND, more in MARK ... APPENDS batches of at most
# 1,000 (pickle's C implementation batches even a last one of one); STOP.
_VALUE_HEAD = np.frombuffer(b"\x80\x02]q\x00", np.uint8)
_BATCH = 1000
_APPEND, _APPENDS, _STOP = ord("a"), ord("e"), ord(".")
# In a block's values tuple, each value is SHORT_BINBYTES (C, its length in a byte) or
# BINBYTES (B, in four, little-endian), then MEMOIZE.
_SHORT_BYTES, _BYTES = ord("C"), ord("B")
# A block's weights: None when all are 1.0, one float when all are equal, else their tuple.
_NONE, _FLOAT = ord("N"), ord("G")
_END = np.frombuffer(b"\x87\x94.", np.uint8)  # the outer tuple, its memo, the end
_TERM_INFO = whoosh3.W3TermInfo._struct
_MAGIC = whoosh3.WHOOSH3_HEADER_MAGIC
_NO_LENGTH = np.iinfo(np.int64).max
_ENCODE = Positions().encode


def terms(
    fieldwriter, texts: list, bounds: list, docs, order, counts, positions, length
) -> Iterator[tuple[bytes, bytes, bytes]]:
    """(term, postings, entry but for where they are) of each term, as search.bulk._postings
    makes them: `texts` sorted, term i's postings from bounds[i] to bounds[i + 1] of `docs`;
    `order` the postings' arrival order, by which `counts` (each one's number of positions)
    and `positions` (all of them, posting after posting) come; `length` each document's
    length in the field."""
    writer = fieldwriter._postwriter
    limit, compression = writer._blocklimit, writer._compression
    counts = np.frombuffer(counts, np.uint32).astype(np.int64)
    offsets = np.cumsum(counts) - counts
    positions = np.frombuffer(positions, np.uint32)
    # None where a document has no length in the field (Whoosh's reader), as 0.
    length = np.fromiter((n or 0 for n in length), np.int64, len(length))
    first = 0
    while first < len(texts):
        last = first + 1
        while last < len(texts) and bounds[last + 1] - bounds[first] <= _POSTINGS_AT_A_TIME:
            last += 1
        low, high = bounds[first], bounds[last]
        arrived = order[low:high]
        chunk = _Chunk(
            docs[low:high].astype(np.int64),
            counts[arrived],
            _gathered(positions, offsets[arrived], counts[arrived]),
            np.asarray(bounds[first:last], np.int64) - low,
            limit,
        )
        yield from chunk.terms(texts[first:last], length, compression)
        first = last


def _gathered(positions, offsets, counts) -> np.ndarray:
    """The positions of these postings, posting after posting."""
    starts = np.cumsum(counts) - counts
    return positions[np.repeat(offsets - starts, counts) + np.arange(counts.sum())].astype(np.int64)


class _Chunk:
    """Some terms' postings, and their blocks laid out as pickles."""

    def __init__(self, docs, counts, positions, starts, limit: int):
        self.docs, self.counts, self.positions = docs, counts, positions
        self.starts = starts
        self.sizes = np.diff(np.r_[starts, len(docs)])
        self.first, self.size, self.index, self.last = pickled.blocks(starts, self.sizes, limit)
        # The weights: each posting's number of positions.
        self.lightest = np.minimum.reduceat(counts, self.first)
        self.heaviest = np.maximum.reduceat(counts, self.first)

    def terms(self, texts: list, length, compression) -> Iterator[tuple[bytes, bytes, bytes]]:
        raw, bounds = self.pickles()
        # Each block's shortest and longest document, lengths of 0 not counted.
        lengths = length[self.docs]
        shortest = np.minimum.reduceat(np.where(lengths > 0, lengths, _NO_LENGTH), self.first)
        longest = np.maximum.reduceat(lengths, self.first)
        blocks = zip(
            bounds[:-1],
            bounds[1:],
            self.size.tolist(),
            self.docs[self.first + self.size - 1].tolist(),
            self.heaviest.tolist(),
            _bytes_of(shortest).tolist(),
            _bytes_of(longest).tolist(),
            self.last.tolist(),
            strict=True,
        )
        # The term's statistics (W3TermInfo), over its blocks.
        opening = np.flatnonzero(self.index == 0)
        entries = zip(
            np.add.reduceat(self.counts, self.starts).tolist(),
            self.sizes.tolist(),
            _bytes_of(np.minimum.reduceat(shortest, opening)).tolist(),
            _bytes_of(np.maximum.reduceat(longest, opening)).tolist(),
            np.maximum.reduceat(self.heaviest, opening).tolist(),
            self.docs[self.starts].tolist(),
            self.docs[self.starts + self.sizes - 1].tolist(),
            strict=True,
        )
        block = 0
        for text, (total, count, low, high, most, first, last) in zip(texts, entries, strict=True):
            parts = [_MAGIC]
            closes = False
            while not closes:
                start, stop, postings, last_doc, heaviest, short, long, closes = next(blocks)
                if stop - start - pickled.FRAMED > pickled.FRAME_MOST:
                    data = self.block_in_python(block)
                else:
                    data = raw[start:stop]
                statistics = (postings, last_doc, float(heaviest), short, long)
                parts.append(pickled.block(data, compression, statistics, closes))
                block += 1
            entry = _TERM_INFO.pack(False, float(total), count, low, high, float(most), first, last)
            yield text, b"".join(parts), entry

    def pickles(self) -> tuple[bytes, list[int]]:
        """Every block's (deltas, weights, values) pickled, end to end, and where each one
        starts (and, last, where the final one ends)."""
        first, size = self.first, self.size
        deltas = pickled.deltas(self.docs, first)
        delta_widths = pickled.int_widths(deltas)
        deltas_length = pickled.tuple_length(size, np.add.reduceat(delta_widths, first))
        unweighed = (self.lightest == 1) & (self.heaviest == 1)
        alike = ~unweighed & (self.lightest == self.heaviest)
        weighed = ~unweighed & ~alike
        weights_length = np.where(
            unweighed, 1, np.where(alike, 9, pickled.tuple_length(size, 9 * size))
        )
        values = _Values(self.counts, self.positions)
        values_length = pickled.tuple_length(size, np.add.reduceat(values.widths, first))
        length = pickled.FRAMED + deltas_length + weights_length + values_length + len(_END)
        start = np.r_[0, np.cumsum(length)]
        buffer = np.zeros(start[-1], np.uint8)
        at = start[:-1]
        pickled.put_frames(buffer, at, length)
        at = at + pickled.FRAMED
        place = pickled.put_tuples(buffer, at, size, first, delta_widths)
        pickled.put_ints(buffer, place, deltas, delta_widths)
        at = at + deltas_length
        buffer[at[unweighed]] = _NONE
        _put_floats(buffer, at[alike], self.lightest[alike])
        # The weights of blocks that differ: a tuple of floats each.
        each = np.repeat(weighed, size)
        place = pickled.put_tuples(
            buffer,
            at[weighed],
            size[weighed],
            np.cumsum(size[weighed]) - size[weighed],
            np.full(each.sum(), 9),
        )
        _put_floats(buffer, place, self.counts[each])
        at = at + weights_length
        values.put(buffer, pickled.put_tuples(buffer, at, size, first, values.widths))
        at = at + values_length
        buffer[at[:, None] + np.arange(len(_END))] = _END
        return buffer.tobytes(), start.tolist()

    def block_in_python(self, block: int) -> bytes:
        """A block as whoosh3.dumps pickles it: for one whose pickle takes more than a frame,
        which pickle cuts into frames."""
        low = int(self.first[block])
        high = low + int(self.size[block])
        docs = self.docs[low:high].tolist()
        deltas = tuple(b - a for a, b in zip([0, *docs], docs, strict=False))
        weights = pickled.block_weights(array("f", self.counts[low:high].tolist()))
        starts = (np.cumsum(self.counts) - self.counts)[low:high].tolist()
        ends = np.cumsum(self.counts)[low:high].tolist()
        values = tuple(
            _ENCODE(self.positions[start:end].tolist())
            for start, end in zip(starts, ends, strict=True)
        )
        return whoosh3.dumps((deltas, weights, values), 2)


class _Values:
    """Each posting's value, as Positions.encode makes it, in a block's tuple of values."""

    def __init__(self, counts, positions):
        self.counts = counts
        self.firsts = np.cumsum(counts) - counts
        self.deltas = pickled.deltas(positions, self.firsts)
        self.delta_widths = pickled.int_widths(self.deltas)
        items = np.add.reduceat(self.delta_widths, self.firsts)
        batches = -(-counts // _BATCH)
        self.lengths = 4 + len(_VALUE_HEAD) + items + np.where(counts == 1, 1, 2 * batches) + 1
        self.short = self.lengths < 256
        self.widths = 1 + np.where(self.short, 1, 4) + self.lengths + 1

    def put(self, buffer, place) -> None:
        """Each value as a bytes object at `place`: its opcode, length, bytes and memo."""
        short, lengths = self.short, self.lengths
        buffer[place] = np.where(short, _SHORT_BYTES, _BYTES)
        buffer[place[short] + 1] = lengths[short]
        wide = place[~short][:, None] + 1 + np.arange(4)
        buffer[wide] = lengths[~short].astype("<u4")[:, None].view(np.uint8)
        at = place + np.where(short, 2, 5)
        buffer[at + lengths] = pickled.MEMOIZE
        buffer[at[:, None] + np.arange(4)] = self.counts.astype(">u4")[:, None].view(np.uint8)
        buffer[at[:, None] + 4 + np.arange(len(_VALUE_HEAD))] = _VALUE_HEAD
        buffer[at + lengths - 1] = _STOP
        # Each delta: after its value's head, the batches before it (a MARK and an APPENDS
        # each), its batch's MARK, and the deltas before it.
        counts, firsts, widths = self.counts, self.firsts, self.delta_widths
        count = np.repeat(counts, counts)
        index = np.arange(len(widths)) - np.repeat(firsts, counts)
        batch = index // _BATCH
        before = np.cumsum(widths) - widths
        several = count > 1
        spot = (
            np.repeat(at + 4 + len(_VALUE_HEAD) - before[firsts], counts)
            + before
            + np.where(several, 1 + 2 * batch, 0)
        )
        pickled.put_ints(buffer, spot, self.deltas, widths)
        buffer[spot[several & (index % _BATCH == 0)] - 1] = pickled.MARK
        closing = several & ((index % _BATCH == _BATCH - 1) | (index == count - 1))
        buffer[spot[closing] + widths[closing]] = _APPENDS
        buffer[spot[~several] + widths[~several]] = _APPEND


def _put_floats(buffer, place, values) -> None:
    """BINFLOAT: G, then the float32 value as a double, big-endian (Whoosh stores weights as
    float32 and pickles them back as Python floats)."""
    buffer[place] = _FLOAT
    doubles = values.astype(np.float32).astype(">f8")[:, None].view(np.uint8)
    buffer[place[:, None] + 1 + np.arange(8)] = doubles


def _bytes_of(lengths) -> np.ndarray:
    """length_to_byte of each length; the missing (_NO_LENGTH) as None's, 0."""
    cache = np.asarray(_length_byte_cache)
    out = np.searchsorted(cache, lengths, side="left")
    out = np.where(lengths >= 106_374, 255, out)
    return np.where(lengths == _NO_LENGTH, 0, out)
