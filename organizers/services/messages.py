"""The outbox: messages to people who book. Tenant schema.

A message is recorded in the same transaction as the event that causes it (a booking, a new
time, a waitlist offer, ...), with a unique `event_key` so one event never yields two
messages. After the commit a Celery task delivers it (retries with backoff); beat sweeps up
any message whose task was lost. A booking never fails because email is down.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from email.encoders import encode_base64
from email.mime.base import MIMEBase
from email.mime.image import MIMEImage
from email.utils import formataddr, parseaddr
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import SafeMIMEMultipart
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from organizers.models import Booking, Dose, Invite, Message, WaitlistEntry
from organizers.services import event_keys as keys
from organizers.services import manage_links
from organizers.services.branding.display import branding_for_email
from organizers.services.vouchers.calendar_file import voucher_ics
from organizers.services.vouchers.facts import ZONE_NAMES, VoucherFacts, voucher_facts
from organizers.services.vouchers.rendering import voucher_files
from tenants.context import enqueue_after_commit, require_current_tenant
from tenants.errors import NotFoundError
from tenants.links import current_tenant_url
from tenants.models import DoseIntervalRule

logger = logging.getLogger(__name__)


def message_record(
    *,
    kind: str,
    booking: Booking | None = None,
    waitlist_entry: WaitlistEntry | None = None,
    invite: Invite | None = None,
    event_key: str | None = None,
    to_email: str | None = None,
    language: str | None = None,
) -> Message | None:
    """Record a message for an event inside the caller's transaction and deliver it after the
    commit. Returns None when there is nobody to write to, or the event already has its message.
    `event_key` defaults to "<kind>:<booking id>" (or the waitlist entry's / invite's id)."""
    subject = booking or waitlist_entry or invite
    if subject is None:
        raise ValueError("a message needs a booking, a waitlist entry or an invite")
    to_email = to_email if to_email is not None else subject.email
    if not to_email:
        return None
    if language is None:
        language = getattr(subject, "language", "id") or "id"
    if event_key is None:
        event_key = (
            keys.event_key(kind, booking.pk)
            if booking is not None
            else keys.event_key(kind, type(subject).__name__.lower(), subject.pk)
        )
    message, created = Message.objects.get_or_create(
        event_key=event_key,
        defaults={
            "kind": kind,
            "booking": booking,
            "waitlist_entry": waitlist_entry,
            "invite": invite,
            "to_email": to_email,
            "language": language,
            "created_at": timezone.now(),
        },
    )
    if not created:
        return None
    message_deliver_after_commit(message_id=message.id)
    return message


def message_deliver_after_commit(*, message_id: int) -> None:
    from organizers.tasks import message_deliver

    enqueue_after_commit(message_deliver, message_id)


# --- Delivery --------------------------------------------------------------------------------

# Attempts before a message is marked failed (the task retries with backoff in between: 30 s,
# 1, 2, 4, 8, 16, 32 minutes: about an hour of mail server trouble is ridden out).
MESSAGE_MAX_ATTEMPTS = 8
RETRY_FIRST_SECONDS = 30
RETRY_MAX_SECONDS = 3600
# A pending message this long past its expected (re)try is taken as lost and sent again.
SWEEP_AFTER = dt.timedelta(minutes=2)


class MessageDeliveryError(Exception):
    """Delivery failed in a way worth retrying (the mail server is down); `countdown` is the
    number of seconds until the next try is due (stored on the message too)."""

    def __init__(self, message: str, *, countdown: int) -> None:
        super().__init__(message)
        self.countdown = countdown


class _NotSendableError(Exception):
    """The message no longer makes sense (booking cancelled, offer gone): marked failed with
    this reason, never retried."""


def retry_countdown(*, attempt: int) -> int:
    """Seconds before retry number `attempt` + 1 (attempt counts from 0)."""
    return min(RETRY_FIRST_SECONDS * (2**attempt), RETRY_MAX_SECONDS)


def message_deliver(*, message_id: int) -> str:
    """Send one pending message; returns its status afterwards ("sent", "failed", "pending").

    Never twice: the row is locked (FOR UPDATE SKIP LOCKED) from the claim until the status is
    written, so a second worker holding the same id skips it, and a later one finds it sent.
    A crash between the SMTP hand-off and the commit is the one case that can send again.
    A mail server error counts an attempt, keeps the error and raises MessageDeliveryError (the
    task retries with backoff); the last attempt marks the message failed instead. A message
    that can no longer be rendered or makes no sense is marked failed at once. Tenant schema.
    """
    retry: Exception | None = None
    with transaction.atomic():
        message = (
            Message.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related(
                "booking__slot__venue",
                "booking__programme",
                "waitlist_entry__offered_slot__venue",
                "waitlist_entry__venue",
                "invite__programme",
            )
            .filter(id=message_id, status=Message.Status.PENDING)
            .first()
        )
        if message is None:  # sent or failed already, or another worker is sending it now
            status = Message.objects.filter(id=message_id).values_list("status", flat=True)
            return status.first() or "missing"
        message.attempts += 1
        try:
            with transaction.atomic():  # a failed send leaves no manage link behind
                message_email(message).send()
        except _NotSendableError as exc:
            message.status = Message.Status.FAILED
            message.last_error = str(exc)[:300]
        except OSError as exc:  # smtplib.SMTPException is an OSError too
            message.last_error = f"{type(exc).__name__}: {exc}"[:300]
            if message.attempts >= MESSAGE_MAX_ATTEMPTS:
                message.status = Message.Status.FAILED
            else:
                retry = exc
                message.next_attempt_at = timezone.now() + dt.timedelta(
                    seconds=retry_countdown(attempt=message.attempts - 1)
                )
        except Exception as exc:  # a bug or missing data: tell the organiser, do not loop
            logger.exception("message %s could not be rendered", message_id)
            message.status = Message.Status.FAILED
            message.last_error = f"{type(exc).__name__}: {exc}"[:300]
        else:
            message.status = Message.Status.SENT
            message.sent_at = timezone.now()
        message.save(
            update_fields=["status", "attempts", "last_error", "sent_at", "next_attempt_at"]
        )
    if retry is not None:
        countdown = retry_countdown(attempt=message.attempts - 1)
        raise MessageDeliveryError(message.last_error, countdown=countdown) from retry
    return message.status


# --- What each message says -------------------------------------------------------------------


class _EmailWithInlineImages(EmailMultiAlternatives):
    """multipart/mixed [ multipart/related [ multipart/alternative [text, html], images ],
    attachments ]: the HTML shows the QR code by cid: and the files stay attachments."""

    def __init__(self, *args: Any, inline_images: list[MIMEImage], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.inline_images = inline_images

    def _create_alternatives(self, msg):  # Django's private hook, see EmailMultiAlternatives
        # Not in django-stubs (private); present in the pinned Django 5.2.
        msg = super()._create_alternatives(msg)  # type: ignore[misc]
        if not self.inline_images:
            return msg
        related = SafeMIMEMultipart(_subtype="related", encoding=self.encoding)
        related.attach(msg)
        for image in self.inline_images:
            related.attach(image)
        return related


@dataclass
class EmailContent:
    subject: str
    headline: str
    paragraphs: list[str]
    facts: VoucherFacts | None = None
    action_url: str = ""
    action_label: str = ""
    manage_url: str = ""
    qr_png: bytes | None = None
    attachments: list[tuple[str, bytes | str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class EmailBranding:
    organizer_name: str
    colour: str  # header band and buttons
    ink: str  # text on `colour`
    text_colour: str  # links on white
    logo_png: bytes | None
    logo_cid: str
    contact_email: str
    contact_phone: str
    whatsapp_url: str


QR_CID = "voucher-qr"


def _email_branding() -> EmailBranding:
    """The organiser's colours, logo (inline, by cid:) and contact
    (organizers.services.branding); Sentra's colours when the organiser chose none."""
    found = branding_for_email()
    return EmailBranding(
        organizer_name=found["organizer_name"],
        colour=found["primary_colour"],
        ink=found["ink_colour"],
        text_colour=found["text_colour"],
        logo_png=found["logo_png"],
        logo_cid=found["logo_cid"] or "",
        contact_email=found["contact_email"] or "",
        contact_phone=found["contact_phone"] or "",
        whatsapp_url=found["whatsapp_url"] or "",
    )


