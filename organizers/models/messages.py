"""The outbox's messages, and the organiser's branding they carry. Tenant schema."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organizers.models.bookings import Booking, WaitlistEntry
from organizers.models.eligibility import Invite


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
