"""One field of a segment written in memory, by search.bulk's postings or by Whoosh's own
per-posting calls: the files the two make, for tests to compare byte for byte."""

from __future__ import annotations

from collections.abc import Callable

from whoosh.codec.whoosh3 import W3Codec
from whoosh.filedb.filestore import RamStorage

import search.backend  # noqa: F401  (its codec: blocks pickled with protocol 4, as a rebuild's)


def files(name: str, field, write: Callable, blocklimit: int) -> tuple[bytes, bytes]:
    """The term table and the postings file of a segment whose one field `write(writer)`
    writes."""
    storage = RamStorage()
    codec = W3Codec(blocklimit=blocklimit)
    segment = codec.new_segment(storage, "MAIN")
    fieldwriter = codec.field_writer(storage, segment)
    fieldwriter.start_field(name, field)
    write(fieldwriter)
    fieldwriter.finish_field()
    fieldwriter.close()
    return tuple(bytes(segment.open_file(storage, ext).read()) for ext in (".trm", ".pst"))


def through_whooshs_calls(postings, length: list) -> Callable:
    """What writes `postings` as Whoosh's writer does: start_term, add and finish_term."""

    def write(fieldwriter):
        for btext, ids, weights, values in postings.by_term():
            add_term(fieldwriter, btext, ids, weights, values, length)

    return write


def add_term(fieldwriter, btext: bytes, ids, weights, values, length) -> None:
    """One term's postings, handed to Whoosh's field writer a posting at a time."""
    fieldwriter.start_term(btext)
    for i, docnum in enumerate(ids):
        value = values[i] if values else b""
        fieldwriter.add(docnum, weights[i], value, length[docnum])
    fieldwriter.finish_term()
