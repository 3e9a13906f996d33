"""Who may book a programme. Tenant schema.

Company programme: people on the roster, holders of an unused invite, or email addresses in an
allowed domain, up to the quota. Public programme: the age rules, each from its release date.
A refusal says why and what to do (EligibilityRefusedError, a 409 with a code), in the
person's language.

`eligibility_claim` runs inside the booking's transaction: for a company programme with a quota
it locks the programme row (SELECT ... FOR UPDATE) and counts the people holding an active
booking, so two bookers cannot both take the last place. `eligibility_booked` then marks the
invite used by the new booking with a guarded UPDATE (two concurrent uses: one wins, the other
is refused and its booking rolled back with the transaction).

What the rush path keeps per process is in facts.py; the counting of refused checks per client
address in attempts.py; the organiser's settings in programme_rules.py.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from organizers.models import AgeRule, Booking, Invite, Programme, RosterEntry
from organizers.personal_data import person_key
from organizers.services.booking.person import Person
from organizers.services.booking.refusals import BookingRefusedError
from organizers.services.eligibility.attempts import refusal_counted, refusals_allowed
from organizers.services.eligibility.facts import (
    AgeBand,
    age_bands_admit,
    age_on,
    programme_is_open_to_everyone,
)
from tenants.context import require_current_tenant


class EligibilityRefusedError(BookingRefusedError):
    """409: the person may not book this programme (code says why; message says what to do)."""


@dataclass(frozen=True)
class EligibilityClaim:
    """What the booking uses: the invite to mark used once the booking exists. `by_email_domain`:
    only the email domain admits the person (the address must be proven before booking)."""

    invite_id: int | None = None
    by_email_domain: bool = False


# --- The rules --------------------------------------------------------------------------------


def _organiser_name() -> str:
    return require_current_tenant().name


def _refuse(code: str, message: str) -> EligibilityRefusedError:
    return EligibilityRefusedError(message, code=code)


def _email_domain(email: str) -> str:
    return email.rpartition("@")[2].strip().lower() if "@" in email else ""


def _not_on_roster(programme: Programme) -> EligibilityRefusedError:
    if programme.asks_employee_number:
        message = _(
            "Your NIK and employee number are not on %(organiser)s's employee list for this "
            "programme. Check that you typed the NIK on your KTP and the employee number on your "
            "staff card, or ask HR to add you to the list."
        )
    else:
        message = _(
            "Your NIK is not on %(organiser)s's employee list for this programme. Check that "
            "you typed the NIK on your KTP, or ask HR to add you to the list."
        )
    return _refuse("not_on_roster", message % {"organiser": _organiser_name()})


def _normalised_domains(domains: list[str]) -> set[str]:
    return {d.strip().lower().lstrip("@") for d in domains if d.strip()}


def _same_employee_number(given: str, on_roster: str) -> bool:
    return given.strip().casefold() == on_roster.strip().casefold()


def eligibility_claim(
    *,
    programme: Programme,
    person: Person,
    invite_token: str | None,
    now: dt.datetime,
    email_verified: bool = False,
) -> EligibilityClaim:
    """Check that `person` may book `programme`, inside the booking's transaction, and claim
    what the booking uses (an invite, a place in the quota). Raises EligibilityRefusedError.
    Someone admitted only by their email domain is refused (`email_verification_required`)
    unless the caller proved they own the address (`email_verified`, the booking pages' code).
    The refusal's message is in the person's language."""
    with translation.override(person.language or translation.get_language()):
        if programme.kind == Programme.Kind.COMPANY:
            key = person_key(person.nik)
            claim = _company_admits(
                programme=programme, person=person, key=key, invite_token=invite_token
            )
            if claim.by_email_domain and not email_verified:
                raise email_verification_required()
            if programme.quota is not None:
                quota_claim(programme=programme, key=key)
            return claim
        _age_rules_admit(programme=programme, person=person, now=now)
        return EligibilityClaim()


def eligibility_check(
    *,
    programme_id: int,
    person: Person,
    invite_token: str | None = None,
    now: dt.datetime | None = None,
    address: str | None = None,
) -> EligibilityClaim:
    """The same rules without claiming anything (no lock, nothing written): for a booking page
    that wants to refuse early, or joining a waitlist. Raises EligibilityRefusedError. The
    claim says whether only the email domain admits the person. With `address`, refusals are
    counted per client address (TooManyAttemptsError beyond the limit, without checking)."""
    if programme_is_open_to_everyone(programme_id):
        return EligibilityClaim()
    programme = Programme.objects.filter(id=programme_id).first()
    if programme is None:
        return EligibilityClaim()
    now = now or timezone.now()
    if address is not None:
        refusals_allowed(address=address)
    try:
        with translation.override(person.language or translation.get_language()):
            if programme.kind != Programme.Kind.COMPANY:
                _age_rules_admit(programme=programme, person=person, now=now)
                return EligibilityClaim()
            key = person_key(person.nik)
            claim = _company_admits(
                programme=programme, person=person, key=key, invite_token=invite_token
            )
            if programme.quota is not None:
                _quota_check(programme=programme, key=key)
            return claim
    except EligibilityRefusedError as exc:
        if address is not None:
            refusal_counted(address=address, code=exc.code)
        raise


def email_verification_required() -> EligibilityRefusedError:
    return _refuse(
        "email_verification_required",
        _(
            "This programme admits you by your work email address, which must first be "
            "confirmed with a code sent to it. Please book on %(organiser)s's booking pages "
            "(the website), where the code is sent."
        )
        % {"organiser": _organiser_name()},
    )


def _company_admits(
    *, programme: Programme, person: Person, key: str, invite_token: str | None
) -> EligibilityClaim:
    domains = _normalised_domains(programme.allowed_email_domains)
    if not (programme.uses_roster or programme.uses_invites or domains):
        raise _refuse(
            "programme_closed_to_public",
            _(
                "This programme is only for people chosen by %(organiser)s, and nobody can book "
                "it yet. Ask your employer (HR) how to register."
            )
            % {"organiser": _organiser_name()},
        )
    roster_problem: EligibilityRefusedError | None = None
    if programme.uses_roster:
        entry = RosterEntry.objects.filter(programme=programme, person_key=key).first()
        if entry is not None:
            if (
                not programme.asks_employee_number
                or not entry.employee_number
                or _same_employee_number(person.employee_number, entry.employee_number)
            ):
                return EligibilityClaim()
            # The same answer as for a NIK not on the list: a different one would tell a
            # stranger which NIKs are on the roster.
            roster_problem = _not_on_roster(programme)
    invite_problem: EligibilityRefusedError | None = None
    if programme.uses_invites:
        admitted, invite_problem = _invite_admits(
            programme=programme, person=person, key=key, invite_token=invite_token
        )
        if admitted is not None:
            return admitted
    if domains and _email_domain(person.email) in domains:
        return EligibilityClaim(by_email_domain=True)
    # Refused: say the most specific reason, and what to do.
    if invite_problem is not None:
        raise invite_problem
    if roster_problem is not None:
        raise roster_problem
    if programme.uses_roster:
        raise _not_on_roster(programme)
    if domains:
        raise _refuse(
            "email_domain_not_allowed",
            _(
                "This programme is for email addresses ending in %(domains)s. Book with your "
                "work email address, or ask your employer (HR) for help."
            )
            % {"domains": ", ".join(f"@{d}" for d in sorted(domains))},
        )
    raise _refuse(
        "invite_required",
        _(
            "This programme is by invitation only. Open the link in the invitation email from "
            "%(organiser)s, or ask HR to send you one."
        )
        % {"organiser": _organiser_name()},
    )


def _invite_admits(
    *, programme: Programme, person: Person, key: str, invite_token: str | None
) -> tuple[EligibilityClaim | None, EligibilityRefusedError | None]:
    """(claim, None) when an invite admits the person, (None, why not) when the token they
    brought does not, (None, None) when they brought none and no earlier invite admits them."""
    from organizers.services.eligibility.invites import invite_find

    if invite_token:
        invite = invite_find(invite_token)
        if invite is None or invite.programme_id != programme.id or invite.revoked_at:
            return None, _refuse(
                "invite_invalid",
                _(
                    "This invite link is not valid (it may have been withdrawn). Ask the person "
                    "who invited you for a new link."
                ),
            )
        if invite.used_at is not None:
            if (
                invite.booking_id is not None
                and Booking.objects.filter(id=invite.booking_id, person_key=key).exists()
            ):
                return EligibilityClaim(), None  # their own invite: later doses
            return None, _refuse(
                "invite_used",
                _(
                    "This invite link has already been used for a booking, and a link works "
                    "only once. If that was not you, ask the person who invited you for a new link."
                ),
            )
        if invite.email.lower() != (person.email or "").strip().lower():
            return None, _refuse(
                "invite_other_person",
                _(
                    "This invite link was sent to another email address. Enter the email address "
                    "the invitation was sent to, or ask for your own invite."
                ),
            )
        return EligibilityClaim(invite_id=invite.id), None
    # No link: someone an invite already admitted may book their next dose.
    used_by_them = Invite.objects.filter(
        programme=programme, used_at__isnull=False, booking__person_key=key
    ).exists()
    return (EligibilityClaim(), None) if used_by_them else (None, None)


def quota_claim(*, programme: Programme, key: str) -> None:
    """Lock the programme row, then count: the lock makes the count and the booking that follows
    one step for concurrent bookers of this programme. FOR NO KEY UPDATE: it serialises quota
    claims without blocking the foreign-key checks of other inserts (a waitlist offer being
    accepted), which would otherwise risk a deadlock."""
    Programme.objects.select_for_update(no_key=True).filter(id=programme.id).values_list(
        "id"
    ).first()
    _quota_check(programme=programme, key=key)


def _quota_check(*, programme: Programme, key: str) -> None:
    if programme.quota is None:
        return
    active = Booking.objects.filter(programme=programme, status=Booking.Status.ACTIVE)
    if active.filter(person_key=key).exists():
        return  # already counted (e.g. booking their second dose)
    people = active.values("person_key").distinct().count()
    if people >= programme.quota:
        raise _refuse(
            "company_quota_full",
            _(
                "All %(quota)d places in this programme are taken. Ask your employer (HR) whether "
                "more places will be added."
            )
            % {"quota": programme.quota},
        )


def eligibility_booked(
    *, booking: Booking, invite_token: str | None, claim: EligibilityClaim | None = None
) -> None:
    """After the booking row exists, in the same transaction: mark the invite used by it. The
    UPDATE only takes an unused, unrevoked invite: of two concurrent uses, the second finds it
    used and is refused (its transaction, booking included, is rolled back)."""
    invite_id = claim.invite_id if claim is not None else None
    if claim is None and invite_token:
        from organizers.services.eligibility.invites import invite_find

        invite = invite_find(invite_token)
        if invite is not None and invite.programme_id == booking.programme_id:
            invite_id = invite.id
    if invite_id is None:
        return
    taken = Invite.objects.filter(
        id=invite_id, used_at__isnull=True, revoked_at__isnull=True
    ).update(used_at=timezone.now(), booking=booking)
    if not taken:
        with translation.override(booking.language or translation.get_language()):
            raise _refuse(
                "invite_used",
                _(
                    "This invite link has already been used for a booking, and a link works "
                    "only once. If that was not you, ask the person who invited you for a new link."
                ),
            )


# --- Age rules --------------------------------------------------------------------------------


def age_group_label(rule: AgeRule) -> str:
    if rule.max_age is None:
        return _("%(min)d and older") % {"min": rule.min_age}
    if rule.min_age == 0:
        return _("up to %(max)d") % {"max": rule.max_age}
    return f"{rule.min_age}\u2013{rule.max_age}"  # en dash


def _day(value: dt.date) -> str:
    return formats.date_format(value, "j F Y")


def _age_rules_admit(*, programme: Programme, person: Person, now: dt.datetime) -> None:
    rules = list(programme.age_rules.all())
    bands = [AgeBand(r.min_age, r.max_age, r.opens_on) for r in rules]
    today = timezone.localdate(now)
    if age_bands_admit(tuple(bands), person.date_of_birth, today):
        return
    age = age_on(person.date_of_birth, today)
    matching = [rule for rule, band in zip(rules, bands, strict=True) if band.holds(age)]
    if matching:
        first = min(matching, key=lambda r: r.opens_on)
        raise _refuse(
            "age_group_not_open_yet",
            _(
                "Bookings for people aged %(group)s open on %(day)s. Please come back on that "
                "day to book."
            )
            % {"group": age_group_label(first), "day": _day(first.opens_on)},
        )
    groups = "; ".join(
        _("%(group)s from %(day)s") % {"group": age_group_label(r), "day": _day(r.opens_on)}
        for r in rules
    )
    raise _refuse(
        "age_not_eligible",
        _(
            "This programme is for people aged %(groups)s. At %(age)d you cannot book it; check "
            "the date of birth you entered, or ask %(organiser)s about other programmes."
        )
        % {"groups": groups, "age": age, "organiser": _organiser_name()},
    )
