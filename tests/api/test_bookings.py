"""Booking API v1: what an integrator or the booking front end sees, and what it changes."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from common.security_headers import OTHER_POLICY
from organizers.models import IdempotencyRecord
from organizers.services.housekeeping import idempotency_records_purge
from tenants.context import tenant_scope
from tests.api.conftest import PERSON, Setup
from tests.conftest import OrganizerFixture
from tests.organizers.factories import a_programme, a_slot, a_venue


def test_lists_programmes_venues_and_the_days_slots(api: Setup) -> None:
    day = api.slot.starts_at.astimezone(dt.timezone(dt.timedelta(hours=7))).date()

    programmes = api.client.get("/api/v1/programmes").json()
    venues = api.client.get("/api/v1/venues").json()
    slots = api.client.get(f"/api/v1/venues/{api.venue.id}/slots?date={day}").json()

    assert [p["id"] for p in programmes] == [api.programme.id]
    assert [(v["id"], v["time_zone"]) for v in venues] == [(api.venue.id, "Asia/Jakarta")]
    assert [(x["id"], x["remaining"], x["bookable"]) for x in slots] == [(api.slot.id, 2, True)]
    assert slots[0]["remaining_by_dose"] == {"1": 2, "2": 2, "3": 2}


def test_booking_returns_201_with_a_voucher_and_a_masked_nik(api: Setup) -> None:
    response = api.book()

    assert response.status_code == 201
    body = response.json()
    assert len(body["voucher_code"]) == 9
    assert body["nik_masked"] == "3273••••••••0002"
    assert "3273015403580002" not in response.content.decode()
    assert body["slot"]["id"] == api.slot.id
    assert api.counters() == (1, 1)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"nik": "12345"}, "nik"),
        ({"nik": "32730154035800AB"}, "nik"),
        ({"date_of_birth": "2999-01-01"}, "date_of_birth"),
        ({"dose": 7}, "dose"),
        ({"email": "not-an-email"}, "email"),
        ({"slot_id": "x"}, "slot_id"),
    ],
)
def test_malformed_fields_get_400_with_the_field_named(
    api: Setup, change: dict, field: str
) -> None:
    response = api.book(**change)

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert field in error["fields"]
    assert api.counters() == (0, 0)


def test_field_errors_are_in_bahasa_indonesia(api: Setup) -> None:
    error = api.book(nik="12345").json()["error"]

    assert error["message"] == "Data yang dikirim tidak valid."
    assert error["fields"]["nik"] == ["Isi bidang ini minimal 16 karakter."]


def test_full_slot_already_booked_and_window_closed_are_409_with_a_reason(api: Setup) -> None:
    assert api.book().status_code == 201
    again = api.book()
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "already_booked"
    assert api.book(nik="3273015403580003").status_code == 201
    full = api.book(nik="3273015403580004")
    assert full.status_code == 409
    assert full.json()["error"] == {
        "code": "slot_full",
        "message": "Jam kedatangan ini sudah penuh. Pilih jam lain.",
    }
    assert api.counters() == (2, 2)


def test_malformed_json_and_huge_bodies_are_refused_cleanly(api: Setup) -> None:
    broken = api.client.post("/api/v1/bookings", "{not json", content_type="application/json")
    huge = api.post("bookings", {**PERSON, "full_name": "x" * 20000})

    assert broken.status_code == 400
    assert broken.json()["error"]["code"] == "parse_error"
    assert huge.status_code == 413
    assert huge.json()["error"]["code"] == "body_too_large"
    assert api.counters() == (0, 0)


def test_slot_of_another_organiser_is_404(api: Setup, tenant_b: OrganizerFixture) -> None:
    with tenant_scope(tenant_b.tenant):
        other = a_slot(venue=a_venue(), programme=a_programme(), capacity=5)

    response = api.book(slot_id=other.id)

    assert response.status_code == 404
    with tenant_scope(tenant_b.tenant):
        other.refresh_from_db()
        assert other.booked == 0


def test_idempotency_key_replays_the_first_result_instead_of_booking_twice(api: Setup) -> None:
    body = {**PERSON, "programme_id": api.programme.id, "slot_id": api.slot.id, "dose": 1}

    first = api.post("bookings", body, HTTP_IDEMPOTENCY_KEY="retry-1")
    retry = api.post("bookings", body, HTTP_IDEMPOTENCY_KEY="retry-1")
    reused = api.post(
        "bookings", {**body, "nik": "3273015403580009"}, HTTP_IDEMPOTENCY_KEY="retry-1"
    )

    assert first.status_code == retry.status_code == 201
    assert retry.json()["voucher_code"] == first.json()["voucher_code"]
    assert retry["Idempotent-Replayed"] == "true"
    assert reused.status_code == 422
    assert reused.json()["error"]["code"] == "idempotency_key_reused"
    assert api.counters() == (1, 1)


def test_view_cancel_and_reschedule_need_the_date_of_birth(api: Setup) -> None:
    code = api.book().json()["voucher_code"]
    with tenant_scope(api.tenant.tenant):
        later = a_slot(venue=api.venue, programme=api.programme, starts_in=dt.timedelta(days=3))

    wrong = api.post(f"bookings/{code}/view", {"date_of_birth": "1960-01-01"})
    unknown = api.post("bookings/ZZZZ-ZZZZ/view", {"date_of_birth": "1958-03-14"})
    seen = api.post(f"bookings/{code.lower()}/view", {"date_of_birth": "1958-03-14"})
    moved = api.post(
        f"bookings/{code}/reschedule", {"date_of_birth": "1958-03-14", "slot_id": later.id}
    )
    bad_cancel = api.post(f"bookings/{code}/cancel", {"date_of_birth": "1960-01-01"})

    assert wrong.status_code == unknown.status_code == 404
    assert wrong.json() == unknown.json()  # a wrong date of birth tells nothing more
    assert seen.json()["status"] == "active"
    assert moved.json()["slot"]["id"] == later.id
    assert bad_cancel.status_code == 404
    cancelled = api.post(f"bookings/{code}/cancel", {"date_of_birth": "1958-03-14"})
    again = api.post(f"bookings/{code}/cancel", {"date_of_birth": "1958-03-14"})
    assert cancelled.json()["status"] == again.json()["status"] == "cancelled"
    with tenant_scope(api.tenant.tenant):
        later.refresh_from_db()
        assert later.booked == 0
    assert api.counters() == (0, 0)


def test_waitlist_join_then_accept_the_offered_seat(api: Setup) -> None:
    day = api.slot.starts_at.astimezone(dt.timezone(dt.timedelta(hours=7))).date()
    codes = [api.book(nik=f"327301540358000{i}").json()["voucher_code"] for i in (1, 2)]
    wait = {"programme_id": api.programme.id, "venue_id": api.venue.id, "day": str(day), "dose": 1}
    joined = api.post("waitlist", {**PERSON, "nik": "3273015403580005", **wait})
    api.post(f"bookings/{codes[0]}/cancel", {"date_of_birth": "1958-03-14"})
    with tenant_scope(api.tenant.tenant):
        from organizers.models import WaitlistEntry

        token = WaitlistEntry.objects.get().offer_token

    accepted = api.post(f"waitlist/offers/{token}/accept", {})

    assert joined.status_code == 201
    assert joined.json() == {"status": "waiting", "position": 1}
    assert accepted.status_code == 201
    assert accepted.json()["nik_masked"] == "3273••••••••0005"
    assert api.counters() == (2, 2)


def test_openapi_schema_describes_the_booking_endpoints(api: Setup) -> None:
    response = api.client.get("/api/v1/schema", HTTP_ACCEPT="application/json")

    assert response.status_code == 200
    paths = json.loads(response.content)["paths"]
    assert "/api/v1/bookings" in paths
    assert "/api/v1/venues/{venue_id}/slots" in paths


def test_slot_list_refuses_a_bad_date_with_the_field_named(api: Setup) -> None:
    response = api.client.get(f"/api/v1/venues/{api.venue.id}/slots?date=31-12-2026")

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["date"]


def test_bookings_must_be_sent_as_json(api: Setup) -> None:
    response = api.client.post("/api/v1/bookings", {"nik": "3273015403580002"})

    assert response.status_code == 415
    assert response.json()["error"]["code"] == "unsupported_media_type"
    assert api.counters() == (0, 0)


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


def test_spelling_a_voucher_code_another_way_is_the_same_voucher_for_the_limit(
    api: Setup,
) -> None:
    """The look-up strips spaces, tabs and case; the count of wrong tries does the same, so
    ten variants of one code do not buy ten more guesses each."""
    code = api.book().json()["voucher_code"]
    spaced = f"{code[:4]}%20-%20{code[5:]}"
    variants = [f"%20{code}", f"{code}%20", f"%09{code}", code.lower(), code.replace("-", "")]
    variants += [spaced, f"{code}%0A", f"%20%20{code}", code, f"%09{code.lower()}%20"]
    wrong = [
        api.post(f"bookings/{variant}/view", {"date_of_birth": f"1970-01-{d:02d}"})
        for d, variant in enumerate(variants, start=1)
    ]
    locked = api.post(f"bookings/%20{code.lower()}/view", {"date_of_birth": "1958-03-14"})

    assert [r.status_code for r in wrong] == [404] * 10
    assert locked.status_code == 429
    assert locked.json()["error"]["code"] == "too_many_attempts"


@pytest.mark.parametrize("path_code", ["ABCD%00EFGH", "%00", "ABCDEFGHIJ", "ABCD-EFG%C3%9C"])
def test_what_cannot_be_a_voucher_code_is_not_found_and_not_counted(
    api: Setup, path_code: str
) -> None:
    code = api.book().json()["voucher_code"]

    refused = [
        api.post(f"bookings/{path_code}/view", {"date_of_birth": "1958-03-14"}) for _ in range(12)
    ]
    mine = api.post(f"bookings/{code}/view", {"date_of_birth": "1958-03-14"})

    assert {r.status_code for r in refused} == {404}
    assert refused[0].json()["error"]["code"] == "booking_not_found"
    assert mine.status_code == 200  # twelve malformed tries cost this address nothing here


def test_a_booking_answer_on_the_api_is_not_stored_and_cannot_be_framed(api: Setup) -> None:
    booked = api.book()

    assert booked.status_code == 201
    assert booked["Content-Security-Policy"] == OTHER_POLICY
    assert booked["Cache-Control"] == "no-store"


def test_openapi_schema_documents_every_error_answer_and_the_constraints(api: Setup) -> None:
    """Generated clients and fuzzers learn the errors and limits instead of meeting them."""
    schema = api.client.get("/api/v1/schema", HTTP_ACCEPT="application/json").json()
    error = {"$ref": "#/components/schemas/Error"}

    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            errors = {status for status in responses if status[0] in "45"}
            assert {"429", "503"} <= errors, f"{method} {path}"  # busy, outage
            for status in errors:
                body = responses[status]["content"]["application/json"]["schema"]
                assert body == error, f"{method} {path} {status}"
    booking = schema["paths"]["/api/v1/bookings"]["post"]["responses"]
    assert {"400", "409", "415", "429", "503"} <= set(booking)
    person = schema["components"]["schemas"]["BookingCreateRequest"]["properties"]
    assert (person["nik"]["minLength"], person["nik"]["maxLength"]) == (16, 16)
    assert person["nik"]["pattern"] == "^[0-9]{16}$"
    assert person["programme_id"]["minimum"] == 1
    assert (person["full_name"]["minLength"], person["full_name"]["maxLength"]) == (1, 200)
    assert person["date_of_birth"]["format"] == "date"
    assert set(schema["components"]["schemas"]["ErrorBody"]["properties"]) == {
        "code",
        "message",
        "fields",
        "details",
    }
