"""One module switches schemas; tasks carry the schema they were enqueued in."""

from __future__ import annotations

import re
from pathlib import Path
from unittest import mock

from django.db import connection

from tenants.context import current_tenant, enqueue_after_commit, public_scope, tenant_scope
from tenants.tasks import report_schema
from tests.conftest import OrganizerFixture

SOURCE_PACKAGES = ("config", "tenants", "organizers", "public_site", "api")
SWITCHES = re.compile(
    r"\b(schema_context|tenant_context|set_tenant|set_schema|set_schema_to_public)\b"
)


def test_only_tenants_context_switches_schemas() -> None:
    root = Path(__file__).resolve().parents[2]
    offenders = [
        str(path.relative_to(root))
        for package in SOURCE_PACKAGES
        for path in (root / package).rglob("*.py")
        if "migrations" not in path.parts
        and path != root / "tenants" / "context.py"
        # The database backend is the switching mechanism itself.
        and "postgresql_backend" not in path.parts
        and SWITCHES.search(path.read_text())
    ]

    assert offenders == []


def test_tenant_scope_switches_schema_and_restores_it(tenant_a: OrganizerFixture) -> None:
    with tenant_scope(tenant_a.tenant):
        assert connection.schema_name == "alpha"
        assert current_tenant() == tenant_a.tenant
        with public_scope():
            assert connection.schema_name == "public"
            assert current_tenant() is None
        assert connection.schema_name == "alpha"
    assert connection.schema_name == "public"


def test_tenant_scope_hides_other_tenants_rows(
    tenant_a: OrganizerFixture, tenant_b: OrganizerFixture
) -> None:
    from organizers.services.programmes import programme_create

    with tenant_scope(tenant_a.tenant):
        programme_create(name="Only in alpha", kind="public")
    with tenant_scope(tenant_b.tenant):
        from organizers.models import Programme

        assert not Programme.objects.filter(name="Only in alpha").exists()
    with tenant_scope(tenant_a.tenant):
        assert Programme.objects.filter(name="Only in alpha").exists()


def test_enqueue_after_commit_pins_the_schema_active_when_enqueued(
    tenant_a: OrganizerFixture, django_capture_on_commit_callbacks
) -> None:
    with (
        django_capture_on_commit_callbacks(execute=False) as callbacks,
        tenant_scope(tenant_a.tenant),
    ):
        enqueue_after_commit(report_schema)
    assert connection.schema_name == "public"

    with mock.patch.object(report_schema, "apply_async") as apply_async:
        for callback in callbacks:
            callback()

    apply_async.assert_called_once_with(args=(), kwargs={}, headers={"_schema_name": "alpha"})


def test_nothing_is_sent_when_the_transaction_rolls_back(
    tenant_a: OrganizerFixture, django_capture_on_commit_callbacks
) -> None:
    from django.db import transaction

    with (
        mock.patch.object(report_schema, "apply_async") as apply_async,
        django_capture_on_commit_callbacks(execute=True) as callbacks,
    ):
        try:
            with transaction.atomic(), tenant_scope(tenant_a.tenant):
                enqueue_after_commit(report_schema)
                raise RuntimeError("booking failed")
        except RuntimeError:
            pass

    assert callbacks == []
    apply_async.assert_not_called()