def _existing_booking(message: Message) -> Booking:
    booking = message.booking
    if booking is None:
        raise _NotSendableError("The booking no longer exists; nothing was sent.")
    return booking


def _active_booking(message: Message) -> Booking:
    booking = _existing_booking(message)
    if booking.status != Booking.Status.ACTIVE:
        raise _NotSendableError("The booking was cancelled before this message went out; not sent.")
    return booking


def _voucher_content(message: Message, *, kind: str, branding: EmailBranding) -> EmailContent:
    booking = _active_booking(message)
    facts, files = voucher_files(booking, colour=branding.colour, ink=branding.ink)
    code = booking.voucher_code
    intro = {
        Message.Kind.RESCHEDULED: (
            _("Your vaccination booking has a new time"),
            _("New time for your vaccination: %(code)s") % {"code": code},
            _("Here is your e-voucher for the new time. The old time no longer applies."),
        ),
        Message.Kind.REMINDER: (
            _("See you tomorrow"),
            _("Tomorrow: your vaccination at %(venue)s") % {"venue": facts.venue_name},
            _("A reminder of your vaccination tomorrow."),
        ),
    }.get(
        Message.Kind(kind),
        (
            _("Your vaccination is booked"),
            _("Your vaccination e-voucher: %(code)s") % {"code": code},
            _("Your booking is confirmed. Your e-voucher is below and attached as a PDF."),
        ),
    )
    headline, subject, first = intro
    content = EmailContent(
        subject=subject,
        headline=headline,
        paragraphs=[
            first,
            _(
                "Bring your KTP (identity card). At the venue, show the QR code or read out "
                "your code: %(code)s."
            )
            % {"code": code},
        ],
        facts=facts,
        manage_url=manage_links.manage_link_create(booking),
        qr_png=files.qr_png,
    )
    if kind != Message.Kind.REMINDER:
        content.attachments = [
            (f"e-voucher-{code}.pdf", files.pdf, "application/pdf"),
            (f"vaksinasi-{code}.ics", files.ics, "text/calendar"),
        ]
    return content


