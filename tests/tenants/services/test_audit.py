"""The audit log is append-only, in the database too: UPDATE, DELETE and TRUNCATE are refused
whoever asks (the ORM, raw SQL, a shell)."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from tenants.models import AuditEntry
from tenants.services.audit import audit_record
from tests.conftest import OrganizerFixture


def test_audit_record_keeps_who_what_target_before_after(tenant_a: OrganizerFixture) -> None:
    entry = audit_record(
        actor=tenant_a.owner,
        action="organiser.approve",
        target=tenant_a.tenant,
        before={"review_status": "in_review"},
        after={"review_status": "approved"},
        reason="Documents checked",
    )

    saved = AuditEntry.objects.get(id=entry.id)
    assert (
        saved.actor_id,
        saved.actor_email,
        saved.action,
        saved.target_type,
        saved.target_id,
        saved.tenant_id,
        saved.before,
        saved.after,
        saved.reason,
    ) == (
        tenant_a.owner.id,
        "owner@alpha.test",
        "organiser.approve",
        "tenants.tenant",
        str(tenant_a.tenant.pk),
        tenant_a.tenant.pk,
        {"review_status": "in_review"},
        {"review_status": "approved"},
        "Documents checked",
    )


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE tenants_auditentry SET reason = 'rewritten' WHERE id = %s",
        "DELETE FROM tenants_auditentry WHERE id = %s",
        "TRUNCATE tenants_auditentry",
    ],
)
def test_the_database_refuses_to_change_or_remove_an_entry(
    tenant_a: OrganizerFixture, statement: str
) -> None:
    entry = audit_record(actor=None, action="organiser.submit", target=tenant_a.tenant)

    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement, [entry.id] if "%s" in statement else [])

    assert AuditEntry.objects.get(id=entry.id).reason == ""


def test_the_orm_cannot_update_or_delete_either(tenant_a: OrganizerFixture) -> None:
    entry = audit_record(actor=None, action="organiser.submit", target=tenant_a.tenant)

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEntry.objects.filter(id=entry.id).update(reason="rewritten")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        entry.delete()

    assert AuditEntry.objects.filter(id=entry.id, reason="").exists()
