"""A shingle field's terms, written with numpy (search.runs), are the bytes Whoosh's
per-posting calls write: whatever the documents' numbers (a delta pickled in one, two or four
bytes), the terms' sizes (one block or several) and the runs a document repeats."""

from __future__ import annotations

import numpy as np
import pytest

from search import bulk
from search.analysis import ShinglesField
from tests.search import segments

# Far apart, so that deltas need one byte, two and four.
DOCUMENTS = [0, 1, 3, 250, 251, 600, 66_000, 66_100, 200_000, 5_000_000, 5_000_255]


def _postings(seed: int, boosts: dict[int, float] | None = None) -> bulk.HashedPostings:
    """Each document's runs drawn from a few hashes (so that terms have many documents),
    some of them twice in a document, with the hash's full 64 bits in use."""
    rng = np.random.default_rng(seed)
    hashes = rng.integers(0, 2**64, size=30, dtype=np.uint64)
    postings = bulk.HashedPostings()
    for docnum in DOCUMENTS:
        runs = rng.choice(hashes, size=rng.integers(1, 40))
        postings.add(docnum, runs, (boosts or {}).get(docnum, 1.0))
    return postings


def _files(write, blocklimit: int) -> tuple[bytes, bytes]:
    return segments.files("text_shingles", ShinglesField("text"), write, blocklimit)


@pytest.mark.parametrize("blocklimit", [128, 4, 1])
@pytest.mark.parametrize("seed", [1, 2])
def test_runs_are_written_as_whooshs_calls_write_them(seed, blocklimit):
    lengths = [0] * (DOCUMENTS[-1] + 1)
    ours = _files(lambda fieldwriter: _postings(seed).write(fieldwriter, lengths), blocklimit)
    whooshs = _files(segments.through_whooshs_calls(_postings(seed), lengths), blocklimit)
    assert len(ours[1]) > 1000
    assert ours == whooshs


def test_a_boosted_document_is_written_with_its_weights():
    """A boost makes weights other than 1.0, which search.runs does not write: the field
    goes the general way, and is still what Whoosh writes."""
    lengths = [0] * (DOCUMENTS[-1] + 1)
    boosts = {600: 2.0}
    ours = _files(lambda fieldwriter: _postings(3, boosts).write(fieldwriter, lengths), 4)
    whooshs = _files(segments.through_whooshs_calls(_postings(3, boosts), lengths), 4)
    assert ours == whooshs
    assert ours != _files(lambda fieldwriter: _postings(3).write(fieldwriter, lengths), 4)
