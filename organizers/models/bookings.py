"""Bookings, the waitlist, Idempotency-Key records and manage links. Tenant schema."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organizers.models.programmes import Dose, Programme, Sex
from organizers.models.venues import Slot, Venue


class Booking(models.Model):
    """A person's seat. NIK and date of birth are sealed (organizers.personal_data); the
    person key (a keyed HMAC of the NIK) is the lookup and uniqueness key."""

    # Set by booking_create: the second dose reserved with the first, if asked (not a column).
    next_dose: Booking | None

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        CANCELLED = "cancelled", _("Cancelled")

    voucher_code = models.CharField(max_length=12)
    # Both references are checked by one composite foreign key (slot_id, programme_id) ->
    # slot (id, programme_id), added in migration 0003: the slot row is already locked by the
    # booking's own seat update, whereas a separate key on the programme would make every
    # concurrent booking share-lock the same programme row (MultiXacts at opening hour).
    # PROTECT still applies in the ORM. Indexes: booking_slot_status covers slot_id.
    programme = models.ForeignKey(
        Programme,
        on_delete=models.PROTECT,
        related_name="bookings",
        db_index=False,
        db_constraint=False,
    )
    slot = models.ForeignKey(
        Slot,
        on_delete=models.PROTECT,
        related_name="bookings",
        db_index=False,
        db_constraint=False,
    )
    dose = models.PositiveSmallIntegerField(choices=Dose.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    person_key = models.CharField(max_length=64)
    nik_sealed = models.TextField()
    date_of_birth_sealed = models.TextField()
    full_name = models.CharField(max_length=200)
    phone = models.CharField(max_length=30, blank=True)
    email = models.EmailField(blank=True)
    sex = models.CharField(max_length=1, choices=Sex.choices, blank=True)
    address = models.TextField(blank=True)
    employee_number = models.CharField(max_length=40, blank=True)
    language = models.CharField(max_length=5, default="id")
    party = models.UUIDField(
        null=True, blank=True, help_text="Bookings made together by one helper share this."
    )
    vaccine_brand = models.SlugField(max_length=30, db_index=False)
    first_dose = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="later_doses",
        db_index=False,  # booking_later_doses: only the few rows that have one
    )
    created_at = models.DateTimeField(default=timezone.now)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = (
            # A constraint, not unique=True: that would add a second (LIKE) index on PostgreSQL.
            models.UniqueConstraint(fields=("voucher_code",), name="booking_voucher_code_unique"),
            # One active booking per person per dose per programme.
            models.UniqueConstraint(
                fields=("programme", "person_key", "dose"),
                condition=Q(status="active"),
                name="booking_one_active_per_person_dose",
            ),
        )
        # Lookups by person always name the programme: the partial unique index above serves
        # them, so there is no separate person_key index to update on every booking.
        indexes = (
            models.Index(fields=("slot", "status"), name="booking_slot_status"),
            models.Index(
                fields=("first_dose",),
                condition=Q(first_dose__isnull=False),
                name="booking_later_doses",
            ),
        )

    def __str__(self) -> str:
        return self.voucher_code


class WaitlistEntry(models.Model):
    """A person waiting for a seat at a venue on a day. When a seat frees up, the first waiting
    person is offered it (the seat is held for them) until `offer_expires_at`."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        OFFERED = "offered", _("Seat offered")
        BOOKED = "booked", _("Booked")
        EXPIRED = "expired", _("Offer expired")
        CANCELLED = "cancelled", _("Cancelled")

    venue = models.ForeignKey(Venue, on_delete=models.CASCADE, related_name="waitlist")
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    dose = models.PositiveSmallIntegerField(choices=Dose.choices)
    person_key = models.CharField(max_length=64)
    nik_sealed = models.TextField()
    date_of_birth_sealed = models.TextField()
    full_name = models.CharField(max_length=200)
    phone = models.CharField(max_length=30, blank=True)
    email = models.EmailField(blank=True)
    language = models.CharField(max_length=5, default="id")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.WAITING)
    offered_slot = models.ForeignKey(
        Slot, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    offer_token = models.CharField(max_length=43, null=True, blank=True, unique=True)
    offer_expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("created_at", "id")
        constraints = (
            models.UniqueConstraint(
                fields=("venue", "day", "programme", "dose", "person_key"),
                condition=Q(status__in=("waiting", "offered")),
                name="waitlist_one_open_entry_per_person",
            ),
        )
        indexes = (models.Index(fields=("venue", "day", "status"), name="waitlist_queue"),)

    def __str__(self) -> str:
        return f"{self.venue} {self.day} dose {self.dose} ({self.status})"


class IdempotencyRecord(models.Model):
    """The first response to a POST carrying an Idempotency-Key, replayed for retries."""

    key = models.CharField(max_length=100)
    scope = models.CharField(max_length=60)
    fingerprint = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True)
    body = models.JSONField(null=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=("scope", "key"), name="idempotency_unique_key"),
        )

    def __str__(self) -> str:
        return f"{self.scope} {self.key}"


class ManageLink(models.Model):
    """A signed one-time login to manage a booking (view, cancel, reschedule, resend). Only a
    hash of the token's nonce is stored; opening the link spends it."""

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="manage_links")
    nonce_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"manage {self.booking_id}"
