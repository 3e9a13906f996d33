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

The rush path (a public programme whose age rules admit the person) asks `public_age_bands`,
which keeps the answer per process for ELIGIBILITY_FACTS_SECONDS (5 s): no query per booking.
The services that change a programme's kind or its age rules (programme_update, age_rule_create,
age_rule_delete) forget the answer in this process once they commit; other processes see the
change within those seconds.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from common.process_cache import ProcessCache
from organizers.db import fetch_one_prepared
from organizers.models import AgeRule, Booking, Invite, Programme, RosterEntry
from organizers.personal_data import person_key
from organizers.services.capacity import BookingRefusedError, Person
from tenants.context import require_current_tenant
from tenants.errors import ApplicationError, NotFoundError


class EligibilityRefusedError(BookingRefusedError):
    """409: the person may not book this programme (code says why; message says what to do)."""


@dataclass(frozen=True)
class EligibilityClaim:
    """What the booking uses: the invite to mark used once the booking exists. `by_email_domain`:
    only the email domain admits the person (the address must be proven before booking)."""

    invite_id: int | None = None
    by_email_domain: bool = False


# --- Facts cached per process (the rush path) -------------------------------------------------


@dataclass(frozen=True, slots=True)
class AgeBand:
    """An age rule of a public programme, as the rush paths keep it."""

    min_age: int
    max_age: int | None
    opens_on: dt.date

    def holds(self, age: int) -> bool:
        return self.min_age <= age and (self.max_age is None or age <= self.max_age)


# (tenant uid, programme id) -> the age bands of a public programme (empty: open to everyone),
# or None for a company programme; each kept ELIGIBILITY_FACTS_SECONDS. The services that change
# what is kept (a programme's kind, its age rules) forget it once they commit
# (programme_facts_forget_after_commit); other processes see the change within those seconds.
_facts: ProcessCache[tuple[AgeBand, ...] | None] = ProcessCache(max_size=20_000)


def facts_seconds() -> float:
    return float(getattr(settings, "ELIGIBILITY_FACTS_SECONDS", 5))


def programme_facts_kept(
    *, tenant_uid: object, programme_id: int
) -> tuple[float, tuple[AgeBand, ...] | None] | None:
    """What this process learnt lately of a programme (public_age_bands): (the seconds it is
    still kept, the age bands of a public programme or None for a company programme); None when
    not known lately. Never queries: the rush front books on its own only with these; anything
    else takes the full path, which looks the programme up again."""
    kept = _facts.get_with_seconds_left((str(tenant_uid), programme_id))
    if kept is None:
        return None
    bands, left = kept
    return (left, bands) if left > 0 else None


def programme_facts_known(*, tenant_uid: object, programme_id: int) -> bool:
    """Whether this process learnt lately what kind of programme this is (and its age rules)."""
    return programme_facts_kept(tenant_uid=tenant_uid, programme_id=programme_id) is not None


# What public_age_bands learns, in one prepared statement (the rush front runs it too, on its
# own connections): the programme's kind and its age rules, oldest release first.
PROGRAMME_FACTS_SQL = """
SELECT p.kind::text,
       coalesce(json_agg(json_build_array(r.min_age, r.max_age, r.opens_on)
                         ORDER BY r.opens_on, r.id) FILTER (WHERE r.id IS NOT NULL),
                '[]')::text
  FROM organizers_programme p
  LEFT JOIN organizers_agerule r ON r.programme_id = p.id
 WHERE p.id = %(programme_id)s
 GROUP BY p.id
"""


def programme_facts_learnt(
    *, tenant_uid: object, programme_id: int, row: tuple | None
) -> tuple[AgeBand, ...] | None:
    """Keep what PROGRAMME_FACTS_SQL returned for a programme in this process for
    ELIGIBILITY_FACTS_SECONDS, and return its age bands (see public_age_bands). No row (no
    such programme) is not kept."""
    if row is None:
        return None
    kind, rules = row
    bands = None
    if kind == Programme.Kind.PUBLIC:
        bands = tuple(
            AgeBand(min_age, max_age, dt.date.fromisoformat(opens_on))
            for min_age, max_age, opens_on in json.loads(rules)
        )
    _facts.put((str(tenant_uid), programme_id), bands, seconds=facts_seconds())
    return bands


