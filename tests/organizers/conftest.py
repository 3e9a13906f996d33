"""Fixtures shared by the organiser tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tenants.context import tenant_scope
from tests.conftest import OrganizerFixture


@pytest.fixture
def alpha(tenant_a: OrganizerFixture) -> Iterator[OrganizerFixture]:
    """Tenant A's schema, for the whole test."""
    with tenant_scope(tenant_a.tenant):
        yield tenant_a
