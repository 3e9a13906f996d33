"""Who may book a company programme: roster entries, roster imports, invites. Tenant schema."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organizers.models.bookings import Booking
from organizers.models.programmes import Programme


class RosterEntry(models.Model):
    """An employee on a company programme's roster, stored like other personal data: the NIK
    sealed, a keyed HMAC (person key) to match bookers."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="roster")
    person_key = models.CharField(max_length=64)
    nik_sealed = models.TextField()
    employee_number = models.CharField(_("employee number"), max_length=40, blank=True)
    full_name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("email"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("full_name", "id")
        constraints = (
            models.UniqueConstraint(fields=("programme", "person_key"), name="roster_unique_nik"),
            models.UniqueConstraint(
                fields=("programme", "employee_number"),
                condition=~Q(employee_number=""),
                name="roster_unique_employee_number",
            ),
        )

    def __str__(self) -> str:
        return self.full_name


class RosterImport(models.Model):
    """One upload of a roster file, imported by a background job
    (organizers.services.eligibility.roster_imports): queued, running, then done or failed.

    It keeps counts and problems by code and row number (roster_problems.py), never a value
    from the file; the file itself is in the organiser's storage (`file_key`) until the job
    ends. At most one import per programme is queued or running (roster_import_one_at_a_time).
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to start")
        RUNNING = "running", _("Importing")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="roster_imports"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    replace = models.BooleanField(default=False)
    file_key = models.CharField(max_length=300, blank=True)
    file_size = models.PositiveIntegerField(default=0)
    # A user of the control plane (public schema): their id and address when they started it.
    started_by_id = models.BigIntegerField(null=True, blank=True)
    started_by_email = models.CharField(max_length=254, blank=True)
    rows_read = models.PositiveIntegerField(default=0)
    rows_imported = models.PositiveIntegerField(default=0)
    rows_refused = models.PositiveIntegerField(default=0)
    added = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    removed = models.PositiveIntegerField(default=0)
    # The first REFUSED_ROWS_KEPT refused rows: [{"row": 3, "problems": [[code, {params}]]}].
    refused_rows = models.JSONField(default=list, blank=True)
    failure_code = models.CharField(max_length=40, blank=True)
    failure_params = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    # The job's heartbeat: set when it starts and with every progress report.
    progress_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = (models.Index(fields=("programme", "-created_at"), name="roster_import_recent"),)
        constraints = (
            models.UniqueConstraint(
                fields=("programme",),
                condition=Q(status__in=("queued", "running")),
                name="roster_import_one_at_a_time",
            ),
        )

    def __str__(self) -> str:
        return f"roster import {self.id} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)


class Invite(models.Model):
    """A one-time invite link for one person (by email) to a company programme. Only a hash of
    the token is stored; the link works once."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="invites")
    email = models.EmailField(_("email"))
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    used_at = models.DateTimeField(null=True, blank=True)
    booking = models.ForeignKey(
        Booking, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "id")

    def __str__(self) -> str:
        return self.email
