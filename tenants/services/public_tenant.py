"""The public schema's own tenant row: the root domain routes to it."""

from __future__ import annotations

from django.conf import settings
from django_tenants.utils import get_public_schema_name

from tenants.models import Domain, Tenant


def public_tenant_ensure() -> Tenant:
    """Create or update the public tenant and its root-domain host. Idempotent; run at every
    start so that changing SENTRA_ROOT_DOMAIN takes effect."""
    tenant, _created = Tenant.objects.get_or_create(
        schema_name=get_public_schema_name(),
        defaults={
            "name": "Sentra",
            "slug": "public",
            "review_status": Tenant.ReviewStatus.APPROVED,
        },
    )
    Domain.objects.filter(tenant=tenant, is_primary=True).exclude(
        domain=settings.ROOT_DOMAIN
    ).update(is_primary=False)
    Domain.objects.update_or_create(
        domain=settings.ROOT_DOMAIN, defaults={"tenant": tenant, "is_primary": True}
    )
    return tenant
