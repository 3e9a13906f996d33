"""The append-only audit log (public schema): who did what, when, to what, before and after.

Every decision of platform staff and every transition of an organiser's lifecycle is recorded
here; later work records access to personal data the same way. Rows are never changed: the
database refuses UPDATE, DELETE and TRUNCATE on the table (tenants migration 0005)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db import models

from tenants.context import current_tenant
from tenants.models import AuditEntry, Tenant, User


def audit_record(
    *,
    actor: User | AnonymousUser | None,
    action: str,
    target: models.Model,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    reason: str = "",
    tenant: Tenant | None = None,
) -> AuditEntry:
    """Append one entry, inside the caller's transaction (a rolled-back decision leaves no
    entry). Runs in any schema: the table is in the public schema, on every search_path.

    `action` is a dotted code (`organiser.approve`, `venue.request_changes`); `target` the
    model instance acted on; `tenant` defaults to the target when it is a Tenant, else to the
    organiser whose schema is active. `before`/`after` hold JSON-ready values only: never
    personal data in clear."""
    if tenant is None:
        tenant = target if isinstance(target, Tenant) else current_tenant()
    person = actor if isinstance(actor, User) else None
    return AuditEntry.objects.create(
        actor=person,
        actor_email=person.email if person is not None else "",
        action=action,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        tenant=tenant,
        before=dict(before or {}),
        after=dict(after or {}),
        reason=reason,
    )
