"""Venues, their days off, slot templates and the slots people book. Tenant schema."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organizers.geography import PROVINCE_CHOICES
from organizers.models.programmes import Programme


class Venue(models.Model):
    """A place where people are vaccinated. Only approved venues of approved organisers take
    bookings."""

    # Set on instances by the booking pages' selectors and views, for display (not columns).
    next_day: dt.date | None
    next_day_label: str
    map_url: str

    class Status(models.TextChoices):
        """Decided by platform staff (tenants.services.venue_review); only approved takes
        bookings (organizers.bookability)."""

        PENDING = "pending", _("Waiting for review")
        APPROVED = "approved", _("Approved")
        CHANGES_REQUESTED = "changes_requested", _("Changes requested")
        REJECTED = "rejected", _("Rejected")
        SUSPENDED = "suspended", _("Suspended")

    class TimeZone(models.TextChoices):
        WIB = "Asia/Jakarta", "WIB"
        WITA = "Asia/Makassar", "WITA"
        WIT = "Asia/Jayapura", "WIT"

    name = models.CharField(_("name"), max_length=200)
    address = models.TextField(_("address"))
    city = models.CharField(_("city or regency"), max_length=100)
    province = models.CharField(_("province"), max_length=100, choices=PROVINCE_CHOICES)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    time_zone = models.CharField(
        _("time zone"), max_length=32, choices=TimeZone.choices, default=TimeZone.WIB
    )
    facility_code = models.CharField(
        _("ministry facility code"),
        max_length=30,
        blank=True,
        help_text=_("The Ministry of Health's code for this health facility, if it has one."),
    )
    vaccine_brands = ArrayField(
        models.SlugField(max_length=30), default=list, blank=True, verbose_name=_("vaccines")
    )
    contact_name = models.CharField(_("contact person"), max_length=120, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name

    def local_today(self) -> dt.date:
        """Today in the venue's own time zone (WIB, WITA or WIT)."""
        return timezone.localdate(timezone.now(), ZoneInfo(self.time_zone))


class BlackoutDay(models.Model):
    """A day without vaccination (a public holiday): at one venue, or at all when venue is
    empty. Slot generation skips it."""

    venue = models.ForeignKey(
        Venue, null=True, blank=True, on_delete=models.CASCADE, related_name="blackout_days"
    )
    day = models.DateField(_("day"))
    reason = models.CharField(_("reason"), max_length=120, blank=True)

    class Meta:
        ordering = ("day",)
        constraints = (
            models.UniqueConstraint(fields=("venue", "day"), name="blackout_unique_venue_day"),
            models.UniqueConstraint(
                fields=("day",), condition=Q(venue__isnull=True), name="blackout_unique_all_day"
            ),
        )

    def __str__(self) -> str:
        return f"{self.day} {self.reason}"


