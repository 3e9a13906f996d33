"""The public schema's own tenant row: the root domain routes to it."""

from __future__ import annotations

from django.conf import settings
from django_tenants.utils import get_public_schema_name

from tenants.models import TEMPLATE_SCHEMA, Domain, Tenant


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


def template_tenant_ensure() -> Tenant:
    """The template organiser schema that new organisers are cloned from (no domain: nothing
    routes to it). Created once by running every tenant migration; kept current by
    `migrate_schemas` like every tenant."""
    template = Tenant.objects.filter(schema_name=TEMPLATE_SCHEMA).first()
    if template is None:
        template = Tenant(
            schema_name=TEMPLATE_SCHEMA,
            slug="sentra-template",
            name="Template (not an organiser)",
            review_status=Tenant.ReviewStatus.REJECTED,
        )
        template.save(verbosity=0)
    return template