def public_age_bands(programme_id: int) -> tuple[AgeBand, ...] | None:
    """The age bands of an existing public programme (empty: open to everyone); None for a
    company programme or no programme. Kept per process for ELIGIBILITY_FACTS_SECONDS."""
    tenant_uid = require_current_tenant().uid
    kept = programme_facts_kept(tenant_uid=tenant_uid, programme_id=programme_id)
    if kept is not None:
        return kept[1]
    row = fetch_one_prepared(PROGRAMME_FACTS_SQL, {"programme_id": programme_id})
    return programme_facts_learnt(tenant_uid=tenant_uid, programme_id=programme_id, row=row)


def programme_is_open_to_everyone(programme_id: int) -> bool:
    """An existing public programme without age rules: no eligibility to check."""
    return public_age_bands(programme_id) == ()


def age_bands_admit(bands: tuple[AgeBand, ...], date_of_birth: dt.date, today: dt.date) -> bool:
    """Whether a public programme's age rules let this person book today: no rules, or a rule
    that holds their age and is open (each age group from its own release day)."""
    if not bands:
        return True
    age = age_on(date_of_birth, today)
    return any(band.holds(age) and band.opens_on <= today for band in bands)


def eligibility_facts_forget() -> None:
    """Forget every programme's facts in this process (tests; a process that must start cold)."""
    _facts.clear()


def programme_facts_forget_after_commit(*, programme_id: int) -> None:
    """Forget what this process keeps of a programme of the current tenant once the current
    transaction commits (at once outside one): for the services that change a programme's kind
    or its age rules. After the commit, not before: a booking in between would learn the old
    rules again from the database and keep them. Tenant schema."""
    key = (str(require_current_tenant().uid), programme_id)
    transaction.on_commit(lambda: _facts.pop(key))


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


# --- Limits on refused checks (a roster is not an oracle) -----------------------------------

# Refusals that tell whether someone is on a roster, holds an invite or uses an allowed domain.
COUNTED_REFUSALS = frozenset(
    {
        "not_on_roster",
        "invite_invalid",
        "invite_used",
        "invite_other_person",
        "invite_required",
        "email_domain_not_allowed",
    }
)
REFUSALS_PER_ADDRESS = 10
REFUSALS_WINDOW_SECONDS = 15 * 60


def refusals_key(address: str, tenant_uid: object = None) -> str:
    return f"eligibility-refused:{tenant_uid or require_current_tenant().uid}:{address}"


def refusals_allowed(*, address: str) -> None:
    """Raise TooManyAttemptsError (429, `too_many_attempts`) once this client address was refused
    REFUSALS_PER_ADDRESS times by this organiser in the window. Global cache, keyed by tenant."""
    from django.core.cache import caches

    if (caches["global"].get(refusals_key(address)) or 0) >= REFUSALS_PER_ADDRESS:
        raise EligibilityAttemptsError()


def refusal_counted(*, address: str, code: str) -> None:
    if code not in COUNTED_REFUSALS:
        return
    from organizers.services.proof_limits import failure_count_add

    failure_count_add(refusals_key(address), window_seconds=REFUSALS_WINDOW_SECONDS)


