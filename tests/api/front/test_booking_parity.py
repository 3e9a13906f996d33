"""The front's booking answers, byte for byte, what Django answers to the same request: the 201,
every kind of 400, a body that is no booking; and what it leaves to the full path."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings

from organizers.models import Booking, Message
from organizers.personal_data import person_key, unseal
from tenants.context import tenant_scope
from tests.api.front.conftest import SAME_HEADERS, Harness, assert_same_answer, nik


def test_the_front_books_with_the_same_answer_as_the_full_path(harness: Harness) -> None:
    by_django = harness.book(1, language="en", email="siti@example.id")
    handled_by_django = len(harness.django.seen)
    by_front = harness.book(2, language="en", email="siti@example.id")

    assert by_django.status == by_front.status == 201
    assert len(harness.django.seen) == handled_by_django == 1  # the second never reached it
    first, second = by_django.json(), by_front.json()
    assert set(first) == set(second)
    for key in (
        "status",
        "dose",
        "vaccine_brand",
        "full_name",
        "programme_id",
        "venue",
        "slot",
        "next_dose",
    ):
        assert first[key] == second[key], key
    assert second["nik_masked"] == "3273••••••••0002"
    assert second["voucher_code"] != first["voucher_code"]
    for name in SAME_HEADERS:
        assert by_front.headers[name] == by_django.headers[name], name
    assert by_front.headers["content-language"] == "id"  # the request's; the booking's is "en"
    assert harness.counters() == (2, 2)
    with tenant_scope(harness.tenant):
        booking = Booking.objects.get(voucher_code=second["voucher_code"])
        assert booking.person_key == person_key(nik(2))
        assert unseal(booking.nik_sealed, field="nik") == nik(2)
        assert unseal(booking.date_of_birth_sealed, field="date_of_birth") == "1958-03-14"
        assert booking.language == "en"
        message = Message.objects.get(booking=booking)
        assert (message.kind, message.status, message.to_email) == (
            "voucher",
            "pending",
            "siti@example.id",
        )
    # Each booking's e-voucher wakes the outbox relay for the organiser's schema: Django's
    # after its commit, the front's after its statement.
    assert harness.wakes.received() == [harness.tenant.schema_name] * 2


def test_the_language_cookie_decides_when_the_body_does_not(harness: Harness) -> None:
    harness.warm()
    cookie = f"{settings.LANGUAGE_COOKIE_NAME}=en; other=1".encode()
    answer = harness.book(3, headers=((b"cookie", cookie),))

    assert answer.status == 201
    assert answer.headers["content-language"] == "en"
    assert len(harness.django.seen) == 1
    with tenant_scope(harness.tenant):
        assert Booking.objects.get(voucher_code=answer.json()["voucher_code"]).language == "en"


def _parity_cases() -> list[tuple[str, dict[str, Any], int, str, bool]]:
    """(case, the body's overrides, status, code, whether the front answers it itself)"""
    return [
        ("a valid booking", {}, 201, "", True),
        (
            "a valid booking in English",
            {"language": "en", "email": "siti@example.id"},
            201,
            "",
            True,
        ),
        ("a name to trim", {"full_name": " Siti Aminah "}, 201, "", True),
        ("ids and dose as text", {"dose": "1"}, 201, "", True),
        ("a phone number typed the local way", {"phone": "0812-3456-7890"}, 201, "", True),
        ("a malformed NIK", {"nik": "123"}, 400, "invalid", True),
        ("a NIK of letters", {"nik": "32730154035800AB"}, 400, "invalid", True),
        ("a NIK of another sex", {"sex": "M"}, 400, "invalid", True),
        ("a missing date of birth", {"date_of_birth": None}, 400, "invalid", True),
        ("a date of birth to come", {"date_of_birth": "2999-01-01"}, 400, "invalid", True),
        ("a date in another format", {"date_of_birth": "14-03-1958"}, 400, "invalid", True),
        ("a slot id of text", {"slot_id": "x"}, 400, "invalid", True),
        ("an id beyond the range", {"programme_id": 2**63}, 400, "invalid", True),
        ("a dose not offered by anyone", {"dose": 7}, 400, "invalid", True),
        ("an email address that is none", {"email": "not-an-email"}, 400, "invalid", True),
        (
            "a phone number that is not Indonesian",
            {"phone": "+1 202 555 0143"},
            400,
            "invalid",
            True,
        ),
        (
            "several wrong fields, in English",
            {"language": "en", "nik": "1", "dose": 0},
            400,
            "invalid",
            True,
        ),
        ("a second booking for the same person", {"nik": nik(9_999)}, 409, "already_booked", True),
        # Quirks a fuzzer found (issue #11, item 10): each is refused the same way on both paths.
        ("an ISO week date of birth", {"date_of_birth": "1958-W11-5"}, 400, "invalid", True),
        (
            "full-width digits in the date of birth",
            {"date_of_birth": "\uff11\uff19\uff15\uff18-\uff10\uff13-\uff11\uff14"},
            400,
            "invalid",
            True,
        ),
        ("a control character in the name", {"full_name": "Siti\x07 Aminah"}, 400, "invalid", True),
        ("a bidi override in the name", {"full_name": "Siti \u202eAminah"}, 400, "invalid", True),
        ("a dose the front does not book", {"dose": 2}, 409, "previous_dose_missing", False),
        ("a second dose to reserve", {"reserve_next_dose": True}, 409, "next_dose_full", False),
    ]


@pytest.mark.parametrize(
    ("case", "overrides", "status", "code", "by_front"),
    _parity_cases(),
    ids=[case[0] for case in _parity_cases()],
)
def test_the_same_request_gets_the_same_bytes_from_the_front_and_from_django(
    harness: Harness, case: str, overrides: dict, status: int, code: str, by_front: bool
) -> None:
    harness.warm()
    cookie = ((b"cookie", f"{settings.LANGUAGE_COOKIE_NAME}=en".encode()),)
    front_answer = harness.book(4, headers=cookie, **overrides)
    seen = len(harness.django.seen)
    django_answer = harness.book(5, headers=cookie, app=harness.django, **overrides)

    assert_same_answer(front_answer, django_answer)
    assert front_answer.status == status
    if code:
        assert front_answer.json()["error"]["code"] == code
    assert seen == (1 if by_front else 2)  # the warm-up, and this one when the front did not
    booked = 1 + 2 * (status == 201)
    assert harness.counters() == (booked, booked)


@pytest.mark.parametrize(
    ("case", "body"),
    [
        ("not JSON", b"{not json"),
        ("a list", b"[1, 2]"),
        ("nested brackets", b"[" * 5000),
        ("an empty body", b""),
    ],
)
def test_a_body_that_is_no_booking_gets_the_same_400_from_the_front(
    harness: Harness, case: str, body: bytes
) -> None:
    harness.warm()
    sent = {"body": body, "headers": ((b"content-type", b"application/json"),)}
    front_answer = harness.call("POST", "/api/v1/bookings", **sent)
    django_answer = harness.call("POST", "/api/v1/bookings", app=harness.django, **sent)

    assert_same_answer(front_answer, django_answer)
    assert front_answer.status == 400
    assert len(harness.django.seen) == 2  # the warm-up, and the one sent to Django itself
    assert harness.counters() == (1, 1)


def test_a_phone_number_is_stored_as_plus_62_whoever_books(harness: Harness) -> None:
    harness.warm()
    by_front = harness.book(6, phone="0812 3456 7890")
    by_django = harness.book(7, phone="62-812-3456-7891", app=harness.django)

    assert by_front.status == by_django.status == 201
    with tenant_scope(harness.tenant):
        phones = sorted(
            Booking.objects.filter(
                voucher_code__in=[by_front.json()["voucher_code"], by_django.json()["voucher_code"]]
            ).values_list("phone", flat=True)
        )
    assert phones == ["+6281234567890", "+6281234567891"]


def test_thousands_of_nested_brackets_are_a_clear_400_not_a_crash(harness: Harness) -> None:
    harness.warm()
    answer = harness.call(
        "POST",
        "/api/v1/bookings",
        body=b"[" * 5000,
        headers=((b"content-type", b"application/json"),),
    )

    assert answer.status == 400
    assert answer.json()["error"]["code"] == "parse_error"


def test_a_body_too_large_is_refused_with_413_and_read_no_further(harness: Harness) -> None:
    harness.warm()
    answer = harness.book(6, full_name="x" * 70_000)

    assert answer.status == 413
    assert harness.counters() == (1, 1)


def test_a_retried_post_with_an_idempotency_key_is_left_to_the_full_path(harness: Harness) -> None:
    harness.warm()
    key = ((b"idempotency-key", b"retry-1"),)
    first, again = harness.book(5, headers=key), harness.book(5, headers=key)

    assert first.status == again.status == 201
    assert first.json()["voucher_code"] == again.json()["voucher_code"]
    assert again.headers["idempotent-replayed"] == "true"
    assert harness.counters() == (2, 2)


def test_a_content_type_that_only_starts_like_json_gets_the_same_415(harness: Harness) -> None:
    harness.warm()
    sent = {"body": b"{}", "headers": ((b"content-type", b"application/jsonx"),)}

    front_answer = harness.call("POST", "/api/v1/bookings", **sent)
    django_answer = harness.call("POST", "/api/v1/bookings", app=harness.django, **sent)

    assert_same_answer(front_answer, django_answer)
    assert front_answer.status == 415