class SlotTemplate(models.Model):
    """A recurring pattern of slots at a venue: which days, which hours, how many seats."""

    class CapacityMode(models.TextChoices):
        TYPED = "typed", _("I type the number of seats")
        COMPUTED = "computed", _("Compute from lanes and minutes per injection")

    venue = models.ForeignKey(Venue, on_delete=models.CASCADE, related_name="slot_templates")
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="+")
    first_day = models.DateField(_("first day"))
    last_day = models.DateField(_("last day"))
    weekdays = ArrayField(
        models.PositiveSmallIntegerField(),
        verbose_name=_("weekdays"),
        help_text=_("0 is Monday, 6 is Sunday."),
    )
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))
    breaks = models.JSONField(
        _("breaks"), default=list, blank=True, help_text=_('e.g. [["12:00", "13:00"]]')
    )
    slot_minutes = models.PositiveSmallIntegerField(_("slot length (minutes)"))
    capacity_mode = models.CharField(
        max_length=10, choices=CapacityMode.choices, default=CapacityMode.TYPED
    )
    capacity = models.PositiveIntegerField(_("seats per slot"))
    lanes = models.PositiveSmallIntegerField(_("vaccination lanes"), null=True, blank=True)
    minutes_per_injection = models.PositiveSmallIntegerField(
        _("minutes per injection"), null=True, blank=True
    )
    capacity_dose1 = models.PositiveIntegerField(null=True, blank=True)
    capacity_dose2 = models.PositiveIntegerField(null=True, blank=True)
    capacity_dose3 = models.PositiveIntegerField(null=True, blank=True)
    vaccine_brand = models.SlugField(_("vaccine"), max_length=30)
    opens_days_before = models.PositiveSmallIntegerField(
        _("booking opens (days before)"), default=7
    )
    opens_at_time = models.TimeField(_("booking opens at"), default=dt.time(10, 0))
    closes_hours_before = models.PositiveSmallIntegerField(
        _("booking closes (hours before)"), default=2
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("venue", "first_day")
        constraints = (
            models.CheckConstraint(condition=Q(last_day__gte=F("first_day")), name="tpl_days"),
            models.CheckConstraint(condition=Q(closes__gt=F("opens")), name="tpl_hours"),
            models.CheckConstraint(condition=Q(slot_minutes__gte=5), name="tpl_slot_length"),
        )

    def __str__(self) -> str:
        return f"{self.venue}: {self.first_day} to {self.last_day}"


class Slot(models.Model):
    """An arrival window at a venue with a number of seats.

    `booked` counts seats taken (active bookings plus seats held for a waitlist offer); the
    booking engine changes it only in guarded single-statement updates, and the CHECK
    constraints are the backstop. With a split by dose, `capacity_doseN` bounds `booked_doseN`.
    """

    # Set on instances by selectors and the booking views, for display (not columns).
    seats_left: int
    day: dt.date
    day_label: str
    time_label: str

    venue = models.ForeignKey(Venue, on_delete=models.PROTECT, related_name="slots")
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="slots")
    template = models.ForeignKey(
        SlotTemplate, null=True, blank=True, on_delete=models.SET_NULL, related_name="slots"
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    capacity = models.PositiveIntegerField()
    booked = models.PositiveIntegerField(default=0)
    capacity_dose1 = models.PositiveIntegerField(null=True, blank=True)
    capacity_dose2 = models.PositiveIntegerField(null=True, blank=True)
    capacity_dose3 = models.PositiveIntegerField(null=True, blank=True)
    booked_dose1 = models.PositiveIntegerField(default=0)
    booked_dose2 = models.PositiveIntegerField(default=0)
    booked_dose3 = models.PositiveIntegerField(default=0)
    vaccine_brand = models.SlugField(max_length=30)
    booking_opens_at = models.DateTimeField()
    booking_closes_at = models.DateTimeField()
    is_closed = models.BooleanField(default=False, help_text=_("Closed by the organiser."))

    class Meta:
        ordering = ("starts_at",)
        constraints = (
            models.CheckConstraint(
                condition=Q(booked__lte=F("capacity")), name="slot_booked_within_capacity"
            ),
            models.CheckConstraint(
                condition=Q(capacity_dose1__isnull=True) | Q(booked_dose1__lte=F("capacity_dose1")),
                name="slot_dose1_within_capacity",
            ),
            models.CheckConstraint(
                condition=Q(capacity_dose2__isnull=True) | Q(booked_dose2__lte=F("capacity_dose2")),
                name="slot_dose2_within_capacity",
            ),
            models.CheckConstraint(
                condition=Q(capacity_dose3__isnull=True) | Q(booked_dose3__lte=F("capacity_dose3")),
                name="slot_dose3_within_capacity",
            ),
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="slot_has_length"),
            models.UniqueConstraint(fields=("venue", "starts_at"), name="slot_unique_start"),
            # The target of Booking's composite foreign key (slot, programme).
            models.UniqueConstraint(fields=("id", "programme"), name="slot_id_programme"),
        )
        indexes = (models.Index(fields=("venue", "starts_at"), name="slot_venue_start"),)

    def __str__(self) -> str:
        return f"{self.venue} {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def remaining(self) -> int:
        return self.capacity - self.booked

    def remaining_for_dose(self, dose: int) -> int:
        limit = getattr(self, f"capacity_dose{dose}")
        overall = self.capacity - self.booked
        if limit is None:
            return overall
        return max(0, min(overall, limit - getattr(self, f"booked_dose{dose}")))
