"""What an organiser runs inside its own schema: programmes, venues, slot templates, slots,
bookings and the waitlist. Seat counters are changed only by organizers.services.booking
(seats.take_seat and free_seat, and the one statement of engine)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

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


class Sex(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


class Programme(models.Model):
    """A vaccination programme: a company's for its own people, or a public one.

    Who may book (organizers.services.eligibility): a company programme admits people on its
    roster, holders of an unused invite, or addresses in `allowed_email_domains`, up to `quota`
    people; a public programme admits by the age rules (AgeRule), each from its release date."""

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
    uses_roster = models.BooleanField(_("employees on the roster may book"), default=False)
    uses_invites = models.BooleanField(_("people with an invite link may book"), default=False)
    allowed_email_domains = ArrayField(
        models.CharField(max_length=100),
        default=list,
        blank=True,
        verbose_name=_("email domains that may book"),
        help_text=_("e.g. company.co.id: anyone with an address there may book."),
    )
    quota = models.PositiveIntegerField(
        _("company quota (people)"),
        null=True,
        blank=True,
        help_text=_("Empty: no limit."),
    )
    asks_employee_number = models.BooleanField(_("ask for the employee number"), default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name

    def offers_dose(self, dose: int) -> bool:
        return not self.doses or dose in self.doses

    def first_dose(self) -> int:
        """The first dose it offers: the one the booking pages show seats for before anyone
        has said which dose they book (and the booking form's default)."""
        return min(self.doses, default=Dose.FIRST)


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


class AgeRule(models.Model):
    """Public programme: people aged min_age..max_age (on the day they book) may book from
    `opens_on` (e.g. 60+ first, everyone a week later). No rules: everyone may book."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="age_rules")
    min_age = models.PositiveSmallIntegerField(_("from age"), default=0)
    max_age = models.PositiveSmallIntegerField(_("up to age"), null=True, blank=True)
    opens_on = models.DateField(_("may book from"))

    class Meta:
        ordering = ("opens_on", "-min_age")

    def __str__(self) -> str:
        return f"{self.min_age}-{self.max_age or ''} from {self.opens_on}"


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


class Branding(models.Model):
    """How the organiser's booking pages and emails look. One row per tenant (id 1)."""

    logo_key = models.CharField(max_length=300, blank=True)
    primary_colour = models.CharField(_("main colour"), max_length=7, default="#0b5394")
    welcome_text = models.TextField(_("welcome text (Bahasa Indonesia)"), blank=True)
    welcome_text_en = models.TextField(_("welcome text (English)"), blank=True)
    faq = models.JSONField(_("questions and answers"), default=list, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return "branding"


class Message(models.Model):
    """The outbox: a message to a person, recorded in the same transaction as the event that
    causes it and delivered by a Celery worker (organizers.services.messages.outbox). `event_key` is
    unique, so one event never yields two messages."""

    class Kind(models.TextChoices):
        VOUCHER = "voucher", _("E-voucher")
        RESEND = "resend", _("E-voucher sent again")
        RESCHEDULED = "rescheduled", _("New time")
        CANCELLED = "cancelled", _("Cancellation")
        REMINDER = "reminder", _("Reminder the day before")
        DOSE2_WINDOW = "dose2_window", _("Second dose can be booked")
        WAITLIST_OFFER = "waitlist_offer", _("Seat offered from the waitlist")
        INVITE = "invite", _("Invitation")
        MANAGE_LINK = "manage_link", _("Link to manage a booking")
        EMAIL_CODE = "email_code", _("Code to confirm an email address")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    kind = models.CharField(max_length=20, choices=Kind.choices)
    event_key = models.CharField(max_length=120, unique=True)
    booking = models.ForeignKey(
        Booking, null=True, blank=True, on_delete=models.SET_NULL, related_name="messages"
    )
    waitlist_entry = models.ForeignKey(
        WaitlistEntry, null=True, blank=True, on_delete=models.SET_NULL, related_name="messages"
    )
    invite = models.ForeignKey(
        Invite, null=True, blank=True, on_delete=models.SET_NULL, related_name="messages"
    )
    to_email = models.EmailField()
    language = models.CharField(max_length=5, default="id")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    # When the next try is due after a failed one (set when the failure is known, so slow
    # mail-server timeouts do not shift it); the sweep re-sends only past it.
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # When the message was last handed to Celery: by the outbox relay as soon as it is recorded
    # (organizers.services.messages.relay), by beat's sweep when its task looks lost. NULL: not
    # handed yet, the relay's work (found through the partial index `message_unqueued`). The
    # sweep queues a message once per due time, so a backlog in the broker is not multiplied.
    queued_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = (
            models.Index(fields=("status", "created_at"), name="message_status"),
            models.Index(
                fields=("id",),
                name="message_unqueued",
                condition=models.Q(status="pending", queued_at__isnull=True),
            ),
        )

    def __str__(self) -> str:
        return f"{self.kind} to {self.to_email} ({self.status})"


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