def _cancelled_content(message: Message) -> EmailContent:
    booking = _existing_booking(message)
    facts = voucher_facts(booking)
    return EmailContent(
        subject=_("Your vaccination booking is cancelled: %(code)s") % {"code": facts.code},
        headline=_("Your booking is cancelled"),
        paragraphs=[
            _(
                "Your booking %(code)s for %(date)s, %(time)s at %(venue)s is cancelled. The "
                "voucher no longer works."
            )
            % {
                "code": facts.code,
                "date": facts.date,
                "time": facts.time,
                "venue": facts.venue_name,
            },
            _("Did you not cancel it, or do you want a new time? Book again on our page."),
        ],
        action_url=current_tenant_url("/"),
        action_label=_("Book a new time"),
        # The same event as the voucher's calendar file, cancelled: calendars remove it.
        attachments=[
            (
                f"vaksinasi-{facts.code}-batal.ics",
                voucher_ics(booking, facts, cancelled=True),
                "text/calendar",
            )
        ],
    )


def dose2_window(
    booking: Booking, rule: DoseIntervalRule | None = None
) -> tuple[dt.date, dt.date | None] | None:
    """The days (venue-local) on which the second dose may be given, or None without a rule
    (looked up unless given)."""
    if rule is None:
        rule = DoseIntervalRule.objects.filter(
            brand_id=booking.vaccine_brand, from_dose=1, to_dose=2
        ).first()
    if rule is None:
        return None
    first_day = booking.slot.starts_at.astimezone(ZoneInfo(booking.slot.venue.time_zone)).date()
    until = first_day + dt.timedelta(days=rule.max_days) if rule.max_days is not None else None
    return first_day + dt.timedelta(days=rule.min_days), until


def _dose2_content(message: Message) -> EmailContent:
    booking = _active_booking(message)
    window = dose2_window(booking)
    if window is None:
        raise _NotSendableError("No interval is known for this vaccine; not sent.")
    facts = voucher_facts(booking)
    opens, closes = window
    if closes is None:
        when = _("from %(opens)s") % {"opens": formats.date_format(opens, "j F Y")}
    else:
        when = _("from %(opens)s to %(closes)s") % {
            "opens": formats.date_format(opens, "j F Y"),
            "closes": formats.date_format(closes, "j F Y"),
        }
    return EmailContent(
        subject=_("You can now book your second dose"),
        headline=_("Time to book your second dose"),
        paragraphs=[
            _(
                "Your first dose of %(brand)s was on %(date)s. Your second dose can be given "
                "%(when)s."
            )
            % {"brand": facts.brand, "date": facts.date, "when": when},
            _("Book a time now, with the same NIK and date of birth. Bring your KTP."),
        ],
        action_url=current_tenant_url("/"),
        action_label=_("Book the second dose"),
    )


