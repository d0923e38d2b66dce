import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    """Each test starts with no look-ups counted against its client address."""
    cache.clear()
    yield
    cache.clear()
