"""What an organiser runs inside its own schema: programmes, venues, slot templates, slots,
bookings and the waitlist. Seat counters are changed only by organizers.services.capacity."""

from __future__ import annotations

import datetime as dt

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organizers.geography import PROVINCE_CHOICES


class Dose(models.IntegerChoices):
    FIRST = 1, _("First dose")
    SECOND = 2, _("Second dose")
    BOOSTER = 3, _("Booster")


class Programme(models.Model):
    """A vaccination programme: a company's for its own people, or a public one."""

    class Kind(models.TextChoices):
        COMPANY = "company", _("Company programme (own employees)")
        PUBLIC = "public", _("Public programme")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    vaccine_brands = ArrayField(
        models.SlugField(max_length=30), default=list, blank=True, verbose_name=_("vaccines")
    )
    doses = ArrayField(
        models.PositiveSmallIntegerField(choices=Dose.choices),
        default=list,
        blank=True,
        verbose_name=_("doses"),
        help_text=_("Empty: every dose."),
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name

    def offers_dose(self, dose: int) -> bool:
        return not self.doses or dose in self.doses


class Venue(models.Model):
    """A place where people are vaccinated. Only approved venues of approved organisers take
    bookings."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for review")
        APPROVED = "approved", _("Approved")
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
        _("ministry facility code"), max_length=30, blank=True,
        help_text=_("The Ministry of Health's code for this health facility, if it has one."),
    )  # fmt: skip
    vaccine_brands = ArrayField(
        models.SlugField(max_length=30), default=list, blank=True, verbose_name=_("vaccines")
    )
    contact_name = models.CharField(_("contact person"), max_length=120, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name


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
        models.PositiveSmallIntegerField(), verbose_name=_("weekdays"),
        help_text=_("0 is Monday, 6 is Sunday."),
    )  # fmt: skip
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
    capacity engine changes it only in guarded single-statement updates, and the CHECK
    constraints are the backstop. With a split by dose, `capacity_doseN` bounds `booked_doseN`.
    """

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


class Booking(models.Model):
    """A person's seat. NIK and date of birth are sealed (organizers.personal_data); the
    person key (a keyed HMAC of the NIK) is the lookup and uniqueness key."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        CANCELLED = "cancelled", _("Cancelled")

    voucher_code = models.CharField(max_length=12, unique=True)
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="bookings")
    slot = models.ForeignKey(Slot, on_delete=models.PROTECT, related_name="bookings")
    dose = models.PositiveSmallIntegerField(choices=Dose.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    person_key = models.CharField(max_length=64)
    nik_sealed = models.TextField()
    date_of_birth_sealed = models.TextField()
    full_name = models.CharField(max_length=200)
    phone = models.CharField(max_length=30, blank=True)
    email = models.EmailField(blank=True)
    vaccine_brand = models.SlugField(max_length=30)
    first_dose = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="later_doses"
    )
    created_at = models.DateTimeField(default=timezone.now)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = (
            # One active booking per person per dose per programme.
            models.UniqueConstraint(
                fields=("programme", "person_key", "dose"),
                condition=Q(status="active"),
                name="booking_one_active_per_person_dose",
            ),
        )
        indexes = (
            models.Index(fields=("person_key",), name="booking_person_key"),
            models.Index(fields=("slot", "status"), name="booking_slot_status"),
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
