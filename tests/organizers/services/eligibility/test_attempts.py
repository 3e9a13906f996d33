"""Refused eligibility checks are counted per client address: beyond the limit the check is not
run at all (429), and another address is not affected."""

from __future__ import annotations

import pytest

from organizers.models import Booking
from organizers.services.eligibility.rules import eligibility_check
from tests.conftest import OrganizerFixture
from tests.organizers.factories import a_person, a_slot, a_valid_nik, a_venue
from tests.organizers.services.eligibility.booking_helpers import (
    a_company,
    booked,
    put_on_roster,
    refused_with,
)


def test_refused_checks_are_limited_per_address_without_checking_beyond(
    alpha: OrganizerFixture,
) -> None:
    from django.core.cache import caches

    from organizers.services.eligibility.attempts import (
        REFUSALS_PER_ADDRESS,
        EligibilityAttemptsError,
        refusals_key,
    )

    caches["global"].delete_many([refusals_key("1.2.3.4"), refusals_key("5.6.7.8")])
    programme = a_company(uses_roster=True)
    slot = a_slot(venue=a_venue(), programme=programme)
    employee = a_person()
    put_on_roster(programme, employee)
    for _ in range(REFUSALS_PER_ADDRESS):
        refused_with(
            "not_on_roster", slot, a_person(name="Luar", nik=a_valid_nik()), address="1.2.3.4"
        )

    with pytest.raises(EligibilityAttemptsError) as limited:
        booked(slot, employee, address="1.2.3.4")  # on the roster, but the check is not run
    assert (limited.value.status_code, limited.value.code) == (429, "too_many_attempts")
    with pytest.raises(EligibilityAttemptsError):
        eligibility_check(programme_id=programme.id, person=employee, address="1.2.3.4")
    assert Booking.objects.count() == 0
    assert booked(slot, employee, address="5.6.7.8").status == "active"  # another address
