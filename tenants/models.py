"""The shared control plane (public schema): organisers as tenants, their domains, users and
memberships, and organiser sign-up requests."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_tenants.models import DomainMixin, TenantMixin

# A tenant row without a domain whose schema, kept migrated with every other tenant's, is
# cloned for each new organiser: cloning is about twice as fast as running every migration.
TEMPLATE_SCHEMA = "sentra_template"


class TenantQuerySet(models.QuerySet["Tenant"]):
    def organizers(self) -> TenantQuerySet:
        """Real organisers: not the public schema, not the template."""
        return self.exclude(schema_name__in=("public", TEMPLATE_SCHEMA))


class Tenant(TenantMixin):
    """One organiser organisation: a company, clinic or vaccine centre. Its schema holds its
    venues, slots and bookings."""

    class ReviewStatus(models.TextChoices):
        """The organiser's lifecycle (tenants.services.lifecycle moves it, one transition per
        service): draft -> submitted -> in_review -> approved / changes_requested / rejected;
        an approved organiser can be suspended and reinstated. Only approved takes bookings."""

        DRAFT = "draft", _("Application in progress")
        SUBMITTED = "submitted", _("Submitted, waiting for review")
        IN_REVIEW = "in_review", _("In review")
        APPROVED = "approved", _("Approved")
        CHANGES_REQUESTED = "changes_requested", _("Changes requested")
        REJECTED = "rejected", _("Rejected")
        SUSPENDED = "suspended", _("Suspended")

    uid: models.UUIDField[uuid.UUID | str, uuid.UUID] = models.UUIDField(
        default=uuid.uuid4, unique=True, editable=False
    )
    name: models.CharField[str, str] = models.CharField(_("organisation name"), max_length=200)
    slug: models.SlugField[str, str] = models.SlugField(_("subdomain"), max_length=40, unique=True)
    review_status: models.CharField[str, str] = models.CharField(
        max_length=20, choices=ReviewStatus.choices, default=ReviewStatus.DRAFT
    )
    # When review_status last changed: the review queue's "waiting since".
    review_status_changed_at: models.DateTimeField[dt.datetime, dt.datetime] = models.DateTimeField(
        default=timezone.now
    )
    created_at: models.DateTimeField[dt.datetime, dt.datetime] = models.DateTimeField(
        default=timezone.now
    )

    # The schema is created when the row is first saved: cloned from the template schema when
    # there is one, otherwise by running every tenant migration.
    auto_create_schema = True
    auto_drop_schema = False

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name

    @property
    def is_public(self) -> bool:
        from django_tenants.utils import get_public_schema_name

        return self.schema_name == get_public_schema_name()

    def create_schema(
        self, check_if_exists: bool = False, sync_schema: bool = True, verbosity: int = 1
    ) -> bool:
        """Copy the template schema (tables, indexes, constraints and the django_migrations
        rows that say they are applied) instead of migrating from scratch. The template is a
        tenant like the others, so `migrate_schemas` keeps it current before any sign-up."""
        from django_tenants.utils import schema_exists

        from tenants.services.schema_copy import schema_copy

        if self.schema_name == TEMPLATE_SCHEMA or not schema_exists(TEMPLATE_SCHEMA):
            return super().create_schema(check_if_exists, sync_schema, verbosity)
        if check_if_exists and schema_exists(self.schema_name):
            return False
        schema_copy(source=TEMPLATE_SCHEMA, target=self.schema_name)
        return True

    @property
    def takes_bookings(self) -> bool:
        """The one rule of whether this organiser takes new bookings (pages, API and the rush
        front ask it): approved, so not suspended, rejected or still in review."""
        return self.review_status == Tenant.ReviewStatus.APPROVED

    @property
    def storage_prefix(self) -> str:
        """Every object-store key of this tenant starts with this; built from the tenant's
        immutable identity, never from anything a user typed."""
        return f"tenants/{self.uid}/"


class Domain(DomainMixin):
    """A host name that routes to a tenant: `<slug>.<root domain>` (or the root domain itself
    for the public schema)."""


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: object) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person with an account: platform staff or organiser staff. People who book have no
    account. `is_staff` marks platform staff, who must use TOTP MFA."""

    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    is_staff = models.BooleanField(_("platform staff"), default=False)
    is_active = models.BooleanField(default=True)
    language = models.CharField(
        _("language for messages"), max_length=8, choices=settings.LANGUAGES, default="id"
    )
    date_joined = models.DateTimeField(default=timezone.now)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        ordering = ("email",)

    def __str__(self) -> str:
        return self.email


class Membership(models.Model):
    """A user's role in one tenant. No row, no access: the tenant's host answers 404."""

    class Role(models.TextChoices):
        OWNER = "owner", _("Owner")
        ADMIN = "admin", _("Administrator")
        CHECKIN_STAFF = "checkin_staff", _("Check-in staff")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=("user", "tenant"), name="membership_one_per_tenant"),
        )

    def __str__(self) -> str:
        return f"{self.user} @ {self.tenant} ({self.role})"


