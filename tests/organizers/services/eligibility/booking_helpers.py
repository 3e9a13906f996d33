"""Booking a programme and expecting a refusal with nothing written: shared by the eligibility
tests (rules, facts, attempts)."""

from __future__ import annotations

import pytest

from organizers.models import Booking, Message, Programme, RosterEntry, Slot
from organizers.personal_data import person_key, seal
from organizers.services.booking.person import Person
from organizers.services.booking.place import booking_place
from organizers.services.eligibility.rules import EligibilityRefusedError
from tests.organizers.factories import a_programme


def a_company(**fields: object) -> Programme:
    return a_programme(name="Vaksinasi Karyawan", kind="company", **fields)


def put_on_roster(programme: Programme, person: Person, employee_number: str = "") -> RosterEntry:
    return RosterEntry.objects.create(
        programme=programme,
        person_key=person_key(person.nik),
        nik_sealed=seal(person.nik, field="nik"),
        full_name=person.full_name,
        employee_number=employee_number,
    )


def written(slot: Slot) -> tuple[int, int, int]:
    slot.refresh_from_db()
    return slot.booked, Booking.objects.count(), Message.objects.count()


def refused_with(
    code: str, slot: Slot, person: Person, language: str = "en", **kwargs: object
) -> str:
    """Book and expect a refusal with `code`: nothing written. Returns the message."""
    before = written(slot)
    person = Person(**{**person.__dict__, "language": language})
    with pytest.raises(EligibilityRefusedError) as refused:
        booking_place(
            programme_id=slot.programme_id, slot_id=slot.id, dose=1, person=person, **kwargs
        )  # type: ignore[arg-type]
    assert refused.value.code == code
    assert refused.value.status_code == 409
    assert written(slot) == before
    return str(refused.value.message)


def booked(slot: Slot, person: Person, dose: int = 1, **kwargs: object) -> Booking:
    return booking_place(
        programme_id=slot.programme_id, slot_id=slot.id, dose=dose, person=person, **kwargs
    )  # type: ignore[arg-type]
