"""Sealing, the blind index, and key rotation."""

from __future__ import annotations

import base64
import secrets

import pytest
from django.apps import apps
from django.core.management import call_command

from organizers.models import Booking, RosterEntry
from organizers.personal_data import (
    SEALED_FIELDS,
    PersonalDataError,
    _keyring,
    mask_nik,
    person_key,
    seal,
    sealed_column,
    unseal,
)
from organizers.services.booking.engine import booking_create
from organizers.services.personal_data_rotation import personal_data_reseal, sealed_models
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
        booking = booking_create(
            programme_id=programme.id,
            slot_id=slot.id,
            dose=1,
            person=a_person(nik="3273014403580002"),
        )
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


def test_every_sealed_column_names_a_sealed_field_and_is_re_sealed() -> None:
    columns = {
        (model.__name__, field.attname)
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if field.attname.endswith("_sealed")
    }

    assert {column.removesuffix("_sealed") for _model, column in columns} <= set(SEALED_FIELDS)
    rotated = {
        (model.__name__, sealed_column(field))
        for model, fields in sealed_models()
        for field in fields
    }
    assert rotated == columns
    assert {name for name, _column in columns} == {"Booking", "WaitlistEntry", "RosterEntry"}


def test_a_misspelt_field_is_refused_rather_than_sealed_unopenable(
    tenant_a: OrganizerFixture,
) -> None:
    with tenant_scope(tenant_a.tenant), pytest.raises(ValueError, match="not a sealed field"):
        seal("3273014403580002", field="NIK")


def test_rotation_reseals_the_roster_too(tenant_a: OrganizerFixture, settings) -> None:
    old = settings.SENTRA_PII_KEYS
    with tenant_scope(tenant_a.tenant):
        entry = RosterEntry.objects.create(
            programme=a_programme(kind="company"),
            person_key=person_key("3273014403580002"),
            nik_sealed=seal("3273014403580002", field="nik"),
            full_name="Siti Aminah",
        )
        settings.SENTRA_PII_KEYS = f"new2:{_key()},{old}"
        _keyring.cache_clear()
        try:
            assert personal_data_reseal() == 1

            entry.refresh_from_db()
            assert entry.nik_sealed.startswith("new2.")
            assert unseal(entry.nik_sealed, field="nik") == "3273014403580002"
        finally:
            settings.SENTRA_PII_KEYS = old
            _keyring.cache_clear()
