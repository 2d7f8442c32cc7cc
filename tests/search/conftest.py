"""Search tests drain the index queue explicitly, except where the background drain is tested."""

from __future__ import annotations

import pytest

from search import queue


@pytest.fixture(autouse=True)
def no_background_drain(settings):
    settings.BAYAN_INDEX_IN_BACKGROUND = False


@pytest.fixture
def index():
    """Call index() after creating records: applies the queued updates, as a worker would."""
    return queue.drain
