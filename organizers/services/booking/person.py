"""The person a booking is for (Person), and their columns of a booking row, sealed: written
once here for the one statement (booking.engine.booking_statement_params) and for the full
path's INSERT (booking.rows.insert_booking)."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from organizers.personal_data import person_key, seal


@dataclass(frozen=True)
class Person:
    nik: str
    date_of_birth: dt.date
    full_name: str
    phone: str = ""
    email: str = ""
    sex: str = ""  # Sex.MALE / Sex.FEMALE, or "" when not asked (the API)
    address: str = ""
    employee_number: str = ""
    language: str = "id"  # every message to this person is in this language
    party: uuid.UUID | None = None  # bookings made together by one helper


# The person's columns of a booking row, in the order person_columns gives them.
PERSON_COLUMNS = (
    "person_key",
    "nik_sealed",
    "date_of_birth_sealed",
    "full_name",
    "phone",
    "email",
    "sex",
    "address",
    "employee_number",
    "language",
    "party",
)


def person_columns(person: Person, *, tenant_uid: object = None) -> dict[str, object]:
    """The person's columns of a booking row, by column name: their key, the sealed NIK and
    date of birth (for the current tenant, or the one `tenant_uid` names) and the rest as
    given."""
    return {
        "person_key": person_key(person.nik),
        "nik_sealed": seal(person.nik, field="nik", tenant_uid=tenant_uid),
        "date_of_birth_sealed": seal(
            person.date_of_birth.isoformat(), field="date_of_birth", tenant_uid=tenant_uid
        ),
        "full_name": person.full_name,
        "phone": person.phone,
        "email": person.email,
        "sex": person.sex,
        "address": person.address,
        "employee_number": person.employee_number,
        "language": person.language,
        "party": person.party,
    }