def _waitlist_offer_content(message: Message) -> EmailContent:
    entry = message.waitlist_entry
    if entry is None or entry.status != WaitlistEntry.Status.OFFERED or not entry.offer_token:
        raise _NotSendableError("The offer was taken or has ended before this message went out.")
    # An offered entry has both (the offer sets them together); narrowed for the type checker.
    slot, offer_expires_at = entry.offered_slot, entry.offer_expires_at
    if slot is None or offer_expires_at is None:
        raise _NotSendableError("The offer was taken or has ended before this message went out.")
    zone = ZoneInfo(slot.venue.time_zone)
    zone_name = ZONE_NAMES.get(slot.venue.time_zone, "")
    starts = slot.starts_at.astimezone(zone)
    until = offer_expires_at.astimezone(zone)
    return EmailContent(
        subject=_("A seat is free for you: %(venue)s, %(date)s")
        % {"venue": slot.venue.name, "date": formats.date_format(starts, "j F Y")},
        headline=_("A seat is free for you"),
        paragraphs=[
            _(
                "A seat at %(venue)s on %(date)s at %(time)s (%(dose)s) is held for you until "
                "%(until)s."
            )
            % {
                "venue": slot.venue.name,
                "date": formats.date_format(starts, "l, j F Y"),
                "time": f"{starts:%H:%M} {zone_name}",
                "dose": Dose(entry.dose).label,
                "until": f"{until:%H:%M} {zone_name}",
            },
            _("Accept it before then; afterwards it goes to the next person waiting."),
        ],
        # The booking page accepts the offer (POST /api/v1/waitlist/offers/<token>/accept).
        action_url=current_tenant_url(f"/daftar/tawaran/{entry.offer_token}/"),
        action_label=_("Accept the seat"),
    )


def _invite_content(message: Message) -> EmailContent:
    from organizers.services.eligibility.invites import invite_token

    invite = message.invite
    if invite is None or invite.used_at is not None or invite.revoked_at is not None:
        raise _NotSendableError("The invitation was used or withdrawn before it went out.")
    organizer = require_current_tenant().name
    return EmailContent(
        subject=_("%(organizer)s invites you to book your vaccination") % {"organizer": organizer},
        headline=_("You are invited to book your vaccination"),
        paragraphs=[
            _("%(organizer)s invites you to book a vaccination (%(programme)s).")
            % {"organizer": organizer, "programme": invite.programme.name},
            _(
                "The link below is for you only and works once. Have your KTP ready: you will "
                "need your NIK and date of birth."
            ),
        ],
        action_url=current_tenant_url(f"/undangan/{invite_token(invite)}/"),
        action_label=_("Book my vaccination"),
    )


def _manage_link_content(message: Message) -> EmailContent:
    booking = _existing_booking(message)
    return EmailContent(
        subject=_("Your link to manage booking %(code)s") % {"code": booking.voucher_code},
        headline=_("Manage your booking"),
        paragraphs=[
            _(
                "Open the link below to see, change or cancel your booking %(code)s, or to get "
                "the e-voucher again."
            )
            % {"code": booking.voucher_code},
            _(
                "The link works once, for 30 days at most. Did you not ask for it? Then you can "
                "ignore this email."
            ),
        ],
        action_url=manage_links.manage_link_create(booking),
        action_label=_("Manage my booking"),
    )


def message_content(message: Message, *, branding: EmailBranding) -> EmailContent:
    """What a message says, in the active language. Tenant schema."""
    kind = message.kind
    if kind in (
        Message.Kind.VOUCHER,
        Message.Kind.RESEND,
        Message.Kind.RESCHEDULED,
        Message.Kind.REMINDER,
    ):
        return _voucher_content(message, kind=kind, branding=branding)
    if kind == Message.Kind.EMAIL_CODE:
        from organizers.services.eligibility.email_codes import email_code_content

        return email_code_content(message)
    builders = {
        Message.Kind.CANCELLED: _cancelled_content,
        Message.Kind.DOSE2_WINDOW: _dose2_content,
        Message.Kind.WAITLIST_OFFER: _waitlist_offer_content,
        Message.Kind.INVITE: _invite_content,
        Message.Kind.MANAGE_LINK: _manage_link_content,
    }
    return builders[Message.Kind(kind)](message)


