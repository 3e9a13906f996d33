"""Creating an organiser's tenant: schema, domain and owner membership.

Runs in the public schema. `tenant_provision` is slow (it runs every tenant migration in a new
schema), so the web starts it through Celery (`tenants.tasks.organizer_signup_provision`); the
management command `create_organizer` calls it directly and reports the time taken.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from tenants.context import enqueue_after_commit, public_scope
from tenants.errors import ApplicationError, ConflictError
from tenants.models import Domain, Membership, OrganizerSignup, Tenant, User

# Subdomains an organiser cannot take: they are ours, or PostgreSQL's.
RESERVED_SLUGS = frozenset(
    {
        "www", "admin", "api", "app", "public", "static", "media", "mail", "smtp", "staff",
        "status", "help", "support", "docs", "billing", "sentra", "kemenkes", "information_schema",
    }
)  # fmt: skip
_SLUG_RE = re.compile(r"^[a-z][a-z0-9-]{1,38}[a-z0-9]$")


@dataclass(frozen=True)
class ProvisionResult:
    tenant: Tenant
    domain: str
    seconds: float


def organizer_slug_validate(*, slug: str) -> str:
    """Normalise and check a subdomain; raise ApplicationError with a message for the user."""
    slug = slug.strip().lower()
    if not _SLUG_RE.fullmatch(slug) or "--" in slug:
        raise ApplicationError(
            _(
                "A subdomain has 3 to 40 characters: lowercase letters, digits and hyphens, "
                "starting with a letter."
            ),
            code="invalid_slug",
        )
    if slug in RESERVED_SLUGS or slug.startswith("pg"):
        raise ApplicationError(_("This subdomain is reserved. Choose another."), code="reserved")
    if Tenant.objects.filter(slug=slug).exists():
        raise ConflictError(_("This subdomain is already taken. Choose another."), code="taken")
    return slug


def tenant_host_for_slug(*, slug: str) -> str:
    return f"{slug}.{settings.ROOT_DOMAIN}"


def tenant_provision(
    *,
    name: str,
    slug: str,
    owner: User,
    review_status: str = Tenant.ReviewStatus.PENDING,
) -> ProvisionResult:
    """Create the tenant's schema (running every tenant migration), its domain and the owner's
    membership. Public schema. Not one transaction: django-tenants creates the schema on save;
    if a later step fails the tenant row and schema are removed again, so a retry starts clean.
    """
    started = time.perf_counter()
    with public_scope():
        slug = organizer_slug_validate(slug=slug)
        schema_name = slug.replace("-", "_")
        tenant = Tenant(name=name.strip(), slug=slug, schema_name=schema_name)
        tenant.review_status = review_status
        try:
            tenant.save(verbosity=0)
        except IntegrityError as exc:
            raise ConflictError(
                _("This subdomain is already taken. Choose another."), code="taken"
            ) from exc
        try:
            with transaction.atomic():
                domain = Domain.objects.create(
                    tenant=tenant, domain=tenant_host_for_slug(slug=slug), is_primary=True
                )
                Membership.objects.create(user=owner, tenant=tenant, role=Membership.Role.OWNER)
        except Exception:
            tenant.delete(force_drop=True)
            raise
    return ProvisionResult(
        tenant=tenant, domain=domain.domain, seconds=time.perf_counter() - started
    )


def organizer_signup_create(
    *,
    organisation_name: str,
    slug: str,
    programme_kind: str,
    owner: User,
) -> OrganizerSignup:
    """Record a web sign-up and queue its provisioning after commit. Public schema."""
    from tenants.tasks import organizer_signup_provision

    slug = organizer_slug_validate(slug=slug)
    try:
        with transaction.atomic():
            signup = OrganizerSignup.objects.create(
                organisation_name=organisation_name.strip(),
                slug=slug,
                programme_kind=programme_kind,
                owner=owner,
            )
    except IntegrityError as exc:
        raise ConflictError(
            _("This subdomain is already taken. Choose another."), code="taken"
        ) from exc
    enqueue_after_commit(organizer_signup_provision, str(signup.id))
    return signup


def organizer_signup_provision_run(*, signup_id: str) -> OrganizerSignup:
    """Provision the tenant of a queued sign-up. Idempotent: a retried task finds the sign-up
    ready and does nothing."""
    with transaction.atomic():
        signup = OrganizerSignup.objects.select_for_update().get(id=signup_id)
        if signup.status in (OrganizerSignup.Status.READY, OrganizerSignup.Status.PROVISIONING):
            return signup
        signup.status = OrganizerSignup.Status.PROVISIONING
        signup.save(update_fields=["status"])
    try:
        result = tenant_provision(
            name=signup.organisation_name, slug=signup.slug, owner=signup.owner
        )
    except ApplicationError as exc:
        signup.status = OrganizerSignup.Status.FAILED
        signup.failure_reason = str(exc.message)
        signup.save(update_fields=["status", "failure_reason"])
        return signup
    signup.status = OrganizerSignup.Status.READY
    signup.tenant = result.tenant
    signup.provisioning_seconds = result.seconds
    signup.save(update_fields=["status", "tenant", "provisioning_seconds"])
    return signup