class EligibilityAttemptsError(ApplicationError):
    status_code = 429

    def __init__(self) -> None:
        super().__init__(
            _(
                "Too many attempts that did not match the list of people who may book. Please "
                "try again in 15 minutes, or ask your employer (HR) for help."
            ),
            code="too_many_attempts",
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
    from organizers.services.invites import invite_find

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
        from organizers.services.invites import invite_find

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


def age_on(date_of_birth: dt.date, day: dt.date) -> int:
    years = day.year - date_of_birth.year
    if (day.month, day.day) < (date_of_birth.month, date_of_birth.day):
        years -= 1
    return years


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


# --- The organiser's settings -----------------------------------------------------------------

_DOMAIN = re.compile(r"^(?=.{4,100}$)([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,63}$")


def email_domains_clean(text: str | list[str]) -> list[str]:
    """Email domains as typed (one per line or comma separated, with or without "@"), lower-
    cased and deduplicated. Raises ApplicationError naming the ones that are not domains."""
    items = text.replace(",", "\n").split() if isinstance(text, str) else list(text)
    domains: list[str] = []
    bad: list[str] = []
    for item in items:
        domain = item.strip().lower().removeprefix("@").rstrip(".")
        if not domain:
            continue
        if not _DOMAIN.fullmatch(domain):
            bad.append(item.strip())
        elif domain not in domains:
            domains.append(domain)
    if bad:
        raise ApplicationError(
            _("These are not email domains: %(items)s. Write them like acme.co.id.")
            % {"items": ", ".join(bad[:10])},
            code="invalid_email_domain",
            extra={"allowed_email_domains": [_("Write domains like acme.co.id, one per line.")]},
        )
    if len(domains) > 50:
        raise ApplicationError(_("At most 50 email domains."), code="too_many_email_domains")
    return domains


def programme_eligibility_update(
    *,
    programme: Programme,
    uses_roster: bool,
    uses_invites: bool,
    allowed_email_domains: str | list[str],
    quota: int | None,
    asks_employee_number: bool,
) -> Programme:
    """Who may book a company programme. Tenant schema."""
    if programme.kind != Programme.Kind.COMPANY:
        raise ApplicationError(
            _("Only a company programme has a roster, invites and a quota."),
            code="company_only",
        )
    if quota is not None and quota < 1:
        raise ApplicationError(
            _("The quota is at least 1 person; leave it empty for no limit."),
            code="invalid_quota",
            extra={"quota": [_("At least 1, or empty for no limit.")]},
        )
    programme.uses_roster = uses_roster
    programme.uses_invites = uses_invites
    programme.allowed_email_domains = email_domains_clean(allowed_email_domains)
    programme.quota = quota
    programme.asks_employee_number = asks_employee_number
    programme.save(
        update_fields=[
            "uses_roster",
            "uses_invites",
            "allowed_email_domains",
            "quota",
            "asks_employee_number",
        ]
    )
    return programme


def age_rule_create(
    *, programme: Programme, min_age: int, max_age: int | None, opens_on: dt.date
) -> AgeRule:
    """A group of a public programme: people aged min_age..max_age book from opens_on. Tenant
    schema; once the transaction commits, this process forgets the programme's kept facts."""
    if programme.kind != Programme.Kind.PUBLIC:
        raise ApplicationError(_("Age rules are for public programmes."), code="public_only")
    if min_age > 130 or (max_age is not None and max_age > 130):
        raise ApplicationError(
            _("Check the ages."), code="invalid_age", extra={"min_age": [_("Check the ages.")]}
        )
    if max_age is not None and max_age < min_age:
        raise ApplicationError(
            _("The upper age must not be below the lower age."),
            code="invalid_age_range",
            extra={"max_age": [_("Must not be below the lower age.")]},
        )
    rule = AgeRule.objects.create(
        programme=programme, min_age=min_age, max_age=max_age, opens_on=opens_on
    )
    programme_facts_forget_after_commit(programme_id=programme.id)
    return rule


def age_rule_delete(*, programme: Programme, rule_id: int) -> None:
    """Remove an age group (NotFoundError: not this programme's). Tenant schema; once the
    transaction commits, this process forgets the programme's kept facts."""
    rule = AgeRule.objects.filter(programme=programme, id=rule_id).first()
    if rule is None:
        raise NotFoundError()
    rule.delete()
    programme_facts_forget_after_commit(programme_id=programme.id)