def _sender(organizer_name: str) -> str:
    _name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return formataddr((f"{organizer_name} via Sentra", address))


def message_email(message: Message) -> EmailMultiAlternatives:
    """The email of a message, in the message's language: plain text and HTML, the QR code
    inline (cid:), the PDF and calendar attached. Tenant schema."""
    with translation.override(message.language or "id"):
        branding = _email_branding()
        content = message_content(message, branding=branding)
        context = {"content": content, "branding": branding, "qr_cid": QR_CID}
        text = render_to_string("organizers/email/person.txt", context)
        html = render_to_string("organizers/email/person.html", context)
    images = []
    if content.qr_png is not None:
        images.append(_inline_png(content.qr_png, cid=QR_CID, filename="qr.png"))
    if branding.logo_png is not None:
        images.append(_inline_png(branding.logo_png, cid=branding.logo_cid, filename="logo.png"))
    email = _EmailWithInlineImages(
        subject=content.subject,
        body=text,
        from_email=_sender(branding.organizer_name),
        to=[message.to_email],
        reply_to=[branding.contact_email] if branding.contact_email else None,
        headers={"Auto-Submitted": "auto-generated"},
        inline_images=images,
    )
    email.attach_alternative(html, "text/html")
    for filename, payload, mimetype in content.attachments:
        if mimetype == "text/calendar":
            email.attach(_calendar_part(filename, payload))
        else:
            email.attach(filename, payload, mimetype)
    return email


def _inline_png(content: bytes, *, cid: str, filename: str) -> MIMEImage:
    image = MIMEImage(content, "png")
    image.add_header("Content-ID", f"<{cid}>")
    image.add_header("Content-Disposition", "inline", filename=filename)
    return image


def _calendar_part(filename: str, ics: bytes | str) -> MIMEBase:
    """Base64, so that the calendar's CRLF line endings (RFC 5545) arrive as they were. The
    part's method is the calendar's own (PUBLISH, or CANCEL for a cancellation)."""
    text = ics.decode() if isinstance(ics, bytes) else ics
    method = "CANCEL" if "\r\nMETHOD:CANCEL\r\n" in text else "PUBLISH"
    part = MIMEBase("text", "calendar", method=method, charset="utf-8")
    part.set_payload(ics.encode() if isinstance(ics, str) else ics)
    encode_base64(part)
    part.add_header("Content-Disposition", "attachment", filename=filename)
    return part


# --- Beat: lost messages, reminders -----------------------------------------------------------


def messages_sweep(*, now: dt.datetime | None = None) -> int:
    """Run by beat: re-enqueue pending messages whose task was lost (a worker died, the broker
    dropped it): pending for SWEEP_AFTER past their due try (`next_attempt_at`, or the moment
    they were recorded). Sending twice cannot follow: message_deliver locks and re-checks the
    status. Tenant schema."""
    now = now or timezone.now()
    due = Coalesce("next_attempt_at", "created_at")
    lost = Message.objects.alias(due=due).filter(
        status=Message.Status.PENDING, due__lte=now - SWEEP_AFTER
    )
    swept = 0
    for message_id in lost.values_list("id", flat=True).iterator():
        message_deliver_after_commit(message_id=message_id)
        swept += 1
    return swept


REMINDER_FROM_HOUR = 8  # venue-local: nobody gets a reminder at midnight


def reminders_record(*, now: dt.datetime | None = None) -> int:
    """Run by beat: record the reminder the day before each slot (venue-local day, from 08:00)
    and the note that the dose-2 window has opened. Idempotent: each has its event_key
    (`reminder:<booking id>:<slot id>`, so a booking moved to another day is reminded again;
    `dose2_window:<booking id>`). Returns how many were recorded."""
    now = now or timezone.now()
    recorded = 0
    with transaction.atomic():
        recorded += _reminders_day_before(now=now)
        recorded += _dose2_windows_opening(now=now)
    return recorded


def _local_now(now: dt.datetime, time_zone: str) -> dt.datetime:
    return now.astimezone(ZoneInfo(time_zone))


