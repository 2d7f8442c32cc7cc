"""A prefix (negotiat*) read as the indexed words that begin with it, for Whoosh.

Whoosh would match the prefix against the index's terms, which are stems: "negotiat" begins
no stem ("negotiations" is indexed as "negoti"), so a reader's truncation found nothing. The
prefix is matched instead against the words as written (the spelling dictionary, normalized
but not stemmed), each found word is analyzed as a query word is, and the query asks for
those terms: negotiat* asks for what negotiate, negotiated and negotiations are indexed as.
The terms themselves are matched too, where an Arabic word is held without its article
("مفاوض*" finds "المفاوضات", whose stem is "مفاوض").

The result is an OR of plain terms, which the fast path scores like any other words.
"""

from __future__ import annotations

from heapq import nlargest
from itertools import islice

from whoosh import query
from whoosh.qparser import QueryParser

from search.analysis import spelling_form

MAX_TERMS = 100  # the terms a prefix stands for, the most frequent first
MAX_WORDS = 5000  # words read from the dictionary for one prefix, at most


def expand(reader, schema, fieldname: str, prefix: str) -> query.Query:
    """The terms of `fieldname` that the words beginning with `prefix` are indexed as."""
    field = schema[fieldname]
    start = spelling_form(prefix)
    terms: set[str] = set()
    if field.separate_spelling():
        spelling = field.spelling_fieldname(fieldname)
        for word in islice(reader.expand_prefix(spelling, start), MAX_WORDS):
            terms.update(field.process_text(_text(word), mode="query"))
    terms.update(_text(t) for t in islice(reader.expand_prefix(fieldname, start), MAX_WORDS))
    found = [(reader.doc_frequency(fieldname, t), t) for t in terms]
    kept = sorted(t for n, t in nlargest(MAX_TERMS, found) if n)
    if not kept:
        # A term no document holds, as an unknown word is: NOT zzzq* still excludes nothing,
        # where Whoosh's empty query would have made the whole query match nothing.
        return query.Term(fieldname, start)
    return query.Or([query.Term(fieldname, t) for t in kept])


def _text(term: bytes | str) -> str:
    return term.decode("utf-8") if isinstance(term, bytes) else term


class PrefixParser(QueryParser):
    """Whoosh's parser, with each prefix expanded by `expand` against the current reader."""

    def __init__(self, fieldname: str, schema, reader):
        super().__init__(fieldname, schema=schema)
        self.reader = reader  # () -> the reader of the searcher the query will run on

    def term_query(self, fieldname, text, termclass, boost=1.0, tokenize=True, removestops=True):
        if termclass is query.Prefix and self.schema and fieldname in self.schema:
            return expand(self.reader(), self.schema, fieldname, text)
        return super().term_query(fieldname, text, termclass, boost, tokenize, removestops)
