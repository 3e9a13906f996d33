"""Sealing, the blind index, and key rotation."""

from __future__ import annotations

import base64
import secrets

import pytest
from django.core.management import call_command

from organizers.models import Booking
from organizers.personal_data import (
    PersonalDataError,
    _keyring,
    mask_nik,
    person_key,
    seal,
    unseal,
)
from organizers.services.capacity import booking_create
from tenants.context import tenant_scope
from tests.conftest import OrganizerFixture
from tests.organizers.factories import a_person, a_programme, a_slot, a_venue


def _key() -> str:
    return base64.b64encode(secrets.token_bytes(32)).decode()


def test_sealed_value_opens_only_in_its_tenant_and_field(
    tenant_a: OrganizerFixture, tenant_b: OrganizerFixture
) -> None:
    with tenant_scope(tenant_a.tenant):
        sealed = seal("3273014403580002", field="nik")
        assert unseal(sealed, field="nik") == "3273014403580002"
        with pytest.raises(PersonalDataError):
            unseal(sealed, field="date_of_birth")
    with tenant_scope(tenant_b.tenant), pytest.raises(PersonalDataError):
        unseal(sealed, field="nik")


def test_blind_index_is_keyed_and_stable_and_the_nik_is_masked(settings) -> None:
    first = person_key("3273014403580002")
    assert first == person_key("3273014403580002")
    assert "3273014403580002" not in first
    settings.SENTRA_PII_INDEX_KEY = _key()
    assert person_key("3273014403580002") != first  # without the key, no link to the NIK
    assert mask_nik("3273014403580002") == "3273••••••••0002"


def test_rotation_reseals_old_rows_and_they_still_open(
    tenant_a: OrganizerFixture, settings, capsys
) -> None:
    old = settings.SENTRA_PII_KEYS
    with tenant_scope(tenant_a.tenant):
        programme, venue = a_programme(), a_venue()
        slot = a_slot(venue=venue, programme=programme)
        booking = booking_create(programme_id=programme.id, slot_id=slot.id, dose=1,
                                 person=a_person(nik="3273014403580002"))  # fmt: skip
    settings.SENTRA_PII_KEYS = f"new1:{_key()},{old}"
    _keyring.cache_clear()

    call_command("reseal_personal_data")

    assert "alpha: 1 rows re-sealed" in capsys.readouterr().out
    with tenant_scope(tenant_a.tenant):
        stored = Booking.objects.get(id=booking.id)
        assert stored.nik_sealed.startswith("new1.")
        assert unseal(stored.nik_sealed, field="nik") == "3273014403580002"
        assert unseal(stored.date_of_birth_sealed, field="date_of_birth") == "1958-03-14"
    settings.SENTRA_PII_KEYS = old