def _reminders_day_before(*, now: dt.datetime) -> int:
    reminded = Message.objects.filter(
        booking=OuterRef("pk"),
        kind=Message.Kind.REMINDER,
        event_key=keys.event_key_expression(
            Message.Kind.REMINDER, OuterRef("pk"), OuterRef("slot_id")
        ),
    )
    bookings = (
        Booking.objects.select_related("slot__venue")
        .filter(
            status=Booking.Status.ACTIVE,
            slot__starts_at__gt=now,
            slot__starts_at__lt=now + dt.timedelta(hours=48),
        )
        .exclude(email="")
        .exclude(Exists(reminded))
    )
    recorded = 0
    for booking in bookings:
        local_now = _local_now(now, booking.slot.venue.time_zone)
        slot_day = booking.slot.starts_at.astimezone(local_now.tzinfo).date()
        booked_on = booking.created_at.astimezone(local_now.tzinfo).date()
        if slot_day - local_now.date() != dt.timedelta(days=1):
            continue
        if local_now.hour < REMINDER_FROM_HOUR or booked_on == local_now.date():
            continue  # too early in the day, or booked today: the voucher just went out
        if message_record(
            kind=Message.Kind.REMINDER,
            booking=booking,
            event_key=keys.event_key(Message.Kind.REMINDER, booking.id, booking.slot_id),
        ):
            recorded += 1
    return recorded


def _dose2_windows_opening(*, now: dt.datetime) -> int:
    rules = {
        rule.brand_id: rule for rule in DoseIntervalRule.objects.filter(from_dose=1, to_dose=2)
    }
    if not rules:
        return 0
    noted = Message.objects.filter(booking=OuterRef("pk"), kind=Message.Kind.DOSE2_WINDOW)
    second = Booking.objects.filter(
        programme_id=OuterRef("programme_id"),
        person_key=OuterRef("person_key"),
        dose=2,
        status=Booking.Status.ACTIVE,
    )
    shortest = min(rule.min_days for rule in rules.values())
    # A first dose whose every window has closed needs no look: the scan stays bounded.
    longest = max(3650 if rule.max_days is None else rule.max_days for rule in rules.values())
    bookings = (
        Booking.objects.select_related("slot__venue", "programme")
        .filter(
            dose=Dose.FIRST,
            status=Booking.Status.ACTIVE,
            vaccine_brand__in=list(rules),
            slot__starts_at__lte=now - dt.timedelta(days=max(shortest - 1, 0)),
            slot__starts_at__gte=now - dt.timedelta(days=longest + 2),
        )
        .exclude(email="")
        .exclude(Exists(noted))
        .exclude(Exists(second))
    )
    recorded = 0
    for booking in bookings:
        if not booking.programme.offers_dose(2) or not booking.programme.is_active:
            continue
        local_now = _local_now(now, booking.slot.venue.time_zone)
        window = dose2_window(booking, rules[booking.vaccine_brand])
        if window is None:  # not with a rule given; for the type checker
            continue
        opens, closes = window
        if local_now.date() < opens or (closes is not None and local_now.date() > closes):
            continue
        if local_now.hour < REMINDER_FROM_HOUR:
            continue
        if message_record(
            kind=Message.Kind.DOSE2_WINDOW,
            booking=booking,
            event_key=keys.event_key(Message.Kind.DOSE2_WINDOW, booking.id),
        ):
            recorded += 1
    return recorded


# --- The organiser's view: delivery status, send again -------------------------------------


def message_list(*, status: str | None = None) -> QuerySet[Message]:
    """The outbox, newest first, for the organiser's page (reads only). Tenant schema."""
    messages = Message.objects.select_related("booking").order_by("-created_at", "-id")
    if status:
        messages = messages.filter(status=status)
    return messages


def message_send_again(*, message_id: int) -> Message:
    """Put a failed message back in the queue (attempts start again). Raises NotFoundError
    (`message_not_failed`) for any other message. Tenant schema."""
    with transaction.atomic():
        # created_at restarts too: the sweep reckons the expected retries from it.
        updated = Message.objects.filter(id=message_id, status=Message.Status.FAILED).update(
            status=Message.Status.PENDING, attempts=0, created_at=timezone.now()
        )
        if not updated:
            raise NotFoundError(
                gettext_lazy("Only a message that failed can be sent again."),
                code="message_not_failed",
            )
        message_deliver_after_commit(message_id=message_id)
    return Message.objects.get(id=message_id)
