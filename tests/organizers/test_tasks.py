"""Beat jobs run in every organiser's schema; one organiser failing does not stop the rest."""

from __future__ import annotations

import pytest
from django.db import connection

from organizers.tasks import _in_every_organiser
from tests.conftest import OrganizerFixture


def test_one_organiser_failing_does_not_stop_the_others(
    tenant_a: OrganizerFixture, tenant_b: OrganizerFixture, caplog: pytest.LogCaptureFixture
) -> None:
    seen: list[str] = []

    def work() -> int:
        if connection.schema_name == tenant_a.tenant.schema_name:
            raise RuntimeError("a broken row")
        seen.append(connection.schema_name)
        return 1

    total = _in_every_organiser(work)

    assert tenant_b.tenant.schema_name in seen
    assert tenant_a.tenant.schema_name not in seen
    assert total == len(seen)
    assert f"failed for organiser {tenant_a.tenant.schema_name}" in caplog.text
