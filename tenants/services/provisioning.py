"""Creating an organiser's tenant: schema, domain and owner membership.

Runs in the public schema. `tenant_provision` takes a fraction of a second to a few seconds (it
runs every tenant migration in a new schema), so the web starts it through Celery
(`tenants.tasks.organizer_signup_provision`) once the owner has confirmed their email; the
management command `create_organizer` calls it directly and reports the time taken.
"""

from __future__ import annotations

import datetime as dt
import re
import time
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tenants.context import enqueue_after_commit, public_scope
from tenants.errors import ApplicationError, ConflictError
from tenants.models import Domain, Membership, OrganizerSignup, Tenant, User
from tenants.services.review_queue import review_item_organiser_write

# Subdomains an organiser cannot take: they are ours.
RESERVED_SLUGS = frozenset(
    {
        "www",
        "admin",
        "api",
        "app",
        "public",
        "static",
        "media",
        "mail",
        "smtp",
        "staff",
        "status",
        "help",
        "support",
        "docs",
        "billing",
        "sentra",
        "kemenkes",
        "information-schema",
    }
)
_SLUG_RE = re.compile(r"^[a-z][a-z0-9-]{1,38}[a-z0-9]$")
# A sign-up stuck in "provisioning" this long (its worker died) may be taken over by a retry.
STALE_PROVISIONING = dt.timedelta(minutes=15)


@dataclass(frozen=True)
class ProvisionResult:
    tenant: Tenant
    domain: str
    seconds: float


def _taken() -> ConflictError:
    return ConflictError(_("This subdomain is already taken. Choose another."), code="taken")


def organizer_slug_validate(*, slug: str, ignore_signup_id: uuid.UUID | str | None = None) -> str:
    """Normalise and check a subdomain; raise ApplicationError with a message for the user.
    A subdomain is taken by a tenant, or by a sign-up that has not failed."""
    slug = slug.strip().lower()
    if not _SLUG_RE.fullmatch(slug) or "--" in slug:
        raise ApplicationError(
            _(
                "A subdomain has 3 to 40 characters: lowercase letters, digits and hyphens, "
                "starting with a letter."
            ),
            code="invalid_slug",
        )
    # "pg-" would become a "pg_" schema, a prefix PostgreSQL keeps for itself; "sentra" names
    # are ours (the template schema is "sentra_template").
    if slug in RESERVED_SLUGS or slug.startswith(("pg-", "sentra")):
        raise ApplicationError(_("This subdomain is reserved. Choose another."), code="reserved")
    pending = OrganizerSignup.objects.filter(slug=slug).exclude(
        status=OrganizerSignup.Status.FAILED
    )
    if ignore_signup_id is not None:
        pending = pending.exclude(id=ignore_signup_id)
    if Tenant.objects.filter(slug=slug).exists() or pending.exists():
        raise _taken()
    return slug


def tenant_host_for_slug(*, slug: str) -> str:
    return f"{slug}.{settings.ROOT_DOMAIN}"


def _remove_half_made_tenant(tenant: Tenant) -> None:
    saved = Tenant.objects.filter(pk=tenant.pk).first() if tenant.pk else None
    if saved is not None:
        saved.delete(force_drop=True)


def tenant_provision(
    *,
    name: str,
    slug: str,
    owner: User,
    review_status: str = Tenant.ReviewStatus.DRAFT,
    signup_id: uuid.UUID | str | None = None,
) -> ProvisionResult:
    """Create the tenant's schema (running every tenant migration), its domain and the owner's
    membership. Public schema. Not one transaction (django-tenants creates the schema when the
    row is saved); if any step fails, the tenant row and its schema are removed again, so a
    retry starts clean and the subdomain is not left taken."""
    started = time.perf_counter()
    with public_scope():
        slug = organizer_slug_validate(slug=slug, ignore_signup_id=signup_id)
        tenant = Tenant(
            name=name.strip(),
            slug=slug,
            schema_name=slug.replace("-", "_"),
            review_status=review_status,
        )
        try:
            tenant.save(verbosity=0)
            with transaction.atomic():
                domain = Domain.objects.create(
                    tenant=tenant, domain=tenant_host_for_slug(slug=slug), is_primary=True
                )
                Membership.objects.create(user=owner, tenant=tenant, role=Membership.Role.OWNER)
                review_item_organiser_write(tenant=tenant)
        except IntegrityError as exc:
            _remove_half_made_tenant(tenant)
            raise _taken() from exc
        except BaseException:
            _remove_half_made_tenant(tenant)
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
    """Record a web sign-up. Public schema. Nothing is provisioned until the owner confirms
    their email address (`organizer_signups_release`): an unverified address gets no public
    page and costs no schema."""
    slug = organizer_slug_validate(slug=slug)
    try:
        with transaction.atomic():
            return OrganizerSignup.objects.create(
                organisation_name=organisation_name.strip(),
                slug=slug,
                programme_kind=programme_kind,
                owner=owner,
            )
    except IntegrityError as exc:
        raise _taken() from exc


def organizer_signups_release(*, user: User) -> int:
    """The owner confirmed their email: queue provisioning of their waiting sign-ups."""
    from tenants.tasks import organizer_signup_provision

    released = 0
    with transaction.atomic():
        for signup in OrganizerSignup.objects.select_for_update().filter(
            owner=user, status=OrganizerSignup.Status.AWAITING_EMAIL
        ):
            signup.status = OrganizerSignup.Status.QUEUED
            signup.save(update_fields=["status"])
            enqueue_after_commit(organizer_signup_provision, str(signup.id))
            released += 1
    return released


def organizer_signup_provision_run(*, signup_id: str) -> OrganizerSignup:
    """Provision the tenant of a queued sign-up. Idempotent: a retried task finds the sign-up
    ready and does nothing; a sign-up left "provisioning" by a dead worker is taken over after
    STALE_PROVISIONING. A refusal (the subdomain went to someone else) marks it failed; any
    other error puts it back in the queue and is raised for the task to retry."""
    now = timezone.now()
    with transaction.atomic():
        signup = OrganizerSignup.objects.select_for_update().get(id=signup_id)
        in_progress = (
            signup.status == OrganizerSignup.Status.PROVISIONING
            and signup.provisioning_started_at is not None
            and now - signup.provisioning_started_at < STALE_PROVISIONING
        )
        if signup.status in (OrganizerSignup.Status.READY, OrganizerSignup.Status.FAILED):
            return signup
        if in_progress or signup.status == OrganizerSignup.Status.AWAITING_EMAIL:
            return signup
        signup.status = OrganizerSignup.Status.PROVISIONING
        signup.provisioning_started_at = now
        signup.save(update_fields=["status", "provisioning_started_at"])
    try:
        result = tenant_provision(
            name=signup.organisation_name,
            slug=signup.slug,
            owner=signup.owner,
            signup_id=signup.id,
        )
    except ApplicationError as exc:
        return organizer_signup_fail(signup_id=signup_id, code=exc.code)
    except Exception:
        OrganizerSignup.objects.filter(id=signup_id).update(status=OrganizerSignup.Status.QUEUED)
        raise
    signup.status = OrganizerSignup.Status.READY
    signup.tenant = result.tenant
    signup.provisioning_seconds = result.seconds
    signup.save(update_fields=["status", "tenant", "provisioning_seconds"])
    return signup


def organizer_signup_fail(*, signup_id: str, code: str) -> OrganizerSignup:
    signup = OrganizerSignup.objects.get(id=signup_id)
    signup.status = OrganizerSignup.Status.FAILED
    signup.failure_code = code
    signup.save(update_fields=["status", "failure_code"])
    return signup
