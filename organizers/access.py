"""Access gateways inside an organiser's schema: every object a request names is fetched
here, in one audited place, one condition per line. "Does not exist" and "not yours" give the
same NotFoundError, so neither can be probed.

People who book have no account: a booking is theirs when they hold its voucher code and know
the date of birth (`access_booking_by_voucher`), or when this browser proved that once
(`access_booking_by_id` with the ids its session holds). Staff pages name venues, schedules,
slots, programmes and their rules; the membership check comes first (organizer_pages'
`organizer_admin_page`), and the schema itself keeps other organisers' rows out of reach.
"""

from __future__ import annotations

import datetime as dt
import hmac
from collections.abc import Collection

from django.utils.translation import gettext_lazy as _

from organizers.models import (
    AgeRule,
    Booking,
    Invite,
    Programme,
    RosterEntry,
    RosterImport,
    Slot,
    SlotTemplate,
    Venue,
    WaitlistEntry,
)
from organizers.personal_data import unseal
from organizers.services.booking.rows import voucher_code_canonical
from organizers.services.eligibility.proof_limits import (
    proof_attempt_release,
    proof_attempt_reserve,
)
from tenants.errors import NotFoundError


def _not_found() -> NotFoundError:
    return NotFoundError(_("Page not found."))


def access_booking_by_voucher(
    *, voucher_code: str, date_of_birth: dt.date, address: str
) -> Booking:
    """The booking, or NotFoundError; TooManyAttemptsError (429) after too many wrong tries
    for this voucher or from this address (organizers.services.eligibility.proof_limits). A
    code that cannot be a voucher code is not found without being counted or looked up."""
    code = voucher_code_canonical(voucher_code)
    if code is None:
        raise _no_such_voucher()
    proof_attempt_reserve(voucher_code=code, address=address)
    booking = (
        Booking.objects.select_related("slot__venue", "programme").filter(voucher_code=code).first()
    )
    if booking is not None:
        stored = unseal(booking.date_of_birth_sealed, field="date_of_birth")
        if hmac.compare_digest(stored, date_of_birth.isoformat()):
            proof_attempt_release(voucher_code=code, address=address)
            return booking
    raise _no_such_voucher()


def _no_such_voucher() -> NotFoundError:
    return NotFoundError(
        _("No booking has this voucher code and date of birth. Check both against the e-voucher."),
        code="booking_not_found",
    )


def access_booking_by_id(*, booking_id: int, proven_ids: Collection[int]) -> Booking:
    """A booking this browser proved it may manage (`proven_ids`: what its session holds for
    this organiser), with its slot, venue and programme."""
    if booking_id not in proven_ids:
        raise _not_found()
    booking = (
        Booking.objects.select_related("slot__venue", "programme").filter(id=booking_id).first()
    )
    if booking is None:
        raise _not_found()
    return booking


def access_bookings_by_ids(*, booking_ids: Collection[int]) -> list[Booking]:
    """The bookings this browser has just made (`booking_ids`: from its session), in the order
    they were made, with slot, venue and programme; the ids that do not exist are left out."""
    return list(
        Booking.objects.select_related("slot__venue", "programme")
        .filter(id__in=list(booking_ids))
        .order_by("id")
    )


def access_waitlist_entry_by_id(*, entry_id: int) -> WaitlistEntry:
    """A waitlist entry this browser just created (the id comes from its session)."""
    entry = WaitlistEntry.objects.select_related("venue", "programme").filter(id=entry_id).first()
    if entry is None:
        raise _not_found()
    return entry


def access_venue_by_id(*, venue_id: int) -> Venue:
    venue = Venue.objects.filter(id=venue_id).first()
    if venue is None:
        raise _not_found()
    return venue


def access_slot_template_by_id(*, venue_id: int, template_id: int) -> SlotTemplate:
    """A venue's schedule: one named under another venue's URL is not found."""
    template = (
        SlotTemplate.objects.select_related("venue", "programme").filter(id=template_id).first()
    )
    if template is None:
        raise _not_found()
    if template.venue_id != venue_id:
        raise _not_found()
    return template


def access_slot_by_id(*, slot_id: int) -> Slot:
    slot = Slot.objects.select_related("venue", "programme").filter(id=slot_id).first()
    if slot is None:
        raise _not_found()
    return slot


def access_programme_by_id(*, programme_id: int, kind: str | None = None) -> Programme:
    """A programme; with `kind`, only one of that kind (a company programme's roster and invite
    pages do not exist for a public programme)."""
    programme = Programme.objects.filter(id=programme_id).first()
    if programme is None:
        raise _not_found()
    if kind is not None and programme.kind != kind:
        raise _not_found()
    return programme


def access_age_rule_by_id(*, programme: Programme, rule_id: int) -> AgeRule:
    rule = AgeRule.objects.filter(id=rule_id).first()
    if rule is None:
        raise _not_found()
    if rule.programme_id != programme.id:
        raise _not_found()
    return rule


def access_roster_entry_by_id(*, programme: Programme, entry_id: int) -> RosterEntry:
    entry = RosterEntry.objects.filter(id=entry_id).first()
    if entry is None:
        raise _not_found()
    if entry.programme_id != programme.id:
        raise _not_found()
    return entry


def access_roster_import_by_id(*, programme: Programme, import_id: int) -> RosterImport:
    roster_import = RosterImport.objects.filter(id=import_id).first()
    if roster_import is None:
        raise _not_found()
    if roster_import.programme_id != programme.id:
        raise _not_found()
    return roster_import


def access_invite_by_id(*, programme: Programme, invite_id: int) -> Invite:
    invite = Invite.objects.filter(id=invite_id).first()
    if invite is None:
        raise _not_found()
    if invite.programme_id != programme.id:
        raise _not_found()
    return invite
