import pytest

from tests.pages.factories import seed_communique


@pytest.fixture
def seed(db):
    """The SOC final communiqué of 10 October 2023, published, with its structure."""
    return seed_communique()
