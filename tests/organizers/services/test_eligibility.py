"""Who may book: company programmes (roster, invites, email domains, quota) and public ones
(age rules with release dates). Every refusal is a 409 with a code and a message that says why
and what to do, in the person's language; nothing is written."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from organizers.models import AgeRule, Booking, Invite, Message, Programme, RosterEntry, Slot
from organizers.personal_data import person_key, seal
from organizers.services.bookings import booking_place
from organizers.services.capacity import Person
from organizers.services.eligibility import (
    AgeBand,
    EligibilityRefusedError,
    age_on,
    age_rule_create,
    age_rule_delete,
    eligibility_check,
    eligibility_facts_forget,
    programme_facts_kept,
    public_age_bands,
)
from organizers.services.invites import invite_token, invites_create
from organizers.services.programmes import programme_update
from tenants.context import require_current_tenant, tenant_scope
from tenants.models import Tenant
from tests.conftest import OrganizerFixture
from tests.organizers.concurrency import run_at_once
from tests.organizers.factories import (
    a_person,
    a_programme,
    a_slot,
    a_valid_nik,
    a_venue,
)


def a_company(**fields: object) -> Programme:
    return a_programme(name="Vaksinasi Karyawan", kind="company", **fields)


def _on_roster(programme: Programme, person: Person, employee_number: str = "") -> RosterEntry:
    return RosterEntry.objects.create(
        programme=programme,
        person_key=person_key(person.nik),
        nik_sealed=seal(person.nik, field="nik"),
        full_name=person.full_name,
        employee_number=employee_number,
    )


def _state(slot: Slot) -> tuple[int, int, int]:
    slot.refresh_from_db()
    return slot.booked, Booking.objects.count(), Message.objects.count()


def _refused(code: str, slot: Slot, person: Person, language: str = "en", **kwargs: object) -> str:
    """Book and expect a refusal with `code`: nothing written. Returns the message."""
    before = _state(slot)
    person = Person(**{**person.__dict__, "language": language})
    with pytest.raises(EligibilityRefusedError) as refused:
        booking_place(
            programme_id=slot.programme_id, slot_id=slot.id, dose=1, person=person, **kwargs
        )  # type: ignore[arg-type]
    assert refused.value.code == code
    assert refused.value.status_code == 409
    assert _state(slot) == before
    return str(refused.value.message)


def _book(slot: Slot, person: Person, dose: int = 1, **kwargs: object) -> Booking:
    return booking_place(
        programme_id=slot.programme_id, slot_id=slot.id, dose=dose, person=person, **kwargs
    )  # type: ignore[arg-type]


# --- Company programmes -----------------------------------------------------------------------


def test_a_company_programme_with_no_way_in_admits_nobody(alpha: OrganizerFixture) -> None:
    slot = a_slot(venue=a_venue(), programme=a_company())
    message = _refused("programme_closed_to_public", slot, a_person())
    assert "Ask your employer" in message


def test_roster_admits_the_people_on_it_only(alpha: OrganizerFixture) -> None:
    programme = a_company(uses_roster=True)
    slot = a_slot(venue=a_venue(), programme=programme)
    employee, outsider = a_person(), a_person(name="Orang Luar")
    _on_roster(programme, employee)

    message = _refused("not_on_roster", slot, outsider)
    assert "not on Alpha Clinic's employee list" in message
    assert "ask HR" in message
    indonesian = _refused("not_on_roster", slot, outsider, language="id")
    assert "HR" in indonesian
    assert indonesian != message

    booking = _book(slot, employee)
    assert booking.status == "active"


def test_the_employee_number_must_match_when_the_programme_asks_for_it(
    alpha: OrganizerFixture,
) -> None:
    programme = a_company(uses_roster=True, asks_employee_number=True)
    slot = a_slot(venue=a_venue(), programme=programme)
    employee = a_person(employee_number="EMP-0001")
    _on_roster(programme, employee, employee_number="emp-0001")

    wrong = Person(**{**employee.__dict__, "employee_number": "EMP-9999"})
    stranger = a_person(employee_number="EMP-9999")
    message = _refused("not_on_roster", slot, wrong)
    # A wrong number gets the same answer as a NIK not on the list: no roster oracle.
    assert message == _refused("not_on_roster", slot, stranger)
    assert "employee number" in message

    assert _book(slot, employee).employee_number == "EMP-0001"  # case does not matter


def test_an_invite_works_once_and_only_for_its_invitee(alpha: OrganizerFixture) -> None:
    programme = a_company(uses_invites=True)
    slot = a_slot(venue=a_venue(), programme=programme)
    (invite,) = invites_create(programme, "Siti@Example.id")
    token = invite_token(invite)
    siti = a_person(email="siti@example.id")
    someone = a_person(name="Budi", email="budi@example.id")

    assert "invitation" in _refused("invite_required", slot, siti)  # no link
    _refused("invite_other_person", slot, someone, invite_token=token)
    _refused("invite_invalid", slot, siti, invite_token="x" * 32)

    booking = _book(slot, siti, invite_token=token)

    invite.refresh_from_db()
    assert invite.used_at is not None
    assert invite.booking_id == booking.id
    # The link is spent: nobody else, not even with the invitee's email, can use it again.
    other_with_same_email = a_person(name="Penyusup", email="siti@example.id")
    message = _refused("invite_used", slot, other_with_same_email, invite_token=token)
    assert "only once" in message


def test_a_revoked_invite_is_refused(alpha: OrganizerFixture) -> None:
    from organizers.services.invites import invite_revoke

    programme = a_company(uses_invites=True)
    slot = a_slot(venue=a_venue(), programme=programme)
    (invite,) = invites_create(programme, ["siti@example.id"])
    invite_revoke(programme, invite.id)

    _refused("invite_invalid", slot, a_person(), invite_token=invite_token(invite))


def test_the_invitee_books_the_second_dose_without_a_new_link(alpha: OrganizerFixture) -> None:
    programme = a_company(uses_invites=True, quota=1)
    venue = a_venue()
    first = a_slot(venue=venue, programme=programme)
    second = a_slot(venue=venue, programme=programme, starts_in=dt.timedelta(days=30))
    (invite,) = invites_create(programme, ["siti@example.id"])
    siti = a_person()

    _book(first, siti, invite_token=invite_token(invite))
    booking = _book(second, siti, dose=2)  # her invite admitted her; the quota counts her once

    assert booking.dose == 2


def test_email_domains_match_exactly_and_ignore_case(alpha: OrganizerFixture) -> None:
    programme = a_company(allowed_email_domains=["Acme.co.id"])
    slot = a_slot(venue=a_venue(), programme=programme)

    for email in ("siti@mail.acme.co.id", "siti@acme.co.id.evil.test", "siti@example.id", ""):
        message = _refused("email_domain_not_allowed", slot, a_person(email=email))
        assert "@acme.co.id" in message
    siti = a_person(email="Siti@ACME.co.id")
    _refused("email_verification_required", slot, siti)  # nobody proved the address is hers
    assert _book(slot, siti, email_verified=True).status == "active"


def test_the_quota_counts_people_not_bookings(alpha: OrganizerFixture) -> None:
    programme = a_company(allowed_email_domains=["acme.co.id"], quota=2)
    venue = a_venue()
    first = a_slot(venue=venue, programme=programme)
    second = a_slot(venue=venue, programme=programme, starts_in=dt.timedelta(days=30))
    people = [a_person(name=f"Karyawan {i}", email=f"k{i}@acme.co.id") for i in range(3)]
    _book(first, people[0], email_verified=True)
    _book(first, people[1], email_verified=True)

    message = _refused("company_quota_full", first, people[2], email_verified=True)
    assert "2 places" in message

    assert _book(second, people[0], dose=2, email_verified=True).dose == 2  # already counted
    Booking.objects.filter(full_name="Karyawan 1").update(status="cancelled")
    assert _book(first, people[2], email_verified=True).status == "active"  # a place freed


# --- Public programmes ------------------------------------------------------------------------


def test_a_public_programme_without_age_rules_admits_everyone(alpha: OrganizerFixture) -> None:
    slot = a_slot(venue=a_venue(), programme=a_programme())
    young = a_person(date_of_birth=dt.date(2008, 1, 1))
    assert _book(slot, young).status == "active"


def test_age_rules_open_by_group_and_say_when(alpha: OrganizerFixture) -> None:
    programme = a_programme()
    today = timezone.localdate()
    AgeRule.objects.create(programme=programme, min_age=60, opens_on=today - dt.timedelta(days=1))
    AgeRule.objects.create(
        programme=programme, min_age=18, max_age=59, opens_on=dt.date(today.year + 1, 7, 5)
    )
    slot = a_slot(venue=a_venue(), programme=programme)
    elder = a_person(date_of_birth=dt.date(today.year - 70, 1, 1))
    adult = a_person(name="Budi", date_of_birth=dt.date(today.year - 30, 1, 1))
    child = a_person(name="Ani", date_of_birth=dt.date(today.year - 10, 1, 1))

    message = _refused("age_group_not_open_yet", slot, adult)
    assert message == (
        f"Bookings for people aged 18\u201359 open on 5 July {today.year + 1}. Please come back "
        "on that day to book."
    )
    assert "Juli" in _refused("age_group_not_open_yet", slot, adult, language="id")
    message = _refused("age_not_eligible", slot, child)
    assert "60 and older" in message
    assert "At 10 you cannot book" in message

    assert _book(slot, elder).status == "active"


def test_age_is_counted_on_the_booking_day() -> None:
    assert age_on(dt.date(1966, 3, 14), dt.date(2026, 3, 13)) == 59
    assert age_on(dt.date(1966, 3, 14), dt.date(2026, 3, 14)) == 60
    assert age_on(dt.date(1964, 2, 29), dt.date(2024, 2, 28)) == 59


def test_eligibility_check_refuses_without_writing(alpha: OrganizerFixture) -> None:
    programme = a_company(uses_roster=True)
    with pytest.raises(EligibilityRefusedError) as refused:
        eligibility_check(programme_id=programme.id, person=a_person())
    assert refused.value.code == "not_on_roster"
    eligibility_check(programme_id=a_programme().id, person=a_person())  # public: fine


def test_the_open_programme_answer_is_forgotten_when_rules_change(
    alpha: OrganizerFixture, django_capture_on_commit_callbacks: Callable
) -> None:
    programme = a_programme()
    slot = a_slot(venue=a_venue(), programme=programme, capacity=5)
    _book(slot, a_person(name="Pertama", date_of_birth=dt.date(2000, 1, 1)))  # cached: open
    with django_capture_on_commit_callbacks(execute=True):
        age_rule_create(
            programme=programme, min_age=60, max_age=None, opens_on=timezone.localdate()
        )

    _refused("age_not_eligible", slot, a_person(date_of_birth=dt.date(2000, 1, 1)))
    eligibility_facts_forget()


# --- The facts kept per process: the services that change them forget them ---------------------

_SIXTY_UP = AgeBand(60, None, dt.date(2030, 7, 1))


def _kept(programme: Programme) -> tuple[AgeBand, ...] | None:
    """What this process keeps of the programme (None: nothing kept), without querying."""
    kept = programme_facts_kept(tenant_uid=require_current_tenant().uid, programme_id=programme.id)
    return None if kept is None else kept[1]


def test_adding_an_age_rule_is_seen_once_committed(
    alpha: OrganizerFixture, django_capture_on_commit_callbacks: Callable
) -> None:
    programme = a_programme()
    assert public_age_bands(programme.id) == ()  # learnt: open to everyone

    with django_capture_on_commit_callbacks() as on_commit:
        age_rule_create(programme=programme, min_age=60, max_age=None, opens_on=_SIXTY_UP.opens_on)
    assert _kept(programme) == ()  # until the commit, what was kept stays
    for callback in on_commit:
        callback()

    assert _kept(programme) is None
    assert public_age_bands(programme.id) == (_SIXTY_UP,)
    eligibility_facts_forget()


def test_removing_an_age_rule_is_seen(
    alpha: OrganizerFixture, django_capture_on_commit_callbacks: Callable
) -> None:
    programme = a_programme()
    rule = AgeRule.objects.create(programme=programme, min_age=60, opens_on=_SIXTY_UP.opens_on)
    assert public_age_bands(programme.id) == (_SIXTY_UP,)

    with django_capture_on_commit_callbacks(execute=True):
        age_rule_delete(programme=programme, rule_id=rule.id)

    assert public_age_bands(programme.id) == ()
    eligibility_facts_forget()


def test_changing_a_programmes_kind_is_seen(
    alpha: OrganizerFixture, django_capture_on_commit_callbacks: Callable
) -> None:
    programme = a_programme()
    assert public_age_bands(programme.id) == ()

    with django_capture_on_commit_callbacks(execute=True):
        programme_update(programme=programme, kind="company")
    assert public_age_bands(programme.id) is None  # a company programme: no age bands
    with django_capture_on_commit_callbacks(execute=True):
        programme_update(programme=programme, kind="public")

    assert public_age_bands(programme.id) == ()
    eligibility_facts_forget()


def test_a_change_that_leaves_the_facts_alone_keeps_them(
    alpha: OrganizerFixture, django_capture_on_commit_callbacks: Callable
) -> None:
    programme, other = a_programme(), a_programme(name="Lain")
    public_age_bands(programme.id)
    public_age_bands(other.id)

    with django_capture_on_commit_callbacks(execute=True):
        programme_update(programme=programme, name="Vaksinasi Lansia", is_active=False)
        age_rule_create(programme=other, min_age=60, max_age=None, opens_on=_SIXTY_UP.opens_on)

    assert _kept(programme) == ()  # neither its kind nor its age rules changed
    assert _kept(other) is None
    eligibility_facts_forget()


def test_no_signal_keeps_the_facts(alpha: OrganizerFixture) -> None:
    """The services forget explicitly: none of our code listens to programme or age-rule
    saves (django-tenants' own receiver of every delete is not about these facts)."""
    from django.db.models.signals import post_delete, post_save

    ours = ("organizers", "tenants", "api", "public_site", "booking_pages", "common", "config")
    for signal in (post_save, post_delete):
        for model in (Programme, AgeRule):
            sync, asynchronous = signal._live_receivers(model)
            modules = {receiver.__module__ for receiver in [*sync, *asynchronous]}
            assert not {m for m in modules if m.split(".")[0] in ours}, (signal, model)


def test_the_public_rush_path_costs_no_query_for_eligibility(
    alpha: OrganizerFixture, django_assert_max_num_queries: Callable
) -> None:
    programme = a_programme()
    slot = a_slot(venue=a_venue(), programme=programme, capacity=5)
    _book(slot, a_person(name="Pertama"))  # learns that the programme is open to everyone

    # One statement books (seat + booking + voucher message); the savepoint around it exists
    # only because the test runs inside a transaction.
    with django_assert_max_num_queries(3) as captured:
        _book(slot, a_person(name="Kedua", email=""))
    statements = [q["sql"] for q in captured.captured_queries if "SAVEPOINT" not in q["sql"]]
    assert len(statements) == 1
    assert statements[0].lstrip().startswith("WITH seat AS")


# --- Under concurrency ------------------------------------------------------------------------


def test_the_quota_holds_when_twelve_people_race_for_three_places(
    alpha_committed: Tenant,
) -> None:
    tenant = alpha_committed
    with tenant_scope(tenant):
        programme = a_company(allowed_email_domains=["acme.co.id"], quota=3)
        venue = a_venue()
        slots = [
            a_slot(
                venue=venue, programme=programme, capacity=10, starts_in=dt.timedelta(days=2 + i)
            )
            for i in range(2)
        ]
    people = [
        a_person(name=f"K{i}", email=f"k{i}@acme.co.id", nik=a_valid_nik()) for i in range(12)
    ]

    def book(index: int) -> str:
        with tenant_scope(tenant):
            _book(slots[index % 2], people[index], email_verified=True)
        return "booked"

    outcome = run_at_once(12, book)

    assert outcome == Counter({"booked": 3, "company_quota_full": 9})
    with tenant_scope(tenant):
        assert Booking.objects.filter(programme=programme, status="active").count() == 3
        assert sum(Slot.objects.filter(programme=programme).values_list("booked", flat=True)) == 3


def test_one_invite_used_by_two_tabs_at_once_books_once(alpha_committed: Tenant) -> None:
    tenant = alpha_committed
    with tenant_scope(tenant):
        programme = a_company(uses_invites=True)
        slot = a_slot(venue=a_venue(), programme=programme, capacity=10)
        (invite,) = invites_create(programme, ["siti@example.id"])
        token = invite_token(invite)
    # The same invitee, twice with different NIKs (e.g. a helper trying two family members).
    people = [a_person(name=f"Tab {i}", nik=a_valid_nik()) for i in range(6)]

    def book(index: int) -> str:
        with tenant_scope(tenant):
            _book(slot, people[index], invite_token=token)
        return "booked"

    outcome = run_at_once(6, book)

    assert outcome["booked"] == 1
    assert outcome["invite_used"] == 5
    with tenant_scope(tenant):
        assert Booking.objects.filter(programme=programme).count() == 1
        slot.refresh_from_db()
        assert slot.booked == 1
        used = Invite.objects.get(id=invite.id)
        assert used.booking_id == Booking.objects.get(programme=programme).id


# --- Security review fixes ----------------------------------------------------------------------


def test_an_email_domain_admits_only_with_a_proven_address_and_a_roster_needs_none(
    alpha: OrganizerFixture,
) -> None:
    programme = a_company(uses_roster=True, allowed_email_domains=["acme.co.id"])
    slot = a_slot(venue=a_venue(), programme=programme, capacity=5)
    employee = a_person(email="budi@acme.co.id")
    _on_roster(programme, employee)
    stranger = a_person(name="Orang Luar", nik=a_valid_nik(), email="x@acme.co.id")

    message = _refused("email_verification_required", slot, stranger)

    assert "booking pages" in message
    assert _book(slot, employee).status == "active"  # the roster admits: no proof asked
    assert not eligibility_check(programme_id=programme.id, person=employee).by_email_domain
    assert eligibility_check(programme_id=programme.id, person=stranger).by_email_domain


def test_refused_checks_are_limited_per_address_without_checking_beyond(
    alpha: OrganizerFixture,
) -> None:
    from django.core.cache import caches

    from organizers.services.eligibility import (
        REFUSALS_PER_ADDRESS,
        EligibilityAttemptsError,
        refusals_key,
    )

    caches["global"].delete_many([refusals_key("1.2.3.4"), refusals_key("5.6.7.8")])
    programme = a_company(uses_roster=True)
    slot = a_slot(venue=a_venue(), programme=programme)
    employee = a_person()
    _on_roster(programme, employee)
    for _ in range(REFUSALS_PER_ADDRESS):
        _refused("not_on_roster", slot, a_person(name="Luar", nik=a_valid_nik()), address="1.2.3.4")

    with pytest.raises(EligibilityAttemptsError) as limited:
        _book(slot, employee, address="1.2.3.4")  # on the roster, but the check is not run
    assert (limited.value.status_code, limited.value.code) == (429, "too_many_attempts")
    with pytest.raises(EligibilityAttemptsError):
        eligibility_check(programme_id=programme.id, person=employee, address="1.2.3.4")
    assert Booking.objects.count() == 0
    assert _book(slot, employee, address="5.6.7.8").status == "active"  # another address


def _waitlist_offer(programme: Programme, person: Person) -> tuple[str, Slot]:
    from organizers.models import WaitlistEntry
    from organizers.services import capacity

    venue = a_venue()
    slot = a_slot(venue=venue, programme=programme, capacity=1)
    seat = _book(
        slot,
        a_person(name="Pemegang", nik=a_valid_nik(), email="p@acme.co.id"),
        email_verified=True,
    )
    day = timezone.localdate(slot.starts_at, ZoneInfo(venue.time_zone))
    capacity.waitlist_join(
        programme_id=programme.id, venue_id=venue.id, day=day, dose=1, person=person
    )
    capacity.booking_cancel(booking_id=seat.id)
    entry = WaitlistEntry.objects.get(status="offered")
    return entry.offer_token, slot


def test_a_waitlist_offer_cannot_exceed_the_company_quota(alpha: OrganizerFixture) -> None:
    from organizers.models import WaitlistEntry
    from organizers.services.bookings import waitlist_offer_accept_checked

    programme = a_company(allowed_email_domains=["acme.co.id"], quota=1)
    waiting = a_person(name="Menunggu", nik=a_valid_nik(), email="w@acme.co.id", language="en")
    token, slot = _waitlist_offer(programme, waiting)
    other = a_slot(venue=a_venue(), programme=programme, starts_in=dt.timedelta(days=9))
    # The quota's one place is taken meanwhile.
    _book(
        other, a_person(name="Lain", nik=a_valid_nik(), email="l@acme.co.id"), email_verified=True
    )
    before = _state(slot)

    with pytest.raises(EligibilityRefusedError) as refused:
        waitlist_offer_accept_checked(token=token)

    assert refused.value.code == "company_quota_full"
    assert "All 1 places" in str(refused.value.message)
    assert _state(slot) == before  # the seat stays held, nothing booked
    assert WaitlistEntry.objects.get(offer_token=token).status == "offered"
    Booking.objects.filter(full_name="Lain").update(status="cancelled")
    assert waitlist_offer_accept_checked(token=token).full_name == "Menunggu"