class OrganizerSignup(models.Model):
    """An organiser's sign-up from the web. Provisioning its tenant runs in Celery; this row is
    what the sign-up status page shows meanwhile."""

    class Status(models.TextChoices):
        AWAITING_EMAIL = "awaiting_email", _("Waiting for you to confirm your email")
        QUEUED = "queued", _("Queued")
        PROVISIONING = "provisioning", _("Creating your workspace")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    class ProgrammeKind(models.TextChoices):
        COMPANY = "company", _("Company programme (own employees)")
        PUBLIC = "public", _("Public programme")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation_name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=40)
    programme_kind = models.CharField(max_length=10, choices=ProgrammeKind.choices)
    owner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="organizer_signups")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.AWAITING_EMAIL)
    tenant = models.OneToOneField(Tenant, null=True, blank=True, on_delete=models.SET_NULL)
    # A code, translated when shown: the reader's language is not the worker's.
    failure_code = models.CharField(max_length=40, blank=True)
    provisioning_started_at = models.DateTimeField(null=True, blank=True)
    provisioning_seconds = models.FloatField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = (
            # Two pending sign-ups cannot race for one subdomain.
            models.UniqueConstraint(
                fields=("slug",),
                condition=~models.Q(status="failed"),
                name="organizer_signup_slug_unique_while_active",
            ),
        )

    def __str__(self) -> str:
        return f"{self.organisation_name} ({self.status})"

    @property
    def failure_message(self) -> str:
        messages = {
            "taken": _("This subdomain is already taken. Choose another."),
            "reserved": _("This subdomain is reserved. Choose another."),
        }
        return str(
            messages.get(
                self.failure_code,
                _("Your workspace could not be created. Platform staff have been told."),
            )
        )


class VaccineBrand(models.Model):
    """Platform reference data, edited by platform staff: a vaccine organisers can offer."""

    code = models.SlugField(primary_key=True, max_length=30)
    name = models.CharField(max_length=100)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name


class DoseIntervalRule(models.Model):
    """Days allowed between two doses of a brand, e.g. Sinovac dose 1 -> dose 2: 28 to 42 days.
    Platform staff edit these; the booking engine enforces them (booking.doses)."""

    brand = models.ForeignKey(VaccineBrand, on_delete=models.CASCADE, related_name="intervals")
    from_dose = models.PositiveSmallIntegerField()
    to_dose = models.PositiveSmallIntegerField()
    min_days = models.PositiveIntegerField()
    max_days = models.PositiveIntegerField(null=True, blank=True, help_text="empty: no limit")

    class Meta:
        ordering = ("brand", "from_dose")
        constraints = (
            models.UniqueConstraint(
                fields=("brand", "from_dose", "to_dose"), name="dose_interval_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(to_dose__gt=models.F("from_dose")), name="dose_interval_order"
            ),
            models.CheckConstraint(
                condition=models.Q(max_days__isnull=True)
                | models.Q(max_days__gte=models.F("min_days")),
                name="dose_interval_range",
            ),
        )

    def __str__(self) -> str:
        upper = f"{self.max_days}" if self.max_days is not None else "∞"
        doses = f"dose {self.from_dose} to {self.to_dose}"
        return f"{self.brand}: {doses}, {self.min_days} to {upper} days"


class AuditEntry(models.Model):
    """One line of the append-only audit log (public schema): who did what, when, to what,
    with the state before and after. Written by tenants.services.audit.audit_record only; the
    database refuses UPDATE, DELETE and TRUNCATE of this table (a trigger, migration 0005), so
    not even a bug or a shell can rewrite history.

    The actor and tenant are kept without a database constraint: deleting a user or a tenant
    must not touch (and so be refused by) the log. `actor_email` keeps who it was."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_email = models.CharField(max_length=254, blank=True)
    action = models.CharField(max_length=60)
    target_type = models.CharField(max_length=60)
    target_id = models.CharField(max_length=64)
    tenant = models.ForeignKey(
        Tenant,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ("at", "id")
        indexes = (models.Index(fields=("tenant", "at"), name="audit_tenant_at"),)

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_email or '-'} {self.action}"


class ReviewItem(models.Model):
    """The public-schema index of what platform staff review: one row per organiser and one
    per venue (a venue lives in its organiser's schema). Written whenever the reviewed thing's
    status changes (tenants.services.review_queue), so the console's queue is one query here
    and never a loop over tenant schemas (DESIGN.md)."""

    class Kind(models.TextChoices):
        ORGANISER = "organiser", _("Organiser")
        VENUE = "venue", _("Venue")

    kind = models.CharField(max_length=10, choices=Kind.choices)
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="review_items")
    venue_id = models.BigIntegerField(null=True, blank=True)
    name = models.CharField(max_length=200)
    # The reviewed thing's status as it is now (Tenant.ReviewStatus or Venue.Status values).
    state = models.CharField(max_length=20, db_index=True)
    waiting_since = models.DateTimeField(default=timezone.now)
    province = models.CharField(max_length=100, blank=True)
    # The organisation's kind (the sign-up's programme kind until the application has one).
    organisation_kind = models.CharField(max_length=40, blank=True)
    claimed_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    claimed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("waiting_since", "id")
        constraints = (
            models.UniqueConstraint(
                fields=("tenant",),
                condition=models.Q(kind="organiser"),
                name="review_item_one_per_organiser",
            ),
            models.UniqueConstraint(
                fields=("tenant", "venue_id"),
                condition=models.Q(kind="venue"),
                name="review_item_one_per_venue",
            ),
            models.CheckConstraint(
                condition=models.Q(kind="organiser", venue_id__isnull=True)
                | models.Q(kind="venue", venue_id__isnull=False),
                name="review_item_venue_id_for_venues",
            ),
        )
        indexes = (models.Index(fields=("state", "waiting_since"), name="review_item_queue"),)

    def __str__(self) -> str:
        return f"{self.kind} {self.name} ({self.state})"

    @property
    def state_label(self) -> str:
        """The state in words, as the organiser's or the venue's own choices say it."""
        from organizers.models import Venue

        choices = Tenant.ReviewStatus if self.kind == self.Kind.ORGANISER else Venue.Status
        return str(choices(self.state).label) if self.state in choices.values else self.state
