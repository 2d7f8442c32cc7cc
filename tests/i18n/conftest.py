"""Multilingual tests: index updates are applied explicitly, as a worker would."""

from __future__ import annotations

import pytest

from search import queue


@pytest.fixture(autouse=True)
def no_background_drain(settings):
    settings.BAYAN_INDEX_IN_BACKGROUND = False


@pytest.fixture
def index():
    """Call index() after creating records: applies the queued updates."""
    return queue.drain
