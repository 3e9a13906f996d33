"""POST /api/v1/bookings with the NIK rules (400, field errors under `nik`) and eligibility
(409 with a code), the optional person fields, and the person's language."""

from __future__ import annotations

import datetime as dt

from organizers.models import (
    AgeRule,
    Booking,
    Invite,
    Message,
    Programme,
    RosterEntry,
    Slot,
    WaitlistEntry,
)
from organizers.personal_data import person_key, seal
from organizers.services.eligibility.invites import invite_token, invites_create
from tenants.context import tenant_scope
from tests.api.conftest import PERSON, Setup
from tests.organizers.factories import a_slot

BUDI = {"nik": "3173021705600011", "date_of_birth": "1960-05-17", "full_name": "Budi Santoso"}


def _make_company(api: Setup, **fields: object) -> None:
    with tenant_scope(api.tenant.tenant):
        Programme.objects.filter(id=api.programme.id).update(kind="company", **fields)


def test_a_nik_that_contradicts_the_date_of_birth_is_400_with_the_reason(api: Setup) -> None:
    response = api.book(date_of_birth="1958-03-04", language="en")

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert error["fields"] == {
        "nik": [
            "The date of birth in the NIK (14-03-58) does not match the date of birth you entered "
            "(04-03-58). Check both against your KTP."
        ]
    }
    assert api.counters() == (0, 0)


def test_nik_messages_default_to_bahasa_indonesia_and_name_each_mismatch(api: Setup) -> None:
    response = api.book(nik="9973015403590000", sex="M")

    messages = response.json()["error"]["fields"]["nik"]
    assert response.status_code == 400
    assert len(messages) == 4
    assert "kode provinsi" in messages[0]
    assert "Tanggal lahir di NIK (14-03-59)" in messages[1]
    assert "milik perempuan" in messages[2]
    assert "0000" in messages[3]
    assert api.counters() == (0, 0)


def test_sex_is_optional_but_checked_when_given(api: Setup) -> None:
    assert api.book(sex="X").json()["error"]["fields"].keys() == {"sex"}
    assert api.book(sex="M").status_code == 400
    assert api.counters() == (0, 0)

    booked = api.book(sex="F", address="Jl. Melati 3, Bandung", language="en")

    assert booked.status_code == 201
    with tenant_scope(api.tenant.tenant):
        booking = Booking.objects.get()
    assert (booking.sex, booking.address, booking.language) == ("F", "Jl. Melati 3, Bandung", "en")


def test_a_man_without_sex_given_is_accepted(api: Setup) -> None:
    assert api.book(**BUDI).status_code == 201


def test_roster_refusal_is_409_with_a_code_in_the_persons_language(api: Setup) -> None:
    _make_company(api, uses_roster=True, asks_employee_number=True)
    with tenant_scope(api.tenant.tenant):
        RosterEntry.objects.create(
            programme_id=api.programme.id,
            person_key=person_key(BUDI["nik"]),
            nik_sealed=seal(BUDI["nik"], field="nik"),
            full_name="Budi",
            employee_number="K-7",
        )

    outsider = api.book(language="en")
    outsider_id = api.book()
    wrong_number = api.book(**BUDI, employee_number="K-8")
    employee = api.book(**BUDI, employee_number="k-7")

    assert outsider.status_code == 409
    assert outsider.json()["error"]["code"] == "not_on_roster"
    assert "ask HR to add you" in outsider.json()["error"]["message"]
    assert "minta HRD menambahkan Anda" in outsider_id.json()["error"]["message"]
    assert wrong_number.json()["error"] == outsider_id.json()["error"]  # no roster oracle
    assert employee.status_code == 201
    assert api.counters() == (1, 1)


def test_an_invite_link_books_once(api: Setup) -> None:
    _make_company(api, uses_invites=True)
    with tenant_scope(api.tenant.tenant):
        programme = Programme.objects.get(id=api.programme.id)
        (invite,) = invites_create(programme, ["siti@example.id"])
        token = invite_token(invite)

    no_link = api.book()
    someone_else = api.book(**BUDI, email="budi@example.id", invite_token=token)
    siti = api.book(invite_token=token)
    again = api.book(**BUDI, email="siti@example.id", invite_token=token)

    assert no_link.json()["error"]["code"] == "invite_required"
    assert someone_else.json()["error"]["code"] == "invite_other_person"
    assert siti.status_code == 201
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "invite_used"
    with tenant_scope(api.tenant.tenant):
        assert Invite.objects.get().booking.voucher_code == siti.json()["voucher_code"]
    assert api.counters() == (1, 1)


