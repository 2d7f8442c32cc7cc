"""A full-text field's terms, written with numpy (search.positions), are the bytes Whoosh's
per-posting calls write: whatever the documents' numbers and the positions' (pickled in one,
two or four bytes), the number of positions (one; more than pickle's batches of 1,000), the
weights of a block (all 1.0, all equal, different), and a block too large for one pickle
frame."""

from __future__ import annotations

import numpy as np
import pytest
from whoosh.formats import Positions

from search import bulk
from search.analysis import text_field
from tests.search import segments

# Far apart, so that deltas need one byte, two and four; then 140 documents in a row.
DOCUMENTS = [0, 3, 250, 600, 66_000, 66_100, 200_000, *range(200_001, 200_141)]


def _postings(seed: int, boosts: dict[int, float] | None = None) -> bulk.PositionPostings:
    rng = np.random.default_rng(seed)
    postings = bulk.PositionPostings(Positions())
    for docnum in DOCUMENTS:
        spread = sorted(set(rng.integers(0, 150_000, size=rng.integers(1, 1_500)).tolist()))
        terms = {
            "once": [int(rng.integers(0, 300))],  # weights of 1.0
            "twice": [7, 9],  # all equal
            "some": sorted(set(rng.integers(0, 70_000, size=rng.integers(1, 6)).tolist())),
            "spread": spread,  # positions in four bytes, and past a batch of 1,000
        }
        if docnum > 200_000:  # 140 documents with 600 positions each: a block of 128 of
            terms["often"] = list(range(0, 1_200, 2))  # them is larger than a frame (64 KiB)
        if rng.random() < 0.5:
            terms[f"rare{docnum % 7}"] = [1]
        postings.add_positions(docnum, terms, (boosts or {}).get(docnum, 1.0))
    return postings


def _lengths(postings: bulk.PositionPostings) -> list[int | None]:
    """Each document's length in the field (shortest and longest lengths are in each block's
    statistics): its number of positions, as Whoosh counts it; None for a document without
    the field, as Whoosh's reader gives it (bulk.field_lengths)."""
    lengths = [None] * (DOCUMENTS[-1] + 1)
    for _term, ids, weights, _values in postings.by_term():
        for docnum, weight in zip(ids, weights, strict=True):
            lengths[docnum] = (lengths[docnum] or 0) + int(weight)
    return lengths


def _files(write, blocklimit: int) -> tuple[bytes, bytes]:
    return segments.files("text", text_field(), write, blocklimit)


@pytest.mark.parametrize("blocklimit", [128, 5])
@pytest.mark.parametrize("seed", [1, 2])
def test_positions_are_written_as_whooshs_calls_write_them(seed, blocklimit):
    lengths = _lengths(_postings(seed))
    ours = _files(lambda fieldwriter: _postings(seed).write(fieldwriter, lengths), blocklimit)
    whooshs = _files(segments.through_whooshs_calls(_postings(seed), lengths), blocklimit)
    assert len(ours[1]) > 100_000
    assert ours == whooshs


def test_a_boosted_document_is_written_with_its_weights():
    """A boost makes weights other than the counts of positions, which search.positions
    does not write: the field goes the general way, and is still what Whoosh writes."""
    boosts = {600: 2.0}
    lengths = _lengths(_postings(3))
    ours = _files(lambda fieldwriter: _postings(3, boosts).write(fieldwriter, lengths), 5)
    whooshs = _files(segments.through_whooshs_calls(_postings(3, boosts), lengths), 5)
    assert ours == whooshs
    assert ours != _files(lambda fieldwriter: _postings(3).write(fieldwriter, lengths), 5)


def test_encoded_postings_keep_their_positions():
    """Postings handed over encoded (as Whoosh's writer hands them) are the same postings."""
    fieldformat = Positions()
    direct, encoded = bulk.PositionPostings(fieldformat), bulk.PositionPostings(fieldformat)
    terms = {"alpha": [1, 5, 300], "beta": [2]}
    direct.add_positions(4, terms, 1.0)
    encoded.add(
        4, [b"alpha", b"beta"], [3.0, 1.0], list(map(fieldformat.encode, terms.values())), 1.0
    )
    assert list(direct.by_term()) == list(encoded.by_term())
    assert encoded.unit
