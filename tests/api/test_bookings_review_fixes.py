"""API rules found in review: proof limits, ASCII NIKs, id bounds, venue-local times."""

from __future__ import annotations

import datetime as dt
import json

from organizers.models import IdempotencyRecord
from organizers.services.housekeeping import idempotency_records_purge
from tenants.context import tenant_scope
from tests.api.conftest import PERSON, Setup
from tests.organizers.factories import a_slot, a_venue


def test_wrong_dates_of_birth_lock_the_voucher_after_ten_tries(api: Setup) -> None:
    code = api.book().json()["voucher_code"]

    wrong = [
        api.post(f"bookings/{code}/view", {"date_of_birth": f"1970-01-{d:02d}"})
        for d in range(1, 11)
    ]
    locked = api.post(f"bookings/{code}/view", {"date_of_birth": "1958-03-14"})

    assert {r.status_code for r in wrong} == {404}
    assert locked.status_code == 429
    assert locked.json()["error"]["code"] == "too_many_attempts"


def test_full_width_digits_are_not_a_nik(api: Setup) -> None:
    full_width = "".join(chr(ord(digit) + 0xFEE0) for digit in "3273015403580002")
    response = api.book(nik=full_width)

    assert response.status_code == 400
    assert "nik" in response.json()["error"]["fields"]
    assert api.counters() == (0, 0)


def test_ids_beyond_the_database_range_are_400_not_500(api: Setup) -> None:
    response = api.book(programme_id=2**63)

    assert response.status_code == 400
    assert "programme_id" in response.json()["error"]["fields"]


def test_times_are_in_the_venues_own_time_zone(api: Setup) -> None:
    with tenant_scope(api.tenant.tenant):
        venue = a_venue(name="RSUD Jayapura", province="Papua", time_zone="Asia/Jayapura")
        slot = a_slot(venue=venue, programme=api.programme)
    day = slot.starts_at.astimezone(dt.timezone(dt.timedelta(hours=9))).date()

    listed = api.client.get(f"/api/v1/venues/{venue.id}/slots?date={day}").json()
    booked = api.book(slot_id=slot.id).json()

    assert listed[0]["starts_at"].endswith("+09:00")
    assert booked["slot"]["starts_at"].endswith("+09:00")


def test_idempotency_records_hold_no_plain_hash_of_the_body_and_expire(
    api: Setup,
) -> None:
    import hashlib

    body = {**PERSON, "programme_id": api.programme.id, "slot_id": api.slot.id, "dose": 1}
    raw = json.dumps(body)
    api.client.post(
        "/api/v1/bookings", raw, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-1"
    )

    with tenant_scope(api.tenant.tenant):
        record = IdempotencyRecord.objects.get(key="k-1")
        assert record.fingerprint != hashlib.sha256(raw.encode()).hexdigest()
        assert idempotency_records_purge(now=record.created_at + dt.timedelta(hours=25)) == 1