def test_age_groups_say_when_booking_opens(api: Setup) -> None:
    with tenant_scope(api.tenant.tenant):
        AgeRule.objects.create(
            programme_id=api.programme.id, min_age=18, max_age=59, opens_on=dt.date(2099, 7, 5)
        )
        AgeRule.objects.create(
            programme_id=api.programme.id, min_age=60, opens_on=dt.date(2000, 1, 1)
        )
        young_slot = a_slot(
            venue=api.venue, programme=api.programme, capacity=2, starts_in=dt.timedelta(days=3)
        )
    young = {"nik": "3273011501000007", "date_of_birth": "2000-01-15", "full_name": "Rina"}

    refused = api.book(**young, slot_id=young_slot.id, language="en")
    elder = api.book()

    assert refused.status_code == 409
    assert refused.json()["error"] == {
        "code": "age_group_not_open_yet",
        "message": "Bookings for people aged 18\u201359 open on 5 July 2099. Please come back "
        "on that day to book.",
    }
    assert elder.status_code == 201


def test_waitlist_applies_the_nik_rules_and_eligibility(api: Setup) -> None:
    day = api.slot.starts_at.astimezone(dt.timezone(dt.timedelta(hours=7))).date()
    wait = {"programme_id": api.programme.id, "venue_id": api.venue.id, "day": str(day), "dose": 1}

    mismatch = api.post("waitlist", {**PERSON, "date_of_birth": "1958-03-04", **wait})
    _make_company(api, uses_roster=True)
    outsider = api.post("waitlist", {**PERSON, **wait})

    assert mismatch.status_code == 400
    assert "nik" in mismatch.json()["error"]["fields"]
    assert outsider.status_code == 409
    assert outsider.json()["error"]["code"] == "not_on_roster"


# --- Security review: proof of the email address, and a roster is not an oracle ----------------


def test_a_person_admitted_only_by_email_domain_is_sent_to_the_booking_pages(api: Setup) -> None:
    _make_company(api, uses_roster=True, allowed_email_domains=["acme.co.id"])
    with tenant_scope(api.tenant.tenant):
        RosterEntry.objects.create(
            programme_id=api.programme.id,
            person_key=person_key(BUDI["nik"]),
            nik_sealed=seal(BUDI["nik"], field="nik"),
            full_name="Budi",
        )
        messages_before = Message.objects.count()

    stranger = api.book(email="x@acme.co.id", language="en")

    assert stranger.status_code == 409
    error = stranger.json()["error"]
    assert error["code"] == "email_verification_required"
    assert "booking pages" in error["message"]
    assert api.counters() == (0, 0)
    with tenant_scope(api.tenant.tenant):
        assert Message.objects.count() == messages_before
    # Someone on the roster books with the same work domain: nothing to prove.
    assert api.book(**BUDI, email="budi@acme.co.id").status_code == 201


def test_the_waitlist_api_sends_a_domain_only_person_to_the_pages_too(api: Setup) -> None:
    _make_company(api, allowed_email_domains=["acme.co.id"])
    day = api.slot.starts_at.astimezone(dt.timezone(dt.timedelta(hours=7))).date().isoformat()
    with tenant_scope(api.tenant.tenant):
        Slot.objects.filter(id=api.slot.id).update(booked=2, booked_dose1=2)  # the day is full

    joined = api.post(
        "waitlist",
        {
            **PERSON,
            "email": "x@acme.co.id",
            "programme_id": api.programme.id,
            "venue_id": api.venue.id,
            "day": day,
            "dose": 1,
        },
    )

    assert joined.status_code == 409
    assert joined.json()["error"]["code"] == "email_verification_required"
    with tenant_scope(api.tenant.tenant):
        assert not WaitlistEntry.objects.exists()


def test_roster_checks_stop_after_ten_refusals_per_address(api: Setup) -> None:
    _make_company(api, uses_roster=True)
    with tenant_scope(api.tenant.tenant):
        RosterEntry.objects.create(
            programme_id=api.programme.id,
            person_key=person_key(BUDI["nik"]),
            nik_sealed=seal(BUDI["nik"], field="nik"),
            full_name="Budi",
        )
    for _ in range(10):
        assert api.book(language="en").json()["error"]["code"] == "not_on_roster"

    limited = api.book(**BUDI, language="en")  # on the roster: the answer would be yes

    assert limited.status_code == 429
    assert limited.json()["error"]["code"] == "too_many_attempts"
    assert "15 minutes" in limited.json()["error"]["message"]
    assert api.counters() == (0, 0)
    joined = api.post(
        "waitlist",
        {
            **BUDI,
            "programme_id": api.programme.id,
            "venue_id": api.venue.id,
            "day": "2030-01-01",
            "dose": 1,
            "phone": "+6281234567890",
            "email": "b@example.id",
        },
    )
    assert joined.status_code == 429
