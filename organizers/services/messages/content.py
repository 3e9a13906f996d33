"""What each message says: the subject, the lines and the facts of each kind of message to a
person (e-voucher, new time, reminder, cancellation, dose 2, waitlist offer, invitation, manage
link), in the active language. Tenant schema. Reads only; the manage link it puts in an email
is the one write (organizers.services.manage_links).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.utils import formats
from django.utils.translation import gettext as _

from organizers.models import Booking, Dose, Message, WaitlistEntry
from organizers.services import manage_links
from organizers.services.vouchers.calendar_file import voucher_ics
from organizers.services.vouchers.facts import ZONE_NAMES, VoucherFacts, voucher_facts
from organizers.services.vouchers.rendering import voucher_files
from tenants.context import require_current_tenant
from tenants.links import current_tenant_url
from tenants.models import DoseIntervalRule


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


class MessageNotSendableError(Exception):
    """The message no longer makes sense (booking cancelled, offer gone): marked failed with
    this reason, never retried."""


def _existing_booking(message: Message) -> Booking:
    booking = message.booking
    if booking is None:
        raise MessageNotSendableError("The booking no longer exists; nothing was sent.")
    return booking


def _active_booking(message: Message) -> Booking:
    booking = _existing_booking(message)
    if booking.status != Booking.Status.ACTIVE:
        raise MessageNotSendableError(
            "The booking was cancelled before this message went out; not sent."
        )
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
        raise MessageNotSendableError("No interval is known for this vaccine; not sent.")
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
        raise MessageNotSendableError(
            "The offer was taken or has ended before this message went out."
        )
    # An offered entry has both (the offer sets them together); narrowed for the type checker.
    slot, offer_expires_at = entry.offered_slot, entry.offer_expires_at
    if slot is None or offer_expires_at is None:
        raise MessageNotSendableError(
            "The offer was taken or has ended before this message went out."
        )
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
        raise MessageNotSendableError("The invitation was used or withdrawn before it went out.")
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
