"""Every branding test starts and ends with an empty cache: the pages' cached branding and the
logo bytes are per tenant, and a copy left by one test would answer the next."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_branding_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()
