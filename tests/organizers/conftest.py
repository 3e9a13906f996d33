"""Fixtures shared by the organiser tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from tenants.context import tenant_scope
from tenants.models import Tenant
from tests.conftest import OrganizerFixture
from tests.organizers.factories import organizer_data_delete


@pytest.fixture
def alpha(tenant_a: OrganizerFixture) -> Iterator[OrganizerFixture]:
    """Tenant A's schema, for the whole test."""
    with tenant_scope(tenant_a.tenant):
        yield tenant_a


@pytest.fixture
def alpha_committed(committed: Callable[[Callable], None]) -> Tenant:
    """Tenant "alpha" for tests that commit data (threads, a worker); its organiser data is
    deleted after the test."""
    tenant = Tenant.objects.get(slug="alpha")
    committed(lambda: organizer_data_delete(tenant))
    return tenant
